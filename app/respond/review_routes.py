"""The respondent's list of responses, a lead's own response, and the end of a response: review, submit, thanks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, i18n
from app.assessments import service
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Conflict
from app.i18n import gettext as _
from app.respond.pages import NO_STORE, Context, closed, remember_page, return_code, url
from app.respond.service import is_answered, shown_answer
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
ResponseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


# -- the respondent's responses (getting in through a link: app.respond.entry) ----------------------

@router.get("/respond", response_class=HTMLResponse)
def my_responses(request: Request, db: SessionDep, principal: CurrentUser) -> HTMLResponse:
    rows = access.own_responses(db, principal)
    return render(request, "respond/list.html", {"responses": rows, "page_title": _("Your assessments")})


@router.post("/respond/start/{assessment_id}")
def start_own_response(assessment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: SessionDep, principal: CurrentUser) -> Response:
    """A partner lead answers too: their own response to their organization's assessment."""
    assessment = access.get_assessment(db, principal, assessment_id, need="manage")
    response = service.get_or_start_response(db, assessment, principal.user_id, i18n.get_locale())
    db.commit()
    return RedirectResponse(url(response.id, response.last_page or "welcome"), status_code=303)


# -- review, submit, thanks ----------------------------------------------------------------------

@router.get("/respond/{response_id}/review", response_class=HTMLResponse)
def review(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if ctx.frozen:
        return RedirectResponse(url(response_id, "done"), status_code=303)
    shown = _review(request, ctx, None)
    remember_page(db, ctx, "review")
    return shown


def _review(request: Request, ctx: Context, error: str | None, status: int = 200) -> HTMLResponse:
    """The respondent's own answers, page by page and domain by domain, each with the way back to change it; and what
    is still unanswered."""
    lang = i18n.get_locale()
    missing, groups = [], []
    for page in ctx.pages:
        for section in page.sections:
            heading = ctx.instrument.domain(section.domain_id).title.get(lang) if section.domain_id else page.title(ctx.instrument, lang)
            left = [q for q in section.questions if not is_answered(ctx.answers.get(q.id))]
            if left:
                missing.append({"page": page, "heading": heading, "questions": left})
            groups.append({"page": page, "heading": heading,
                           "answers": [shown_answer(ctx.instrument, q, ctx.answers.get(q.id), lang) for q in section.questions]})
    respondent = ctx.instrument.respondent
    role = next((o.label.get(lang) for o in respondent.role_group.options or [] if o.id == ctx.response.role_group), None)
    race = [o.label.get(lang) for o in (respondent.race_ethnicity.options or [] if respondent.race_ethnicity else [])
            if o.id in (ctx.response.race_ethnicity or [])]
    return render(request, "respond/review.html", {**ctx.base(), "missing": missing, "groups": groups, "error": error,
                                                    "about": {"role": role, "race": race, "described": ctx.response.self_description},
                                                    "page_title": _("Review and submit"), "return_code": return_code(request, ctx)},
                  status_code=status, headers=NO_STORE)


@router.post("/respond/{response_id}/submit")
def submit(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if not ctx.frozen and form.get("confirm") != "yes":
        return _review(request, ctx, _("Tick the box to confirm that your answers are final."), status=422)
    try:
        service.submit_response(db, ctx.response, principal.user_id)
        db.commit()
    except Conflict as exc:
        return closed(request, ctx, exc.message)
    return RedirectResponse(url(response_id, "done"), status_code=303)


@router.get("/respond/{response_id}/done", response_class=HTMLResponse)
def done(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if not ctx.frozen:
        return RedirectResponse(url(response_id, "review"), status_code=303)
    return render(request, "respond/done.html", {**ctx.base(), "page_title": _("Thank you")}, headers=NO_STORE)
