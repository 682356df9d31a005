"""Getting in through an invitation link: a respondent's response, or a lead's seat. A link is a key to one thing.

- A respondent's link opens their response in a session that reaches only that response. The first browser to open it
  holds it: any other must also give the respondent's own return code, so whoever else saw the link (a lead it was
  shown to, a forwarded email) cannot open what the person wrote.
- A lead's link never signs anyone in as an existing user: it is used once, to choose a password for a new account,
  or by signing in with the account the email already has (which then gets the seat).
- Languages: the pages before the person is in (the return code, a link that no longer works) speak the invitation's
  language unless this browser has chosen one; they never show the language the person chose since, which would tell
  whoever else holds the link something about them. Once the person is in (first opening, or the link with their
  return code), their pages speak the person's own latest choice on every device: the account's language, which a
  switch of language in their session keeps (app.deps), over the invitation's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import update
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import service
from app.assessments.models import Assessment, ResponseStatus
from app.assessments.models import Response as ResponseRow
from app.auth import invitations, ratelimit
from app.auth import service as auth
from app.auth.models import Invitation, InvitationPurpose, User
from app.config import Settings
from app.db import writable
from app.deps import MaybeUser, SessionDep, SettingsDep, set_session_cookie
from app.errors import NotFound, RateLimited
from app.i18n import gettext as _
from app.respond import links
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Token = links.Token


@router.get("/invite/{token}")
def open_invitation(request: Request, token: Token, db: SessionDep, settings: SettingsDep, principal: MaybeUser) -> Response:
    writable(db)  # opening a respondent's link accepts the invitation and may start a session
    invitation = links.valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    links.speak(request, invitation)
    if invitation.purpose in invitations.ACCOUNT_PURPOSES:
        return links.lead_page(request, db, invitation, token)
    assessment = db.get(Assessment, invitation.assessment_id)
    if assessment is None:
        raise NotFound()
    if principal is not None and principal.invitation_id == invitation.id:  # this browser opened the link before
        own = access.get_own_response(db, principal, _response_of(db, invitation, assessment).id)
        back = RedirectResponse(links.respond_url(own), status_code=303)
        links.keep_language(request, settings, back, request.state.lang_chosen or principal.language)  # the person's latest choice
        return back
    user = invitations.accept(db, invitation, anonymous=assessment.cycle.anonymous)
    response = service.find_response(db, assessment.id, user.id)
    if response is not None and not response.invited:
        db.commit()  # the person's own response, started signed in: their account opens it, never a link
        return render(request, "respond/entry.html", {"state": "account", "page_title": _("Sign in to continue")}, status_code=409)
    if response is not None and response.status is ResponseStatus.submitted:
        db.commit()
        return render(request, "respond/entry.html", {"state": "submitted", "page_title": _("Thank you")})
    if response is not None and response.invitation_id != invitation.id and _earlier_link_revoked(db, response):
        service.restart_response(db, response, invitation.id)  # invited again after losing the code: a fresh start
    elif response is not None:  # opened before, in another browser: whoever opened it first holds it
        db.commit()
        return _code_page(request, token, None)
    if response is None:
        response = service.get_or_start_response(db, assessment, user.id, invitation.language, invitation_id=invitation.id)
    return _enter(request, db, settings, invitation, response, returning=False)


def _earlier_link_revoked(db: Session, response: ResponseRow) -> bool:
    earlier = db.get(Invitation, response.invitation_id) if response.invitation_id else None
    return earlier is None or earlier.revoked_at is not None


def _response_of(db: Session, invitation: Invitation, assessment: Assessment) -> ResponseRow:  # the invitee's
    if (response := service.find_response(db, assessment.id, invitation.user_id) if invitation.user_id else None) is None:
        raise NotFound()
    return response


def _enter(request: Request, db: Session, settings: Settings, invitation: Invitation, response: ResponseRow, *, returning: bool) -> Response:
    """A session that reaches this response only, and the page to go on with, in the person's language: a choice made
    now (?lang=), else, for a person coming back (``returning``: the link with their return code), their own latest
    choice, else the language this page speaks (the invitation's, or this browser's). It is kept as the person's, so
    that every device they open the link on speaks it."""
    user = auth.get_user_by_email(db, invitation.email)
    assert user is not None
    language = request.state.lang_chosen or (user.preferred_language if returning else None) or i18n.get_locale()
    if language not in settings.locales:
        language = i18n.get_locale()
    if user.preferred_language != language:
        db.execute(update(User).where(User.id == user.id).values(preferred_language=language))
    session_token = auth.start_session(db, user, settings.session_days, invitation_id=invitation.id)
    db.commit()
    redirect = RedirectResponse(links.respond_url(response), status_code=303)
    set_session_cookie(redirect, session_token, settings)
    links.keep_language(request, settings, redirect, language)
    return redirect


def _code_page(request: Request, token: str, error: str | None, status: int = 200) -> HTMLResponse:
    # A language chosen on this page goes with the code, so that the person's pages then speak it.
    chosen = request.state.lang_chosen
    return render(request, "respond/entry.html", {"state": "code", "token": token, "error": error, "chosen": chosen,
                                                  "page_title": _("Enter your return code")}, status_code=status)


@router.post("/invite/{token}/resume")
def resume(request: Request, token: Token, db: SessionDep, settings: SettingsDep,
           code: Annotated[str, Form(max_length=40)] = "") -> Response:
    """A started response opened on another device: the link and the respondent's return code together."""
    writable(db)
    invitation = links.valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    links.speak(request, invitation)
    if invitation.purpose is not InvitationPurpose.respond or invitation.user_id is None:
        raise NotFound()
    assessment = db.get(Assessment, invitation.assessment_id)
    response = _response_of(db, invitation, assessment) if assessment else None
    if response is None or not response.invited:
        raise NotFound()
    limits, key = ratelimit.limiter(request), f"resume:{response.id}"
    try:
        limits.check("link", key)
    except RateLimited as exc:
        return _code_page(request, token, exc.message, status=429)
    if not invitations.code_matches(settings.secret_key, response.id, response.pseudonym, code):
        limits.failed("link", key)
        return _code_page(request, token, _("That is not the return code of this response. Check it and try again."), status=422)
    return _enter(request, db, settings, invitation, response, returning=True)
