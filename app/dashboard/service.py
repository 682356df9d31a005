"""The backbone's view of a cycle: progress per partner and the partners x domains comparison.

Everything here reads stored results (their ``summary``), never re-scores: the comparison of 500
partners is a few queries and a loop. Change since the baseline follows the instrument mapping
(renamed and merged ids) and is computed on the scores as shown (whole numbers), so the arrow and
the number a person reads always agree with the two scores beside them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, AssessmentStatus, Cycle, Response, ResponseStatus, Result
from app.assessments.service import instrument_of
from app.assessments.views import LevelView, level_views
from app.instruments.loader import Catalogue
from app.instruments.mapping import IdMap
from app.organizations.models import SIZE_BANDS, Organization
from app.scoring.compare import moves


class Progress(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    reopened = "reopened"


@dataclass(frozen=True)
class ProgressRow:
    organization: Organization
    assessment: Assessment
    status: Progress
    submitted: int
    in_progress: int
    last_activity: dt.datetime | None


def cycle_progress(db: Session, cycle: Cycle) -> list[ProgressRow]:
    """Each partner of the cycle: status, responses submitted and under way, last activity."""
    pairs = db.execute(select(Assessment, Organization).join(Organization, Organization.id == Assessment.organization_id)
                       .where(Assessment.cycle_id == cycle.id).order_by(func.lower(Organization.name))).all()
    ids = [a.id for a, _ in pairs]
    counts: dict[int, dict[ResponseStatus, int]] = {i: {} for i in ids}
    last: dict[int, dt.datetime] = {}
    if ids:
        for aid, status, n, latest in db.execute(
                select(Response.assessment_id, Response.status, func.count(), func.max(Response.updated_at))
                .where(Response.assessment_id.in_(ids)).group_by(Response.assessment_id, Response.status)):
            counts[aid][status] = n
            last[aid] = max(last.get(aid, latest), latest)
    rows = []
    for a, org in pairs:
        c = counts[a.id]
        if a.status is AssessmentStatus.submitted:
            status = Progress.submitted
        elif a.status is AssessmentStatus.reopened:
            status = Progress.reopened
        else:
            status = Progress.in_progress if c else Progress.not_started
        activity = [t for t in (last.get(a.id), a.submitted_at) if t]
        rows.append(ProgressRow(org, a, status, c.get(ResponseStatus.submitted, 0), c.get(ResponseStatus.in_progress, 0),
                                max(activity) if activity else None))
    return rows


# -- the comparison ----------------------------------------------------------------------------

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


def cycle_summaries(db: Session, cycle_id: int, key: Any) -> dict[int, dict[str, Any]]:
    """The current results' summaries of a cycle's assessments, by `key` (the assessment's id or its organization's).

    A stored result never changes (a recomputation adds a row), so its summary is decoded once per process and kept
    (`_summaries`): the comparison page of 500 partners then reads ids, not 1,000 JSON documents. Joined in the query:
    a list of 500 ids to compile and send cost more than the summaries themselves. The dicts returned are shared:
    read them, never change them."""
    current = (select(key, Result.id, Result.computed_at).join(Assessment, Assessment.id == Result.assessment_id)
               .where(Assessment.cycle_id == cycle_id, Result.is_current.is_(True)))
    rows = db.execute(current).all()
    found = _summaries.get_many([(rid, at) for _, rid, at in rows])
    if len(found) < len(rows):  # a result computed since (or a cold start): the cycle's summaries read again, once
        fresh = db.execute(current.add_columns(Result.summary)).all()
        _summaries.put_many({(rid, at): summary or {} for _, rid, at, summary in fresh})
        return {k: summary or {} for k, _, _, summary in fresh}
    return {k: found[(rid, at)] for k, rid, at in rows}


class SummaryCache:
    """Decoded summaries by (result id, computed at), the least recently used dropped beyond `size` (a decoded summary
    takes about 5 KB: 5,000 of them, five comparisons of 500 partners with their baselines, about 25 MB at most)."""

    def __init__(self, size: int = 5_000):
        self.size = size
        self._items: OrderedDict[tuple[int, dt.datetime], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[tuple[int, dt.datetime]]) -> dict[tuple[int, dt.datetime], dict[str, Any]]:
        with self._lock:
            found = {k: self._items[k] for k in keys if k in self._items}
            for k in found:
                self._items.move_to_end(k)
            return found

    def put_many(self, items: dict[tuple[int, dt.datetime], dict[str, Any]]) -> None:
        with self._lock:
            self._items.update(items)
            for k in items:
                self._items.move_to_end(k)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_summaries = SummaryCache()


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
