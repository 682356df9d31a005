"""The partnership's targets: the backbone sets them (admins), its staff read them with where the partnership stands."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments.models import Cycle
from app.assessments.service import instrument_of
from app.auth.service import Principal
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import Organization
from app.plans import targets
from app.plans.models import Target
from app.plans.pages import PathId
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
FIELDS = ("title", "kind", "domain_id", "level_index", "share", "points", "reference_cycle_id", "due_on", "level")


def _page(request: Request, db: Session, principal: Principal, catalogue: Catalogue, backbone: Organization,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, editing: Target | None = None) -> Response:
    lang = i18n.get_locale()
    cycles = list(db.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.opens_on.desc(), Cycle.id.desc())))
    latest = instrument_of(catalogue, cycles[0]) if cycles else None
    return render(request, "plans/targets.html", {
        "backbone": backbone, "rows": targets.overview(db, catalogue, backbone.id, lang, minimum=request.app.state.settings.min_group_size),
        "seat_levels": [("board", _("Board")), ("leadership", _("Executive leadership")), ("managers", _("Managers")),
                        ("staff", _("All staff"))], "cycles": cycles,
        "domains": [(d.id, d.title.get(lang)) for d in latest.domains] if latest else [],
        "levels": [(n, lv.name.get(lang)) for n, lv in enumerate(latest.levels)] if latest else [],
        "values": values or {"kind": "share_at_level", "domain_id": "overall", "reference_cycle_id": str(cycles[0].id) if cycles else ""},
        "errors": errors or {}, "editing": editing, "may_change": access.is_backbone_admin(principal),
        "flash": request.query_params.get("flash"), "page_title": _("Partnership targets")},
        status_code=422 if errors else 200)


@router.get("/backbone/targets", response_class=HTMLResponse)
def targets_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    return _page(request, db, principal, catalogue, access.get_backbone(db, principal))


def _fields(form: Any) -> targets.TargetFields:
    return targets.TargetFields(**{k: str(form.get(k) or "") for k in FIELDS})


@router.post("/backbone/targets", response_model=None)
def create_target(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    try:
        target = targets.create_target(db, catalogue, backbone, _fields(form), principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, catalogue, backbone, {k: form.get(k) or "" for k in FIELDS},
                     {str(exc.details.get("field") or "title"): exc.message})
    db.commit()
    return RedirectResponse(f"/backbone/targets?flash=created#target-{target.id}", status_code=303)


def _target(db: Session, principal: Principal, target_id: int, need: str) -> tuple[Organization, Target]:
    backbone = access.get_backbone(db, principal, need)  # type: ignore[arg-type]
    target = db.get(Target, target_id)
    if target is None or target.backbone_id != backbone.id:
        raise NotFound()
    return backbone, target


@router.get("/backbone/targets/{target_id}", response_class=HTMLResponse)
def edit_target_page(request: Request, target_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    backbone, target = _target(db, principal, target_id, "admin")
    values = {k: "" if getattr(target, k) is None else str(getattr(target, k).value if k == "kind" else getattr(target, k)) for k in FIELDS}
    return _page(request, db, principal, catalogue, backbone, values, editing=target)


@router.post("/backbone/targets/{target_id}", response_model=None)
def update_target(request: Request, target_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                  form: FormDep) -> Response:
    backbone, target = _target(db, principal, target_id, "admin")
    try:
        targets.update_target(db, catalogue, target, _fields(form), principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, catalogue, backbone, {k: form.get(k) or "" for k in FIELDS},
                     {str(exc.details.get("field") or "title"): exc.message}, editing=target)
    db.commit()
    return RedirectResponse(f"/backbone/targets?flash=saved#target-{target.id}", status_code=303)


@router.post("/backbone/targets/{target_id}/remove", response_model=None)
def remove_target(target_id: PathId, db: SessionDep, principal: CurrentUser) -> Response:
    _backbone, target = _target(db, principal, target_id, "admin")
    targets.remove_target(db, target, principal.user_id)
    db.commit()
    return RedirectResponse("/backbone/targets?flash=removed", status_code=303)
