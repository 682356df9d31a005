"""One partner's result beside its result in the baseline cycle (through the instrument mapping)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, Result
from app.assessments.service import current_result, instrument_of
from app.instruments.loader import Catalogue
from app.instruments.mapping import IdMap
from app.scoring import AssessmentResult, compare, shown


@dataclass(frozen=True)
class DomainChange:
    id: str
    title: str
    shown: int | None
    baseline_shown: int | None
    change: int | None  # as shown: current shown minus baseline shown
    level: str | None
    baseline_level: str | None
    level_move: int | None


@dataclass(frozen=True)
class ComparisonView:
    baseline_cycle_name: str
    overall: DomainChange
    domains: list[DomainChange]
    not_comparable_domains: list[str]
    not_comparable_items: int


def baseline_pair(db: Session, assessment: Assessment, *, deferred: bool = False) -> tuple[Assessment, Result] | None:
    """The assessment of the same partner in the cycle's baseline, with its current result (``deferred``: its data read
    when used, app.assessments.submission.current_result), if both exist."""
    cycle = assessment.cycle
    if cycle.baseline_id is None:
        return None
    earlier = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.baseline_id,
                                                 Assessment.organization_id == assessment.organization_id))
    if earlier is None:
        return None
    row = current_result(db, earlier.id, deferred=deferred)
    return (earlier, row) if row is not None else None


def compare_rows(catalogue: Catalogue, current: Assessment, row: Result, earlier: Assessment, earlier_row: Result, lang: str) -> ComparisonView:
    inst_now, inst_then = instrument_of(catalogue, current.cycle), instrument_of(catalogue, earlier.cycle)
    cmp = compare(AssessmentResult.model_validate(row.data), AssessmentResult.model_validate(earlier_row.data), inst_now, inst_then,
                  IdMap.between(inst_now, inst_then, catalogue.find))  # through every version between, as the dashboard
    names_now = {lv.id: lv.name.get(lang) for lv in inst_now.levels}
    names_then = {lv.id: lv.name.get(lang) for lv in inst_then.levels}

    def change(entry, title: str) -> DomainChange:  # type: ignore[no-untyped-def]
        return DomainChange(id=getattr(entry, "id", "overall"), title=title, shown=shown(entry.score), baseline_shown=shown(entry.baseline_score),
                            change=entry.shown_change, level=names_now.get(entry.level or ""),
                            baseline_level=names_then.get(entry.baseline_level or ""), level_move=entry.level_move)

    domains = [change(d, inst_now.domain(d.id).title.get(lang)) for d in cmp.domains]
    return ComparisonView(baseline_cycle_name=earlier.cycle.name_in(lang), overall=change(cmp.overall, ""), domains=domains,
                          not_comparable_domains=[inst_now.domain(d).title.get(lang) for d in cmp.not_comparable_domains],
                          not_comparable_items=len(cmp.not_comparable_items))


def baseline_comparison(db: Session, catalogue: Catalogue, assessment: Assessment, row: Result, lang: str) -> ComparisonView | None:
    pair = baseline_pair(db, assessment)
    if pair is None:
        return None
    return compare_rows(catalogue, assessment, row, pair[0], pair[1], lang)
