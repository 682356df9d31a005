"""The backbone's check-ins of a cycle: the dates partners update their action plans by, who did, and reminders."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, clock, i18n
from app.assessments.models import Cycle
from app.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.plans import checkins
from app.plans.models import CheckIn
from app.plans.pages import PathId
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _page(request: Request, db: SessionDep, principal: CurrentUser, cycle: Cycle, error: str | None = None, value: str = "",
          status: int = 200) -> Response:
    dates, rows = checkins.standings(db, cycle)
    settings = request.app.state.settings
    return render(request, "plans/check_ins.html", {
        "cycle": cycle, "check_ins": dates, "rows": rows, "error": error, "value": value, "tab": "check-ins",
        "reminder_days": {c.id: checkins.reminder_day(settings, c) for c in dates}, "today": clock.today(),
        "scheduled": settings.scheduler_interval_s > 0,
        "may_change": access.is_backbone_admin(principal) and cycle.backbone_id in access.admin_backbone_ids(principal),
        "flash": request.query_params.get("flash"), "page_title": _("Action-plan check-ins: %(cycle)s", cycle=cycle.name_in(i18n.get_locale()))},
        status_code=status)


@router.get("/backbone/cycles/{cycle_id}/check-ins", response_class=HTMLResponse)
def check_ins_page(request: Request, cycle_id: PathId, db: SessionDep, principal: CurrentUser) -> Response:
    return _page(request, db, principal, access.get_backbone_cycle(db, principal, cycle_id))


@router.post("/backbone/cycles/{cycle_id}/check-ins", response_model=None)
def add_check_in(request: Request, cycle_id: PathId, db: SessionDep, principal: CurrentUser, form: FormDep) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    value = str(form.get("due_on") or "")
    try:
        checkins.add_check_in(db, cycle, value, principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, cycle, exc.message, value, 422)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/check-ins?flash=added", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/check-ins/{check_in_id}/remove", response_model=None)
def remove_check_in(cycle_id: PathId, check_in_id: PathId, db: SessionDep, principal: CurrentUser) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    checkins.remove_check_in(db, cycle, check_in_id, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/check-ins?flash=removed", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/check-ins/{check_in_id}/remind", response_model=None)
def remind(cycle_id: PathId, check_in_id: PathId, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> Response:
    """Email each partner's leads the plan's open actions and the check-in's date."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    check_in = db.get(CheckIn, check_in_id)
    if check_in is None or check_in.cycle_id != cycle.id:
        raise NotFound()
    sent = checkins.send_reminders(db, settings, cycle, check_in, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/check-ins?flash=reminded&sent={sent}", status_code=303)
