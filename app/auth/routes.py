"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import access
from app.auth import ratelimit, service
from app.deps import SESSION_COOKIE, MaybeUser, SessionDep, SettingsDep
from app.errors import RateLimited
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.middleware import LANG_COOKIE
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
    keys = (("login-email", "email:" + service.normalize_email(email)), ("login-address", ratelimit.client_key(request)))
    limits = ratelimit.limiter(request)
    try:
        for name, key in keys:
            limits.check(name, key)
    except RateLimited as exc:
        return render(request, "login.html", {"next": safe_next(next) or "", "email": email, "error": exc.message}, status_code=429,
                      headers={"Retry-After": str(exc.details["retry_after"])})
    user = service.authenticate(db, email, password) if email and password else None
    if user is None:
        db.rollback()
        for name, key in keys:
            limits.failed(name, key)
        error = _("That email and password do not match an account. Check both and try again.")
        return render(request, "login.html", {"next": safe_next(next) or "", "email": email, "error": error}, status_code=400)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(db, old)
    token = service.start_session(db, user, settings.session_days)
    principal = service.principal_for(db, user)
    db.commit()
    response = RedirectResponse(safe_next(next) or access.home_for(principal), status_code=303)
    set_session_cookie(response, token, settings.session_days, settings.secure_cookies)
    if user.preferred_language in settings.locales and LANG_COOKIE not in request.cookies:
        response.set_cookie(LANG_COOKIE, user.preferred_language, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=settings.secure_cookies)
    return response


def set_session_cookie(response: Response, token: str, days: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=days * 86400, httponly=True, samesite="lax", secure=secure, path="/")


@router.post("/logout")
def logout(request: Request, db: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(db, token)
        db.commit()
    response = RedirectResponse("/login?flash=signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
