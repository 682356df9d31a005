"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import access
from app.auth import ratelimit, service
from app.deps import SESSION_COOKIE, MaybeUser, SessionDep, SettingsDep, set_language_cookie, set_session_cookie, sign_out
from app.errors import RateLimited
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a user to another site after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@router.get("/login")
def login_page(request: Request, principal: MaybeUser, next: str | None = None) -> Response:
    if principal is not None and principal.invitation_id is None:
        return RedirectResponse(safe_next(next) or access.home_for(principal), status_code=303)
    return render(request, "login.html", {"next": safe_next(next) or "", "email": ""})


@router.post("/login")
def login(request: Request, db: SessionDep, settings: SettingsDep, email: Annotated[str, Form(max_length=320)] = "",
          password: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form(max_length=2000)] = "") -> Response:
    # Failures count per address and per (address, account): one address guessing slows down itself only, and the
    # account's owner still signs in from anywhere else.
    address = ratelimit.client_key(request)
    keys = (("login-account", f"{address} {service.normalize_email(email)}"), ("login-address", address))
    limits = ratelimit.limiter(request)
    try:
        limits.check_all(keys)
    except RateLimited as exc:
        return render(request, "login.html", {"next": safe_next(next) or "", "email": email, "error": exc.message}, status_code=429,
                      headers={"Retry-After": str(exc.details["retry_after"])})
    user = service.authenticate(db, email, password) if email and password else None
    if user is None:
        db.rollback()
        limits.failed_all(keys)
        service.record_sign_in(db, email, None, address)
        db.commit()
        error = _("That email and password do not match an account. Check both and try again.")
        return render(request, "login.html", {"next": safe_next(next) or "", "email": email, "error": error}, status_code=400)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(db, old)
    token = service.start_session(db, user, settings.session_days)
    principal = service.principal_for(db, user)
    service.record_sign_in(db, email, user, address)
    db.commit()
    response = RedirectResponse(safe_next(next) or access.home_for(principal), status_code=303)
    set_session_cookie(response, token, settings)
    set_language_cookie(request, response, user.preferred_language, settings)
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep) -> Response:
    return sign_out(request, db)
