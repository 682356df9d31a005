"""Editing a cycle after its creation: its names, its dates, and partners added (each new partner's lead told of it, or
invited to lead: app/assessments/announce.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import announce, service
from app.assessments.models import Assessment, AssessmentStatus, Cycle
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.organizations.models import Organization, OrgKind
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _others(db: Session, cycle: Cycle) -> list[Organization]:
    """The backbone's partners not in the cycle yet (archived ones left out)."""
    taking_part = select(Assessment.organization_id).where(Assessment.cycle_id == cycle.id)
    return list(db.scalars(select(Organization).where(Organization.backbone_id == cycle.backbone_id, Organization.kind == OrgKind.partner,
                                                      Organization.archived_at.is_(None), Organization.id.not_in(taking_part))
                           .order_by(func.lower(Organization.name))))


def _page(request: Request, db: Session, cycle: Cycle, values: dict[str, Any], errors: dict[str, str] | None = None,
          extension_error: dict[str, Any] | None = None) -> Response:
    settings = request.app.state.settings
    waiting = db.scalars(select(Assessment).join(Organization, Organization.id == Assessment.organization_id).where(
        Assessment.cycle_id == cycle.id, Assessment.status != AssessmentStatus.submitted).order_by(func.lower(Organization.name))).all()
    return render(request, "backbone/cycle_edit.html", {
        "waiting": waiting, "extension_error": extension_error or {},
        "cycle": cycle, "values": values, "errors": errors or {}, "others": _others(db, cycle), "first_language": settings.default_locale,
        "other_languages": [x for x in settings.locales if x != settings.default_locale],
        "page_title": _("Change the cycle: %(cycle)s", cycle=cycle.name_in(i18n.get_locale()))},
        status_code=422 if errors or extension_error else 200)


def _values(cycle: Cycle) -> dict[str, Any]:
    """The edit form's fields as the cycle has them."""
    return {"name": cycle.name, "opens_on": cycle.opens_on.isoformat(), "closes_on": cycle.closes_on.isoformat(), "partners": set(),
            "invite_leads": True, **{f"name_{lang}": name for lang, name in (cycle.names or {}).items()}}


@router.get("/backbone/cycles/{cycle_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    return _page(request, db, cycle, _values(cycle))


@router.post("/backbone/cycles/{cycle_id}/edit")
def edit_cycle(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep,
               form: FormDep) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    others = [x for x in settings.locales if x != settings.default_locale]
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in ("name", "opens_on", "closes_on", *(f"name_{x}" for x in others))}
    values["partners"] = {int(v) for v in form.getlist("partners") if str(v).isdigit()}
    values["invite_leads"] = form.get("invite_leads") == "yes"
    errors: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    for key in ("opens_on", "closes_on"):
        try:
            dates[key] = dt.date.fromisoformat(values[key])
        except ValueError:
            errors[key] = _("Enter a date like 2026-09-30.")
    names = {x: values[f"name_{x}"] for x in others}
    errors = {**service.cycle_problems(values["name"], dates.get("opens_on"), dates.get("closes_on"), names), **errors}
    if not errors:
        try:
            added = service.update_cycle(db, cycle, principal.user_id, name=values["name"], names=names, opens_on=dates["opens_on"],
                                         closes_on=dates["closes_on"], partner_ids=values["partners"])
        except Invalid as exc:
            errors[str(exc.details.get("field") or "name")] = exc.message
    if errors:
        db.rollback()
        return _page(request, db, cycle, values, errors)
    invited = announce.announce(db, settings, cycle, service.instrument_of(catalogue, cycle).estimated_minutes, principal.user_id,
                                [a.organization_id for a in added]) if values["invite_leads"] and added else 0
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=updated&added={len(added)}&invited={invited}", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/partners/{org_id}/deadline")
def extend_partner(request: Request, cycle_id: Id, org_id: Id, db: SessionDep, principal: CurrentUser, form: FormDep) -> Response:
    """An extension for one partner: its own closing day, later than the cycle's (empty: back to the cycle's)."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org_id))
    if assessment is None:
        raise NotFound()
    value = str(form.get("closes_on") or "")
    try:
        service.extend(db, assessment, value, principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, cycle, _values(cycle), extension_error={"org": org_id, "message": exc.message, "value": value})
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/edit?flash=extended#deadline-{org_id}", status_code=303)
