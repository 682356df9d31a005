"""Users, login sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, select, update
from sqlalchemy.orm import Session

from app.auth.models import ApiToken, Invitation, User, UserSession
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


def audited_organization(session: Session, user_id: int) -> int | None:
    """The organization an account's own events are logged under (its first seat other than a respondent's), or None for
    an account that only answers: respondents' sign-ins are never logged (docs/privacy.md: the log names no respondent)."""
    return session.scalar(select(Membership.organization_id).where(Membership.user_id == user_id, Membership.role != Role.respondent)
                          .order_by(Membership.id).limit(1))


def record_sign_in(session: Session, email: str, user: User | None, address: str) -> None:
    """A sign-in, or a failed one for an account that exists, in the audit log with the address it came from."""
    from app import audit

    account = user or get_user_by_email(session, email)
    org = audited_organization(session, account.id) if account is not None else None
    if account is None or org is None:
        return
    audit.record(session, account.id, "auth.signed_in" if user is not None else "auth.sign_in_failed", "user", account.id, org,
                 channel="web", address=address)


def create_api_token(session: Session, user: User, name: str = "") -> str:
    from app import audit

    token = new_token("rsk_")
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), name=name)
    session.add(row)
    session.flush()
    audit.record(session, user.id, "token.created", "api_token", row.id, audited_organization(session, user.id), name=name)
    return token


def api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, token_id: int) -> ApiToken | None:
    """Revoke a token: the next request that sends it is refused (tokens are looked up on every request)."""
    from app import audit

    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, None, "token.revoked", "api_token", row.id, audited_organization(session, row.user_id), name=row.name)
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
    invitation_assessment_id: int | None = None  # the assessment of that response


def principal_for(session: Session, user: User, invitation_id: int | None = None, via_token: bool = False) -> Principal:
    rows = session.execute(_seats(select(Membership.id)).where(Membership.user_id == user.id)).all()
    return Principal(user.id, user.email, user.name, user.preferred_language, _seats_of(rows), invitation_id, via_token)


def _seats(query: Select[Any]) -> Select[Any]:
    """The query (whose FROM ends with Membership) with the organizations of the memberships joined on, archived ones
    as NULL seat columns, ordered as the memberships were made."""
    return (query.add_columns(Membership.organization_id, Organization.kind, Membership.role, Organization.backbone_id)
            .outerjoin(Organization, and_(Organization.id == Membership.organization_id, Organization.archived_at.is_(None)))
            .order_by(Membership.id))


def _seats_of(rows: Sequence[Row[Any]]) -> tuple[Seat, ...]:
    """The seats in rows of _seats (a row without an organization: no membership, or an archived organization)."""
    return tuple(Seat(r.organization_id, r.kind, r.role, r.backbone_id) for r in rows if r.kind is not None)


def _principal(rows: Sequence[Row[Any]], invitation_id: int | None = None, via_token: bool = False,
               invitation_assessment_id: int | None = None) -> Principal | None:
    """A principal from the rows of one lookup: the _USER columns, then those of _seats. A session opened by an invitation
    link holds no seat at all: it reaches the invitation's response and nothing of the account."""
    if not rows or not rows[0].is_active:
        return None
    first = rows[0]
    if invitation_id is not None:  # nor the account's name, which whoever holds the link may not know
        return Principal(first.id, first.email, "", first.preferred_language, (), invitation_id, via_token, invitation_assessment_id)
    return Principal(first.id, first.email, first.name, first.preferred_language, _seats_of(rows), invitation_id, via_token)


_USER = (User.id, User.email, User.name, User.preferred_language, User.is_active)


def principal_from_session(session: Session, token: str) -> Principal | None:
    """Who holds this session cookie, memberships included, in one query (it runs on every request)."""
    rows = session.execute(_session_lookup(), {"token_hash": token_hash(token)}).all()
    if not rows or rows[0].expires_at <= utcnow():
        return None
    first = rows[0]
    if first.invitation_id is not None and (first.invitation_revoked_at is not None or first.invitation_assessment_id is None):
        return None  # a link's session ends with its invitation
    return _principal(rows, first.invitation_id, invitation_assessment_id=first.invitation_assessment_id)


def principal_from_api_token(session: Session, token: str) -> tuple[Principal, int | None] | None:
    """Who holds this API token, in one query; with the token's id when its last use should be recorded (at most every 5
    minutes: a write on every request would make every API read a write)."""
    rows = session.execute(_token_lookup(), {"token_hash": token_hash(token)}).all()
    principal = _principal(rows, via_token=True)
    if principal is None:
        return None
    last = rows[0].last_used_at
    stale = last is None or utcnow() - last > dt.timedelta(minutes=5)
    return principal, rows[0].token_id if stale else None


# The two lookups of every request, built once (the token's hash comes with each execution): building the statement
# cost more than running it.
@functools.cache
def _session_lookup() -> Select[Any]:
    return _seats(select(*_USER, UserSession.expires_at, UserSession.invitation_id,
                         Invitation.assessment_id.label("invitation_assessment_id"), Invitation.revoked_at.label("invitation_revoked_at"))
                  .select_from(UserSession).join(User, User.id == UserSession.user_id)
                  .outerjoin(Invitation, Invitation.id == UserSession.invitation_id)
                  .outerjoin(Membership, Membership.user_id == User.id)
                  .where(UserSession.token_hash == bindparam("token_hash")))


@functools.cache
def _token_lookup() -> Select[Any]:
    return _seats(select(*_USER, ApiToken.id.label("token_id"), ApiToken.last_used_at)
                  .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
                  .outerjoin(Membership, Membership.user_id == User.id)
                  .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)))


def touch_api_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
