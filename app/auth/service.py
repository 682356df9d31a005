"""Users, login sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import ApiToken, User, UserSession
from app.auth.security import hash_password, new_token, token_hash, verify_password
from app.db import utcnow
from app.organizations.models import Membership, Organization, OrgKind, Role


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(session: Session, email: str, *, name: str = "", password: str | None = None, language: str = "en") -> User:
    user = User(email=normalize_email(email), name=name, preferred_language=language,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = get_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def start_session(session: Session, user: User, days: int, invitation_id: int | None = None) -> str:
    token = new_token()
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, invitation_id=invitation_id,
                            expires_at=utcnow() + dt.timedelta(days=days)))
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    row = session.get(UserSession, token_hash(token))
    if row is not None:
        session.delete(row)
        session.flush()


def end_all_sessions(session: Session, user_id: int) -> None:
    for row in session.scalars(select(UserSession).where(UserSession.user_id == user_id)):
        session.delete(row)
    session.flush()


def create_api_token(session: Session, user: User, name: str = "") -> str:
    token = new_token("rsk_")
    session.add(ApiToken(user_id=user.id, token_hash=token_hash(token), name=name))
    session.flush()
    return token


def api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, token_id: int) -> ApiToken | None:
    """Revoke a token: the next request that sends it is refused (tokens are looked up on every request)."""
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


@dataclass(frozen=True)
class Seat:
    """One of a principal's memberships: a role in an organization."""

    organization_id: int
    kind: OrgKind
    role: Role
    backbone_id: int | None


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user with their memberships (what access.py decides on)."""

    user_id: int
    email: str
    name: str
    language: str
    seats: tuple[Seat, ...]
    invitation_id: int | None = None  # a session opened by an invitation link reaches only that response
    via_token: bool = False

    @property
    def display_name(self) -> str:
        return self.name or self.email


def principal_for(session: Session, user: User, invitation_id: int | None = None, via_token: bool = False) -> Principal:
    rows = session.execute(
        select(Membership.organization_id, Organization.kind, Membership.role, Organization.backbone_id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user.id, Organization.archived_at.is_(None))
        .order_by(Membership.id)
    ).all()
    seats = tuple(Seat(*row) for row in rows)
    return Principal(user.id, user.email, user.name, user.preferred_language, seats, invitation_id, via_token)


def principal_from_session(session: Session, token: str) -> Principal | None:
    row = session.get(UserSession, token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return principal_for(session, user, row.invitation_id)


def principal_from_api_token(session: Session, token: str) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        row.last_used_at = now
    return principal_for(session, user, via_token=True)
