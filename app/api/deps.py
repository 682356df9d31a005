"""What every JSON API route shares: its language from ?lang= and the API router's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from app.errors import Invalid
from app.i18n import gettext as _


def api_lang(request: Request, lang: Annotated[str | None, Query(description="en or es", max_length=10)] = None) -> str:
    supported = request.app.state.settings.locales
    if lang is not None and lang not in supported:
        raise Invalid(_("Unknown language '%(lang)s'. Use one of: %(choices)s.", lang=lang, choices=", ".join(supported)))
    return lang or request.state.lang


LangDep = Annotated[str, Depends(api_lang)]
