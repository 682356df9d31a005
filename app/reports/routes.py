"""PDF downloads: a partner's growth-opportunity report and a cycle's partnership summary (pages and API)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app import access, audit, i18n
from app.assessments.results import IdPath
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.reports import service
from app.web.csrf import csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
api = APIRouter(tags=["reports"])
Lang = Annotated[Literal["en", "es"] | None, Query(description="the report's language (default: the request's)")]
Paper = Annotated[Literal["a4", "letter"] | None, Query(description="paper size (default: Letter for English, A4 for Spanish)")]
PDF = {200: {"content": {"application/pdf": {}}, "description": "the PDF"}}


def pdf_response(pdf: service.Pdf) -> Response:
    return Response(pdf.content, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf.filename}"', "Cache-Control": "private, no-store",
        "X-Report-Cache": "hit" if pdf.cached else "miss"})


# Plain `def` endpoints: FastAPI runs them in its thread pool, so a report being laid out never blocks the event loop.

@router.get("/assessments/{assessment_id}/report.pdf")
@api.get("/assessments/{assessment_id}/report.pdf", summary="The growth-opportunity report of one assessment (PDF)", responses=PDF,
         response_class=Response)
def partner_report(assessment_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
                   lang: Lang = None, paper: Paper = None) -> Response:
    assessment = access.get_assessment(db, principal, assessment_id)
    lang = lang or i18n.get_locale()
    pdf = service.partner_report(db, catalogue, settings, assessment, lang, paper)
    audit.record(db, principal.user_id, "report.downloaded", "assessment", assessment.id, assessment.organization_id, language=lang)
    db.commit()
    return pdf_response(pdf)


@router.get("/backbone/cycles/{cycle_id}/summary.pdf")
@api.get("/cycles/{cycle_id}/summary.pdf", summary="The partnership summary of one cycle (PDF, backbone only)", responses=PDF,
         response_class=Response)
def cycle_summary(cycle_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
                  lang: Lang = None, paper: Paper = None) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    lang = lang or i18n.get_locale()
    pdf = service.cycle_summary(db, catalogue, settings, cycle, lang, paper)
    audit.record(db, principal.user_id, "summary.downloaded", "cycle", cycle.id, cycle.backbone_id, language=lang)
    db.commit()
    return pdf_response(pdf)
