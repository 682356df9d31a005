"""The respondent's pages: invitation link, welcome, questions page by page, review, submit, thanks.

Every page works without JavaScript (Next/Previous save the page's changed answers one item at a
time); respond.js adds autosave per item through POST /respond/{id}/answer.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import service
from app.assessments.models import Answer, Assessment, ResponseStatus
from app.auth import invitations
from app.db import reading_first, writable
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.instruments.schema import Instrument, ItemType
from app.respond.service import Page, is_answered, page_changes, plan_pages, progress, stored_repr
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
ResponseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Context:
    """One respondent's response with everything its pages need."""

    def __init__(self, db: Session, principal: Any, response_id: int, catalogue: Any):
        self.response = access.get_own_response(db, principal, response_id)
        self.assessment: Assessment = self.response.assessment
        self.cycle = self.assessment.cycle
        self.instrument: Instrument = service.instrument_of(catalogue, self.cycle)
        self.pages: list[Page] = plan_pages(self.instrument, self.cycle.depth, self.cycle.order)
        self._db = db

    @functools.cached_property
    def answers(self) -> dict[str, Answer]:
        """Read when first needed: "Save and continue" after the autosave has saved everything needs none of them."""
        return service.answers_of(self._db, self.response.id)

    def page(self, key: str) -> tuple[int, Page]:
        for index, page in enumerate(self.pages):
            if page.key == key:
                return index, page
        raise NotFound()

    @property
    def frozen(self) -> bool:
        return self.response.status is ResponseStatus.submitted

    def base(self) -> dict[str, Any]:
        return {"r": self.response, "assessment": self.assessment, "cycle": self.cycle, "instrument": self.instrument,
                "pages": self.pages, "progress": progress(self.pages, self.answers), "answers": self.answers,
                "org": self.assessment.organization, "lang": i18n.get_locale()}


def return_code(request: Request, ctx: Context) -> str | None:
    """The respondent's own return code, for a response started from a link (shown only in the respondent's session)."""
    if not ctx.response.invited:
        return None
    return invitations.resume_code(request.app.state.settings.secret_key, ctx.response.id, ctx.response.pseudonym)


def url(response_id: int, page: str) -> str:
    return f"/respond/{response_id}/{page}" if page in ("welcome", "review", "done") else f"/respond/{response_id}/page/{page}"


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


# -- welcome -----------------------------------------------------------------------------------

@router.get("/respond/{response_id}/welcome", response_class=HTMLResponse)
def welcome(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if ctx.frozen:
        return RedirectResponse(url(response_id, "done"), status_code=303)
    return _welcome(request, ctx, {}, ctx.response.role_group, list(ctx.response.race_ethnicity or []))


def _welcome(request: Request, ctx: Context, errors: dict[str, str], role: str | None, race: list[str], status: int = 200) -> HTMLResponse:
    return render(request, "respond/welcome.html", {**ctx.base(), "errors": errors, "role": role, "race": race,
                                                    "min_group_size": request.app.state.settings.min_group_size,
                                                    "return_code": return_code(request, ctx), "page_title": _("Welcome")}, status_code=status)


@router.post("/respond/{response_id}/welcome")
def save_welcome(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    role = str(form.get("role_group") or "")
    race = [str(v) for v in form.getlist("race_ethnicity")][:20]
    try:
        service.set_respondent_profile(db, catalogue, ctx.response, role, race)
    except Invalid as exc:
        db.rollback()
        return _welcome(request, ctx, {str(exc.details.get("field")): exc.message}, role, race, status=422)
    except Conflict as exc:
        return _closed(request, ctx, exc.message)
    target = ctx.response.last_page if ctx.response.last_page in {p.key for p in ctx.pages} else ctx.pages[0].key
    db.commit()
    return RedirectResponse(url(response_id, target), status_code=303)


# -- question pages ------------------------------------------------------------------------------

@router.get("/respond/{response_id}/page/{key}", response_class=HTMLResponse)
def question_page(request: Request, response_id: ResponseId, key: Annotated[str, Path(max_length=64)], db: SessionDep,
                  principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if ctx.frozen:
        return RedirectResponse(url(response_id, "done"), status_code=303)
    index, page = ctx.page(key)
    shown = _page(request, ctx, index, page, {}, {})
    remember_page(db, ctx, key)
    return shown


def remember_page(db: Session, ctx: Context, key: str) -> None:
    """Where the respondent is, for their invitation link to bring them back. Written after the page is rendered: a GET
    reads without the write lock, and takes it only for this one short write."""
    if ctx.response.last_page != key:
        writable(db)
        ctx.response.last_page = key
        db.commit()


def _page(request: Request, ctx: Context, index: int, page: Page, errors: dict[str, str], posted: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    values = {}
    for qid in page.question_ids:
        answer = ctx.answers.get(qid)
        values[qid] = {"value": stored_repr(answer), "choices": list(answer.choices or []) if answer else [],
                       "text": (answer.text or "") if answer else "", "comment": (answer.comment or "") if answer else ""}
        if qid in posted:
            values[qid].update(posted[qid])
    lang = i18n.get_locale()
    return render(request, "respond/page.html", {
        **ctx.base(), "page": page, "index": index, "title": page.title(ctx.instrument, lang), "values": values, "errors": errors,
        "previous": ctx.pages[index - 1].key if index > 0 else None, "next": ctx.pages[index + 1].key if index + 1 < len(ctx.pages) else None,
        "stored": {qid: stored_repr(ctx.answers.get(qid)) for qid in page.question_ids}, "page_title": page.title(ctx.instrument, lang),
        "ItemType": ItemType, "max_text": service.MAX_TEXT,
    }, status_code=status)


@router.post("/respond/{response_id}/page/{key}")
def save_page(request: Request, response_id: ResponseId, key: Annotated[str, Path(max_length=64)], db: SessionDep,
              principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    """"Save and continue" (or Previous, or a language switch): the page's changed answers, one by one. Read without
    SQLite's write lock, as the autosave is: most often respond.js has saved every answer already, and nothing is written."""
    with reading_first():
        return _save_page(request, response_id, key, db, principal, catalogue, form)


def _save_page(request: Request, response_id: int, key: str, db: Session, principal: Any, catalogue: Any, form: Any) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    index, page = ctx.page(key)
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    for change in page_changes(ctx.instrument, page.question_ids, form, lambda qid: ctx.answers.get(qid)):
        posted[change.answer.item_id] = change.posted
        try:
            service.save_answer(db, catalogue, ctx.response, change.answer)
            db.commit()
        except Invalid as exc:
            db.rollback()
            errors[change.answer.item_id] = exc.message
        except Conflict as exc:
            db.rollback()
            return _closed(request, ctx, exc.message)
    if errors:
        ctx.answers = service.answers_of(db, ctx.response.id)
        return _page(request, ctx, index, page, errors, posted, status=422)
    target_lang = form.get("switch_lang")
    nav = form.get("nav")
    if isinstance(target_lang, str) and target_lang in request.app.state.settings.locales:
        return RedirectResponse(f"{url(response_id, key)}?lang={target_lang}", status_code=303)
    if nav == "previous" and index > 0:
        target = url(response_id, ctx.pages[index - 1].key)
    elif nav == "next" and index + 1 < len(ctx.pages):
        target = url(response_id, ctx.pages[index + 1].key)
    elif nav == "review" or (nav == "next" and index + 1 == len(ctx.pages)):
        target = url(response_id, "review")
    else:
        target = url(response_id, key) + "?flash=saved"
    return RedirectResponse(target, status_code=303)


def _closed(request: Request, ctx: Context, message: str) -> HTMLResponse:
    return render(request, "respond/closed.html", {**ctx.base(), "message": message, "page_title": _("Answers can no longer be changed")},
                  status_code=409)


class AnswerIn(BaseModel):
    item_id: str = Field(max_length=64)
    value: str | None = Field(default=None, max_length=64)
    choices: list[str] = Field(default_factory=list, max_length=50)
    text: str | None = Field(default=None, max_length=20_000)
    comment: str | None = Field(default=None, max_length=20_000)


@router.post("/respond/{response_id}/answer")
def autosave(response_id: ResponseId, body: AnswerIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> JSONResponse:
    """Save one item (the script calls this on every change). Errors come back translated, tied to the item.

    The response is read and the answer checked without SQLite's write lock; save_answer takes it for its one
    statement, which checks again that the response can be changed."""
    with reading_first():
        response = access.get_own_response(db, principal, response_id)
        try:
            service.save_answer(db, catalogue, response, service.AnswerInput(body.item_id, value=body.value, choices=body.choices,
                                                                             text=body.text, comment=body.comment))
            db.commit()
        except AppError as exc:
            db.rollback()
            return JSONResponse({"ok": False, "error": exc.message, "field": exc.details.get("field")}, status_code=exc.status_code)
    return JSONResponse({"ok": True, "item_id": body.item_id, "message": _("Saved")})


# -- review, submit, thanks ----------------------------------------------------------------------

@router.get("/respond/{response_id}/review", response_class=HTMLResponse)
def review(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if ctx.frozen:
        return RedirectResponse(url(response_id, "done"), status_code=303)
    lang = i18n.get_locale()
    missing = []
    for page in ctx.pages:
        for section in page.sections:
            left = [q for q in section.questions if not is_answered(ctx.answers.get(q.id))]
            if left:
                heading = ctx.instrument.domain(section.domain_id).title.get(lang) if section.domain_id else page.title(ctx.instrument, lang)
                missing.append({"page": page, "heading": heading, "questions": left})
    shown = render(request, "respond/review.html", {**ctx.base(), "missing": missing, "error": None, "page_title": _("Review and submit"),
                                                    "return_code": return_code(request, ctx)})
    remember_page(db, ctx, "review")
    return shown


@router.post("/respond/{response_id}/submit")
def submit(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if not ctx.frozen and form.get("confirm") != "yes":
        return render(request, "respond/review.html", {**ctx.base(), "missing": [], "page_title": _("Review and submit"),
                                                        "error": _("Tick the box to confirm that your answers are final.")}, status_code=422)
    try:
        service.submit_response(db, ctx.response, principal.user_id)
        db.commit()
    except Conflict as exc:
        return _closed(request, ctx, exc.message)
    return RedirectResponse(url(response_id, "done"), status_code=303)


@router.get("/respond/{response_id}/done", response_class=HTMLResponse)
def done(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if not ctx.frozen:
        return RedirectResponse(url(response_id, "review"), status_code=303)
    return render(request, "respond/done.html", {**ctx.base(), "page_title": _("Thank you")})
