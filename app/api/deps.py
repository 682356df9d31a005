"""What every JSON API route shares: its language from ?lang=, and the error answers the API documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from app.errors import Invalid
from app.i18n import gettext as _


def api_lang(request: Request, lang: Annotated[str | None, Query(description="en or es", max_length=10)] = None) -> str:
    supported = request.app.state.settings.locales
    if lang is not None and lang not in supported:
        raise Invalid(_("Unknown language '%(lang)s'. Use one of: %(choices)s.", lang=lang, choices=", ".join(supported)))
    return lang or request.state.lang


LangDep = Annotated[str, Depends(api_lang)]


class ErrorOut(BaseModel):
    """What app.web.errors answers under /api: one message in the request's language."""

    detail: str


class FieldErrorOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(BaseModel):
    """A 422: the request's fields that failed validation, or one message when the app refused a value."""

    detail: str | list[FieldErrorOut]


# Documented on every API route (app.routing includes the API routers with them), for clients and schema-driven tests.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid API token or session"},
    404: {"model": ErrorOut, "description": "Not found, or not visible to the caller"},
    422: {"model": InvalidOut, "description": "Invalid parameters or body"},
    429: {"model": ErrorOut, "description": "Too many invalid API tokens from this address: see Retry-After"},
}
# Also possible on writes: a body that is not JSON (400), a role that may only read or a cookie without its CSRF token (403).
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body could not be parsed"},
    403: {"model": ErrorOut, "description": "Not allowed for the caller's role, or a missing CSRF token"},
}
