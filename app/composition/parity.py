"""Who holds the seats, read against the community served: pure functions, no database.

The levels, from the widest to the narrowest seat: staff, managers, leadership, board (and, apart, the people served).
The race and ethnicity categories are the instrument's (its respondents' question), with "another" in place of "I
describe myself another way" and "unknown / not collected" in place of "I prefer not to say"; "white" is the category
not counted among people of color. Each person is counted once (people of more than one race under "multiracial").

Small cells are never shown. At a level with fewer people than the minimum, only its headcount is shown. Elsewhere a
count from 1 to the minimum less one is "fewer than N" (primary masking); and wherever one hidden count could be worked
out from the shown ones (a level's total minus its other groups, people of color minus the other groups of color), the
smallest other count of that sum is hidden too (secondary masking), until no sum has a single hidden part. A zero is
shown: it names nobody, and "no board member of color" is what a partnership needs to read. A share is shown only when
its count is, and over the people whose race is known only when that number can be read from the shown counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LEVELS = ("board", "leadership", "managers", "staff", "served")
PIPELINE = ("staff", "managers", "leadership", "board")  # the way up: where representation drops
REQUIRED_LEVELS = ("board", "leadership", "managers", "staff")
WHITE = "white"
UNKNOWN = "unknown"
ANOTHER = "another"
UNREPORTED = "unreported"  # the level's headcount less its groups' counts: partial data, shown as such
POC = "poc"  # people of color: every known category but white
GENDERS = ("women", "men", "another_gender", UNKNOWN)
# The instrument's options that are not counting categories, and what stands for them in counts.
_REPLACED = {"self_describe": ANOTHER, "prefer_not_to_say": UNKNOWN}
DEFAULT_RACE = ("american_indian_alaska_native", "asian", "black_african_american", "hispanic_latino",
                "middle_eastern_north_african", "native_hawaiian_pacific_islander", WHITE, "multiracial", ANOTHER, UNKNOWN)

Key = tuple[str, str, str]  # (level, dimension, category); dimension "total" (category "all"), "race" or "gender"


def race_categories(option_ids: Iterable[str] | None) -> tuple[str, ...]:
    """The counting categories of an instrument whose race/ethnicity question has these options (None: no question)."""
    if option_ids is None:
        return DEFAULT_RACE
    out = [_REPLACED.get(o, o) for o in option_ids]
    for extra in (ANOTHER, UNKNOWN):
        if extra not in out:
            out.append(extra)
    return tuple(dict.fromkeys(out))


def benchmark_categories(race: tuple[str, ...]) -> tuple[str, ...]:
    """A benchmark's categories: the known ones (a population's shares have no "unknown")."""
    return tuple(c for c in race if c != UNKNOWN)


def color_categories(race: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in race if c not in (WHITE, UNKNOWN))


@dataclass(frozen=True)
class Cell:
    """A count as shown: ``count`` None when hidden (``masked``), or absent from the data (``missing``)."""

    count: int | None
    masked: bool = False
    missing: bool = False
    share: float | None = None  # percent of the level's denominator
    index: float | None = None  # share / benchmark share (1.0: parity)
    benchmark: float | None = None  # the benchmark's share, percent
    share_below: float | None = None  # a hidden count's share is under this (minimum - 1 of the denominator): a bound only
    index_below: float | None = None


@dataclass(frozen=True)
class LevelView:
    level: str
    total: int | None  # None: the level was not reported
    small: bool  # fewer people than the minimum: only the total is shown
    race: dict[str, Cell] = field(default_factory=dict)
    poc: Cell = Cell(None, missing=True)
    unreported: Cell = Cell(None, missing=True)  # people at the level in no race category
    denominator: str | None = None  # "known" (people whose race is known) or "all" (the headcount)
    gender: dict[str, Cell] = field(default_factory=dict)
    gender_unreported: Cell = Cell(None, missing=True)

    @property
    def reported(self) -> bool:
        return self.total is not None

    @property
    def partial(self) -> bool:
        """Some people at the level are in no category (or some categories were left empty)."""
        return bool(self.unreported.count or self.unreported.masked)


def mask(values: Mapping[str, int], sums: list[tuple[str, list[str]]], minimum: int, always: Iterable[str] = ()) -> set[str]:
    """The names to hide: primary (1 to minimum - 1) and secondary (so that no shown sum has exactly one hidden part).

    ``sums``: (whole, parts) with values[whole] == sum of values[parts]; ``always``: names shown whatever they hold."""
    shown_always = set(always)
    hidden = {k for k, v in values.items() if 0 < v < minimum and k not in shown_always}
    changed = True
    while changed:
        changed = False
        for whole, parts in sums:
            if whole in hidden:
                continue
            hidden_parts = [p for p in parts if p in hidden]
            if len(hidden_parts) != 1:
                continue
            candidates = sorted((values[p], p) for p in parts if p not in hidden and values[p] > 0 and p not in shown_always)
            if not candidates:
                continue  # the hidden part is then the whole itself, which the whole's own count already shows
            hidden.add(candidates[0][1])
            changed = True
    return hidden


def level_view(level: str, counts: Mapping[Key, int], race: tuple[str, ...], minimum: int,
               benchmark: Mapping[str, float] | None = None) -> LevelView:
    """One level as every reader sees it (masked), with shares and representation indexes against ``benchmark``."""
    total = counts.get((level, "total", "all"))
    if total is None:
        return LevelView(level, None, False)
    if total < minimum:
        return LevelView(level, total, True)
    given = {c: counts[(level, "race", c)] for c in race if (level, "race", c) in counts}
    values: dict[str, int] = {c: given.get(c, 0) for c in race}
    colors = color_categories(race)
    values[POC] = sum(values[c] for c in colors)
    values[UNREPORTED] = max(0, total - sum(values[c] for c in race))
    values["total"] = total
    hidden = mask(values, [("total", [*race, UNREPORTED]), (POC, list(colors)), ("total", [POC, WHITE, UNKNOWN, UNREPORTED])],
                  minimum, always=("total",)) if given else set()
    known_readable = UNKNOWN not in hidden and UNREPORTED not in hidden
    denominator = values["total"] - values[UNKNOWN] - values[UNREPORTED] if known_readable else total
    bench = dict(benchmark or {})
    if bench:
        bench[POC] = round(sum(float(bench.get(c, 0)) for c in colors), 1)

    def cell(name: str, missing: bool = False) -> Cell:
        if missing:
            return Cell(None, missing=True)
        if name in hidden:
            # "fewer than N of D" is shown anyway: the share it bounds says no more, and tells a reader a board of 30
            # with fewer than 5 people of color from one of 12 with as many.
            below = round(100 * (minimum - 1) / denominator, 1) if denominator and name not in (UNKNOWN, UNREPORTED) else None
            b = bench.get(name)
            return Cell(None, masked=True, benchmark=b, share_below=below,
                        index_below=round(below / b, 2) if below is not None and b else None)
        count = values[name]
        share = round(100 * count / denominator, 1) if denominator and name not in (UNKNOWN, UNREPORTED) else None
        b = bench.get(name)
        index = round(share / b, 2) if share is not None and b else None
        return Cell(count, share=share, index=index, benchmark=b)

    race_cells = {c: cell(c, missing=not given) for c in race}
    gender_given = {g: counts[(level, "gender", g)] for g in GENDERS if (level, "gender", g) in counts}
    gender_cells: dict[str, Cell] = {}
    gender_rest = Cell(None, missing=True)
    if gender_given:
        gv = {g: gender_given.get(g, 0) for g in GENDERS}
        gv[UNREPORTED] = max(0, total - sum(gv.values()))
        gv["total"] = total
        ghidden = mask(gv, [("total", [*GENDERS, UNREPORTED])], minimum, always=("total",))
        gknown = total - gv[UNKNOWN] - gv[UNREPORTED] if UNKNOWN not in ghidden and UNREPORTED not in ghidden else total
        for g in (*GENDERS, UNREPORTED):
            share = round(100 * gv[g] / gknown, 1) if gknown and g not in (UNKNOWN, UNREPORTED) else None
            c = Cell(None, masked=True) if g in ghidden else Cell(gv[g], share=share)
            if g == UNREPORTED:
                gender_rest = c
            else:
                gender_cells[g] = c
    return LevelView(level, total, False, race_cells, cell(POC, missing=not given), cell(UNREPORTED, missing=not given),
                     ("known" if known_readable else "all") if given else None, gender_cells, gender_rest)


def views(counts: Mapping[Key, int], race: tuple[str, ...], minimum: int,
          benchmark: Mapping[str, float] | None = None) -> dict[str, LevelView]:
    return {lv: level_view(lv, counts, race, minimum, benchmark) for lv in LEVELS}


@dataclass(frozen=True)
class Drop:
    """Where representation of people of color drops most on the way up: from one level's share to the next one's."""

    lower: str
    upper: str
    lower_share: float
    upper_share: float


def largest_drop(levels: Mapping[str, LevelView]) -> Drop | None:
    shown = [(lv, levels[lv].poc.share) for lv in PIPELINE if lv in levels and levels[lv].poc.share is not None]
    drops = [Drop(a, b, sa, sb) for (a, sa), (b, sb) in zip(shown, shown[1:], strict=False) if sb is not None and sa is not None and sb < sa]
    return max(drops, key=lambda d: d.lower_share - d.upper_share, default=None)


def pooled_share(entries: Iterable[Mapping[Key, int]], level: str, race: tuple[str, ...]) -> tuple[float | None, int, int]:
    """The share of people of color (percent of people whose race is known) at ``level`` across several partners' raw
    counts, with how many partners and people it rests on. Callers show it only where app.composition.service allows."""
    colors = color_categories(race)
    poc = known = partners = 0
    for counts in entries:
        groups = {c: counts.get((level, "race", c)) for c in race}
        if all(v is None for v in groups.values()):
            continue
        k = sum(v or 0 for c, v in groups.items() if c != UNKNOWN)
        if not k:
            continue
        poc += sum(groups[c] or 0 for c in colors)
        known += k
        partners += 1
    return (round(100 * poc / known, 1) if known else None), partners, known


def check_counts(counts: Mapping[Key, int]) -> list[tuple[str, str]]:
    """The rules a partner's counts break, as (level, problem): "negative", "race_over_total", "gender_over_total",
    "groups_without_total"."""
    problems: list[tuple[str, str]] = []
    for (level, _dim, _cat), v in counts.items():
        if v < 0 and (level, "negative") not in problems:
            problems.append((level, "negative"))
    for level in LEVELS:
        if (level, "negative") in problems:
            continue
        total = counts.get((level, "total", "all"))
        race = sum(v for (lv, dim, _c), v in counts.items() if lv == level and dim == "race")
        gender = sum(v for (lv, dim, _c), v in counts.items() if lv == level and dim == "gender")
        has_groups = any(lv == level and dim != "total" for (lv, dim, _c) in counts)
        if total is None and has_groups:
            problems.append((level, "groups_without_total"))
        elif total is not None:
            if race > total:
                problems.append((level, "race_over_total"))
            if gender > total:
                problems.append((level, "gender_over_total"))
    return problems


def check_shares(shares: Mapping[str, float], tolerance: float = 0.5) -> bool:
    """A benchmark's shares are each between 0 and 100 and add up to 100 % within rounding."""
    return all(0 <= v <= 100 for v in shares.values()) and abs(sum(shares.values()) - 100) <= tolerance
