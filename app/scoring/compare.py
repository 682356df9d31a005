"""Rule 10: a result beside an earlier one (a follow-up cycle beside its baseline)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.instruments.mapping import IdMap
from app.instruments.schema import Instrument
from app.scoring.models import AssessmentResult


class DomainChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # in the current version ("overall" for the overall score)
    baseline_id: str | None
    score: float | None
    baseline_score: float | None
    change: float | None  # full precision; shown figures differ by at most rounding
    level: str | None
    baseline_level: str | None
    level_move: int | None  # positions moved up (+) or down (-) among the levels


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    overall: DomainChange
    domains: list[DomainChange]
    not_comparable_domains: list[str]
    not_comparable_items: list[str]


def _move(current: Instrument, baseline: Instrument, level: str | None, baseline_level: str | None) -> int | None:
    if level is None or baseline_level is None:
        return None
    now = [lv.id for lv in current.levels]
    then = [lv.id for lv in baseline.levels]
    if level not in now or baseline_level not in then:
        return None
    return now.index(level) - then.index(baseline_level)


def _change(ident: str, old_id: str | None, score, old_score, level, old_level, current: Instrument, baseline: Instrument) -> DomainChange:  # type: ignore[no-untyped-def]
    return DomainChange(id=ident, baseline_id=old_id, score=score, baseline_score=old_score,
                        change=score - old_score if score is not None and old_score is not None else None,
                        level=level, baseline_level=old_level, level_move=_move(current, baseline, level, old_level))


def compare(current: AssessmentResult, baseline: AssessmentResult, current_instrument: Instrument, baseline_instrument: Instrument,
            mapping: IdMap | None = None) -> Comparison:
    mapping = mapping or IdMap.between(current_instrument, baseline_instrument)
    then = {d.id: d for d in baseline.domains}
    domains, missing = [], []
    for d in current.domains:
        old_id = mapping.old_domain_for(d.id)
        old = then.get(old_id) if old_id else None
        if old is None:
            missing.append(d.id)
            continue
        domains.append(_change(d.id, old.id, d.score, old.score, d.level, old.level, current_instrument, baseline_instrument))
    overall = _change("overall", "overall", current.overall.score, baseline.overall.score, current.overall.level,
                      baseline.overall.level, current_instrument, baseline_instrument)
    return Comparison(overall=overall, domains=domains, not_comparable_domains=missing,
                      not_comparable_items=mapping.not_comparable_items)
