"""GET /api/v1/instruments and one version, localized."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import LangDep
from app.deps import CatalogueDep, CurrentUser
from app.errors import NotFound
from app.instruments.localize import localize, summary

router = APIRouter(prefix="/instruments", tags=["instruments"])


@router.get("", summary="Published instrument versions")
def list_instruments(catalogue: CatalogueDep, principal: CurrentUser, lang: LangDep) -> list[dict[str, Any]]:
    """Every instrument version the service ships: id, version, title in the requested language, languages and the date
    it was published. Any signed-in user may call it."""
    return [summary(i, lang) for i in catalogue.all()]


@router.get("/{instrument_id}/{version}", summary="One instrument version, localized, with scales and levels")
def get_instrument(instrument_id: str, version: str, catalogue: CatalogueDep, principal: CurrentUser, lang: LangDep) -> dict[str, Any]:
    """The whole instrument version, every text in the requested language: its domains, questions, answer scales,
    readiness levels and scoring rules. Any signed-in user may call it; an unknown id or version is a 404."""
    instrument = catalogue.find(instrument_id, version)
    if instrument is None:
        raise NotFound()
    data = localize(instrument, lang)
    data["language"] = lang
    return data
