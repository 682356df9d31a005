"""The backbone workspace: partners, cycles, progress and reminders, the comparison dashboard, exports.

Backbone admins change things; backbone analysts read everything and change nothing (403);
everyone else never learns that these pages hold anything (404 for objects, a redirect home for /backbone).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import access, audit, clock, i18n
from app.assessments import service
from app.assessments.models import Assessment, AssessmentStatus, Cycle, Depth, Order, ResponseStatus
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.auth.service import Principal
from app.config import Settings
from app.dashboard.service import CellWords, Progress, cells_html, comparison_table, cycle_progress, distribution_chart
from app.db import utcnow
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Conflict, Invalid, NotFound
from app.exports import service as exports
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations import service as orgs
from app.organizations.labels import sector_choices, sector_label, size_choices, size_label
from app.organizations.models import Organization, OrgKind
from app.organizations.service import PARTNER_FIELDS
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]




# -- home --------------------------------------------------------------------------------------

@router.get("/backbone", response_class=HTMLResponse)
def backbone_home(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
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
                                                  "is_admin": access.is_backbone_admin(principal), "page_title": backbone.name})


# -- partners ----------------------------------------------------------------------------------

@router.get("/backbone/partners", response_class=HTMLResponse)
def partners_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    backbone = access.get_backbone(db, principal)
    return _partners(request, db, principal, backbone)


def _partners(request: Request, db: Session, principal: Principal, backbone: Organization, extra: dict[str, Any] | None = None,
              status: int = 200) -> Response:
    orgs = db.scalars(select(Organization).where(Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner)
                      .order_by(func.lower(Organization.name))).all()
    leads = dict(db.execute(select(Invitation.organization_id, func.max(Invitation.last_sent_at)).where(
        Invitation.purpose == InvitationPurpose.partner_lead, Invitation.organization_id.in_([o.id for o in orgs]),
        Invitation.revoked_at.is_(None)).group_by(Invitation.organization_id)).all()) if orgs else {}
    return render(request, "backbone/partners.html", {
        "backbone": backbone, "active": [o for o in orgs if o.archived_at is None], "archived": [o for o in orgs if o.archived_at],
        "leads": leads, "is_admin": access.is_backbone_admin(principal), "links": [], "page_title": _("Partners"), **(extra or {})},
        status_code=status)


def _partner_form(form: Any) -> dict[str, str]:
    return {k: str(form.get(k) or "").strip() for k in PARTNER_FIELDS}


def _render_partner_form(request: Request, org: Organization | None, values: dict[str, str], errors: dict[str, str],
                         status: int = 200) -> Response:
    return render(request, "backbone/partner_form.html", {
        "org": org, "values": values, "errors": errors, "sectors": sector_choices(), "sizes": size_choices(),
        "page_title": org.name if org else _("New partner")}, status_code=status)


@router.get("/backbone/partners/new", response_class=HTMLResponse)
def new_partner_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    access.get_backbone(db, principal, "admin")
    return _render_partner_form(request, None, {"sector": "nonprofit", "size_band": "11-50", "preferred_language": i18n.get_locale()}, {})


@router.post("/backbone/partners")
def create_partner(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    values = _partner_form(form)
    errors = orgs.partner_problems(db, values, settings.locales, backbone.id)
    if errors:
        return _render_partner_form(request, None, values, errors, 422)
    org = orgs.create_partner(db, backbone, values, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=created#partner-{org.id}", status_code=303)


@router.get("/backbone/partners/{org_id}/edit", response_class=HTMLResponse)
def edit_partner_page(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    return _render_partner_form(request, org, {k: getattr(org, k) for k in PARTNER_FIELDS}, {})


@router.post("/backbone/partners/{org_id}")
def update_partner(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    values = _partner_form(form)
    errors = orgs.partner_problems(db, values, settings.locales, org.backbone_id or 0, org.id)
    if errors:
        return _render_partner_form(request, org, values, errors, 422)
    orgs.update_partner(db, org, values, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=saved#partner-{org.id}", status_code=303)


@router.post("/backbone/partners/{org_id}/archive")
def archive_partner(org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    if org.archived_at is None:
        org.archived_at = utcnow()
        audit.record(db, principal.user_id, "organization.archived", "organization", org.id, org.id)
        db.commit()
    return RedirectResponse("/backbone/partners?flash=archived", status_code=303)


@router.post("/backbone/partners/{org_id}/restore")
def restore_partner(org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    if org.archived_at is not None:
        org.archived_at = None
        audit.record(db, principal.user_id, "organization.restored", "organization", org.id, org.id)
        db.commit()
    return RedirectResponse(f"/backbone/partners?flash=restored#partner-{org.id}", status_code=303)


@router.post("/backbone/partners/{org_id}/invite-lead")
def invite_lead(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    """Invite the partner's lead: the same invitation links as respondents, in the invitee's language."""
    org = access.get_partner(db, principal, org_id, "admin")
    if org.archived_at is not None:
        raise Conflict(_("This partner is archived; restore it before inviting its lead."))
    try:
        emails = invitations.parse_emails(str(form.get("email") or "")[:400])
        if len(emails) != 1:
            raise Invalid(_("Enter one email address."), field="email")
    except Invalid as exc:
        return _partners(request, db, principal, access.get_backbone(db, principal), {"lead_error": {"org": org.id, "message": exc.message}}, 422)
    language = str(form.get("language") or org.preferred_language)
    issued = invitations.issue(db, settings, email=emails[0], language=language, organization=org, purpose=InvitationPurpose.partner_lead,
                               assessment_id=None, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, org, "", 0)
    db.commit()
    return _partners(request, db, principal, access.get_backbone(db, principal),
                     {"invited": org.name, "links": [(emails[0], issued.link(settings))] if outbox else []})


# -- cycles ------------------------------------------------------------------------------------

def _cycle_form_context(db: Session, catalogue: Catalogue, backbone: Organization) -> dict[str, Any]:
    instruments = [e.instrument for e in catalogue.entries.values()]
    instruments.sort(key=lambda i: (i.id, [int(p) if p.isdigit() else p for p in i.version.split(".")]), reverse=True)
    cycles = db.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.opens_on.desc(), Cycle.id.desc())).all()
    partners = db.scalars(select(Organization).where(Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner,
                                                     Organization.archived_at.is_(None)).order_by(func.lower(Organization.name))).all()
    return {"instruments": instruments, "cycles": cycles, "partners": partners, "page_title": _("New cycle")}


@router.get("/backbone/cycles/new", response_class=HTMLResponse)
def new_cycle_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    ctx = _cycle_form_context(db, catalogue, backbone)
    today = clock.today()
    latest = ctx["cycles"][0] if ctx["cycles"] else None
    values = {"name": "", "instrument": f"{ctx['instruments'][0].id}@{ctx['instruments'][0].version}" if ctx["instruments"] else "",
              "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=42)).isoformat(), "privacy": "anonymous",
              "depth": "full", "order": "integrated", "baseline": str(latest.id) if latest else "",
              "partners": {p.id for p in ctx["partners"]}}
    if latest is not None:  # a follow-up asks the same way as its baseline, so the two compare
        values.update(depth=latest.depth.value, order=latest.order.value, privacy="anonymous" if latest.anonymous else "named")
        values["partners"] = set(db.scalars(select(Assessment.organization_id).where(Assessment.cycle_id == latest.id))) & values["partners"]
    return render(request, "backbone/cycle_form.html", {**ctx, "values": values, "errors": {}})


@router.post("/backbone/cycles")
def create_cycle(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in ("name", "instrument", "opens_on", "closes_on", "privacy", "depth",
                                                                         "order", "baseline")}
    values["partners"] = {int(v) for v in form.getlist("partners") if str(v).isdigit()}
    errors: dict[str, str] = {}
    inst_id, _sep, version = values["instrument"].partition("@")
    instrument = catalogue.find(inst_id, version)
    if instrument is None:
        errors["instrument"] = _("Choose an instrument from the list.")
    dates = {}
    for key in ("opens_on", "closes_on"):
        try:
            dates[key] = dt.date.fromisoformat(values[key])
        except ValueError:
            errors[key] = _("Enter a date like 2026-09-30.")
    baseline = None
    if values["baseline"]:
        if values["baseline"].isdigit():
            baseline = db.scalar(select(Cycle).where(Cycle.id == int(values["baseline"]), Cycle.backbone_id == backbone.id))
        if baseline is None:
            errors["baseline"] = _("Choose a cycle from the list.")
    if not values["partners"]:
        errors["partners"] = _("Choose at least one partner.")
    errors = {**service.cycle_problems(values["name"], dates.get("opens_on"), dates.get("closes_on")), **errors}
    if not errors:
        assert instrument is not None
        try:
            cycle = service.create_cycle(db, backbone=backbone, actor_id=principal.user_id, name=values["name"], instrument=instrument,
                                         opens_on=dates["opens_on"], closes_on=dates["closes_on"],
                                         depth=Depth(values["depth"]) if values["depth"] in Depth.__members__ else Depth.full,
                                         order=Order(values["order"]) if values["order"] in Order.__members__ else Order.integrated,
                                         anonymous=values["privacy"] != "named", baseline=baseline, partner_ids=values["partners"])
        except Invalid as exc:
            errors[str(exc.details.get("field") or "name")] = exc.message
        except NotFound:
            errors["partners"] = _("Choose partners from the list.")
    if errors:
        db.rollback()
        return render(request, "backbone/cycle_form.html", {**_cycle_form_context(db, catalogue, backbone), "values": values, "errors": errors},
                      status_code=422)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=created", status_code=303)


@router.get("/backbone/cycles/{cycle_id}", response_class=HTMLResponse)
def cycle_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
               status: Annotated[str, Query(max_length=20)] = "") -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    rows = cycle_progress(db, cycle)
    totals = {p.value: sum(1 for r in rows if r.status is p) for p in Progress}
    shown = [r for r in rows if not status or r.status.value == status]
    return render(request, "backbone/cycle.html", {
        "cycle": cycle, "rows": shown, "totals": totals, "status": status if status in totals else "", "all": len(rows),
        "instrument": service.instrument_of(catalogue, cycle), "is_admin": access.is_backbone_admin(principal),
        "reminded": request.query_params.get("reminded"), "page_title": cycle.name})


@router.post("/backbone/cycles/{cycle_id}/close")
def close_cycle(cycle_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    service.close_cycle(db, cycle, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=closed", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/remind")
def remind(cycle_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep) -> Response:
    """Send the invitation again (a fresh link) to everyone invited who has not submitted, in the cycle's open assessments."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    if not service.cycle_is_open(cycle):
        raise Conflict(_("This cycle is not open, so there is no one to remind."))
    n = send_reminders(db, settings, catalogue, cycle, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?reminded={n}", status_code=303)


def send_reminders(db: Session, settings: Settings, catalogue: Catalogue, cycle: Cycle, actor_id: int | None) -> int:
    minutes = service.instrument_of(catalogue, cycle).estimated_minutes
    pending = db.execute(
        select(Invitation, Assessment).join(Assessment, Assessment.id == Invitation.assessment_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.status != AssessmentStatus.submitted,
               Invitation.purpose == InvitationPurpose.respond, Invitation.revoked_at.is_(None))).all()
    done = {(a, u) for a, u in db.execute(select(ResponseRow.assessment_id, ResponseRow.user_id).join(Assessment).where(
        Assessment.cycle_id == cycle.id, ResponseRow.status == ResponseStatus.submitted))}
    n = 0
    for invitation, assessment in pending:
        if invitation.user_id is not None and (assessment.id, invitation.user_id) in done:
            continue
        issued = invitations.issue(db, settings, email=invitation.email, language=invitation.language, organization=assessment.organization,
                                   purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=actor_id)
        invitations.send(db, settings, issued, assessment.organization, cycle.name, minutes)
        n += 1
    audit.record(db, actor_id, "cycle.reminded", "cycle", cycle.id, cycle.backbone_id, sent=n)
    return n


# -- comparison --------------------------------------------------------------------------------

@router.get("/backbone/cycles/{cycle_id}/compare", response_class=HTMLResponse)
def compare_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                 sector: Annotated[str, Query(max_length=40)] = "", size: Annotated[str, Query(max_length=20)] = "",
                 sort: Annotated[str, Query(max_length=80)] = "name", dir: Annotated[Literal["asc", "desc"], Query()] = "asc") -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    lang = i18n.get_locale()
    table = comparison_table(db, catalogue, cycle, lang, sector=sector or None, size=size or None, sort=sort, descending=dir == "desc")
    return render(request, "backbone/compare.html", {
        "cycle": cycle, "table": table, "chart": distribution_chart(table, "distribution"), "sector": sector, "size": size, "sort": table.sort,
        "dir": dir, "cells_html": cells_html, "words": CellWords.current(),
        "sectors": {s: sector_label(s) for s in table.sectors}, "sizes": {s: size_label(s) for s in table.size_bands},
        "page_title": _("Compare partners: %(cycle)s", cycle=cycle.name)})


# -- exports -----------------------------------------------------------------------------------

@router.get("/backbone/cycles/{cycle_id}/export/{kind}.{fmt}")
def export(cycle_id: Id, kind: Literal["results", "items", "answers"], fmt: Literal["csv", "xlsx", "json"], db: SessionDep,
           principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    return exports.export_response(db, catalogue, settings, cycle, kind, fmt, principal.user_id)


# -- the audit log ---------------------------------------------------------------------------------

AuditAction = Annotated[str | None, Query(max_length=60)]
Before = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@router.get("/backbone/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: SessionDep, principal: CurrentUser, action: AuditAction = None, before: Before = None) -> Response:
    """Who did what, newest first, for backbone administrators; filtered by action, paged by 100."""
    backbone = access.get_backbone(db, principal, "admin")
    labels = audit.labels()
    action = action if action in labels else None
    entries = audit.backbone_events(db, backbone.id, action=action, before=before, limit=audit.PAGE_SIZE + 1)
    older = entries[audit.PAGE_SIZE - 1].id if len(entries) > audit.PAGE_SIZE else None
    return render(request, "backbone/audit.html", {"entries": entries[:audit.PAGE_SIZE], "labels": labels, "action": action,
                                                   "detail_labels": audit.detail_labels(),
                                                   "before": before, "older": older, "page_title": _("Audit log")})


@router.get("/backbone/audit.csv")
def audit_export(db: SessionDep, principal: CurrentUser, action: AuditAction = None) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    labels = audit.labels()
    sheet = exports.audit_sheet(audit.backbone_events(db, backbone.id, action=action if action in labels else None, limit=None), labels)
    audit.record(db, principal.user_id, "audit.exported", "organization", backbone.id, backbone.id)
    db.commit()
    return exports.attachment(exports.to_csv(sheet), f"{exports.file_stem(backbone.name, 'backbone')}-audit-log.csv", exports.CSV)
