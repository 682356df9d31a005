"""Invitation links: personal, hashed at rest, expiring, revocable.

A link belongs to one person and opens one thing (their response to one assessment, or the lead
seat of one partner organization). It can be opened again to resume until it expires, is revoked,
or the response it opens is submitted; re-sending an invitation replaces its token, so an older
copy of the link stops working at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.auth import service as auth
from app.auth.models import Invitation, InvitationPurpose, User
from app.auth.security import new_token, token_hash
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.organizations.models import Organization, Role
from app.organizations.service import add_member

MAX_BATCH = 50


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str
    replaces_earlier: bool = False  # a fresh link for an open invitation: the link sent before stops working

    def link(self, settings: Settings) -> str:
        return f"{settings.base_url.rstrip('/')}/invite/{self.token}"


def parse_emails(raw: str) -> list[str]:
    """Addresses separated by commas, semicolons or lines; a clear message for any that is not an address."""
    parts = [p.strip() for chunk in raw.replace(";", ",").splitlines() for p in chunk.split(",")]
    emails = list(dict.fromkeys(auth.normalize_email(p) for p in parts if p))
    bad = [e for e in emails if "@" not in e or "." not in e.split("@")[-1] or " " in e or len(e) > 320]
    if not emails:
        raise Invalid(_("Enter at least one email address."), field="emails")
    if bad:
        raise Invalid(_("These are not email addresses: %(list)s", list=", ".join(bad[:5])), field="emails")
    if len(emails) > MAX_BATCH:
        raise Invalid(_("Invite at most %(n)s people at a time.", n=MAX_BATCH), field="emails")
    return emails


def issue(session: Session, settings: Settings, *, email: str, language: str, organization: Organization, purpose: InvitationPurpose,
          assessment_id: int | None, created_by_id: int | None) -> Issued:
    """A new invitation, or a fresh token for the same person's open invitation (no duplicates)."""
    if language not in settings.locales:
        language = settings.default_locale
    email = auth.normalize_email(email)
    existing = session.scalar(select(Invitation).where(
        Invitation.email == email, Invitation.organization_id == organization.id, Invitation.purpose == purpose,
        Invitation.assessment_id == assessment_id, Invitation.revoked_at.is_(None)))
    token = new_token("inv_")
    expires = utcnow() + dt.timedelta(days=settings.invitation_days)
    if existing is not None:
        existing.token_hash, existing.expires_at, existing.language = token_hash(token), expires, language
        invitation = existing
    else:
        invitation = Invitation(token_hash=token_hash(token), purpose=purpose, email=email, language=language,
                                organization_id=organization.id, assessment_id=assessment_id, created_by_id=created_by_id,
                                expires_at=expires)
        session.add(invitation)
    invitation.last_sent_at = utcnow()
    session.flush()
    audit.record(session, created_by_id, "invitation.sent", "invitation", invitation.id, organization.id, purpose=purpose.value)
    return Issued(invitation, token, replaces_earlier=existing is not None)


def find_valid(session: Session, token: str) -> Invitation:
    """The invitation a link opens, or NotFound with a message that says what to do."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token))) if 10 < len(token) < 200 else None
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation link is not valid (any more). Ask the person who invited you to send a new one."))
    if invitation.expires_at < utcnow():
        raise NotFound(_("This invitation link has expired. Ask the person who invited you to send a new one."))
    return invitation


def accept(session: Session, invitation: Invitation) -> User:
    """The invitee's account (created without a password the first time) with the role the invitation gives."""
    user = auth.get_user_by_email(session, invitation.email)
    if user is None:
        user = auth.create_user(session, invitation.email, password=None, language=invitation.language)
    organization = session.get(Organization, invitation.organization_id)
    assert organization is not None
    role = Role.partner_lead if invitation.purpose is InvitationPurpose.partner_lead else Role.respondent
    add_member(session, user, organization, role)
    if invitation.used_at is None:
        invitation.used_at = utcnow()
        invitation.user_id = user.id
        audit.record(session, user.id, "invitation.accepted", "invitation", invitation.id, organization.id)
    return user


def revoke(session: Session, invitation: Invitation, actor_id: int | None) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        # Sessions opened with this link end now, not when they expire.
        from app.auth.models import UserSession

        for s in session.scalars(select(UserSession).where(UserSession.invitation_id == invitation.id)):
            session.delete(s)
        audit.record(session, actor_id, "invitation.revoked", "invitation", invitation.id, invitation.organization_id)
