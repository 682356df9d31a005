"""The partnership's people: who holds which seat (staff, partners' leads, plan editors), when each last signed in, and
a password link an admin makes for someone without email (app/auth/resets.py), shown to that admin once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from app import access
from app.auth import invitations, resets
from app.auth.models import InvitationPurpose
from app.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.organizations import service as orgs
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(request: Request, db: SessionDep, principal: CurrentUser, extra: dict | None = None, status: int = 200) -> Response:  # type: ignore[type-arg]
    settings = request.app.state.settings
    return render(request, "backbone/people.html", {"people": access.partnership_people(db, principal), "page_title": _("People"),
                                                    "languages": settings.locales, "me": principal.user_id, **(extra or {})},
                  status_code=status)


STAFF = {"backbone_admin": InvitationPurpose.backbone_admin, "backbone_analyst": InvitationPurpose.backbone_analyst}


@router.post("/backbone/people/invite")
def invite_staff(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    """Invite a colleague to the coordinating staff (administrator or analyst), in their language."""
    backbone = access.get_backbone(db, principal, "admin")
    role = str(form.get("role") or "")
    try:
        emails = invitations.parse_emails(str(form.get("email") or "")[:400])
        if len(emails) != 1:
            raise Invalid(_("Enter one email address."), field="email")
        if role not in STAFF:
            raise Invalid(_("Choose a seat from the list."), field="role")
    except Invalid as exc:
        return _page(request, db, principal, {"invite_error": exc.message, "invite_email": str(form.get("email") or "")}, 422)
    issued = invitations.issue(db, settings, email=emails[0], language=str(form.get("language") or settings.default_locale),
                               organization=backbone, purpose=STAFF[role], assessment_id=None, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, backbone, None, 0)
    db.commit()
    shown = outbox and access.may_see_link(principal, issued.invitation)
    return _page(request, db, principal, {"invited": emails[0], "links": [(emails[0], issued.link(settings))] if shown else [],
                                          "lead_links": True})


@router.post("/backbone/people/seats/{membership_id}/remove")
def remove_seat(request: Request, membership_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    """Take a seat away (the account stays, with its other seats): never one's own, never the last administrator's."""
    orgs.remove_seat(db, access.get_removable_seat(db, principal, membership_id), principal.user_id)
    db.commit()
    return _page(request, db, principal, {"removed": True})


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
