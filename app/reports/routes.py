"""PDF downloads: a partner's growth-opportunity report and a cycle's partnership summary (pages and API)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Annotated, Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app import access, audit, i18n
from app.assessments.results import IdPath
from app.config import Settings
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.reports import prefetch, service
from app.web.csrf import csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
api = APIRouter(tags=["reports"])
Lang = Annotated[str | None, Query(max_length=16, description="the report's language, one of REASSESS_LOCALES (default: the request's)")]


def report_language(lang: str | None, settings: Settings) -> str:
    """The language asked for, if the service offers it (422 naming the parameter otherwise), else the request's."""
    if lang is None:
        return i18n.get_locale()
    if lang not in settings.locales:
        raise Invalid(_("Choose a language from the list."), field="lang")
    return lang
Paper = Annotated[Literal["a4", "letter"] | None, Query(description="paper size (default: Letter for English, A4 for Spanish)")]
PDF = {200: {"content": {"application/pdf": {}}, "description": "the PDF"}}


def pdf_response(pdf: service.Pdf, settings: Settings) -> Response:
    """The PDF. Whether it came from the cache is said (X-Report-Cache) only to tests and benchmarks: elsewhere a lead
    could learn from it that someone else opened their result page (which renders the report in the background)."""
    headers = {"Content-Disposition": f'inline; filename="{pdf.filename}"', "Cache-Control": "private, no-store"}
    if settings.env == "test":
        headers["X-Report-Cache"] = "hit" if pdf.cached else "miss"
    return Response(pdf.content, media_type="application/pdf", headers=headers)


# A report being rendered waits seconds for a renderer process. It waits in a thread of the reports' own (at most
# REPORT_THREADS at once per web process), never in one of the few that serve everyone's pages: backbone staff
# downloading reports do not slow respondents down.
REPORT_THREADS = 8
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


async def in_report_thread(func: Callable[[], Response]) -> Response:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(REPORT_THREADS)
    return await anyio.to_thread.run_sync(func, limiter=limiter)


@router.get("/assessments/{assessment_id}/report.pdf")
@api.get("/assessments/{assessment_id}/report.pdf", summary="The growth-opportunity report of one assessment (PDF)", responses=PDF,
         response_class=Response)
async def partner_report(assessment_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
                         lang: Lang = None, paper: Paper = None) -> Response:
    """The partner's growth-opportunity report as a PDF: its scores and levels by domain, the change since the baseline,
    its growth opportunities and an action-planning worksheet, in the language asked for. Backbone staff and the
    partner's leads may download it; an assessment without a result yet is a 404. Each download is recorded in the audit log."""
    def download() -> Response:
        language = report_language(lang, settings)
        assessment = access.get_assessment(db, principal, assessment_id)
        if prefetch.wait_for(assessment.id, language, paper):  # rendered in the background since its result page was opened
            db.commit()  # a new snapshot, which holds what that rendering stored
        pdf = service.partner_report(db, catalogue, settings, assessment, language, paper)
        audit.record(db, principal.user_id, "report.downloaded", "assessment", assessment.id, assessment.organization_id, language=language)
        db.commit()
        return pdf_response(pdf, settings)

    return await in_report_thread(download)


@router.get("/backbone/cycles/{cycle_id}/summary.pdf")
@api.get("/cycles/{cycle_id}/summary.pdf", summary="The partnership summary of one cycle (PDF, backbone only)", responses=PDF,
         response_class=Response)
async def cycle_summary(cycle_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
                        lang: Lang = None, paper: Paper = None) -> Response:
    """The partnership's summary of the cycle as a PDF: the distribution and each partner's level per domain, who moved a
    level since the baseline, the most common growth opportunities and the targets, in the language asked for. Backbone
    staff only (a partner lead gets a 404); each download is recorded in the audit log."""
    def download() -> Response:
        language = report_language(lang, settings)
        cycle = access.get_backbone_cycle(db, principal, cycle_id)
        pdf = service.cycle_summary(db, catalogue, settings, cycle, language, paper)
        audit.record(db, principal.user_id, "summary.downloaded", "cycle", cycle.id, cycle.backbone_id, language=language)
        db.commit()
        return pdf_response(pdf, settings)

    return await in_report_thread(download)
