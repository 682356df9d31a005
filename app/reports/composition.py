"""Who holds the seats, in the reports (issue 26): a partner report's page of counts set beside what its people perceive,
and the partnership summary's pooled figures.

What a report shows of the counts is what app.composition.service and present give every reader (masked: a count under
the minimum is "fewer than N", a small level its total only); the sentences here name only shown figures, or the bound
a hidden count is shown with. Nothing here reads a raw count to show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app import i18n
from app.assessments.cycles import cycle_state
from app.assessments.models import Assessment, Cycle
from app.composition import parity, present
from app.composition import service as composition
from app.i18n import gettext as _
from app.i18n import ngettext
from app.instruments.loader import Catalogue
from app.reports.narrative import listed

if TYPE_CHECKING:
    from app.assessments.views import ResultView

# The instrument's domains whose perceptions the counts are set beside, and the levels each one is about.
BESIDE = (("workforce", ("staff", "managers")), ("leadership", ("leadership", "board")))
SHORT = 0.8  # a representation index below four fifths of the benchmark (app.composition.backbone_routes._short)


@dataclass(frozen=True)
class PartnerCounts:
    """A partner's counts for the report's cycle, and the earlier cycle's they are compared with."""

    view: composition.PartnerView
    previous: composition.PartnerView | None
    minimum: int
    entry_url: str  # where a lead enters the counts

    @property
    def reported(self) -> bool:
        return self.view.reported


def partner_counts(db: Session, catalogue: Catalogue, assessment: Assessment, minimum: int, base_url: str) -> PartnerCounts:
    view = composition.partner_view(db, catalogue, assessment.organization, assessment.cycle, minimum)
    previous = composition.previous_view(db, catalogue, view, minimum) if view.reported else None
    url = f"{base_url.rstrip('/')}/composition/{assessment.organization_id}/cycles/{assessment.cycle_id}"
    return PartnerCounts(view, previous, minimum, url)


def digest(counts: PartnerCounts) -> list[Any]:
    """What the report's page depends on (the counts' and the benchmarks' last change, which benchmark, the minimum)."""
    v = counts.view
    return [composition.digest(v, counts.previous), v.benchmark.id if v.benchmark else None,
            counts.previous.cycle.id if counts.previous else None, counts.minimum]


def is_short(cell: parity.Cell) -> bool:
    """Below four fifths of the benchmark, or a hidden count ("fewer than 5 of 30") that bounds it below that."""
    return (cell.index is not None and cell.index < SHORT) or (cell.index_below is not None and cell.index_below <= SHORT)


def _perceived(view: ResultView, domain_id: str) -> str | None:
    d = view.domain(domain_id)
    if d is None:
        return None
    if d.shown is not None and d.level is not None:
        return _("People perceive %(domain)s at %(score)s out of 100 (“%(level)s”)", domain=d.title, score=d.shown, level=d.level.name)
    return _("People's answers gave %(domain)s no score (too few rated answers)", domain=d.title)


def _counts_shown(counts: PartnerCounts, levels: tuple[str, ...], labels: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """The levels' shares of people of color as phrases, and the levels shown as totals only, and those not reported."""
    shown, small, missing = [], [], []
    for lv in levels:
        level = counts.view.levels[lv]
        name = present.level_phrases()[lv]
        if level.reported and level.small:
            small.append(name)
        elif not level.reported or level.poc.missing:
            missing.append(name)
        elif level.poc.masked:
            if level.poc.share_below is not None:
                shown.append(_("under %(share)s of %(level)s (fewer than %(n)s people)", level=name, n=counts.minimum,
                               share=i18n.format_percent(level.poc.share_below / 100)))
            else:
                shown.append(_("fewer than %(n)s of %(level)s", level=name, n=counts.minimum))
        elif level.poc.share is not None:
            shown.append(_("%(share)s of %(level)s", share=i18n.format_percent(level.poc.share / 100), level=name))
        else:
            missing.append(name)
    return shown, small, missing


def perception_sentences(view: ResultView, counts: PartnerCounts, labels: dict[str, str]) -> list[str]:
    """ "People perceive Workforce at 67 out of 100 (“Established”); the counts show people of color are 45 % of all staff
    and 30 % of managers." for the Workforce and Leadership domains, then the levels below four fifths of the benchmark."""
    out = []
    for domain_id, levels in BESIDE:
        perceived = _perceived(view, domain_id)
        if perceived is None:
            continue
        shown, small, missing = _counts_shown(counts, levels, labels)
        if shown:
            shows = _("the counts show people of color are %(list)s", list=listed(shown))
        else:
            shows = _("the counts give no share of people of color for %(levels)s",
                      levels=listed([present.level_phrases()[lv] for lv in levels]))
        sentence = _("%(perceived)s; %(shows)s.", perceived=perceived, shows=shows)
        if small:
            sentence += " " + ngettext("At %(levels)s, with fewer than %(minimum)s people, only the total is shown.",
                                       "At %(levels)s, each with fewer than %(minimum)s people, only the totals are shown.", len(small),
                                       levels=listed(small), minimum=counts.minimum)
        if missing:
            sentence += " " + _("Not reported: %(levels)s.", levels=listed(missing))
        out.append(sentence)
    if out and counts.view.benchmark is not None:
        short = [present.level_phrases()[lv] for lv in parity.PIPELINE
                 if not counts.view.levels[lv].small and is_short(counts.view.levels[lv].poc)]
        if short:
            out.append(_("Below four fifths of the benchmark (a representation index under %(index)s): %(levels)s.",
                         index=i18n.format_number(SHORT, 2), levels=listed(short)))
        else:
            out.append(_("No level whose share is shown is below four fifths of the benchmark."))
    return out


def partner_page(view: ResultView, counts: PartnerCounts, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    """The report page's context (in the current language)."""
    labels = composition.labels(catalogue, counts.view.cycle, lang)
    v = counts.view
    if not v.reported:
        return {"reported": False, "entry_url": counts.entry_url}
    own = v.benchmark is not None and v.benchmark.organization_id is not None
    levels = list(parity.PIPELINE) + (["served"] if v.levels["served"].reported else [])
    return {"reported": True, "view": v, "previous": counts.previous, "labels": labels, "minimum": counts.minimum, "levels": levels,
            "own_benchmark": own, "entry_url": counts.entry_url,
            "chart": present.pipeline_svg(v, labels, counts.minimum, chart_id="report-pipeline"),
            "sentences": present.summary_sentences(v, counts.previous, labels, counts.minimum),
            "beside": perception_sentences(view, counts, labels), "shown_share": present.shown_share,
            # the table marks with "*" a share of all people at the level: the note on "*" only when a row has one
            "starred": any(v.levels[lv].reported and not v.levels[lv].small and v.levels[lv].denominator == "all" for lv in levels)}


# -- the partnership summary -------------------------------------------------------------------

@dataclass(frozen=True)
class PooledRow:
    level: str
    pooled: composition.Pooled
    short: int | None  # partners whose level is below four fifths of the benchmark (None: no benchmark)


def summary_part(db: Session, catalogue: Catalogue, cycle: Cycle, partners: list[Any], minimum: int, lang: str) -> dict[str, Any]:
    """Per level, the partnership's pooled share of people of color (or why it is withheld), how many partners have
    counts and how many fall short of the partnership's benchmark. ``partners``: the cycle's partner organizations."""
    rows = composition.compare_rows(db, catalogue, cycle, partners, minimum)
    bench = composition.benchmark_of(db, cycle.backbone_id)
    pooled = {p.level: p for p in composition.pooled(db, catalogue, cycle, minimum)}
    out = [PooledRow(lv, pooled[lv], sum(1 for r in rows if r.reported and not r.levels[lv].small and is_short(r.levels[lv].poc))
                     if bench else None) for lv in parity.PIPELINE]
    return {"rows": out, "reported": sum(1 for r in rows if r.reported), "partners": len(partners), "benchmark": bench,
            "labels": composition.labels(catalogue, cycle, lang), "minimum": minimum, "closed": cycle_state(cycle) == "closed",
            "withheld": withheld_reason}


def summary_digest(part: dict[str, Any]) -> list[Any]:
    """What the summary's composition page shows, to key its cache."""
    bench = part["benchmark"]
    return [[[r.level, r.pooled.share, r.pooled.partners, r.pooled.benchmark, r.pooled.withheld, r.short] for r in part["rows"]],
            part["reported"], part["partners"], [bench.name, bench.source, bench.updated_at.isoformat()] if bench else None]


def withheld_reason(reason: str | None, minimum: int) -> str:
    if reason == "open":
        return _("shown once the cycle closes")
    if reason == "few":
        return _("fewer than %(n)s partners", n=minimum)
    return _("not shown: it would give counts hidden in a partner's row")
