"""How the item and domain ids of one instrument version relate to an earlier version's.

A version declares, in ``changes``, which ids it renamed (new <- old), merged (new <- several old)
or retired relative to the version it supersedes. An id present in both versions and not
mentioned maps to itself. Mappings chain through intermediate versions when the catalogue has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.instruments.schema import IdChanges, Instrument


def _step(changes: IdChanges | None, new_ids: list[str], old_ids: set[str]) -> dict[str, tuple[str, ...]]:
    renamed = changes.renamed if changes else {}
    merged = changes.merged if changes else {}
    out: dict[str, tuple[str, ...]] = {}
    for new_id in new_ids:
        if new_id in renamed:
            olds: tuple[str, ...] = (renamed[new_id],)
        elif new_id in merged:
            olds = tuple(merged[new_id])
        elif new_id in old_ids:
            olds = (new_id,)
        else:
            olds = ()
        out[new_id] = tuple(o for o in olds if o in old_ids)
    return out


@dataclass(frozen=True)
class IdMap:
    """newer id -> the older ids it corresponds to (empty: not comparable)."""

    items: dict[str, tuple[str, ...]]
    domains: dict[str, tuple[str, ...]]

    @classmethod
    def between(cls, newer: Instrument, older: Instrument, find: Callable[[str, str], Instrument | None] | None = None) -> IdMap:
        if newer.id != older.id or newer.version == older.version:
            same_items = {i.id: (i.id,) if older.has_item(i.id) else () for i in newer.items}
            older_domains = {d.id for d in older.domains}
            return cls(same_items, {d.id: (d.id,) if d.id in older_domains else () for d in newer.domains})
        chain = [newer]
        while chain[-1].changes is not None and chain[-1].changes.supersedes != older.version and find is not None:
            previous = find(newer.id, chain[-1].changes.supersedes)
            if previous is None:
                break
            chain.append(previous)
        chain.append(older)
        items = {i.id: (i.id,) for i in newer.items}
        domains = {d.id: (d.id,) for d in newer.domains}
        for later, earlier in zip(chain, chain[1:], strict=False):
            changes = later.changes if later.changes and later.changes.supersedes == earlier.version else None
            item_step = _step(changes.items if changes else None, [i.id for i in later.items], {i.id for i in earlier.items})
            domain_step = _step(changes.domains if changes else None, [d.id for d in later.domains], {d.id for d in earlier.domains})
            items = {k: tuple(o for v in vs for o in item_step.get(v, ())) for k, vs in items.items()}
            domains = {k: tuple(o for v in vs for o in domain_step.get(v, ())) for k, vs in domains.items()}
        return cls(items, domains)

    def old_items_for(self, new_id: str) -> tuple[str, ...]:
        return self.items.get(new_id, ())

    def old_item_for(self, new_id: str) -> str | None:
        olds = self.old_items_for(new_id)
        return olds[0] if len(olds) == 1 else None

    def old_domain_for(self, new_id: str) -> str | None:
        olds = self.domains.get(new_id, ())
        return olds[0] if len(olds) == 1 else None

    @property
    def not_comparable_items(self) -> list[str]:
        return [k for k, v in self.items.items() if not v]

    @property
    def not_comparable_domains(self) -> list[str]:
        return [k for k, v in self.domains.items() if len(v) != 1]
