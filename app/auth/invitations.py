"""Invitation links: personal, hashed at rest, expiring, revocable. A link is a key to one thing.

A respondent's link works as long as its cycle: until the end of the cycle's closing day in the partnership's time zone
(app.clock), or until the cycle is closed earlier; a later closing day (an extended cycle) extends it. "Send again" and
reminders send the same link and carry its validity to the cycle's close. A lead's link, which has no cycle, lasts
``settings.invitation_days``.

A respondent's link opens one response, in a session that reaches nothing else (not the person's account, not their
responses elsewhere) and ends when the invitation is revoked. Once the response is started, the link alone no longer
opens it on a new device: the respondent's own return code is asked for too (``resume_code``), so that whoever else saw
the link (a lead shown it on screen, a forwarded email) cannot read or change what the person wrote.

A lead's link opens nothing by itself: it is used once, to choose a password for a new account, or, when the email
already has an account, to add the seat after signing in with that account's password. It never signs anyone in as an
existing user.

The token is derived from the secret key and a random salt kept with the invitation (only its hash is stored), so that a
resend sends the same link again rather than killing the one people hold.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, clock, i18n
from app.assessments.models import Assessment, Cycle
from app.auth import service as auth
from app.auth.models import Invitation, InvitationPurpose, User
from app.auth.security import token_hash
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid, LinkGone
from app.i18n import gettext as _
from app.mail import render_mail
from app.mail import send as send_mail
from app.organizations.models import Organization, Role
from app.organizations.service import add_member
from app.text import email_address

MAX_BATCH = 50


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str
    replaces_earlier: bool = False  # a fresh link for an open invitation made before links were derived

    def link(self, settings: Settings) -> str:
        return f"{settings.base_url.rstrip('/')}/invite/{self.token}"


def link_of(settings: Settings, invitation: Invitation) -> str:
    """An invitation's link again (derived, as every resend is), for the person who made it: the caller checks who."""
    return f"{settings.base_url.rstrip('/')}/invite/{link_token(settings.secret_key, invitation)}"


def parse_emails(raw: str) -> list[str]:
    """Addresses separated by commas, semicolons or lines; a clear message for any that is not an address."""
    parts = [p.strip() for chunk in raw.replace(";", ",").splitlines() for p in chunk.split(",")]
    emails = list(dict.fromkeys(auth.normalize_email(p) for p in parts if p))
    bad = [e for e in emails if email_address(e) is None]
    if not emails:
        raise Invalid(_("Enter at least one email address."), field="emails")
    if bad:
        raise Invalid(_("These are not email addresses: %(list)s", list=", ".join(bad[:5])), field="emails")
    if len(emails) > MAX_BATCH:
        raise Invalid(_("Invite at most %(n)s people at a time.", n=MAX_BATCH), field="emails")
    return emails


# Invitations that give an account a seat (a password, or the account's sign-in), used once; the others open a response.
ACCOUNT_PURPOSES = (InvitationPurpose.partner_lead, InvitationPurpose.plan_editor, InvitationPurpose.composition_editor, InvitationPurpose.backbone_admin,
                    InvitationPurpose.backbone_analyst)


def issue(session: Session, settings: Settings, *, email: str, language: str, organization: Organization, purpose: InvitationPurpose,
          assessment_id: int | None, created_by_id: int | None) -> Issued:
    """A new invitation, or a fresh token for the same person's open invitation (no duplicates)."""
    if language not in settings.locales:
        language = settings.default_locale
    email = auth.normalize_email(email)
    query = select(Invitation).where(
        Invitation.email == email, Invitation.organization_id == organization.id, Invitation.purpose == purpose,
        Invitation.assessment_id == assessment_id, Invitation.revoked_at.is_(None))
    if purpose in ACCOUNT_PURPOSES:
        query = query.where(Invitation.used_at.is_(None))  # a lead's link is used once; a new invitation has a new link
    existing = session.scalar(query)
    assessment = session.get(Assessment, assessment_id) if assessment_id is not None else None
    cycle = assessment.cycle if assessment is not None else None
    expires = assessment_end(assessment) if assessment is not None else utcnow() + dt.timedelta(days=settings.invitation_days)
    legacy = existing is not None and existing.link_salt is None
    if existing is not None:
        invitation = existing
        # A respondent's link follows its cycle (a resend carries it to the cycle's close, it never shortens a lead's)
        invitation.expires_at = expires if cycle is not None else max(expires, invitation.expires_at)
        invitation.language = language
        if legacy:  # made before links were derived: its token cannot be sent again, so it gets a derived one
            invitation.link_salt = secrets.token_hex(16)
    else:
        invitation = Invitation(token_hash=secrets.token_hex(32), purpose=purpose, email=email, language=language, organization_id=organization.id,
                                assessment_id=assessment_id, created_by_id=created_by_id, expires_at=expires,
                                link_salt=secrets.token_hex(16))
        session.add(invitation)
        session.flush()
    token = link_token(settings.secret_key, invitation)
    invitation.token_hash = token_hash(token)
    invitation.last_sent_at = utcnow()
    session.flush()
    audit.record(session, created_by_id, "invitation.sent", "invitation", invitation.id, organization.id, purpose=purpose.value)
    return Issued(invitation, token, replaces_earlier=legacy)


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def link_token(secret: str, invitation: Invitation) -> str:
    """The token of an invitation's link: the same every time it is sent, unknown to anyone without the secret key."""
    assert invitation.link_salt is not None and invitation.id is not None
    return "inv_" + base64.urlsafe_b64encode(_mac(secret, f"link:{invitation.id}:{invitation.link_salt}")).decode().rstrip("=")


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper or a phone without doubt


def resume_code(secret: str, response_id: int, pseudonym: str) -> str:
    """A respondent's own return code (``XXXX-XXXX``, 40 bits), shown only in their own session: with their link it
    opens their started response on another device. Derived, so it can be shown again and is stored nowhere."""
    digest = _mac(secret, f"resume:{response_id}:{pseudonym}")
    n = int.from_bytes(digest[:5], "big")
    chars = "".join(_CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def code_matches(secret: str, response_id: int, pseudonym: str, typed: str) -> bool:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).replace("O", "0").replace("I", "1")
    expected = resume_code(secret, response_id, pseudonym).replace("-", "")
    return hmac.compare_digest(cleaned.encode(), expected.encode())


def end_of(day: dt.date) -> dt.datetime:
    """The end of a calendar day in the partnership's time zone (a UTC timestamp)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=clock.zone()).astimezone(dt.UTC)


def cycle_end(cycle: Cycle) -> dt.datetime:
    """The moment a cycle's links stop: the end of its closing day in the partnership's time zone (a UTC timestamp)."""
    return end_of(cycle.closes_on)


def assessment_end(assessment: Assessment) -> dt.datetime:
    """The moment a partner's links stop: the end of its deadline (an extension, or the cycle's closing day)."""
    return end_of(assessment.deadline)


def valid_until(session: Session, invitation: Invitation) -> dt.datetime:
    """Until when the invitation's link works: the end of its partner's deadline (which follows the cycle's closing day
    and a partner's extension, so a later day extends its links), or, for a lead's link, the expiry it was given."""
    assessment = session.get(Assessment, invitation.assessment_id) if invitation.assessment_id is not None else None
    return assessment_end(assessment) if assessment is not None else invitation.expires_at


def find_valid(session: Session, token: str) -> Invitation:
    """The invitation a link opens, or LinkGone (a NotFound) that says why, with the invitation's language where there is
    one. An unknown link and a revoked one get the same answer, in the browser's language (a revoked link's page in the
    invitation's language would tell that the link existed, and the invitee's language)."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token))) if 10 < len(token) < 200 else None
    if invitation is None or invitation.revoked_at is not None:
        raise LinkGone(_("This invitation link is not valid (any more). Ask the person who invited you to send a new one."),
                       reason="not-valid", language=None)
    assessment = session.get(Assessment, invitation.assessment_id) if invitation.assessment_id is not None else None
    cycle = assessment.cycle if assessment is not None else None
    if assessment is not None and cycle is not None and (cycle.closed_at is not None or assessment_end(assessment) <= utcnow()):
        closed_on = clock.local(cycle.closed_at).date() if cycle.closed_at is not None else assessment.deadline
        raise LinkGone(_("The assessment this link was for closed on %(date)s.", date=i18n.format_date(closed_on)),
                       reason="closed", language=invitation.language, closed_on=closed_on)
    if cycle is None and invitation.expires_at <= utcnow():
        raise LinkGone(_("This invitation link has expired. Ask the person who invited you to send a new one."),
                       reason="expired", language=invitation.language)
    return invitation


def accept(session: Session, invitation: Invitation, user: User | None = None, *, anonymous: bool = False) -> User:
    """Give the invitee the role the invitation gives: to ``user`` (an account that has just proven it is the invitee's)
    or to the account of the invitation's email, created without a password the first time.

    ``anonymous``: a respondent of an anonymous cycle; the log records that a link to the assessment was opened, not by
    whom nor which invitation's (an invitation's id, which its inviter knows, would name the person)."""
    if user is None:
        user = auth.get_user_by_email(session, invitation.email)
    if user is None:
        user = auth.create_user(session, invitation.email, password=None, language=invitation.language)
    organization = session.get(Organization, invitation.organization_id)
    assert organization is not None
    role = {InvitationPurpose.partner_lead: Role.partner_lead, InvitationPurpose.plan_editor: Role.plan_editor,
            InvitationPurpose.composition_editor: Role.composition_editor,
            InvitationPurpose.backbone_admin: Role.backbone_admin, InvitationPurpose.backbone_analyst: Role.backbone_analyst,
            }.get(invitation.purpose, Role.respondent)
    add_member(session, user, organization, role)
    if invitation.used_at is None:
        invitation.used_at = utcnow()
        invitation.user_id = user.id
        if anonymous:
            audit.record(session, None, "invitation.accepted", "assessment", invitation.assessment_id, organization.id)
        else:
            audit.record(session, user.id, "invitation.accepted", "invitation", invitation.id, organization.id)
    return user


def lead_link_state(session: Session, invitation: Invitation) -> str:
    """What a lead's link may do: 'used' (it has been, sign in instead), 'new-account' (choose a password), 'sign-in'
    (the email has an account: its owner signs in to take the seat) or 'no-password' (the email has an account without a
    password, made by a respondent's link: its owner gets one by a password reset, never through this link)."""
    if invitation.used_at is not None:
        return "used"
    user = auth.get_user_by_email(session, invitation.email)
    if user is None:
        return "new-account"
    # An account that exists is never given a password through a link: its owner signs in with it.
    return "sign-in" if user.password_hash else "no-password"


def revoke(session: Session, invitation: Invitation, actor_id: int | None) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        # Sessions opened with this link end now, not when they expire.
        from app.auth.models import UserSession

        for s in session.scalars(select(UserSession).where(UserSession.invitation_id == invitation.id)):
            session.delete(s)
        audit.record(session, actor_id, "invitation.revoked", "invitation", invitation.id, invitation.organization_id)


def send(db: Session, settings: Settings, issued: Issued, org: Organization, cycle: Cycle | None, minutes: int, *,
         reminder: bool = False) -> str | None:
    """Email the link in the invitee's language; returns the outbox file name when no SMTP server is set. A reminder
    has a subject of its own and says the closing date."""
    inv = issued.invitation
    backbone = db.get(Organization, org.backbone_id) if org.backbone_id else None
    with i18n.locale(inv.language):
        expires = i18n.format_date(inv.expires_at - dt.timedelta(microseconds=1))  # the last day it works, in the zone
        closes = i18n.format_date(cycle.closes_on) if cycle else ""
    subject, text, html = render_mail("invitation", inv.language, {
        "purpose": inv.purpose.value, "account_link": inv.purpose in ACCOUNT_PURPOSES, "org": org.name,
        "backbone": backbone.name if backbone else "", "cycle": cycle.name_in(inv.language) if cycle else "",
        "minutes": minutes, "link": issued.link(settings), "expires": expires,
        "replaces_earlier": issued.replaces_earlier, "reminder": reminder, "closes": closes})
    path = send_mail(settings, inv.email, subject, text, html)
    return path.name if path else None


def invited_count(db: Session, assessment: Assessment) -> int:
    """The people invited to answer (invitations to respond, revoked ones left out): the response rate's denominator."""
    return db.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.assessment_id == assessment.id, Invitation.purpose == InvitationPurpose.respond,
        Invitation.revoked_at.is_(None))) or 0


def invited_counts(db: Session, assessment_ids: list[int]) -> dict[int, int]:
    """Per assessment, the people invited to answer (as `invited_count`), in one query whatever the number of partners."""
    if not assessment_ids:
        return {}
    return dict(db.execute(select(Invitation.assessment_id, func.count()).where(
        Invitation.assessment_id.in_(assessment_ids), Invitation.purpose == InvitationPurpose.respond,
        Invitation.revoked_at.is_(None)).group_by(Invitation.assessment_id)).all())
