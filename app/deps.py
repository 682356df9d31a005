"""Dependencies every router shares: the database session, who is asking, the catalogue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import i18n
from app.auth import ratelimit
from app.auth.models import User
from app.auth.service import Principal, end_session, principal_from_api_token, principal_from_session, touch_api_token
from app.config import Settings
from app.db import read_only, writing
from app.errors import LoginRequired
from app.instruments.loader import Catalogue
from app.text import clean_text

SESSION_COOKIE = "reassess_session"


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_days * 86400, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")


def sign_out(request: Request, db: Session) -> RedirectResponse:
    """End this browser's session (the header's "Sign out", a question page's "Save and sign out") and go to sign-in."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(db, token)
        db.commit()
    response = RedirectResponse("/login?flash=signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def set_language_cookie(request: Request, response: Response, language: str, settings: Settings) -> None:
    """The language of an invitation or a user's preference, unless the browser has chosen one already."""
    from app.web.middleware import LANG_COOKIE

    if language in settings.locales and not request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="lax", secure=settings.secure_cookies)


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's session. Async on purpose: opening it costs nothing (it connects at its first query, in the
    endpoint's thread) and a plain dependency would take two trips through the thread pool. Closing it talks to the
    database only when a transaction is still open: then in a thread of its own, never waiting for one of the pool's
    threads (those may all be waiting for the lock this very transaction holds; FastAPI closes its own with-dependencies
    the same way)."""
    session = request.state.db_session = request.app.state.sessionmaker()  # (the rate limiter ends it on a failure)
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_db)]


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


async def optional_principal(request: Request) -> Principal | None:
    """Who is asking (API token or session cookie), resolved once per request.

    Async on purpose: the request's language may follow the user's preference, and a context
    variable set here reaches the endpoint (one set in a threadpool dependency would not).
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    principal, lang = await run_in_threadpool(_resolve, request)
    request.state.principal = principal
    if lang:
        i18n.set_locale(lang)
        request.state.lang = lang
    return principal


def _resolve(request: Request) -> tuple[Principal | None, str | None]:
    """One read (no write lock on SQLite); a write only when a token's last use or a language choice is to be kept."""
    auth = request.headers.get("authorization", "")
    factory = request.app.state.sessionmaker
    if auth.lower().startswith("bearer "):
        with read_only(factory) as db:
            found = principal_from_api_token(db, auth[7:].strip())
        if found is None:
            # Only bad tokens are counted and refused (429 over the limit): a valid one from the same address always
            # works. A token is 32 random bytes, which no number of guesses finds; the limit answers the scanners.
            limits, address = ratelimit.limiter(request), ratelimit.client_key(request)
            limits.check("token", address)
            limits.failed("token", address)
            raise LoginRequired(i18n.gettext("The API token is not valid or has been revoked."))
        principal, touch = found
        if touch is not None:
            with writing(factory) as db:
                touch_api_token(db, touch)
                db.commit()
        return principal, None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None, None
    with read_only(factory) as db:
        principal = principal_from_session(db, token)
    if principal is None:
        return None, None
    return principal, _follow_language(request, principal)


def _follow_language(request: Request, principal: Principal) -> str | None:
    """A choice made with ?lang= is kept as the user's preference; otherwise the preference applies."""
    chosen = request.state.lang_chosen
    if chosen and chosen != principal.language:
        with writing(request.app.state.sessionmaker) as db:
            db.execute(update(User).where(User.id == principal.user_id).values(preferred_language=chosen))
            db.commit()
        return None
    # The person's own choice wins over a device's cookie in a link's session: a respondent who chose Español on one
    # device reads Español on the next, whatever that browser chose before.
    cookie_wins = request.state.lang_from_cookie and principal.invitation_id is None
    if not chosen and not cookie_wins and principal.language in request.app.state.settings.locales:
        return principal.language
    return None


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise LoginRequired()
    return principal


MaybeUser = Annotated[Principal | None, Depends(optional_principal)]
CurrentUser = Annotated[Principal, Depends(current_principal)]


async def read_form(request: Request) -> FormData:
    """The posted form (control characters out of its text), read on the event loop, so that the endpoint itself can
    be a plain function.

    Endpoints that touch the database are plain ``def`` (run in the thread pool): a blocking query on the event
    loop would stall every request, and on SQLite it would wait for a lock whose holder needs the loop to finish.
    """
    form = await request.form()
    return FormData([(k, clean_text(v) if isinstance(v, str) else v) for k, v in form.multi_items()])


FormDep = Annotated[FormData, Depends(read_form)]
