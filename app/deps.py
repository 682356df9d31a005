"""Dependencies every router shares: the database session, who is asking, the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import i18n
from app.auth import ratelimit
from app.auth.models import User
from app.auth.service import Principal, principal_from_api_token, principal_from_session
from app.config import Settings
from app.errors import LoginRequired
from app.instruments.loader import Catalogue
from app.text import clean_text

SESSION_COOKIE = "reassess_session"


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_catalogue(request: Request) -> Catalogue:
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
    auth = request.headers.get("authorization", "")
    with request.app.state.sessionmaker() as db:
        if auth.lower().startswith("bearer "):
            limits, address = ratelimit.limiter(request), ratelimit.client_key(request)
            limits.check("token", address)
            principal = principal_from_api_token(db, auth[7:].strip())
            if principal is None:
                limits.failed("token", address)
                raise LoginRequired(i18n.gettext("The API token is not valid or has been revoked."))
            db.commit()
            return principal, None
        token = request.cookies.get(SESSION_COOKIE)
        principal = principal_from_session(db, token) if token else None
        if principal is None:
            return None, None
        return principal, _follow_language(request, db, principal)


def _follow_language(request: Request, db: Session, principal: Principal) -> str | None:
    """A choice made with ?lang= is kept as the user's preference; otherwise the preference applies."""
    chosen = request.state.lang_chosen
    if chosen and chosen != principal.language:
        user = db.get(User, principal.user_id)
        if user is not None:
            user.preferred_language = chosen
            db.commit()
        return None
    if not chosen and not request.state.lang_from_cookie and principal.language in request.app.state.settings.locales:
        return principal.language
    return None


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
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
