"""A lead's (or a plan editor's) invitation link, used once: a new account's password, or the existing account's
sign-in, adds the seat. It never signs anyone in as an existing account by itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import invitations, ratelimit
from app.auth import service as auth
from app.auth.models import Invitation, InvitationPurpose
from app.auth.security import password_problem
from app.db import writable
from app.deps import SessionDep, SettingsDep, set_language_cookie, set_session_cookie
from app.errors import NotFound, RateLimited
from app.i18n import gettext as _
from app.respond import links
from app.web.csrf import csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.post("/invite/{token}/accept")
def accept_lead(request: Request, token: links.Token, db: SessionDep, settings: SettingsDep,
                password: Annotated[str, Form(max_length=1000)] = "", confirm: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """A lead's invitation, used once: a new account's password, or the existing account's sign-in, adds the seat."""
    writable(db)
    invitation = links.valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    links.speak(request, invitation)
    if invitation.purpose not in invitations.ACCOUNT_PURPOSES:
        raise NotFound()
    state = invitations.lead_link_state(db, invitation)
    if state == "used":
        return links.lead_page(request, db, invitation, token, status=410)
    if state == "no-password":
        return links.lead_page(request, db, invitation, token, status=409)
    limits, keys = ratelimit.limiter(request), (("login-address", ratelimit.client_key(request)),)
    try:
        for name, key in keys:
            limits.check(name, key)
    except RateLimited as exc:
        return links.lead_page(request, db, invitation, token, exc.message, status=429)
    if state == "sign-in":
        user = auth.authenticate(db, invitation.email, password) if password else None
        if user is None:
            db.rollback()
            for name, key in keys:
                limits.failed(name, key)
            return links.lead_page(request, db, invitation, token, _("That password does not match the account of this email. Try again."), 400)
    else:
        problem = password_problem(password, invitation.email) or (_("The two passwords are not the same.") if password != confirm else None)
        if problem:
            db.rollback()
            return links.lead_page(request, db, invitation, token, problem, status=422)
        user = auth.get_user_by_email(db, invitation.email) or auth.create_user(db, invitation.email, language=invitation.language)
        auth.set_password(user, password)
    invitations.accept(db, invitation, user)
    session_token = auth.start_session(db, user, settings.session_days)
    db.commit()
    home = (f"/plans/{invitation.organization_id}" if invitation.purpose is InvitationPurpose.plan_editor else
            f"/composition/{invitation.organization_id}" if invitation.purpose is InvitationPurpose.composition_editor else
            "/backbone" if invitation.purpose in (InvitationPurpose.backbone_admin, InvitationPurpose.backbone_analyst) else "/partner")
    redirect = RedirectResponse(home, status_code=303)
    set_session_cookie(redirect, session_token, settings)
    set_language_cookie(request, redirect, invitation.language, settings)
    return redirect
