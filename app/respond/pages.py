"""What the respondent's pages share: one response with everything its pages need, its URLs, the return code, the
page that says answers can no longer be changed."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import service
from app.assessments.models import Answer, Assessment, ResponseStatus
from app.auth import invitations
from app.db import writable
from app.errors import NotFound
from app.i18n import gettext as _
from app.instruments.schema import Instrument
from app.respond.service import Page, plan_pages, posted_answers, progress
from app.web.templating import render

# The respondent's pages are never kept by the browser: "back" after submitting asks the server again (which sends the
# thank-you page), never a live form from the cache; a page that echoes unsaved answers stays in no cache either.
NO_STORE = {"Cache-Control": "no-store"}


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


def closed(request: Request, ctx: Context, message: str) -> HTMLResponse:
    return render(request, "respond/closed.html", {**ctx.base(), "message": message, "page_title": _("Answers can no longer be changed")},
                  status_code=409, headers=NO_STORE)


def not_saved(request: Request, catalogue: Any, form: Any, status: int) -> HTMLResponse:
    """A question page posted when its session had ended (signed out, the link revoked, another account signed in):
    nothing is saved, and the page says so in the page's own language and gives back what was typed, to copy. Built
    from the posted form alone (its instrument and language fields), never from the database."""
    lang = form.get("page_lang")
    lang = lang if isinstance(lang, str) and lang in request.app.state.settings.locales else i18n.get_locale()
    instrument_id, _sep, version = str(form.get("instrument") or "").partition("@")
    instrument = catalogue.find(instrument_id, version) if instrument_id and version else None
    with i18n.locale(lang):
        request.state.lang = lang
        shown = posted_answers(instrument, form, lang) if instrument is not None else []
        return render(request, "respond/not_saved.html", {"shown": shown, "lang": lang, "status": status,
                                                          "page_title": _("Your answers were not saved")},
                      status_code=status, headers=NO_STORE)


def remember_page(db: Session, ctx: Context, key: str) -> None:
    """Where the respondent is, for their invitation link to bring them back. Written after the page is rendered: a GET
    reads without the write lock, and takes it only for this one short write."""
    if ctx.response.last_page != key:
        writable(db)
        ctx.response.last_page = key
        db.commit()


def where_next(ctx: Any, key: str, index: int, form: Any, locales: list[str]) -> str:
    """Where a saved question page goes: the language switch, a step, the list, review, previous or next (the buttons
    of the form: every way off the page saves first)."""
    response_id = ctx.response.id
    target_lang = form.get("switch_lang")
    nav, go = form.get("nav"), str(form.get("go") or "")
    if isinstance(target_lang, str) and target_lang in locales:
        return f"{url(response_id, key)}?lang={target_lang}"
    steps = {p.key for p in ctx.pages}
    if go.startswith("step:") and go[5:] in steps:
        return url(response_id, go[5:])
    if go == "list":
        return "/respond"
    if go == "review" or nav == "review" or (nav == "next" and index + 1 == len(ctx.pages)):
        return url(response_id, "review")
    if nav == "previous" and index > 0:
        return url(response_id, ctx.pages[index - 1].key)
    if nav == "next" and index + 1 < len(ctx.pages):
        return url(response_id, ctx.pages[index + 1].key)
    return url(response_id, key) + "?flash=saved"


def session_ended(status: int) -> JSONResponse:
    """The autosave's answer when the session has ended (401) or the response is out of reach (404): never a redirect."""
    return JSONResponse({"ok": False, "reason": "session", "error": _(
        "Not saved: your session has ended. Keep this page open, reopen your invitation link in another tab, then save again.")},
        status_code=status, headers=NO_STORE)


