"""The backbone workspace: its home, the comparison dashboard, the exports and the audit log (partners:
app.organizations.routes; cycles, progress and reminders: app.dashboard.cycle_routes).

Backbone admins change things; backbone analysts read everything and change nothing (403);
everyone else never learns that these pages hold anything (404 for objects, a redirect home for /backbone).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select

from app import access, audit, i18n
from app.assessments.models import Assessment, AssessmentStatus, Cycle
from app.assessments.trends import partnership_trend
from app.auth.ratelimit import client_key
from app.dashboard.comparison import comparison_table
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.exports import service as exports
from app.exports.params import export_options
from app.exports.sheets import ExportKind, Options
from app.i18n import gettext as _
from app.organizations.labels import sector_label, size_label
from app.organizations.models import Organization, OrgKind
from app.plans.targets import overview
from app.web.csrf import csrf_protect
from app.web.downloads import attachment, streamed_attachment
from app.web.presenters import CellWords, cells_html, distribution_chart, trend_line
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


# -- home --------------------------------------------------------------------------------------

@router.get("/backbone", response_class=HTMLResponse)
def backbone_home(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    if not access.is_backbone(principal):
        return RedirectResponse(access.home_for(principal), status_code=303)
    backbone = access.get_backbone(db, principal)
    cycles = db.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.opens_on.desc(), Cycle.id.desc())).all()
    counts: dict[int, dict[str, int]] = {c.id: {"total": 0, "submitted": 0} for c in cycles}
    for cycle_id, status, n in db.execute(select(Assessment.cycle_id, Assessment.status, func.count())
                                          .where(Assessment.cycle_id.in_([c.id for c in cycles])).group_by(Assessment.cycle_id, Assessment.status)):
        counts[cycle_id]["total"] += n
        if status is AssessmentStatus.submitted:
            counts[cycle_id]["submitted"] += n
    partners = db.scalar(select(func.count()).select_from(Organization).where(
        Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner, Organization.archived_at.is_(None)))
    return render(request, "backbone/home.html", {"backbone": backbone, "cycles": cycles, "counts": counts, "partners": partners,
                                                  "target_rows": overview(db, catalogue, backbone.id, i18n.get_locale()),
                                                  "is_admin": access.is_backbone_admin(principal), "page_title": backbone.name})


# -- comparison --------------------------------------------------------------------------------

@router.get("/backbone/cycles/{cycle_id}/compare", response_class=HTMLResponse)
def compare_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                 sector: Annotated[str, Query(max_length=40)] = "", size: Annotated[str, Query(max_length=20)] = "",
                 sort: Annotated[str, Query(max_length=80)] = "name", dir: Annotated[Literal["asc", "desc"], Query()] = "asc") -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    lang = i18n.get_locale()
    table = comparison_table(db, catalogue, cycle, lang, sector=sector or None, size=size or None, sort=sort, descending=dir == "desc")
    trend = partnership_trend(db, catalogue, cycle, lang, _("Overall"), {r.organization.id for r in table.rows}) if cycle.baseline_id else None
    return render(request, "backbone/compare.html", {
        "trend": trend if trend and len(trend.cycles) > 1 else None, "trend_line": trend_line,
        "trend_labels": [c.name_in(lang) for c in trend.cycles] if trend else [],
        "cycle": cycle, "table": table, "chart": distribution_chart(table, "distribution"), "sector": sector, "size": size, "sort": table.sort,
        "dir": dir, "cells_html": cells_html, "words": CellWords.current(),
        "sectors": {s: sector_label(s) for s in table.sectors}, "sizes": {s: size_label(s) for s in table.size_bands},
        "page_title": _("Compare partners: %(cycle)s", cycle=cycle.name_in(lang))})


# -- exports -----------------------------------------------------------------------------------

@router.get("/backbone/cycles/{cycle_id}/export")
def export_choice(cycle_id: Id, db: SessionDep, principal: CurrentUser, opts: Annotated[Options, Depends(export_options)],
                  kind: ExportKind = "results", fmt: Literal["csv", "xlsx", "json"] = "xlsx") -> Response:
    """The cycle page's export form: the download it chose, at its own address."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    query = opts.query()
    if kind != "answers":
        query.pop("shape", None)
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/export/{kind}.{fmt}" + (f"?{urlencode(query)}" if query else ""), status_code=303)


@router.get("/backbone/cycles/{cycle_id}/export/{kind}.{fmt}")
def export(request: Request, cycle_id: Id, kind: ExportKind, fmt: Literal["csv", "xlsx", "json"], db: SessionDep,
           principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
           opts: Annotated[Options, Depends(export_options)]) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    f = exports.export_stream(db, request.app.state.sessionmaker, catalogue, cycle, kind, fmt, i18n.get_locale(), settings.min_group_size,
                              principal.user_id, address=client_key(request), opts=opts)
    return streamed_attachment(f.chunks, f.name, f.media_type)


# -- the audit log ---------------------------------------------------------------------------------

Before = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _audit_filters(request: Request, labels: dict[str, str], org_ids: set[int]) -> tuple[audit.Filters, dict[str, str], str | None]:
    """The log's filters from the query (what was asked, as typed, to show in the form) and a message for a bad date."""
    q = request.query_params
    asked = {k: (q.get(k) or "").strip()[:200] for k in ("action", "who", "org", "since", "until")}
    dates: dict[str, dt.date | None] = {}
    error = None
    for key in ("since", "until"):
        try:
            dates[key] = dt.date.fromisoformat(asked[key]) if asked[key] else None
        except ValueError:
            dates[key], error = None, _("Enter a date like 2026-09-30.")
    org = int(asked["org"]) if asked["org"].isdigit() and int(asked["org"]) in org_ids else None
    return (audit.Filters(action=asked["action"] if asked["action"] in labels else None, who=asked["who"], organization_id=org,
                          since=dates["since"], until=dates["until"]), asked, error)


def _audit_orgs(db: SessionDep, backbone: Organization) -> list[Organization]:
    return list(db.scalars(select(Organization).where(or_(Organization.id == backbone.id, Organization.backbone_id == backbone.id))
                           .order_by(Organization.kind, func.lower(Organization.name))))


@router.get("/backbone/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, before: Before = None) -> Response:
    """Who did what, newest first, for backbone administrators; filtered by action, person, organization and dates, paged
    by 100."""
    backbone = access.get_backbone(db, principal, "admin")
    labels = audit.labels()
    orgs = _audit_orgs(db, backbone)
    filters, asked, error = _audit_filters(request, labels, {o.id for o in orgs})
    entries = audit.backbone_events(db, backbone.id, before=before, limit=audit.PAGE_SIZE + 1, filters=filters)
    older = entries[audit.PAGE_SIZE - 1].id if len(entries) > audit.PAGE_SIZE else None
    query = urlencode({k: v for k, v in asked.items() if v})
    return render(request, "backbone/audit.html", {"entries": entries[:audit.PAGE_SIZE], "labels": labels, "asked": asked, "orgs": orgs,
                                                   "detail_labels": audit.detail_labels(), "detail_value": audit.detail_value,
                                                   "zone": settings.time_zone, "error": error, "query": query,
                                                   "before": before, "older": older, "page_title": _("Audit log")})


@router.get("/backbone/audit.csv")
def audit_export(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    filters, _asked, _error = _audit_filters(request, audit.labels(), {o.id for o in _audit_orgs(db, backbone)})
    f = exports.audit_log_file(db, backbone, filters, principal.user_id)
    return attachment(f.content, f.name, f.media_type)
