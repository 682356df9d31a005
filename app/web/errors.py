"""Exception handlers: JSON under /api, a page in the user's language everywhere else."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any
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


def error_response(request: Request, status: int, message: str = "", field: str | None = None) -> Response:
    title, default = _titles().get(status, _titles()[500 if status >= 500 else 400])
    if is_api(request):
        errors = [{"loc": ["body", field], "field": field, "message": message or default, "type": "value_error"}] if field else []
        return api_error(status, message or default, errors)
    return render(request, "error.html", {"status": status, "title": title, "message": message or default}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if is_api(request):
            return api_error(401, exc.message or _titles()[401][1], headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        field = exc.details.get("field")
        response = error_response(request, exc.status_code, exc.message, field if isinstance(field, str) and exc.status_code == 422 else None)
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
            return api_error(422, _titles()[422][1], field_errors(exc.errors()))
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


def api_error(status: int, message: str, errors: list[dict[str, object]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """The API's one error shape (app.api.deps.ErrorOut): a message in the request's language, and the fields at fault."""
    return JSONResponse({"detail": message, "errors": errors or []}, status_code=status, headers=headers)


def _field_message(kind: str, ctx: dict[str, object]) -> str:
    """A validation problem in the request's language, by pydantic's error type."""
    n = next((ctx[k] for k in ("min_length", "max_length", "ge", "le", "gt", "lt") if k in ctx), "")
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("Too short: at least %(n)s characters.", n=n),
        "string_too_long": _("Too long: at most %(n)s characters.", n=n),
        "string_pattern_mismatch": _("This value does not have the expected form."),
        "string_type": _("Expected text."),
        "int_parsing": _("Enter a whole number."), "int_type": _("Enter a whole number."), "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."), "float_type": _("Enter a number."),
        "greater_than_equal": _("Must be at least %(n)s.", n=n), "less_than_equal": _("Must be at most %(n)s.", n=n),
        "greater_than": _("Must be more than %(n)s.", n=n), "less_than": _("Must be less than %(n)s.", n=n),
        "literal_error": _("Use one of: %(choices)s.", choices=ctx.get("expected", "")), "enum": _("Use one of: %(choices)s.", choices=ctx.get("expected", "")),
        "date_parsing": _("Enter a date like 2026-09-30."), "date_type": _("Enter a date like 2026-09-30."),
        "date_from_datetime_parsing": _("Enter a date like 2026-09-30."), "date_from_datetime_inexact": _("Enter a date like 2026-09-30."),
        "datetime_parsing": _("Enter a date and time like 2026-09-30T14:00:00Z."), "datetime_type": _("Enter a date and time like 2026-09-30T14:00:00Z."),
        "datetime_from_date_parsing": _("Enter a date and time like 2026-09-30T14:00:00Z."),
        "bool_parsing": _("Enter true or false."), "bool_type": _("Enter true or false."),
        "extra_forbidden": _("This field is not known here."),
        "json_invalid": _("The body is not valid JSON."),
        "list_type": _("Expected a list."), "too_long": _("Too many items: at most %(n)s.", n=n), "too_short": _("Too few items: at least %(n)s.", n=n),
        "dict_type": _("Expected an object."), "model_attributes_type": _("Expected an object."),
    }
    return messages.get(kind, _("This value is not valid."))


def field_errors(errors: Sequence[Any]) -> list[dict[str, object]]:
    """Pydantic's validation errors as the API gives them: where, which field, what is wrong in the request's language."""
    out = []
    for e in jsonable(list(errors)):  # type: ignore[union-attr]
        loc = [p for p in e.get("loc", []) if isinstance(p, str | int)]
        names = [str(p) for p in loc if isinstance(p, str) and p not in ("body", "query", "path", "header")]
        out.append({"loc": loc, "field": names[-1] if names else "", "message": _field_message(str(e.get("type", "")), e.get("ctx") or {}),
                    "type": str(e.get("type", ""))})
    return out


def jsonable(errors: object) -> object:
    """Validation errors echo the input, which must stay writable as JSON (or the 422 would itself fail with a 500):
    bytes are decoded, a lone surrogate from a body's "\\udc00" escape (UTF-8 cannot encode it) is replaced, and
    a body's 1e999 or NaN, which Python reads as a float that JSON cannot hold, is given as text."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={
        bytes: lambda b: b.decode("utf-8", "replace"), Exception: str,
        str: lambda s: s.encode("utf-8", "replace").decode("utf-8"), float: lambda x: x if math.isfinite(x) else str(x)})
