"""Exception handlers: JSON under /api, a page in the user's language everywhere else."""

from __future__ import annotations

import logging
import math
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError, LoginRequired
from app.i18n import gettext as _
from app.web.templating import render

log = logging.getLogger("reassess")


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something in the request was not right"), _("Please go back and check what you entered.")),
        401: (_("Please sign in"), _("You need to sign in to see this page.")),
        403: (_("You cannot do this"), _("Your account does not allow this action. Ask your backbone team if you think it should.")),
        404: (_("Page not found"), _("We could not find this page. It may have moved, or you may not have access to it.")),
        405: (_("Something in the request was not right"), _("This address does not accept that kind of request.")),
        409: (_("This changed in the meantime"), _("Someone changed this at the same time. Please reload the page.")),
        413: (_("Too much data"), _("What you sent is too large. Please shorten it and try again.")),
        422: (_("Please check your input"), _("Some of what you entered could not be accepted.")),
        429: (_("Too many attempts"), _("Please wait a minute and try again.")),
        500: (_("Something went wrong"), _("An unexpected error happened on our side. It has been logged; please try again.")),
        503: (_("Temporarily unavailable"), _("The database cannot be reached right now. Please try again in a minute.")),
    }


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str = "") -> Response:
    title, default = _titles().get(status, _titles()[500 if status >= 500 else 400])
    if is_api(request):
        return JSONResponse({"detail": message or default}, status_code=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message or default}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if is_api(request):
            return JSONResponse({"detail": exc.message or _titles()[401][1]}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        response = error_response(request, exc.status_code, exc.message)
        if "retry_after" in exc.details:
            response.headers["Retry-After"] = str(exc.details["retry_after"])
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else ""
        return error_response(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)
        return error_response(request, 400)

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", str(exc).splitlines()[0])
        response = error_response(request, 503)
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500)


def jsonable(errors: object) -> object:
    """Validation errors echo the input, which must stay writable as JSON (or the 422 would itself fail with a 500):
    bytes are decoded, a lone surrogate from a body's "\\udc00" escape (UTF-8 cannot encode it) is replaced, and
    a body's 1e999 or NaN, which Python reads as a float that JSON cannot hold, is given as text."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={
        bytes: lambda b: b.decode("utf-8", "replace"), Exception: str,
        str: lambda s: s.encode("utf-8", "replace").decode("utf-8"), float: lambda x: x if math.isfinite(x) else str(x)})
