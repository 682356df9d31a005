"""Rule 10: a result beside an earlier one (a follow-up cycle beside its baseline).

Domains and items are matched by id, through ``app.instruments.mapping.IdMap`` when the two results come from
different versions of the instrument. A domain or item of the current result with no one-to-one counterpart in
the baseline (new, or merged from several) is listed as not comparable; so is one whose counterpart is missing
from the baseline result (for example an item a core cycle did not ask). ``change`` is current minus baseline at
full precision; ``shown_change`` is the shown (rounded) score minus the shown baseline score, as every page prints
them side by side; ``level_move`` is the difference of the levels' positions (each in its own version's list of
levels, lowest first): +1 is one level up. This module is the only code that computes a change or a level move: the
result page, the report and the comparison dashboard all call ``compare`` or ``moves``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.instruments.mapping import IdMap
from app.instruments.schema import Instrument
from app.scoring.engine import shown
from app.scoring.models import AssessmentResult


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DomainChange(_Frozen):
    id: str  # in the current version ("overall" for the overall score)
    baseline_id: str | None
    score: float | None
    baseline_score: float | None
    change: float | None  # current minus baseline, full precision; None when either is missing
    shown_change: int | None  # shown minus baseline shown (rule 6's rounding of each); None when either is missing
    level: str | None
    baseline_level: str | None
    level_move: int | None  # levels moved up (+) or down (-); None when either level is missing


class ItemChange(_Frozen):
    id: str
    baseline_id: str
    score: float | None
    baseline_score: float | None
    change: float | None


class Comparison(_Frozen):
    overall: DomainChange
    domains: list[DomainChange]  # the comparable domains, in the current result's order
    not_comparable_domains: list[str]
    not_comparable_items: list[str]
    items: list[ItemChange] = Field(default_factory=list)  # the comparable items, in the current result's order


_POSITIONS: dict[tuple[str, str], dict[str, int]] = {}  # a published version never changes: its levels' order neither


def _position(instrument: Instrument, level: str | None) -> int | None:
    key = (instrument.id, instrument.version)
    if key not in _POSITIONS:
        _POSITIONS[key] = {lv.id: n for n, lv in enumerate(sorted(instrument.levels, key=lambda lv: lv.min_score))}
    return _POSITIONS[key].get(level or "")


def _diff(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def moves(score: float | None, baseline_score: float | None, level: str | None, baseline_level: str | None,
          current: Instrument, baseline: Instrument) -> tuple[int | None, int | None]:
    """(the change as shown, the level move) of one score beside its baseline; plain numbers, for the comparison
    dashboard's thousands of cells."""
    now, then = _position(current, level), _position(baseline, baseline_level)
    shown_now, shown_then = shown(score), shown(baseline_score)
    return (shown_now - shown_then if shown_now is not None and shown_then is not None else None,
            now - then if now is not None and then is not None else None)


def domain_change(ident: str, baseline_id: str | None, score: float | None, baseline_score: float | None, level: str | None,
                  baseline_level: str | None, current: Instrument, baseline: Instrument) -> DomainChange:
    """One score beside its baseline: the change, the change as shown, the level move."""
    shown_change, level_move = moves(score, baseline_score, level, baseline_level, current, baseline)
    return DomainChange(id=ident, baseline_id=baseline_id, score=score, baseline_score=baseline_score, change=_diff(score, baseline_score),
                        shown_change=shown_change, level=level, baseline_level=baseline_level, level_move=level_move)


def _check(result: AssessmentResult, instrument: Instrument, name: str) -> None:
    if (result.instrument_id, result.instrument_version) != (instrument.id, instrument.version):
        raise ValueError(f"the {name} result is for {result.instrument_id} {result.instrument_version}, "
                         f"not for the instrument given ({instrument.id} {instrument.version})")


def compare(current: AssessmentResult, baseline: AssessmentResult, instrument_current: Instrument, instrument_baseline: Instrument,
            mapping: IdMap | None = None) -> Comparison:
    """Rule 10: change per domain, per item and overall, and the level moves, where the ids match."""
    _check(current, instrument_current, "current")
    _check(baseline, instrument_baseline, "baseline")
    mapping = mapping or IdMap.between(instrument_current, instrument_baseline)
    then_domains = {d.id: d for d in baseline.domains}
    then_items = {i.id: i for d in baseline.domains for i in d.items}
    domains, items, lost_domains, lost_items = [], [], [], []
    for d in current.domains:
        old_id = mapping.old_domain_for(d.id)
        old = then_domains.get(old_id) if old_id is not None else None
        if old is None:
            lost_domains.append(d.id)
        else:
            domains.append(domain_change(d.id, old.id, d.score, old.score, d.level, old.level, instrument_current, instrument_baseline))
        for i in d.items:
            old_item_id = mapping.old_item_for(i.id)
            old_item = then_items.get(old_item_id) if old_item_id is not None else None
            if old_item is None:
                lost_items.append(i.id)
            else:
                items.append(ItemChange(id=i.id, baseline_id=old_item.id, score=i.score, baseline_score=old_item.score,
                                        change=_diff(i.score, old_item.score)))
    overall = domain_change("overall", "overall", current.overall.score, baseline.overall.score, current.overall.level, baseline.overall.level,
                      instrument_current, instrument_baseline)
    return Comparison(overall=overall, domains=domains, not_comparable_domains=lost_domains, not_comparable_items=lost_items, items=items)
