"""The instrument catalogue pages: a version's questions, domain by domain, read-only, in the reader's language.

Backbone staff read every version. Everyone else who is signed in reads the versions of the cycles they take part in
(app.access.instrument_versions): a partner's lead previews the questions their people are asked, a respondent reads
the questions of their own assessment. Nothing here changes anything: publishing and the instruments' administration
stay with the backbone (the CLI and the API).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app import access
from app.deps import CatalogueDep, CurrentUser, SessionDep
from app.errors import NotFound
from app.exports.formats import MEDIA_TYPES, file_stem
from app.instruments.workbook import to_workbook
from app.web.csrf import csrf_protect
from app.web.downloads import attachment
from app.web.templating import render

XLSX = MEDIA_TYPES["xlsx"]

router = APIRouter(prefix="/instruments", dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("")
def catalogue_page(request: Request, db: SessionDep, catalogue: CatalogueDep, principal: CurrentUser) -> Response:
    readable = access.instrument_versions(db, principal)
    instruments = [i for i in catalogue.all() if readable is None or (i.id, i.version) in readable]
    return render(request, "instruments/list.html", {"instruments": instruments, "everything": readable is None})


@router.get("/{instrument_id}/{version}")
def instrument_page(request: Request, instrument_id: str, version: str, db: SessionDep, catalogue: CatalogueDep,
                    principal: CurrentUser) -> Response:
    readable = access.instrument_versions(db, principal)
    if readable is not None and (instrument_id, version) not in readable:
        raise NotFound()
    instrument = catalogue.find(instrument_id, version)
    if instrument is None:
        raise NotFound()
    return render(request, "instruments/detail.html", {"instrument": instrument, "everything": readable is None,
                                                       "corrections": catalogue.loaded(instrument_id, version).corrections})


@router.get("/{instrument_id}/{version}/workbook.xlsx")
def instrument_workbook(instrument_id: str, version: str, db: SessionDep, catalogue: CatalogueDep, principal: CurrentUser) -> Response:
    """The version as a workbook to author the next one in a spreadsheet (app.instruments.workbook): backbone staff."""
    if access.instrument_versions(db, principal) is not None:
        raise NotFound()
    instrument = catalogue.find(instrument_id, version)
    if instrument is None:
        raise NotFound()
    return attachment(to_workbook(instrument), f"{file_stem(instrument.id, 'instrument')}-{file_stem(instrument.version, 'version')}.xlsx",
                      XLSX)
