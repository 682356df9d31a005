"""A partner's action plan: the plan page, an action's form (from scratch, a growth opportunity or a commitment the
team wrote) and its progress notes. Who may read or change a plan is decided in app.access."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments.models import Assessment, Cycle
from app.auth.service import Principal
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import Organization
from app.plans import pages, service
from app.plans.models import Action, ActionSource
from app.plans.pages import PathId
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
FIELDS = ("title", "description", "domain_id", "owner", "starts_on", "due_on", "measure", "status", "dropped_reason")


@router.get("/plans/{org_id}", response_class=HTMLResponse)
def plan_page(request: Request, org_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    org = access.get_plan_organization(db, principal, org_id)
    return pages.plan(request, db, principal, catalogue, org)


@router.get("/plans/{org_id}/new", response_class=HTMLResponse)
def new_action_page(request: Request, org_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    org = access.get_plan_organization(db, principal, org_id, "change")
    values, origin = pages.prefill(db, principal, catalogue, org, request)
    return render(request, "plans/action_form.html", {
        **pages.form_context(org, pages.plan_instrument(db, catalogue, org), i18n.get_locale()), "values": values, "origin": origin,
        "errors": {}, "action": None, "page_title": _("New action")})


def _fields(form: Any) -> service.ActionFields:
    return service.ActionFields(**{k: str(form.get(k) or "") for k in FIELDS}, item_ids=tuple(str(i) for i in form.getlist("item_ids")))


@router.post("/plans/{org_id}/actions", response_model=None)
def create_action(request: Request, org_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                  form: FormDep) -> Response:
    org = access.get_plan_organization(db, principal, org_id, "change")
    instrument = pages.plan_instrument(db, catalogue, org)
    fields = _fields(form)
    source = str(form.get("source") or "")
    cycle_id = str(form.get("cycle_id") or "")
    cycle = db.get(Cycle, int(cycle_id)) if cycle_id.isdigit() else None
    if cycle is not None and db.scalar(select(Assessment.id).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id)) is None:
        cycle = None
    errors, _clean = service.problems(fields, instrument)
    if not errors:
        try:
            action = service.create_action(db, org, fields, instrument, principal.user_id, cycle_id=cycle.id if cycle else None,
                                           source=ActionSource(source) if source in ActionSource.__members__ else ActionSource.scratch,
                                           source_ref=str(form.get("source_ref") or "")[:64] or None)
        except Invalid as exc:
            errors = {str(exc.details.get("field") or "title"): exc.message}
    if errors:
        db.rollback()
        return render(request, "plans/action_form.html", {
            **pages.form_context(org, instrument, i18n.get_locale()), "values": {**{k: form.get(k) or "" for k in FIELDS}, "item_ids": fields.item_ids},
            "origin": {"source": source, "source_ref": form.get("source_ref") or "", "cycle_id": cycle_id}, "errors": errors,
            "action": None, "page_title": _("New action")}, status_code=422)
    db.commit()
    return RedirectResponse(f"/plans/{org.id}?flash=created#action-{action.id}", status_code=303)


def _action_page(request: Request, db: Session, principal: Principal, catalogue: Catalogue, action: Action,
                 values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, note: str = "") -> Response:
    org = db.get(Organization, action.organization_id)
    assert org is not None
    lang = i18n.get_locale()
    return render(request, "plans/action_form.html", {
        **pages.form_context(org, pages.plan_instrument(db, catalogue, org), lang), "action": action, "errors": errors or {}, "note": note,
        "values": values or {**{k: getattr(action, k) or "" for k in FIELDS}, "status": action.status.value, "item_ids": action.item_ids or []},
        "origin": None, "may_change": org.id in access.plan_org_ids(principal),
        "page_title": action.title}, status_code=422 if errors else 200)


@router.get("/plans/actions/{action_id}", response_class=HTMLResponse)
def action_page(request: Request, action_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    return _action_page(request, db, principal, catalogue, access.get_action(db, principal, action_id))


@router.post("/plans/actions/{action_id}", response_model=None)
def update_action(request: Request, action_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                  form: FormDep) -> Response:
    action = access.get_action(db, principal, action_id, "change")
    org = db.get(Organization, action.organization_id)
    assert org is not None
    fields = _fields(form)
    errors, _clean = service.problems(fields, pages.plan_instrument(db, catalogue, org))
    if errors:
        db.rollback()
        values = {**{k: form.get(k) or "" for k in FIELDS}, "item_ids": fields.item_ids}
        return _action_page(request, db, principal, catalogue, action, values, errors)
    service.update_action(db, action, fields, pages.plan_instrument(db, catalogue, org), principal.user_id)
    db.commit()
    return RedirectResponse(f"/plans/{org.id}?flash=saved#action-{action.id}", status_code=303)


@router.post("/plans/actions/{action_id}/notes", response_model=None)
def add_note(request: Request, action_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
             form: FormDep) -> Response:
    action = access.get_action(db, principal, action_id, "change")
    try:
        service.add_note(db, action, str(form.get("body") or ""), str(form.get("noted_on") or ""), principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _action_page(request, db, principal, catalogue, action, errors={str(exc.details.get("field") or "body"): exc.message},
                            note=str(form.get("body") or ""))
    db.commit()
    return RedirectResponse(f"/plans/actions/{action.id}?flash=noted#notes", status_code=303)
