"""What per-respondent rows may carry without naming anyone: pure functions, no database.

A respondent's role group, race/ethnicity and language are quasi-identifiers: a lead who chose each invitee's language,
or knows the only board member, could otherwise put a name to a row. A field is released only when every combination
of the released fields is shared by at least the anonymity minimum of the respondents the rows cover; otherwise it is
left out for all of them (left out for some rows only would single those rows out).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

FIELDS = ("role_group", "race_ethnicity", "language")
# The combinations tried, most informative first.
_CANDIDATES: tuple[tuple[str, ...], ...] = (
    FIELDS, ("role_group", "race_ethnicity"), ("role_group", "language"), ("race_ethnicity", "language"),
    ("role_group",), ("race_ethnicity",), ("language",), (),
)


@dataclass(frozen=True)
class Profile:
    role_group: str | None
    race_ethnicity: tuple[str, ...]
    language: str


def released_fields(profiles: Sequence[Profile], min_size: int) -> tuple[str, ...]:
    """The quasi-identifiers that may go out with these respondents' rows: the first set of fields every combination of
    which is shared by at least ``min_size`` of them (none when even that fails: fewer respondents than the minimum)."""
    for fields in _CANDIDATES:
        counts = Counter(tuple(getattr(p, f) for f in fields) for p in profiles)
        if fields and counts and min(counts.values()) >= min_size:
            return fields
    return ()


def shuffled(rows: Sequence[T]) -> list[T]:
    """A copy in an order that no one can predict or reproduce (not the order people started, opened or submitted)."""
    out = list(rows)
    random.SystemRandom().shuffle(out)
    return out


def fresh_pseudonyms(n: int) -> list[str]:
    """``n`` distinct codes, new for every export: the same person gets another code in the next export and the next
    cycle, so that two exports cannot be lined up person by person."""
    codes: set[str] = set()
    while len(codes) < n:
        codes.add("P-" + secrets.token_hex(4).upper())
    return shuffled(sorted(codes))


class _Member(Protocol):
    id: int
    role_group: str | None
    race_ethnicity: list[Any] | None


def published_sets(responses: Sequence[_Member], groups: Mapping[str, Mapping[str, Any]]) -> dict[str, frozenset[int]]:
    """The sets of responses whose aggregates a result publishes: the whole assessment, and each group it shows
    (``groups``: a stored result's "groups", kind -> group id -> figures), as response ids."""
    sets = {"*": frozenset(r.id for r in responses)}
    for gid in groups.get("role_group") or {}:
        sets[f"role_group:{gid}"] = frozenset(r.id for r in responses if r.role_group == gid)
    for gid in groups.get("race_ethnicity") or {}:
        sets[f"race_ethnicity:{gid}"] = frozenset(r.id for r in responses if gid in (r.race_ethnicity or ()))
    return sets


def isolating_difference(before: Mapping[str, frozenset[int]], after: Mapping[str, frozenset[int]],
                         min_size: int) -> tuple[int, bool] | None:
    """Whether publishing ``after`` beside ``before`` isolates fewer than ``min_size`` people: an earlier set contained
    in a later one (the earlier whole in a later group, an earlier group in the later whole, ...) that differs from it
    by more than none and fewer than ``min_size`` responses. Returns (that number, whether it is the whole against the
    whole), the smallest first, or None."""
    found: list[tuple[int, bool]] = []
    for old_key, old in before.items():
        for new_key, new in after.items():
            extra = len(new - old)
            if old <= new and 0 < extra < min_size:
                found.append((extra, old_key == new_key == "*"))
    return min(found, key=lambda f: (not f[1], f[0])) if found else None
