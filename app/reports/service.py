"""Growth-opportunity reports (one assessment) and partnership summaries (one cycle), as tagged PDFs.

A report is HTML from a Jinja2 template, laid out by WeasyPrint as PDF/UA-1 (tagged, with its title
and language), in one language, on A4 or US Letter. It reads stored results only. Each PDF is
cached by (subject, language, paper, template version): the subject is the result row for a partner
report (a recomputed result is a new row, and the names and baseline it shows are in the key) and
a digest of everything a summary shows for a summary; a new rendering replaces the subject's stale
ones, so the cache holds one generation per report. The template version is a digest of the report
templates, the chart code and the catalogs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock, i18n
from app.assessments import views
from app.assessments.comparison import baseline_pair, compare_rows
from app.assessments.models import Assessment, Cycle, Result
from app.assessments.service import current_result, instrument_of
from app.assessments.texts import quoted_texts
from app.assessments.trends import Trend, chain, partner_trend
from app.auth import invitations
from app.config import Settings
from app.db import writable
from app.errors import NotFound
from app.exports.formats import file_stem
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations import resources
from app.organizations.models import Organization
from app.plans import service as plans
from app.plans.targets import overview
from app.reports import composition as seats
from app.reports import narrative, renderer
from app.reports.models import ReportCacheEntry
from app.web import presenters
from app.web.templating import env

Paper = Literal["a4", "letter"]
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def default_paper(lang: str) -> Paper:
    """The language's paper, from its region (Babel's locale data; app.i18n.paper_for): US Letter for en (the United
    States), en-US, es-US, en-CA..., A4 for es (Spain), vi, ar, zh..."""
    return "letter" if i18n.paper_for(lang) == "letter" else "a4"


def version_files() -> list[Path]:
    """What shapes a report besides its data (cached PDFs are made again when one changes): its templates, the shared
    macros they import, the code that builds them, the translations."""
    files = sorted((HERE / "templates").rglob("*")) + [ROOT / "app" / "assessments" / "templates" / "assessments" / "_macros.html"]
    files += [ROOT / "app" / p for p in ("charts.py", "web/presenters.py", "assessments/views.py", "dashboard/service.py",
                                         "dashboard/comparison.py", "reports/service.py", "reports/narrative.py", "reports/renderer.py",
                                         "reports/composition.py", "composition/parity.py", "composition/present.py",
                                         "composition/service.py", "composition/templates/composition/_macros.html")]
    return files + sorted((ROOT / "locales").rglob("*.po"))


def _template_version() -> str:
    h = hashlib.sha256()
    for path in version_files():
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


TEMPLATE_VERSION = _template_version()


@dataclass(frozen=True)
class Pdf:
    content: bytes
    cached: bool
    filename: str


def _page_label() -> str:
    """'Page 3 of 12' as CSS content, in the current language."""
    text = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, rest = text.split("\x00", 1)
    middle, after = rest.split("\x01", 1)

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return f"{q(before)} counter(page) {q(middle)} counter(pages) {q(after)}"


def _html(template: str, context: dict[str, Any], lang: str, paper: Paper) -> str:
    with i18n.locale(lang):
        return env.get_template(template).render(lang=lang, paper=paper, page_label=_page_label(), **context)


def _cached(db: Session, settings: Settings, kind: str, owner: str, subject: str, lang: str, paper: Paper, build) -> tuple[bytes, bool]:  # type: ignore[no-untyped-def]
    """The cached PDF of `subject` (which starts with `owner`, e.g. "a12-"), or a new rendering stored in its place.

    `build` returns the report's HTML. The request's reads (a GET: no write lock on SQLite) end before the PDF is
    rendered in a renderer process: no transaction stays open for the seconds a rendering takes.
    """
    key = (ReportCacheEntry.kind == kind, ReportCacheEntry.subject_id == subject, ReportCacheEntry.language == lang,
           ReportCacheEntry.paper == paper, ReportCacheEntry.template_version == TEMPLATE_VERSION)
    hit = db.scalar(select(ReportCacheEntry.pdf).where(*key))
    if hit is not None:
        db.commit()
        return hit, True
    html = build()
    db.commit()
    pdf = renderer.render(html, str(HERE), settings.report_processes)
    writable(db)
    try:
        with db.begin_nested():
            # The owner's stale renderings (an earlier result, other names, another template version) are dropped.
            db.execute(delete(ReportCacheEntry).where(
                ReportCacheEntry.kind == kind, ReportCacheEntry.subject_id.startswith(owner, autoescape=True),
                or_(ReportCacheEntry.subject_id != subject, ReportCacheEntry.template_version != TEMPLATE_VERSION)))
            db.add(ReportCacheEntry(kind=kind, subject_id=subject, language=lang, paper=paper, template_version=TEMPLATE_VERSION, pdf=pdf))
        db.commit()
    except IntegrityError:  # another request rendered it at the same time: theirs is as good
        db.rollback()
    return pdf, False


def _corrections(catalogue: Catalogue, *cycles: Cycle | None) -> list[list[str]]:
    """The corrections of the cycles' instrument versions (app.instruments.loader): a word corrected since a report was
    rendered makes it again."""
    entries = (catalogue.entries.get((c.instrument_id, c.instrument_version)) for c in cycles if c is not None)
    return [[c.at, c.now] for entry in entries if entry is not None for c in entry.corrections]


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


# -- the partner report ------------------------------------------------------------------------

def partner_report(db: Session, catalogue: Catalogue, settings: Settings, assessment: Assessment, lang: str,
                   paper: Paper | None = None) -> Pdf:
    # The results' data are read only if the report is rendered: a cached one needs the rows' ids.
    row = current_result(db, assessment.id, deferred=True)
    if row is None:
        raise NotFound(_("This assessment has no result yet: it appears once the organization has submitted its assessment."))
    lang = lang if lang in settings.locales else settings.default_locale
    paper = paper or default_paper(lang)
    pair = baseline_pair(db, assessment, deferred=True)
    with i18n.locale(lang):
        quotes = quoted_texts(db, assessment, instrument_of(catalogue, assessment.cycle), lang, settings.secret_key)
    # What the report shows beyond the result row: names, the baseline result it is compared with, the chosen quotes.
    invited = invited_count(db, assessment)
    backbone = backbone_name(db, assessment.cycle)
    acted = plans.action_counts(db, assessment.organization_id, assessment.submitted_at) if pair else {}
    carried = plans.carried_actions(db, assessment.organization_id, assessment.submitted_at) if pair else []
    trend = None  # two cycles: the comparison says it all already (and the chain is read before any result is)
    if pair and len(chain(db, assessment.cycle)) > 2:
        with i18n.locale(lang):
            trend = partner_trend(db, catalogue, assessment, lang, _("Overall"))
        trend = trend if len(trend.cycles) > 2 else None
    local = resources.resources_of(db, assessment.organization.backbone_id, lang)
    counts = seats.partner_counts(db, catalogue, assessment, settings.min_group_size, settings.base_url)
    owner = f"a{assessment.id}-"
    subject = f"{owner}r{row.id}-" + _digest(assessment.organization.name, assessment.cycle.name_in(lang),
                                            pair[0].cycle.name_in(lang) if pair else None, pair[1].id if pair else None,
                                            [[title, sorted(quoted)] for title, quoted in quotes], invited, backbone,
                                            assessment.cycle.opens_on, assessment.cycle.closes_on, assessment.cycle.anonymous, acted,
                                            [[a.title, a.domain_id, a.status, a.owner, a.due_on, a.dropped_reason] for a in carried],
                                            [[c.id for c in trend.cycles], [[p.shown for p in x.points] for x in trend.series]] if trend else None,
                                            resources.digest(local), seats.digest(counts),
                                            _corrections(catalogue, assessment.cycle, pair[0].cycle if pair else None))
    pdf, cached = _cached(db, settings, "assessment", owner, subject, lang, paper, lambda: _html(
        "reports/partner.html", partner_context(catalogue, settings, assessment, row, pair, lang, quotes, invited=invited,
                                                backbone=backbone, acted=acted, trend=trend, carried=carried, local=local,
                                                counts=counts), lang, paper))
    return Pdf(pdf, cached, f"{file_stem(assessment.organization.name, 'report')}-{file_stem(assessment.cycle.name_in(lang), 'cycle')}-{lang}.pdf")


invited_count = invitations.invited_count  # the response rate's denominator (app.auth.invitations)
invited_counts = invitations.invited_counts


def backbone_name(db: Session, cycle: Cycle) -> str:
    """The partnership's (the backbone organization's) name, on the cover and in the footer."""
    return db.scalar(select(Organization.name).where(Organization.id == cycle.backbone_id)) or ""


def worksheet(view: views.ResultView, extra_rows: int = 1) -> list[dict[str, Any]]:
    """The action-planning worksheet's rows: the priorities with their recommended actions, then blank rows."""
    rows: list[dict[str, Any]] = [{"number": k, "text": o.text, "domain": o.domain_title, "actions": o.actions[:2]}
                                  for k, o in enumerate(view.opportunities[:WORKSHEET_PRIORITIES], 1)]
    return rows + [{"number": None, "text": "", "domain": "", "actions": []}] * extra_rows


WORKSHEET_PRIORITIES = narrative.PRIORITIES  # the executive summary's priorities


def answer_scales(view: views.ResultView) -> dict[str, list[tuple[str, str, str]]]:
    """Per domain, the lowest and the highest answer of each scale its questions use, each pair once: the key to the
    questions table, whose answers are counts per point of the scale, lowest first (the words of every point in every
    row made the table about a fifth of the report). In a domain with more than one scale each pair comes with its
    mark, the same letter for the same scale throughout the report (`scale_marks`)."""
    order = _scale_order(view)
    out = {}
    for d in view.domains:
        ends = _ends(d)
        out[d.id] = [(_mark(order.index(e)) if len(ends) > 1 else "", *e) for e in ends]
    return out


def scale_marks(view: views.ResultView) -> dict[str, str]:
    """In a domain whose questions use more than one scale, each question's scale mark (`answer_scales`), so that its
    row says which scale its counts are on; nothing for a domain with one scale."""
    order = _scale_order(view)
    marks: dict[str, str] = {}
    for d in view.domains:
        if len(_ends(d)) > 1:
            for i in d.items:
                points = [c.label for c in i.distribution if c.point]
                if points:
                    marks[i.id] = _mark(order.index((points[0], points[-1])))
    return marks


def _ends(domain: views.DomainView) -> list[tuple[str, str]]:
    pairs = ([c.label for c in i.distribution if c.point] for i in domain.items)
    return list(dict.fromkeys((p[0], p[-1]) for p in pairs if p))


def _mark(n: int) -> str:
    """The mark of the report's n-th scale (from 0): A, B... in the order the scales first appear."""
    return chr(ord("A") + n) if n < 26 else str(n + 1)


def _scale_order(view: views.ResultView) -> list[tuple[str, str]]:
    return list(dict.fromkeys(e for d in view.domains for e in _ends(d)))


def domain_resources(view: views.ResultView) -> dict[str, list[tuple[str, str | None]]]:
    """Per domain, the resources of its growth opportunities, each once, in the order they first appear: listed once
    after the domain's boxes instead of in every box (the same toolkit is often recommended for several questions)."""
    return {d.id: list(dict.fromkeys(r for o in d.opportunities for r in o.resources)) for d in view.domains}


def boxed_opportunities(view: views.ResultView) -> set[str]:
    """The items whose growth opportunity has a box, with its actions, in its domain's section: the ranked list of
    all domains links to that box instead of repeating its actions (a page number, by target-counter, made WeasyPrint
    lay out four more pages)."""
    return {o.item_id for d in view.domains for o in d.opportunities if o.actions}


def generated_at() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def partner_context(catalogue: Catalogue, settings: Settings, assessment: Assessment, row: Result,
                    pair: tuple[Assessment, Result] | None, lang: str,
                    quotes: list[tuple[str, list[str]]] | None = None, *, invited: int = 0, backbone: str = "",
                    acted: dict[str, dict[str, int]] | None = None, trend: Trend | None = None,
                    carried: list[plans.CarriedAction] | None = None, local: list[Any] | None = None,
                    counts: seats.PartnerCounts | None = None) -> dict[str, Any]:
    """``quotes``: what the lead chose to quote (app.assessments.texts.quoted_texts), by question, never an author;
    ``invited``: the people invited to answer; ``backbone``: the partnership's name; ``carried``: for a follow-up, the
    actions of the plan when it was submitted, which the worksheet lists with their status; ``counts``: who holds the
    seats in the cycle (app.reports.composition), shown beside the Workforce and Leadership domains' perceptions."""
    instrument = instrument_of(catalogue, assessment.cycle)
    cycle = assessment.cycle
    org = assessment.organization
    with i18n.locale(lang):
        view = views.build_view(row.data, instrument, lang)
        chart = presenters.domain_chart(view, chart_id="report-domains")
        comparison = compare_rows(catalogue, assessment, row, pair[0], pair[1], lang) if pair else None
        title = _("Growth-opportunity report: %(org)s", org=org.name)
        summary = narrative.executive_summary(view, org.name, comparison)
        method = narrative.partner_method(view, instrument, org_name=org.name, backbone_name=backbone, anonymous=cycle.anonymous,
                                          opens_on=cycle.opens_on, closes_on=cycle.closes_on, invited=invited,
                                          min_group_size=settings.min_group_size, suppressed=dict((row.data or {}).get("suppressed") or {}),
                                          quotes=bool(quotes))
        how_to_use = narrative.how_to_use()
        gaps = narrative.gap_sentences(view)
        perception = {d_id: [(g, presenters.group_chart(view.domain(d_id).title, g.kind, g.scores, view.domain(d_id).shown,
                                                        f"groups-{d_id}-{g.kind}"))
                             for g in found] for d_id, found in narrative.perception_gaps(view).items()}
        composition = seats.partner_page(view, counts, catalogue, lang) if counts is not None else None
    shown_n = sum(g.n for g in view.role_groups)
    return {
        "assessment": assessment, "org": org, "cycle": cycle, "instrument": instrument, "view": view,
        "chart": chart, "comparison": comparison, "min_group_size": settings.min_group_size,
        "other_roles": max(view.n_responses - shown_n, 0), "backbone": backbone, "generated": generated_at(), "today": clock.today(),
        "worksheet": worksheet(view), "boxed": boxed_opportunities(view), "domain_resources": domain_resources(view),
        "answer_scales": answer_scales(view),
        "scale_marks": scale_marks(view),
        "title": title, "quotes": quotes or [], "summary": summary,
        "trend": trend, "trend_line": presenters.trend_line,
        "loop_rows": plans.loop_rows([(d.id, d.title, d.change) for d in comparison.domains], acted) if comparison and acted else [],
        "priorities": view.opportunities[:narrative.PRIORITIES], "method": method, "how_to_use": how_to_use,
        "gaps": gaps, "perception": perception, "carried": carried or [], "statuses": plans.status_labels,
        "local": resources.by_domain(local or [], [d.id for d in view.domains]), "composition": composition,
    }


# -- the partnership summary -------------------------------------------------------------------

def cycle_summary(db: Session, catalogue: Catalogue, settings: Settings, cycle: Cycle, lang: str, paper: Paper | None = None) -> Pdf:
    lang = lang if lang in settings.locales else settings.default_locale
    paper = paper or default_paper(lang)
    # Everything the summary shows: the cycles' names, the current results, the partners' names, sectors and sizes.
    cycles = [cycle.id, cycle.baseline_id or 0]
    results = db.execute(select(Result.id).join(Assessment, Assessment.id == Result.assessment_id)
                         .where(Assessment.cycle_id.in_(cycles), Result.is_current.is_(True)).order_by(Result.id)).scalars().all()
    partners = db.execute(select(Organization.id, Organization.name, Organization.sector, Organization.size_band)
                          .join(Assessment, Assessment.organization_id == Organization.id)
                          .where(Assessment.cycle_id == cycle.id).order_by(Organization.id)).all()
    with i18n.locale(lang):
        goals = overview(db, catalogue, cycle.backbone_id, lang)  # the partnership's targets, over all its cycles
    acted = plans.acted_by_domain(db, [p.id for p in partners]) if cycle.baseline_id else {}
    invited = invited_counts(db, list(db.scalars(select(Assessment.id).where(Assessment.cycle_id == cycle.id))))
    orgs = list(db.scalars(select(Organization).join(Assessment, Assessment.organization_id == Organization.id)
                           .where(Assessment.cycle_id == cycle.id).order_by(Organization.id)))
    with i18n.locale(lang):
        composition = seats.summary_part(db, catalogue, cycle, orgs, settings.min_group_size, lang)
    owner = f"c{cycle.id}-"
    subject = owner + _digest(cycle.name_in(lang), cycle.baseline.name_in(lang) if cycle.baseline else None, list(results),
                              [list(p) for p in partners], backbone_name(db, cycle), cycle.opens_on, cycle.closes_on, cycle.anonymous,
                              [[r.target.id, r.goal, r.target.title, str(r.target.due_on), [[x.cycle.name_in(lang), x.value, x.partners]
                                                                                          for x in r.standings]] for r in goals],
                              {d: sorted(ids) for d, ids in acted.items()}, sorted(invited.items()), seats.summary_digest(composition),
                              _corrections(catalogue, cycle, cycle.baseline))
    pdf, cached = _cached(db, settings, "cycle", owner, subject, lang, paper,
                          lambda: _html("reports/summary.html", {**_with_plans(summary_context(db, catalogue, cycle, lang, settings.min_group_size),
                                                                             goals, acted), "composition": composition}, lang, paper))
    return Pdf(pdf, cached, f"{file_stem(cycle.name_in(lang), 'cycle')}-summary-{lang}.pdf")


def _with_plans(context: dict[str, Any], goals: list[Any], acted: dict[str, set[int]]) -> dict[str, Any]:
    """The summary's context with the partnership's targets and, for a follow-up, each domain's change where partners
    acted on it and where they did not (described, not claimed as causal)."""
    table = context["table"]
    rows = []
    if table.baseline is not None and acted:
        for d in table.domains:
            changes = [(r.organization.id, r.cells[d.id].change) for r in table.rows if r.cells[d.id].change is not None]
            rows.append(plans.ActedRow(d.id, d.title, [c for o, c in changes if o in acted.get(d.id, set())],
                                       [c for o, c in changes if o not in acted.get(d.id, set())]))
    return {**context, "target_rows": goals, "acted_rows": rows}


def summary_context(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, min_group_size: int = 5) -> dict[str, Any]:
    from app.dashboard.comparison import comparison_table
    from app.organizations.labels import sector_label, size_label
    from app.web.presenters import distribution_chart

    instrument = instrument_of(catalogue, cycle)
    with i18n.locale(lang):
        table = comparison_table(db, catalogue, cycle, lang)
        chart = distribution_chart(table, "summary-dist")
        sectors = {r.organization.sector: sector_label(r.organization.sector) for r in table.rows}
        sizes = {r.organization.size_band: unbreakable(size_label(r.organization.size_band)) for r in table.rows}
    # Partnership-wide growth opportunities: how many partners have each item among their top opportunities; the most
    # frequent first, equal counts in the instrument's order (a set's order changes from one process to the next, and
    # so did the summary's list and which items made its ten).
    ids = [r.assessment.id for r in table.rows if r.has_result]
    counts: Counter[str] = Counter()
    if ids:
        for data in db.scalars(select(Result.data).where(Result.assessment_id.in_(ids), Result.is_current.is_(True))):
            counts.update({o["item_id"] for o in (data or {}).get("growth_opportunities", [])})
    position = {item.id: k for k, item in enumerate(instrument.items)}
    top = []
    for item_id, n in sorted(counts.items(), key=lambda entry: (-entry[1], position.get(entry[0], len(position))))[:10]:
        item = instrument.item(item_id)
        top.append({"text": item.text.get(lang), "domain": instrument.domain(item.domain).title.get(lang), "n": n,
                    "actions": [a.get(lang) for a in item.guidance.actions] if item.guidance else []})
    backbone = backbone_name(db, cycle)
    invited = invited_counts(db, [r.assessment.id for r in table.rows])
    with i18n.locale(lang):
        title = _("Partnership summary: %(cycle)s", cycle=cycle.name_in(lang))
        summary = narrative.partnership_summary(table, top, len(ids))
        method = narrative.summary_method(instrument, backbone_name=backbone, min_group_size=min_group_size, anonymous=cycle.anonymous,
                                          answered=narrative.summary_answered(table, invited, cycle.opens_on, cycle.closes_on))
        responses = {r.assessment.id: narrative.response_cell(r.n_responses, invited.get(r.assessment.id, 0))
                     for r in table.rows if r.has_result}
        medians = {d: narrative.fmt_weight(m) for d, m in narrative.domain_medians(table).items()}  # 83.5 stays 83.5
        overall_median = narrative.overall_median(table)
        moved = moved_partners(table) if table.baseline is not None else []
    grid = len(table.rows) <= GRID_MAX_PARTNERS
    return {"cycle": cycle, "instrument": instrument, "table": table, "chart": chart, "top": top, "with_result": len(ids),
            "sectors": sectors, "sizes": sizes, "title": title, "backbone": backbone, "generated": generated_at(),
            "today": clock.today(), "summary": summary, "method": method, "row_chunks": balanced_chunks(table.rows, 25),
            "responses": responses, "medians": medians, "overall_median": None if overall_median is None else narrative.fmt_weight(overall_median),
            "moved": moved, "min_group_size": min_group_size, "grid": grid,
            "moved_by_domain": [] if grid else moved_by_domain(table),
            "moved_overall": {"up": [unbreakable(m.name) for m in moved if (m.overall or 0) > 0],
                              "down": [unbreakable(m.name) for m in moved if (m.overall or 0) < 0]}}


# A summary is a document for a board: up to this many partners it gives every partner's score in every domain (and
# each partner's moves), a table of about two pages per 25 partners. Beyond, it gives each partner's responses and
# overall score in a list, and per domain how many partners moved a level; every partner's domains are on the comparison
# page and in its XLSX. (500 partners' grid made a 70-page summary that took WeasyPrint 13 s.)
GRID_MAX_PARTNERS = 60


@dataclass(frozen=True)
class DomainMoves:
    """How many partners moved a readiness level in a domain since the baseline (or overall: ``domain_id`` None)."""

    domain_id: str | None
    title: str
    up: int
    down: int


def moved_by_domain(table: Any) -> list[DomainMoves]:
    """Per domain, then overall, the number of partners whose level rose and fell since the baseline."""
    def count(cells: list[Any]) -> tuple[int, int]:
        moves = [c.level_move or 0 for c in cells]
        return sum(1 for m in moves if m > 0), sum(1 for m in moves if m < 0)

    out = [DomainMoves(d.id, d.title, *count([r.cells[d.id] for r in table.rows])) for d in table.domains]
    return out + [DomainMoves(None, _("Overall"), *count([r.overall for r in table.rows]))]


@dataclass(frozen=True)
class Moved:
    """A partner that moved a readiness level since the baseline: overall (+1, -1, ...) and per domain."""

    name: str
    overall: int | None
    up: list[str]
    down: list[str]


def moved_partners(table: Any) -> list[Moved]:
    """The partners with a level move since the baseline (overall or in a domain), by name; the table's own moves."""
    out = []
    for r in sorted(table.rows, key=lambda r: r.organization.name.casefold()):
        up = [d.title for d in table.domains if (r.cells[d.id].level_move or 0) > 0]
        down = [d.title for d in table.domains if (r.cells[d.id].level_move or 0) < 0]
        if up or down or r.overall.level_move:
            out.append(Moved(r.organization.name, r.overall.level_move or None, up, down))
    return out


def unbreakable(text: str) -> str:
    """`text` kept on one line ("11–50 people" never split after its dash or space) without an element of its own: 500
    rows of spans cost the summary's layout more than these characters (a word joiner after each dash, no-break spaces)."""
    return text.replace(" ", "\u00a0").replace("–", "–\u2060")


def balanced_chunks(rows: list[Any], most: int) -> list[list[Any]]:
    """The partner rows in tables of at most `most` rows, of nearly equal sizes (never a last table of one row)."""
    if not rows:
        return []
    count = -(-len(rows) // most)
    size = -(-len(rows) // count)
    return [rows[k:k + size] for k in range(0, len(rows), size)]
