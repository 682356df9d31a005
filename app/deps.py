"""Dependencies every router shares: the database session, who is asking, the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app import i18n
from app.auth.models import User
from app.auth.service import Principal, principal_from_api_token, principal_from_session
from app.config import Settings
from app.errors import LoginRequired
from app.instruments.loader import Catalogue

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


def optional_principal(request: Request, db: SessionDep) -> Principal | None:
    if hasattr(request.state, "principal"):
        return request.state.principal
    auth = request.headers.get("authorization", "")
    principal: Principal | None
    if auth.lower().startswith("bearer "):
        principal = principal_from_api_token(db, auth[7:].strip())
        if principal is None:
            raise LoginRequired(i18n.gettext("The API token is not valid or has been revoked."))
        db.commit()
    else:
        token = request.cookies.get(SESSION_COOKIE)
        principal = principal_from_session(db, token) if token else None
    request.state.principal = principal
    if principal is not None:
        _follow_language(request, db, principal)
    return principal


def _follow_language(request: Request, db: Session, principal: Principal) -> None:
    """A choice made with ?lang= is kept as the user's preference; otherwise the preference applies."""
    chosen = request.state.lang_chosen
    if chosen and chosen != principal.language:
        user = db.get(User, principal.user_id)
        if user is not None:
            user.preferred_language = chosen
            db.commit()
    elif not chosen and not request.state.lang_from_cookie and principal.language in request.app.state.settings.locales:
        i18n.set_locale(principal.language)
        request.state.lang = principal.language


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise LoginRequired()
    return principal


MaybeUser = Annotated[Principal | None, Depends(optional_principal)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
