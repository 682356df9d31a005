"""A partner's scores over every cycle of its chain (baseline, follow-up 1, follow-up 2, ...), read from the stored
results' summaries and named in the newest cycle's domains through the instrument versions' mapping."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.assessments.models import Assessment, Cycle
from app.assessments.service import instrument_of
from app.assessments.views import level_views
from app.dashboard.summaries import cycle_summaries
from app.instruments.loader import Catalogue
from app.instruments.mapping import IdMap


@dataclass(frozen=True)
class Point:
    shown: int | None
    level: str | None  # the level's name in the reader's language
    n: int | None = None  # a partnership's point: how many partners the median is of


@dataclass(frozen=True)
class Series:
    domain_id: str  # "overall" or a domain of the newest cycle's instrument
    title: str
    points: list[Point]  # one per cycle, oldest first (None where the domain has no match or no score)


@dataclass(frozen=True)
class Trend:
    cycles: list[Cycle]  # oldest first, the assessment's own cycle last
    series: list[Series]


def chain(db: Session, cycle: Cycle, limit: int = 20) -> list[Cycle]:
    """The cycle and the baselines it follows up, oldest first."""
    out = [cycle]
    while out[-1].baseline_id is not None and len(out) < limit:
        earlier = db.get(Cycle, out[-1].baseline_id)
        if earlier is None or earlier in out:
            break
        out.append(earlier)
    return out[::-1]


def partner_trend(db: Session, catalogue: Catalogue, assessment: Assessment, lang: str, overall_title: str) -> Trend:
    cycles = chain(db, assessment.cycle)
    now = instrument_of(catalogue, assessment.cycle)
    series: dict[str, list[Point]] = {"overall": [], **{d.id: [] for d in now.domains}}
    kept = []
    for cycle in cycles:
        summary = cycle_summaries(db, cycle.id, Assessment.organization_id, assessment.organization_id).get(assessment.organization_id)
        if summary is None:
            continue
        kept.append(cycle)
        then = instrument_of(catalogue, cycle)
        levels = {lv.id: lv.name for lv in level_views(then, lang)}
        mapping = IdMap.between(now, then, catalogue.find) if then.key != now.key else None
        for domain_id, points in series.items():
            old = domain_id if mapping is None or domain_id == "overall" else mapping.old_domain_for(domain_id)
            cell = (summary.get("overall") if old == "overall" else (summary.get("domains") or {}).get(old or "")) or {}
            points.append(Point(cell.get("shown"), levels.get(cell.get("level") or "")))
    titles = {"overall": overall_title, **{d.id: d.title.get(lang) for d in now.domains}}
    return Trend(kept, [Series(d, titles[d], pts) for d, pts in series.items()])


def partnership_trend(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, overall_title: str,
                      partner_ids: set[int] | None = None) -> Trend:
    """The partnership's median score per domain in every cycle of the chain (the partners shown: ``partner_ids``, all
    by default), named in the newest cycle's domains."""
    cycles = chain(db, cycle)
    now = instrument_of(catalogue, cycle)
    series: dict[str, list[Point]] = {"overall": [], **{d.id: [] for d in now.domains}}
    kept = []
    for c in cycles:
        summaries = {org: s for org, s in cycle_summaries(db, c.id, Assessment.organization_id).items()
                     if partner_ids is None or org in partner_ids}
        if not summaries:
            continue
        kept.append(c)
        then = instrument_of(catalogue, c)
        mapping = IdMap.between(now, then, catalogue.find) if then.key != now.key else None
        for domain_id, points in series.items():
            old = domain_id if mapping is None or domain_id == "overall" else mapping.old_domain_for(domain_id)
            shown = [int(cell["shown"]) for s in summaries.values()
                     if (cell := (s.get("overall") if old == "overall" else (s.get("domains") or {}).get(old or "")) or {}).get("shown") is not None]
            points.append(Point(round(statistics.median(shown)) if shown else None, None, len(shown)))
    titles = {"overall": overall_title, **{d.id: d.title.get(lang) for d in now.domains}}
    return Trend(kept, [Series(d, titles[d], pts) for d, pts in series.items()])
