"""The respondent's pages: welcome, questions page by page, the autosave (review, submit, thanks: review_routes.py;
getting in through a link: entry.py).

Every page works without JavaScript (Next/Previous save the page's changed answers one item at a
time); respond.js adds autosave per item through POST /respond/{id}/answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import answers as respondent
from app.assessments import service
from app.db import reading_first
from app.deps import CatalogueDep, CurrentUser, FormDep, MaybeUser, SessionDep, sign_out
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.instruments.schema import ItemType
from app.respond.pages import NO_STORE, Context, closed, not_saved, remember_page, return_code, session_ended, url, where_next
from app.respond.service import Page, page_changes, stored_repr
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
ResponseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


# -- welcome -----------------------------------------------------------------------------------

@router.get("/respond/{response_id}/welcome", response_class=HTMLResponse)
def welcome(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    if ctx.frozen:
        return RedirectResponse(url(response_id, "done"), status_code=303)
    return _welcome(request, ctx, {}, ctx.response.role_group, list(ctx.response.race_ethnicity or []), ctx.response.self_description or "")


def _welcome(request: Request, ctx: Context, errors: dict[str, str], role: str | None, race: list[str], described: str,
             status: int = 200) -> HTMLResponse:
    return render(request, "respond/welcome.html", {**ctx.base(), "errors": errors, "role": role, "race": race, "described": described,
                                                    "max_described": respondent.MAX_SELF_DESCRIPTION,
                                                    "min_group_size": request.app.state.settings.min_group_size,
                                                    "return_code": return_code(request, ctx), "page_title": _("Welcome")},
                  status_code=status, headers=NO_STORE)


@router.post("/respond/{response_id}/welcome")
def save_welcome(request: Request, response_id: ResponseId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    ctx = Context(db, principal, response_id, catalogue)
    role = str(form.get("role_group") or "")
    race = [str(v) for v in form.getlist("race_ethnicity")][:20]
    described = str(form.get("self_description") or "")[:20_000]
    switch = str(form.get("switch_lang") or "")
    if switch in request.app.state.settings.locales and not role:  # nothing chosen yet: nothing to save, only the language
        return RedirectResponse(f"{url(response_id, 'welcome')}?lang={switch}", status_code=303)
    try:
        service.set_respondent_profile(db, catalogue, ctx.response, role, race)
        respondent.set_self_description(ctx.response, described)
    except Invalid as exc:
        db.rollback()
        return _welcome(request, ctx, {str(exc.details.get("field")): exc.message}, role, race, described, status=422)
    except Conflict as exc:
        return closed(request, ctx, exc.message)
    target = ctx.response.last_page if ctx.response.last_page in {p.key for p in ctx.pages} else ctx.pages[0].key
    db.commit()
    if switch in request.app.state.settings.locales:  # saved first, then the same page in the other language
        return RedirectResponse(f"{url(response_id, 'welcome')}?lang={switch}", status_code=303)
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
    }, status_code=status, headers=NO_STORE)


@router.post("/respond/{response_id}/page/{key}")
def save_page(request: Request, response_id: ResponseId, key: Annotated[str, Path(max_length=64)], db: SessionDep,
              principal: MaybeUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    """"Save and continue" (or Previous, a language switch, a step of the side list, "Review and submit", "Your
    assessments": every way off a question page saves it first): the page's changed answers, one by one. Read without
    SQLite's write lock, as the autosave is: most often respond.js has saved every answer already, and nothing is written.

    Posted after the session ended (signed out in another tab, the link revoked): not a redirect to the sign-in page,
    which would throw the answers away, but a page that says they were not saved and gives them back to copy."""
    with reading_first():
        if principal is None:
            return not_saved(request, catalogue, form, 401)
        try:
            ctx = Context(db, principal, response_id, catalogue)
        except NotFound:
            return not_saved(request, catalogue, form, 404)
        return _save_page(request, ctx, key, db, catalogue, form)


def _save_page(request: Request, ctx: Context, key: str, db: Session, catalogue: Any, form: Any) -> Response:
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
            return closed(request, ctx, exc.message)
    if errors:
        ctx.answers = service.answers_of(db, ctx.response.id)
        return _page(request, ctx, index, page, errors, posted, status=422)
    if form.get("go") == "signout":  # saved first: then the session ends, as the header's "Sign out" would end it
        return sign_out(request, db)
    target = where_next(ctx, key, index, form, request.app.state.settings.locales)
    return RedirectResponse(target, status_code=303)


class AnswerIn(BaseModel):
    item_id: str = Field(max_length=64)
    value: str | None = Field(default=None, max_length=64)
    choices: list[str] = Field(default_factory=list, max_length=50)
    text: str | None = Field(default=None, max_length=20_000)
    comment: str | None = Field(default=None, max_length=20_000)


@router.post("/respond/{response_id}/answer")
def autosave(response_id: ResponseId, body: AnswerIn, db: SessionDep, principal: MaybeUser, catalogue: CatalogueDep) -> JSONResponse:
    """Save one item (the script calls this on every change). Errors come back translated, tied to the item; success
    is exactly ``{"ok": true, "item_id": <the item>}`` with status 200 (respond.js shows "Saved" for nothing else).

    A session that ended (signed out, the link revoked) gets 401 and another account 404 (as for any response out of
    reach: its existence is not revealed), as JSON with the reason: never
    the redirect to the sign-in page that other pages get, which a script would follow to a page answered 200.

    The response is read and the answer checked without SQLite's write lock; save_answer takes it for its one
    statement, which checks again that the response can be changed."""
    with reading_first():
        if principal is None:
            return session_ended(401)
        try:
            response = access.get_own_response(db, principal, response_id)
        except NotFound:
            return session_ended(404)
        try:
            service.save_answer(db, catalogue, response, service.AnswerInput(body.item_id, value=body.value, choices=body.choices,
                                                                             text=body.text, comment=body.comment))
            db.commit()
        except AppError as exc:
            db.rollback()
            return JSONResponse({"ok": False, "error": exc.message, "field": exc.details.get("field")}, status_code=exc.status_code)
    return JSONResponse({"ok": True, "item_id": body.item_id, "message": _("Saved")}, headers=NO_STORE)
