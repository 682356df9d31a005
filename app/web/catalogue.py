"""The instrument catalogue pages: backbone staff read a version in either language, domain by domain."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app import access
from app.deps import CatalogueDep, CurrentUser
from app.errors import NotFound
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(prefix="/instruments", dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _require_backbone(principal: CurrentUser) -> None:
    if not access.is_backbone(principal):
        raise NotFound()


@router.get("")
def catalogue_page(request: Request, catalogue: CatalogueDep, principal: CurrentUser) -> Response:
    _require_backbone(principal)
    return render(request, "instruments/list.html", {"instruments": catalogue.all()})


@router.get("/{instrument_id}/{version}")
def instrument_page(request: Request, instrument_id: str, version: str, catalogue: CatalogueDep, principal: CurrentUser) -> Response:
    _require_backbone(principal)
    instrument = catalogue.find(instrument_id, version)
    if instrument is None:
        raise NotFound()
    return render(request, "instruments/detail.html", {"instrument": instrument})
