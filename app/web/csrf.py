"""CSRF protection: a random cookie per browser, and an HMAC of it in every form and script request.

Every router of HTML pages and every cookie-authenticated API write depends on ``csrf_protect``;
a test walks the route table to make sure none is forgotten.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from app.errors import Forbidden
from app.i18n import gettext as _

COOKIE = "reassess_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE = {"GET", "HEAD", "OPTIONS"}


def csrf_cookie_value(request: Request) -> str:
    """The browser's CSRF cookie, or a new one (the middleware sets it on the response)."""
    value = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = value
    return value


def csrf_field_value(request: Request) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + csrf_cookie_value(request).encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    if request.method in SAFE:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # API tokens are not sent by browsers on their own: no CSRF.
    sent = request.headers.get(HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    cookie = request.cookies.get(COOKIE)
    if not sent or not cookie or not hmac.compare_digest(sent, csrf_field_value(request)):
        raise Forbidden(_("This form has expired. Please go back, reload the page and try again."))
