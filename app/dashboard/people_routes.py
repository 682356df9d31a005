"""The partnership's people: who holds which seat (staff, partners' leads, plan editors), when each last signed in, and
a password link an admin makes for someone without email (app/auth/resets.py), shown to that admin once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from app import access
from app.auth import resets
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(request: Request, db: SessionDep, principal: CurrentUser, extra: dict | None = None, status: int = 200) -> Response:  # type: ignore[type-arg]
    return render(request, "backbone/people.html", {"people": access.partnership_people(db, principal), "page_title": _("People"),
                                                    **(extra or {})}, status_code=status)


@router.get("/backbone/people", response_class=HTMLResponse)
def people_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    return _page(request, db, principal)


@router.post("/backbone/people/{user_id}/password-link")
def password_link(request: Request, user_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> Response:
    """A link to choose a new password, for a person of the partnership, shown on this page to the admin who made it."""
    user = access.get_partnership_person(db, principal, user_id)
    try:
        link = resets.admin_link(db, settings, user, principal.user_id)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, {"error": exc.message, "for": user.email}, 422)
    db.commit()
    return _page(request, db, principal, {"link": link, "for": user.email, "hours": resets.MADE_BY_ADMIN_HOURS})
