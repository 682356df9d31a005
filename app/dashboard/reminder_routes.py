"""A cycle's reminders: who a round reaches (a confirmation before it goes), sending it, and the cycle's schedule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, clock, i18n
from app.assessments import reminders, service
from app.assessments.models import Cycle
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _open(cycle: Cycle) -> None:
    if not service.cycle_is_open(cycle):
        raise Conflict(_("This cycle is not open, so there is no one to remind."))


def _page(request: Request, db: SessionDep, principal: CurrentUser, cycle: Cycle, error: str | None = None, value: str | None = None,
          status: int = 200) -> Response:
    return render(request, "backbone/reminders.html", {
        "may_change": access.is_backbone_admin(principal) and cycle.backbone_id in access.admin_backbone_ids(principal),
        "cycle": cycle, "preview": reminders.preview(db, cycle), "schedule": reminders.schedule(cycle), "rounds": reminders.rounds(db, cycle),
        "days": reminders.days_of(cycle), "today": clock.today(), "error": error, "is_open": service.cycle_is_open(cycle),
        "value": ", ".join(str(d) for d in reminders.days_of(cycle)) if value is None else value,
        "page_title": _("Reminders: %(cycle)s", cycle=cycle.name_in(i18n.get_locale()))}, status_code=status)


@router.get("/backbone/cycles/{cycle_id}/remind", response_class=HTMLResponse)
def reminders_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    """Who a round sent now reaches, per partner (counts, never addresses), before it goes; and the schedule. Analysts
    read it; admins send and schedule."""
    return _page(request, db, principal, access.get_backbone_cycle(db, principal, cycle_id))


@router.post("/backbone/cycles/{cycle_id}/remind")
def remind(cycle_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep) -> Response:
    """Send a round now: everyone who has not finished gets the link they have again (see app/assessments/reminders.py)."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    _open(cycle)
    n = reminders.send_by_hand(db, settings, cycle, service.instrument_of(catalogue, cycle).estimated_minutes, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?reminded={n}", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/reminder-days")
def set_reminder_days(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, form: FormDep) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    value = str(form.get("reminder_days") or "")
    try:
        reminders.set_days(db, cycle, value, principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, cycle, exc.message, value, 422)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}/remind?flash=scheduled", status_code=303)
