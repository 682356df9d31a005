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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

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
