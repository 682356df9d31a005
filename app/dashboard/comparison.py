"""The backbone's comparison of a cycle: partners x domains, with the change since the baseline, filtered and sorted.

Everything here reads stored results (their ``summary``), never re-scores: the comparison of 500
partners is a few queries and a loop. Change since the baseline follows the instrument mapping
(renamed and merged ids) and is computed on the scores as shown (whole numbers), so the arrow and
the number a person reads always agree with the two scores beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, Cycle
from app.assessments.service import instrument_of
from app.assessments.views import LevelView, level_views
from app.dashboard.summaries import cycle_summaries
from app.instruments.loader import Catalogue
from app.instruments.mapping import IdMap
from app.organizations.models import SIZE_BANDS, Organization
from app.scoring.compare import moves


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__, 5 000 cells a page
class Cell:
    shown: int | None
    level: LevelView | None
    score: float | None = None
    baseline_shown: int | None = None
    baseline_level: LevelView | None = None
    change: int | None = None  # shown minus baseline shown
    level_move: int | None = None  # level index minus baseline level index
    comparable: bool = True
    policy_score: float | None = None  # full precision: rounding 5 000 of them would slow the page that never shows them
    practice_score: float | None = None


@dataclass(frozen=True)
class PartnerRow:
    organization: Organization
    assessment: Assessment
    has_result: bool
    n_responses: int
    overall: Cell
    cells: dict[str, Cell]  # domain id -> cell

    @property
    def in_order(self) -> list[Cell]:
        """The overall cell, then the domains' in the instrument's order."""
        return [self.overall, *self.cells.values()]


@dataclass(frozen=True)
class DomainColumn:
    id: str
    title: str


@dataclass(frozen=True)
class Distribution:
    domain: DomainColumn
    counts: list[int]  # per level, in level order
    not_enough: int  # results without a level in this domain
    no_result: int  # partners without a result


@dataclass
class ComparisonTable:
    cycle: Cycle
    baseline: Cycle | None
    levels: list[LevelView]
    domains: list[DomainColumn]
    rows: list[PartnerRow]
    distribution: list[Distribution] = field(default_factory=list)
    not_comparable_domains: list[str] = field(default_factory=list)  # domain titles with no match in the baseline
    mapping_linked: bool = True
    sectors: list[str] = field(default_factory=list)
    size_bands: list[str] = field(default_factory=list)
    total: int = 0  # partners before filtering
    sort: str = "name"  # the sort key used (an unknown one falls back to the name)
    moved_up: list[tuple[str, str]] = field(default_factory=list)  # (partner name, domain title) that rose a level
    moved_down: list[tuple[str, str]] = field(default_factory=list)


SORT_KEYS = ("name", "sector", "size", "responses", "overall", "overall_change")


def comparison_table(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, *, sector: str | None = None,
                     size: str | None = None, sort: str = "name", descending: bool = False) -> ComparisonTable:
    instrument = instrument_of(catalogue, cycle)
    levels = level_views(instrument, lang)
    by_level = {lv.id: lv for lv in levels}
    domains = [DomainColumn(d.id, d.title.get(lang)) for d in instrument.domains]
    pairs = db.execute(select(Assessment, Organization).join(Organization, Organization.id == Assessment.organization_id)
                       .where(Assessment.cycle_id == cycle.id)).all()
    summaries = cycle_summaries(db, cycle.id, Assessment.id)

    baseline = db.get(Cycle, cycle.baseline_id) if cycle.baseline_id else None
    then: dict[int, dict[str, Any]] = {}
    mapping: IdMap | None = None
    inst_then = None
    baseline_levels: dict[str, LevelView] = {}
    not_comparable: list[str] = []
    if baseline is not None:
        inst_then = instrument_of(catalogue, baseline)
        mapping = IdMap.between(instrument, inst_then, catalogue.find)
        baseline_levels = {lv.id: lv for lv in level_views(inst_then, lang)}
        then = cycle_summaries(db, baseline.id, Assessment.organization_id)
    old_ids = {d.id: mapping.old_domain_for(d.id) for d in domains} if mapping else {}
    if mapping is not None:
        not_comparable = [d.title for d in domains if old_ids[d.id] is None]

    def cell(now: dict[str, Any] | None, before: dict[str, Any] | None, comparable: bool) -> Cell:
        now = now or {}
        before = (before if comparable else None) or {}
        change, move = (moves(now.get("score"), before.get("score"), now.get("level"), before.get("level"), instrument, inst_then)
                        if inst_then is not None and before else (None, None))
        return Cell(now.get("shown"), by_level.get(now.get("level") or ""), now.get("score"), before.get("shown"),
                    baseline_levels.get(before.get("level") or ""), change, move, comparable, now.get("policy_score"),
                    now.get("practice_score"))

    rows = []
    for a, org in pairs:
        s = summaries.get(a.id)
        b = then.get(org.id)
        cells = {}
        for d in domains:
            old_id = old_ids.get(d.id)
            before = (b or {}).get("domains", {}).get(old_id) if old_id else None
            cells[d.id] = cell((s or {}).get("domains", {}).get(d.id), before, mapping is None or old_id is not None)
        rows.append(PartnerRow(org, a, s is not None, (s or {}).get("n_responses", 0),
                               cell((s or {}).get("overall"), (b or {}).get("overall"), True), cells))

    table = ComparisonTable(cycle=cycle, baseline=baseline, levels=levels, domains=domains, rows=rows,
                            not_comparable_domains=not_comparable, mapping_linked=mapping.linked if mapping else True,
                            sectors=sorted({org.sector for _, org in pairs}), size_bands=_bands({org.size_band for _, org in pairs}),
                            total=len(rows))
    kept = [r for r in rows if (not sector or r.organization.sector == sector) and (not size or r.organization.size_band == size)]
    table.sort = valid_sort(sort, [d.id for d in domains])
    table.rows = sort_rows(kept, table.sort, descending)
    table.distribution = distribution(table.rows, domains, len(levels))
    for r in table.rows:
        for d in domains:
            move = r.cells[d.id].level_move
            if move and move > 0:
                table.moved_up.append((r.organization.name, d.title))
            elif move and move < 0:
                table.moved_down.append((r.organization.name, d.title))
    return table


def _bands(found: set[str]) -> list[str]:
    return [b for b in SIZE_BANDS if b in found] + sorted(found - set(SIZE_BANDS))


def _value(row: PartnerRow, key: str) -> Any:
    if key == "name":
        return row.organization.name.casefold()
    if key == "sector":
        return row.organization.sector
    if key == "size":
        return SIZE_BANDS.index(row.organization.size_band) if row.organization.size_band in SIZE_BANDS else len(SIZE_BANDS)
    if key == "responses":
        return row.n_responses
    if key == "overall":
        return row.overall.shown
    if key == "overall_change":
        return row.overall.change
    if key.startswith("change:"):
        c = row.cells.get(key[7:])
        return c.change if c else None
    c = row.cells.get(key)
    return c.shown if c else None


def sort_rows(rows: list[PartnerRow], key: str, descending: bool) -> list[PartnerRow]:
    """Sorted by the key; rows without a value (no result, not enough answers) come last either way, by name."""
    present = [r for r in rows if _value(r, key) is not None]
    missing = [r for r in rows if _value(r, key) is None]
    present.sort(key=lambda r: (_value(r, key), r.organization.name.casefold()), reverse=descending)
    missing.sort(key=lambda r: r.organization.name.casefold())
    return present + missing


def valid_sort(key: str, domain_ids: list[str]) -> str:
    ok = key in SORT_KEYS or key in domain_ids or (key.startswith("change:") and key[7:] in domain_ids)
    return key if ok else "name"


def distribution(rows: list[PartnerRow], domains: list[DomainColumn], n_levels: int) -> list[Distribution]:
    """Per domain: how many of the rows are at each level, have too few answers, or have no result yet."""
    out = []
    for d in domains:
        counts = [0] * n_levels
        not_enough = no_result = 0
        for r in rows:
            if not r.has_result:
                no_result += 1
                continue
            level = r.cells[d.id].level
            if level is None:
                not_enough += 1
            else:
                counts[level.index] += 1
        out.append(Distribution(d, counts, not_enough, no_result))
    return out
