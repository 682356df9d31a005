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
    return [summary(i, lang) for i in catalogue.all()]


@router.get("/{instrument_id}/{version}", summary="One instrument version, localized, with scales and levels")
def get_instrument(instrument_id: str, version: str, catalogue: CatalogueDep, principal: CurrentUser, lang: LangDep) -> dict[str, Any]:
    instrument = catalogue.find(instrument_id, version)
    if instrument is None:
        raise NotFound()
    data = localize(instrument, lang)
    data["language"] = lang
    return data
