"""Forgotten passwords: a signed, expiring, single-use link that sets a new password.

Anyone can ask for one by email on the sign-in page: the page says the same whether or not the address has an account,
so that it tells no one who has one. Only an account that has a password gets a link (an account made by a respondent's
link never gets a password through a link: docs/privacy.md, rule 10). Without an email server, a backbone admin makes
the link for a person of the partnership (its staff and its partners' leads) on the People page, and sees it once.
Asking, making and using a link are audited; using one ends the account's other sessions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import audit
from app.auth.models import PasswordReset, User, UserSession
from app.auth.security import hash_password, new_token, password_problem, token_hash
from app.auth.service import audited_organization, get_user_by_email
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.mail import render_mail
from app.mail import send as send_mail

EMAILED_HOURS = 2
MADE_BY_ADMIN_HOURS = 24


def _make(db: Session, settings: Settings, user: User, hours: int, actor_id: int | None) -> str:
    token = new_token("pwr_")
    db.add(PasswordReset(user_id=user.id, token_hash=token_hash(token), expires_at=utcnow() + dt.timedelta(hours=hours),
                         created_by_id=actor_id))
    db.flush()
    return f"{settings.base_url.rstrip('/')}/reset/{token}"


def request_reset(db: Session, settings: Settings, email: str, address: str) -> bool:
    """Email a reset link if the address has an account with a password; True when one was sent (the page never says)."""
    user = get_user_by_email(db, email)
    if user is None or not user.is_active or not user.password_hash:
        return False
    link = _make(db, settings, user, EMAILED_HOURS, None)
    language = user.preferred_language if user.preferred_language in settings.locales else settings.default_locale
    subject, text, html = render_mail("password_reset", language, {"link": link, "hours": EMAILED_HOURS})
    send_mail(settings, user.email, subject, text, html)
    audit.record(db, None, "password.reset_requested", "user", user.id, audited_organization(db, user.id), address=address)
    return True


def admin_link(db: Session, settings: Settings, user: User, actor_id: int) -> str:
    """A reset link an admin makes for a person (shown to that admin once); the caller checks who may."""
    if not user.password_hash:
        raise Invalid(_("This account has no password to reset: it signs in with its personal link."))
    link = _make(db, settings, user, MADE_BY_ADMIN_HOURS, actor_id)
    audit.record(db, actor_id, "password.reset_link_made", "user", user.id, audited_organization(db, user.id))
    return link


def find(db: Session, token: str) -> PasswordReset:
    """The reset a link holds, if it is unused and unexpired; NotFound (one answer for every other case) otherwise."""
    row = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))) if 10 < len(token) < 200 else None
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotFound(_("This password link is not valid any more. Ask for a new one on the sign-in page."))
    return row


def use(db: Session, token: str, password: str, confirm: str, address: str) -> User:
    """Set the new password through the link, once; every session of the account ends. Invalid: why, at its field."""
    row = find(db, token)
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotFound(_("This password link is not valid any more. Ask for a new one on the sign-in page."))
    problem = password_problem(password, user.email) or (_("The two passwords are not the same.") if password != confirm else None)
    if problem:
        raise Invalid(problem, field="password")
    used = db.execute(update(PasswordReset).where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
                      .values(used_at=utcnow())).rowcount  # type: ignore[attr-defined]
    if used != 1:  # used at the same moment by another request
        raise NotFound(_("This password link is not valid any more. Ask for a new one on the sign-in page."))
    user.password_hash = hash_password(password)
    for s in db.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        db.delete(s)
    audit.record(db, user.id, "password.reset", "user", user.id, audited_organization(db, user.id), address=address)
    return user
