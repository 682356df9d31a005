"""HTML pages of one assessment's stored result."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app import access, i18n
from app.assessments import views
from app.assessments.comparison import baseline_comparison
from app.assessments.results import IdPath
from app.assessments.service import current_result, instrument_of
from app.deps import CatalogueDep, CurrentUser, SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.web import presenters
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/assessments/{assessment_id}/result", response_class=HTMLResponse)
def result_page(request: Request, assessment_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> HTMLResponse:
    assessment = access.get_assessment(db, principal, assessment_id)
    row = current_result(db, assessment.id)
    if row is None:
        raise NotFound(_("This assessment has no result yet: it appears once the organization has submitted its assessment."))
    instrument = instrument_of(catalogue, assessment.cycle)
    lang = i18n.get_locale()
    view = views.build_view(row.data, instrument, lang)
    comparison = baseline_comparison(db, catalogue, assessment, row, lang)
    return render(request, "assessments/result.html", {
        "assessment": assessment, "result": row, "view": view, "chart": presenters.domain_chart(view), "comparison": comparison,
        "min_group_size": request.app.state.settings.min_group_size,
        "back": f"/backbone/cycles/{assessment.cycle_id}/compare" if access.can_compare_cycle(principal, assessment.cycle) else None,
        "page_title": _("Results: %(org)s", org=assessment.organization.name),
    })
