"""ASGI middleware: the request's language, the CSRF cookie, security headers."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import db, i18n
from app.config import Settings
from app.web.csrf import COOKIE as CSRF_COOKIE

LANG_COOKIE = "reassess_lang"
YEAR = 365 * 24 * 3600

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The interactive API docs load Swagger UI, which needs its own scripts and styles.
DOCS_CSP = (  # Swagger UI and ReDoc, served from the app's own files: their inline start-up script and styles, ReDoc's worker
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class LocaleAndSecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _cookies(headers.get("cookie", ""))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        supported = self.settings.locales
        asked = (query.get("lang") or [""])[0]
        chosen = asked if asked in supported else None
        lang = chosen or (cookies.get(LANG_COOKIE) if cookies.get(LANG_COOKIE) in supported else None)
        lang = lang or i18n.negotiate(headers.get("accept-language"), supported, self.settings.default_locale)
        state = scope.setdefault("state", {})
        state["lang"] = lang
        state["lang_chosen"] = chosen
        state["lang_from_cookie"] = LANG_COOKIE in cookies
        token = i18n._current.set(lang)
        reads = db.read_only_request(scope["method"] in ("GET", "HEAD"))
        path = scope.get("path", "")
        secure = "; Secure" if self.settings.secure_cookies else ""

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("content-security-policy", DOCS_CSP if path in ("/docs", "/redoc") else CSP)
                out.setdefault("x-content-type-options", "nosniff")
                out.setdefault("referrer-policy", "same-origin")
                out.setdefault("x-frame-options", "DENY")
                out.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=()")
                if self.settings.secure_cookies:
                    out.setdefault("strict-transport-security", "max-age=31536000")
                if chosen:
                    out.append("set-cookie", f"{LANG_COOKIE}={chosen}; Path=/; Max-Age={YEAR}; SameSite=Lax; HttpOnly{secure}")
                new_csrf = state.get("new_csrf_cookie")
                if new_csrf and CSRF_COOKIE not in cookies:
                    out.append("set-cookie", f"{CSRF_COOKIE}={new_csrf}; Path=/; SameSite=Lax; HttpOnly{secure}")
                if "content-language" not in out and out.get("content-type", "").startswith("text/html"):
                    out["content-language"] = lang
            await send(message)

        length = headers.get("content-length", "")
        try:
            if length.isdigit() and int(length) > self.settings.max_body_bytes:
                # Refused before reading, with the page in the user's language (FastAPI's own limit still guards
                # bodies sent without a length, with a plain 413).
                from starlette.requests import Request

                from app.web.errors import error_response

                await error_response(Request(scope), 413)(scope, receive, send_wrapper)
                return
            await self.app(scope, receive, send_wrapper)
        finally:
            i18n._current.reset(token)
            db.end_read_only_request(reads)


def _cookies(header: str) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header is ignored, not an error
        return {}
    return {k: m.value for k, m in jar.items()}
