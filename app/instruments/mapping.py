"""How the item and domain ids of one instrument version relate to an earlier version's.

A version declares in ``changes`` how its ids relate to the version it supersedes (``changes.supersedes``):

- ``renamed``: ``old id: new id``, an item or domain that kept its meaning under a new id.
- ``merged``: ``new id: [old ids]``, one new id replacing several old ones.
- ``retired``: old ids with no successor.

Any other id present in both versions maps to itself. ``IdMap.between(newer, older)`` gives, for each id of the
newer version, the ids of the older version it corresponds to: one id (comparable), several (merged: not
comparable one to one) or none (new in this version: not comparable). When ``newer`` does not directly supersede
``older``, the mapping chains through the intermediate versions if a ``find(instrument_id, version)`` function is
given; without one (or with a gap in the chain) ids are matched by equality alone and ``linked`` is False.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from app.instruments.schema import IdChanges, Instrument

Links = dict[str, tuple[str, ...]]


def _links(changes: IdChanges | None, newer_ids: Iterable[str], older_ids: Collection[str]) -> Links:
    """One step: each id of the newer version -> the ids of the version just before it."""
    newer_ids = list(newer_ids)
    newer_set = set(newer_ids)
    out: dict[str, tuple[str, ...]] = {}
    taken: set[str] = set()  # old ids that went to a successor (or retired) and so cannot map to themselves
    if changes is not None:
        for old, new in changes.renamed.items():
            out[new] = (old,)
            taken.add(old)
        for new, olds in changes.merged.items():
            out[new] = tuple(olds)
            taken.update(olds)
        taken.update(changes.retired)
    for new in newer_ids:
        if new not in out:
            out[new] = (new,) if new in older_ids and new not in taken else ()
    return {new: tuple(o for o in olds if o in older_ids) for new, olds in out.items() if new in newer_set}


@dataclass(frozen=True)
class IdMap:
    """Newer id -> the older ids it corresponds to, for items and for domains (an empty tuple: nothing)."""

    items: dict[str, tuple[str, ...]]
    domains: dict[str, tuple[str, ...]]
    linked: bool = True  # False: no chain of ``changes`` joins the two versions; ids were matched by equality alone

    @classmethod
    def identity(cls, instrument: Instrument) -> IdMap:
        return cls({i.id: (i.id,) for i in instrument.items}, {d.id: (d.id,) for d in instrument.domains})

    @classmethod
    def between(cls, newer: Instrument, older: Instrument, find: Callable[[str, str], Instrument | None] | None = None) -> IdMap:
        """The mapping from ``newer``'s ids to ``older``'s (see the module docstring).

        Two different instruments (different ids) have nothing comparable.
        """
        if newer.id != older.id:
            return cls({i.id: () for i in newer.items}, {d.id: () for d in newer.domains}, linked=False)
        if newer.version == older.version:
            return cls.identity(newer)
        chain = [newer]
        while True:
            changes = chain[-1].changes
            if changes is None:
                chain = []
                break
            if changes.supersedes == older.version:
                chain.append(older)
                break
            previous = find(newer.id, changes.supersedes) if find is not None else None
            if previous is None or len(chain) > 100:
                chain = []
                break
            chain.append(previous)
        if not chain:  # no declared path: match equal ids
            older_items, older_domains = {i.id for i in older.items}, {d.id for d in older.domains}
            return cls(_links(None, (i.id for i in newer.items), older_items), _links(None, (d.id for d in newer.domains), older_domains),
                       linked=False)
        items: Links = {i.id: (i.id,) for i in newer.items}
        domains: Links = {d.id: (d.id,) for d in newer.domains}
        for later, earlier in zip(chain, chain[1:], strict=False):
            changes = later.changes
            step_items = _links(changes.items if changes else None, (i.id for i in later.items), {i.id for i in earlier.items})
            step_domains = _links(changes.domains if changes else None, (d.id for d in later.domains), {d.id for d in earlier.domains})
            items = {k: tuple(dict.fromkeys(o for v in vs for o in step_items.get(v, ()))) for k, vs in items.items()}
            domains = {k: tuple(dict.fromkeys(o for v in vs for o in step_domains.get(v, ()))) for k, vs in domains.items()}
        return cls(items, domains)

    # -- items
    def old_items_for(self, new_id: str) -> tuple[str, ...]:
        return self.items.get(new_id, ())

    def old_item_for(self, new_id: str) -> str | None:
        """The one older item id of ``new_id``; None when it is new or merges several older items."""
        olds = self.old_items_for(new_id)
        return olds[0] if len(olds) == 1 else None

    @property
    def comparable_items(self) -> dict[str, str]:
        """Newer item id -> older item id, for the items that correspond one to one."""
        return {k: v[0] for k, v in self.items.items() if len(v) == 1}

    @property
    def not_comparable_items(self) -> list[str]:
        """Newer item ids with no one-to-one older item (new, or merged from several), in instrument order."""
        return [k for k, v in self.items.items() if len(v) != 1]

    # -- domains
    def old_domains_for(self, new_id: str) -> tuple[str, ...]:
        return self.domains.get(new_id, ())

    def old_domain_for(self, new_id: str) -> str | None:
        olds = self.old_domains_for(new_id)
        return olds[0] if len(olds) == 1 else None

    @property
    def comparable_domains(self) -> dict[str, str]:
        return {k: v[0] for k, v in self.domains.items() if len(v) == 1}

    @property
    def not_comparable_domains(self) -> list[str]:
        return [k for k, v in self.domains.items() if len(v) != 1]
