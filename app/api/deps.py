"""What every JSON API route shares: its language from ?lang=, and the error answers the API documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from app.errors import Invalid
from app.i18n import gettext as _

LANG_HELP = "a language code the partnership offers (REASSESS_LOCALES), e.g. en"


def api_lang(request: Request, lang: Annotated[str | None, Query(description=LANG_HELP, max_length=10)] = None) -> str:
    supported = request.app.state.settings.locales
    if lang is not None and lang not in supported:
        raise Invalid(_("Unknown language '%(lang)s'. Use one of: %(choices)s.", lang=lang, choices=", ".join(supported)))
    return lang or request.state.lang


LangDep = Annotated[str, Depends(api_lang)]

# Declared on every API operation, so that the OpenAPI document names the scheme and the docs page has an Authorize
# button; app.deps reads and checks the token (a signed-in browser's session cookie works too).
bearer = HTTPBearer(auto_error=False, scheme_name="token", bearerFormat="rsk_...",
                    description="An API token made with `reassess token create --email EMAIL`.")


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is: 'body', 'query' or 'path', then the field's name and position")
    field: str = Field(description="The field's name, as the request has it")
    message: str = Field(description="What is wrong, in the request's language")
    type: str = Field(description="A stable code for the kind of problem (e.g. missing, string_too_long, value_error)")


class ErrorOut(BaseModel):
    """Every error the API answers, whatever its status: one message in the request's language (``?lang=`` or
    Accept-Language), and for a 422 the fields at fault."""

    detail: str = Field(description="What went wrong, in the request's language")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="The fields at fault (422), each with its own message")


InvalidOut = ErrorOut


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
