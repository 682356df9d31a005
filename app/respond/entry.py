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

from fastapi import APIRouter, Depends, Form, Path, Request
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
from app.auth.security import password_problem
from app.config import Settings
from app.db import writable
from app.deps import MaybeUser, SessionDep, SettingsDep, set_language_cookie, set_session_cookie
from app.errors import LinkGone, NotFound, RateLimited
from app.i18n import gettext as _
from app.organizations.models import Organization
from app.web.csrf import csrf_protect
from app.web.middleware import LANG_COOKIE
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Token = Annotated[str, Path(max_length=200)]


def respond_url(response: ResponseRow) -> str:
    if response.status is ResponseStatus.submitted:
        return f"/respond/{response.id}/done"
    page = response.last_page or "welcome"
    return f"/respond/{response.id}/{page}" if page in ("welcome", "review") else f"/respond/{response.id}/page/{page}"


def _valid(request: Request, db: Session, token: str) -> Invitation | HTMLResponse:
    """The link's invitation, or the page of a link that no longer works. A real link always opens; failures are counted
    per address and, past the limit, answered 429 (guessing is slowed, and nobody's valid link is locked out by someone
    else's guesses)."""
    limits, address = ratelimit.limiter(request), ratelimit.client_key(request)
    try:
        return invitations.find_valid(db, token)
    except LinkGone as gone:
        limits.check("link", address)
        limits.failed("link", address)
        return _gone_page(request, gone)


def _gone_page(request: Request, gone: LinkGone) -> HTMLResponse:
    """"This link no longer works", why, and what to do, in the invitation's language (unless this browser chose one)."""
    if gone.language and not request.state.lang_chosen and not request.state.lang_from_cookie:
        i18n.set_locale(gone.language)
        request.state.lang = gone.language
    return render(request, "respond/entry.html", {"state": "gone", "reason": gone.reason, "closed_on": gone.details.get("closed_on"),
                                                  "page_title": _("This link no longer works")}, status_code=gone.status_code)


def _speak(request: Request, invitation: Invitation) -> None:
    """The pages of a link speak the invitation's language, unless this browser has chosen one (see the module's note)."""
    if not request.state.lang_chosen and not request.state.lang_from_cookie:
        i18n.set_locale(invitation.language)
        request.state.lang = invitation.language


def _keep_language(request: Request, settings: Settings, response: Response, language: str) -> None:
    """This browser speaks ``language`` from now on (the person's, replacing what this device had before)."""
    if language in settings.locales:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="lax", secure=settings.secure_cookies)


@router.get("/invite/{token}")
def open_invitation(request: Request, token: Token, db: SessionDep, settings: SettingsDep, principal: MaybeUser) -> Response:
    writable(db)  # opening a respondent's link accepts the invitation and may start a session
    invitation = _valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    _speak(request, invitation)
    if invitation.purpose in invitations.ACCOUNT_PURPOSES:
        return _lead_page(request, db, invitation, token)
    assessment = db.get(Assessment, invitation.assessment_id)
    if assessment is None:
        raise NotFound()
    if principal is not None and principal.invitation_id == invitation.id:  # this browser opened the link before
        own = access.get_own_response(db, principal, _response_of(db, invitation, assessment).id)
        back = RedirectResponse(respond_url(own), status_code=303)
        _keep_language(request, settings, back, request.state.lang_chosen or principal.language)  # the person's latest choice
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
    redirect = RedirectResponse(respond_url(response), status_code=303)
    set_session_cookie(redirect, session_token, settings)
    _keep_language(request, settings, redirect, language)
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
    invitation = _valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    _speak(request, invitation)
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


# -- a lead's link ---------------------------------------------------------------------------------

def _lead_page(request: Request, db: Session, invitation: Invitation, token: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    state = invitations.lead_link_state(db, invitation)
    db.commit()
    titles = {"used": _("This invitation has been used"), "sign-in": _("Sign in to accept the invitation"),
              "new-account": _("Choose your password"), "no-password": _("This email address already has an account")}
    org = db.get(Organization, invitation.organization_id)
    return render(request, "respond/lead_entry.html", {"state": state, "token": token, "email": invitation.email, "org": org,
                                                       "editor": invitation.purpose is InvitationPurpose.plan_editor,
                                                       "error": error, "page_title": titles[state]}, status_code=status)


@router.post("/invite/{token}/accept")
def accept_lead(request: Request, token: Token, db: SessionDep, settings: SettingsDep,
                password: Annotated[str, Form(max_length=1000)] = "", confirm: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """A lead's invitation, used once: a new account's password, or the existing account's sign-in, adds the seat."""
    writable(db)
    invitation = _valid(request, db, token)
    if not isinstance(invitation, Invitation):
        return invitation
    _speak(request, invitation)
    if invitation.purpose not in invitations.ACCOUNT_PURPOSES:
        raise NotFound()
    state = invitations.lead_link_state(db, invitation)
    if state == "used":
        return _lead_page(request, db, invitation, token, status=410)
    if state == "no-password":
        return _lead_page(request, db, invitation, token, status=409)
    limits, keys = ratelimit.limiter(request), (("login-address", ratelimit.client_key(request)),)
    try:
        for name, key in keys:
            limits.check(name, key)
    except RateLimited as exc:
        return _lead_page(request, db, invitation, token, exc.message, status=429)
    if state == "sign-in":
        user = auth.authenticate(db, invitation.email, password) if password else None
        if user is None:
            db.rollback()
            for name, key in keys:
                limits.failed(name, key)
            return _lead_page(request, db, invitation, token, _("That password does not match the account of this email. Try again."), 400)
    else:
        problem = password_problem(password, invitation.email) or (_("The two passwords are not the same.") if password != confirm else None)
        if problem:
            db.rollback()
            return _lead_page(request, db, invitation, token, problem, status=422)
        user = auth.get_user_by_email(db, invitation.email) or auth.create_user(db, invitation.email, language=invitation.language)
        auth.set_password(user, password)
    invitations.accept(db, invitation, user)
    session_token = auth.start_session(db, user, settings.session_days)
    db.commit()
    home = f"/plans/{invitation.organization_id}" if invitation.purpose is InvitationPurpose.plan_editor else "/partner"
    redirect = RedirectResponse(home, status_code=303)
    set_session_cookie(redirect, session_token, settings)
    set_language_cookie(request, redirect, invitation.language, settings)
    return redirect
