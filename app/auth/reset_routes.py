"""Forgotten passwords: asking for a link on the sign-in page, and setting a new password through it (app/auth/resets.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import ratelimit, resets
from app.deps import SessionDep, SettingsDep
from app.errors import Invalid, NotFound, RateLimited
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Token = Annotated[str, Path(min_length=10, max_length=200)]


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_page(request: Request) -> Response:
    return render(request, "password_forgot.html", {"page_title": _("Forgot your password?"), "email": "", "sent": False})


@router.post("/password/forgot")
def forgot(request: Request, db: SessionDep, settings: SettingsDep, email: Annotated[str, Form(max_length=320)] = "") -> Response:
    """The same answer whether or not the address has an account; requests are limited per address."""
    address = ratelimit.client_key(request)
    limits = ratelimit.limiter(request)
    try:
        limits.check_all([("reset", address)])
    except RateLimited as exc:
        return render(request, "password_forgot.html", {"page_title": _("Forgot your password?"), "email": email, "sent": False,
                                                        "error": exc.message}, status_code=429,
                      headers={"Retry-After": str(exc.details["retry_after"])})
    limits.failed_all([("reset", address)])  # every request counts
    if email.strip():
        resets.request_reset(db, settings, email, address)
        db.commit()
    return render(request, "password_forgot.html", {"page_title": _("Forgot your password?"), "email": "", "sent": bool(email.strip()),
                                                    "hours": resets.EMAILED_HOURS})


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, token: Token, db: SessionDep) -> Response:
    resets.find(db, token)
    return render(request, "password_reset.html", {"page_title": _("Choose a new password"), "token": token})


@router.post("/reset/{token}")
def reset(request: Request, token: Token, db: SessionDep, password: Annotated[str, Form(max_length=1000)] = "",
          confirm: Annotated[str, Form(max_length=1000)] = "") -> Response:
    try:
        resets.use(db, token, password, confirm, ratelimit.client_key(request))
    except Invalid as exc:
        db.rollback()
        return render(request, "password_reset.html", {"page_title": _("Choose a new password"), "token": token, "error": exc.message},
                      status_code=422)
    except NotFound:
        db.rollback()
        raise
    db.commit()
    return RedirectResponse("/login?flash=password-set", status_code=303)
