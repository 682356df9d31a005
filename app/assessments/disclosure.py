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
from collections.abc import Iterable, Mapping, Sequence
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
    batch: int = 0  # which of the assessment's results first counted the response (0: the first; more after a reopening)


def released_fields(profiles: Sequence[Profile], min_size: int, required: Iterable[str] = ()) -> tuple[str, ...] | None:
    """The quasi-identifiers that may go out with these respondents' rows: the first set of fields, among those that hold
    ``required``, every combination of which is shared by at least ``min_size`` of them; () when only the empty set
    passes. None when no set holding ``required`` passes: then the rows may not be tied to one another at all.

    ``required``: the fields the result already gives away to whoever gets the rows. A result that shows a group's
    figures lets someone holding per-person rows find which rows make up the group (try the subsets until one gives
    those figures), so the group's field is released whether the rows carry it or not, and counts in the combinations.
    So does "batch" after a reopening: the rows a new result added are those missing from an earlier export, or found
    by matching the earlier result's figures.
    """
    required = tuple(required)
    for fields in _CANDIDATES:
        if not set(required) & set(FIELDS) <= set(fields):
            continue
        counted = tuple(dict.fromkeys((*fields, *required)))  # "batch" counts, but no row carries it
        counts = Counter(tuple(getattr(p, f) for f in counted) for p in profiles)
        if not counted or (counts and min(counts.values()) >= min_size):
            return fields
    return None


def coarsened(profile: Profile, shown: Mapping[str, Iterable[str]]) -> Profile:
    """A profile as a result's shown groups reveal it: a role or category whose group is not shown is not revealed."""
    roles, races = set(shown.get("role_group") or ()), set(shown.get("race_ethnicity") or ())
    return Profile(profile.role_group if profile.role_group in roles or not roles else None,
                   tuple(c for c in profile.race_ethnicity if c in races) if races else profile.race_ethnicity, profile.language,
                   profile.batch)


def shuffled(rows: Sequence[T]) -> list[T]:
    """A copy in an order that no one can predict or reproduce (not the order people started, opened or submitted)."""
    out = list(rows)
    random.SystemRandom().shuffle(out)
    return out


def fresh_pseudonyms(n: int, taken: set[str] | None = None) -> list[str]:
    """``n`` distinct codes, new for every export: the same person gets another code in the next export and the next
    cycle, so that two exports cannot be lined up person by person. None of them is in ``taken`` (the codes an export
    read in parts has given already), which gets them."""
    taken = set() if taken is None else taken
    codes: set[str] = set()
    while len(codes) < n:
        code = "P-" + secrets.token_hex(4).upper()
        if code not in taken:
            codes.add(code)
    taken.update(codes)
    return shuffled(sorted(codes))


class _Member(Protocol):
    id: int
    role_group: str | None
    race_ethnicity: list[Any] | None


def _groups_of(r: _Member, kind: str) -> set[str]:
    if kind == "role_group":
        return {r.role_group} if r.role_group else set()
    return set(r.race_ethnicity or ())


def isolated_late_answers(responses: Sequence[_Member], late: set[int], shown: Mapping[str, Iterable[str]],
                          min_size: int) -> tuple[int, bool] | None:
    """Whether a new result, published beside the last, isolates fewer than ``min_size`` people: the ``late`` responses
    (submitted since) as a whole, or the late or the early part of one cell of the groups shown in either result (the
    responses in exactly the same shown groups, per kind). Comparing the two results gives each cell's late part, and
    a cell shown only in the new result minus its late part is its early part (a group hidden in the last result, with
    one early member, shown now that five late ones joined it). ``responses``: those that count (the people who run
    the assessment left out); ``shown``: kind -> the group ids shown in either result. Returns (that number, whether
    it is the whole late set), or None."""
    n_late = sum(1 for r in responses if r.id in late)
    if 0 < n_late < min_size:
        return n_late, True
    found = []
    for kind in ("role_group", "race_ethnicity"):
        groups = set(shown.get(kind) or ())
        if not groups:
            continue
        cells: dict[tuple[frozenset[str], bool], int] = {}
        for r in responses:
            key = (frozenset(_groups_of(r, kind) & groups), r.id in late)
            cells[key] = cells.get(key, 0) + 1
        found += [n for n in cells.values() if 0 < n < min_size]
    return (min(found), False) if found else None
