"""HTML pages of one assessment's stored result."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, i18n
from app.assessments import texts, views
from app.assessments.comparison import baseline_comparison
from app.assessments.models import Assessment
from app.assessments.results import IdPath
from app.assessments.service import current_result, instrument_of
from app.assessments.trends import partner_trend
from app.auth.service import Principal
from app.deps import CatalogueDep, CurrentUser, SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.organizations import resources
from app.plans import service as plans
from app.reports import prefetch
from app.web import presenters
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/assessments/{assessment_id}/result", response_class=HTMLResponse)
def result_page(request: Request, assessment_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> HTMLResponse:
    assessment = access.get_assessment(db, principal, assessment_id)
    page = _result_page(request, db, principal, catalogue, assessment)
    # Whoever reads this page may download its report: it is made ready in the background meanwhile.
    prefetch.warm(request.app.state.sessionmaker, catalogue, request.app.state.settings, assessment.id, i18n.get_locale())
    return page


def _result_page(request: Request, db: SessionDep, principal: Principal, catalogue: CatalogueDep, assessment: Assessment,
                 error: str | None = None) -> HTMLResponse:
    row = current_result(db, assessment.id)
    if row is None:
        raise NotFound(_("This assessment has no result yet: it appears once the organization has submitted its assessment."))
    instrument = instrument_of(catalogue, assessment.cycle)
    lang = i18n.get_locale()
    settings = request.app.state.settings
    view = views.build_view(row.data, instrument, lang)
    comparison = baseline_comparison(db, catalogue, assessment, row, lang)
    trend = partner_trend(db, catalogue, assessment, lang, _("Overall")) if assessment.cycle.baseline_id else None
    sections = texts.team_texts(db, assessment, instrument, lang, settings.secret_key, access.team_texts_view(principal, assessment))
    may_mark = access.may_mark_texts(principal, assessment)
    may_plan = assessment.organization_id in access.plan_org_ids(principal)
    loop = None
    if comparison is not None and access.may_read_plan(principal, assessment.organization):
        loop = plans.closing_the_loop(db, assessment.organization_id, [(d.id, d.title, d.change) for d in comparison.domains],
                                      assessment.submitted_at)
    if not may_mark:
        for s in sections:
            s.hidden = []
    local = resources.by_domain(resources.resources_of(db, assessment.organization.backbone_id, lang), [d.id for d in view.domains])
    return render(request, "assessments/result.html", {
        "assessment": assessment, "result": row, "view": view, "local": local, "chart": presenters.domain_chart(view), "comparison": comparison,
        "min_group_size": settings.min_group_size, "sections": [s for s in sections if s.texts or s.hidden],
        "may_mark": may_mark, "may_plan": may_plan, "loop_rows": loop, "trend": trend if trend and len(trend.cycles) > 1 else None,
        "trend_line": presenters.trend_line, "trend_labels": [c.name_in(lang) for c in trend.cycles] if trend else [],
        "n_quoted": sum(t.quoted for s in sections for t in s.texts), "max_quotes": texts.MAX_QUOTES, "error": error,
        "back": f"/backbone/cycles/{assessment.cycle_id}/compare" if access.can_compare_cycle(principal, assessment.cycle) else None,
        "page_title": _("Results: %(org)s", org=assessment.organization.name),
    }, status_code=422 if error else 200)


@router.post("/assessments/{assessment_id}/texts", response_model=None)
def mark_text(request: Request, assessment_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
              key: Annotated[str, Form(max_length=64)], action: Annotated[Literal["quote", "unquote", "hide", "show"], Form()]) -> Response:
    """The lead quotes a text in the report, takes it out, hides a text that identifies someone, or shows it again."""
    assessment = access.get_assessment(db, principal, assessment_id)
    if not access.may_mark_texts(principal, assessment):
        raise Forbidden()
    try:
        texts.mark_text(db, assessment, key, action, request.app.state.settings.secret_key, principal.user_id)
    except texts.MarkRefused as refused:
        db.rollback()
        return _result_page(request, db, principal, catalogue, assessment, refused.message)
    db.commit()
    return RedirectResponse(f"/assessments/{assessment.id}/result#team-texts", status_code=303)
