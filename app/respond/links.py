"""What the pages of an invitation link share: finding the link's invitation (or the page of a link that no longer
works), the language its pages speak, where a response continues, and a lead's (or plan editor's) link page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import i18n
from app.assessments.models import Response as ResponseRow
from app.assessments.models import ResponseStatus
from app.auth import invitations, ratelimit
from app.auth.models import Invitation, InvitationPurpose
from app.config import Settings
from app.errors import LinkGone
from app.i18n import gettext as _
from app.organizations.models import Organization
from app.web.middleware import LANG_COOKIE
from app.web.templating import render

Token = Annotated[str, Path(max_length=200)]


def respond_url(response: ResponseRow) -> str:
    if response.status is ResponseStatus.submitted:
        return f"/respond/{response.id}/done"
    page = response.last_page or "welcome"
    return f"/respond/{response.id}/{page}" if page in ("welcome", "review") else f"/respond/{response.id}/page/{page}"


def valid(request: Request, db: Session, token: str) -> Invitation | HTMLResponse:
    """The link's invitation, or the page of a link that no longer works. A real link always opens; failures are counted
    per address and, past the limit, answered 429 (guessing is slowed, and nobody's valid link is locked out by someone
    else's guesses)."""
    limits, address = ratelimit.limiter(request), ratelimit.client_key(request)
    try:
        return invitations.find_valid(db, token)
    except LinkGone as gone:
        limits.check("link", address)
        limits.failed("link", address)
        return gone_page(request, gone)


def gone_page(request: Request, gone: LinkGone) -> HTMLResponse:
    """"This link no longer works", why, and what to do, in the invitation's language (unless this browser chose one)."""
    if gone.language and not request.state.lang_chosen and not request.state.lang_from_cookie:
        i18n.set_locale(gone.language)
        request.state.lang = gone.language
    return render(request, "respond/entry.html", {"state": "gone", "reason": gone.reason, "closed_on": gone.details.get("closed_on"),
                                                  "page_title": _("This link no longer works")}, status_code=gone.status_code)


def speak(request: Request, invitation: Invitation) -> None:
    """The pages of a link speak the invitation's language, unless this browser has chosen one (see the module's note)."""
    if not request.state.lang_chosen and not request.state.lang_from_cookie:
        i18n.set_locale(invitation.language)
        request.state.lang = invitation.language


def keep_language(request: Request, settings: Settings, response: Response, language: str) -> None:
    """This browser speaks ``language`` from now on (the person's, replacing what this device had before)."""
    if language in settings.locales:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="lax", secure=settings.secure_cookies)


def lead_page(request: Request, db: Session, invitation: Invitation, token: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    state = invitations.lead_link_state(db, invitation)
    db.commit()
    titles = {"used": _("This invitation has been used"), "sign-in": _("Sign in to accept the invitation"),
              "new-account": _("Choose your password"), "no-password": _("This email address already has an account")}
    org = db.get(Organization, invitation.organization_id)
    return render(request, "respond/lead_entry.html", {"state": state, "token": token, "email": invitation.email, "org": org,
                                                       "editor": invitation.purpose is InvitationPurpose.plan_editor,
                                                       "counter": invitation.purpose is InvitationPurpose.composition_editor,
                                                       "staff": invitation.purpose in (InvitationPurpose.backbone_admin, InvitationPurpose.backbone_analyst),
                                                       "error": error, "page_title": titles[state]}, status_code=status)
