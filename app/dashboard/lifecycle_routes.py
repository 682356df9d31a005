"""Closing a cycle (after a confirmation that says what it does) and reopening it, both audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, clock, i18n
from app.assessments import service
from app.assessments.models import Cycle
from app.dashboard.progress import Progress, cycle_progress
from app.deps import CurrentUser, FormDep, SessionDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(request: Request, db: SessionDep, cycle: Cycle, error: str | None = None, value: str = "", status: int = 200) -> Response:
    waiting = [r.organization for r in cycle_progress(db, cycle) if r.status is not Progress.submitted]
    return render(request, "backbone/close.html", {
        "cycle": cycle, "waiting": waiting, "error": error, "value": value, "today": clock.today(),
        "page_title": _("Close the cycle: %(cycle)s", cycle=cycle.name_in(i18n.get_locale()))}, status_code=status)


@router.get("/backbone/cycles/{cycle_id}/close", response_class=HTMLResponse)
def close_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    """What closing does, and who has not submitted, before it happens."""
    return _page(request, db, access.get_backbone_cycle(db, principal, cycle_id, "admin"))


@router.post("/backbone/cycles/{cycle_id}/close")
def close_cycle(cycle_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    service.close_cycle(db, cycle, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=closed", status_code=303)


@router.post("/backbone/cycles/{cycle_id}/reopen")
def reopen_cycle(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, form: FormDep) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    value = str(form.get("closes_on") or "")
    try:
        service.reopen_cycle(db, cycle, principal.user_id, value)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, cycle, exc.message, value, 422)
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=reopened", status_code=303)
