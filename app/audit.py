"""The audit log: who did what, to which object, when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, String, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, utcnow, writable


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


def record(session: Session, actor_id: int | None, action: str, obj_type: str, obj_id: object,
           organization_id: int | None = None, **details: Any) -> AuditEvent:
    writable(session)  # a download (GET) is logged too
    event = AuditEvent(actor_id=actor_id, action=action, object_type=obj_type, object_id=str(obj_id),
                       organization_id=organization_id, details=details)
    session.add(event)
    return event


# -- reading the log -------------------------------------------------------------------------------

PAGE_SIZE = 100


def labels() -> dict[str, str]:
    """What each recorded action means, in the reader's language."""
    from app.i18n import gettext as _

    return {
        "organization.created": _("Partner added"), "organization.updated": _("Partner changed"),
        "organization.archived": _("Partner archived"), "organization.restored": _("Partner restored"),
        "cycle.created": _("Cycle opened"), "cycle.closed": _("Cycle closed"), "cycle.reminded": _("Reminders sent"),
        "cycle.exported": _("Data exported"), "summary.downloaded": _("Partnership summary downloaded"),
        "webhook.added": _("Webhook added"), "webhook.removed": _("Webhook removed"),
        "resource.added": _("Local resource added"), "resource.removed": _("Local resource removed"),
        "invitation.sent": _("Invitation sent"), "invitation.accepted": _("Invitation accepted"),
        "invitation.revoked": _("Invitation revoked"), "response.submitted": _("Response submitted"),
        "assessment.submitted": _("Assessment submitted"), "assessment.reopened": _("Assessment reopened"),
        "result.recomputed": _("Result recomputed"), "result.withdrawn": _("Result withdrawn: too few respondents for an anonymous cycle"),
        "report.downloaded": _("Report downloaded"),
        "action.created": _("Action created"), "action.updated": _("Action changed"), "action.completed": _("Action done"),
        "action.dropped": _("Action dropped"), "action.noted": _("Progress note added"),
        "plan.editor_removed": _("Plan editor removed"),
        "checkin.created": _("Check-in added"), "checkin.removed": _("Check-in removed"), "checkin.reminded": _("Check-in reminders sent"),
        "target.created": _("Target added"), "target.updated": _("Target changed"), "target.removed": _("Target removed"),
        "text.quoted": _("Text chosen for the report"), "text.unquoted": _("Text taken out of the report"),
        "text.hidden": _("Text hidden: it identifies someone"), "text.shown": _("Hidden text shown again"),
        "audit.exported": _("Audit log exported"),
        "cycle.updated": _("Cycle changed"), "cycle.reopened": _("Cycle reopened"), "cycle.partners_added": _("Partners added to a cycle"),
        "cycle.reminders_scheduled": _("Reminder schedule changed"), "cycle.announced": _("Cycle announced to the partner leads"),
        "auth.signed_in": _("Signed in"), "auth.sign_in_failed": _("Failed sign-in"),
        "token.created": _("API token created"), "token.revoked": _("API token revoked"),
        "answers.read": _("Answers read"), "assessment.extended": _("Extension for a partner"),
        "password.reset_requested": _("Password link asked for by email"), "password.reset_link_made": _("Password link made by an admin"),
        "password.reset": _("New password set through a link"), "seat.removed": _("Seat removed"),
    }


def detail_labels() -> dict[str, str]:
    """The recorded details' names, in the reader's language."""
    from app.i18n import gettext as _

    return {"name": _("Name"), "fields": _("Changed"), "kind": _("Export"), "format": _("Format"), "language": _("Language"),
            "purpose": _("Invitation for"), "sent": _("Reminders sent"), "responses": _("Responses"),
            "engine_version": _("Scoring engine"), "reason": _("Reason"),
            "question": _("Question"), "field": _("Answer or comment"), "names": _("Names in other languages"),
            "date": _("Date"), "title": _("Title"), "address": _("Address"), "channel": _("Channel"), "scheduled": _("Scheduled"),
            "days": _("Days before closing"), "closes_on": _("Closes on"), "opens_on": _("Opens on"), "was": _("Before"),
            "partners": _("Partners"), "rows": _("Rows"), "role": _("Seat"),
            "shape": _("Shape"), "values": _("Values"), "headers": _("Headers"), "sector": _("Sector"), "size": _("Size")}


def detail_value(key: str, value: Any) -> str:
    """A recorded detail's value in the reader's language where it is a code (an export's kind, an invitation's purpose,
    a language, yes or no), else as recorded."""
    from app.i18n import gettext as _
    from app.i18n import language_name

    codes = {
        "kind": {"results": _("Results by partner and domain"), "items": _("Results by partner and question"),
                 "answers": _("Answers (pseudonymous)"), "dictionary": _("Data dictionary"), "actions": _("Action plans"),
                 "check_ins": _("Check-ins"), "targets": _("Targets"), "composition": _("Composition counts by partner")},
        "shape": {"long": _("long: one row per answer"), "wide": _("wide: one row per response")},
        "values": {"codes": _("codes"), "labels": _("labels")},
        "headers": {"codes": _("codes"), "labels": _("labels")},
        "purpose": {"respond": _("answering"), "partner_lead": _("leading a partner"), "plan_editor": _("editing a plan"),
                    "composition_editor": _("entering composition counts"),
                    "backbone_admin": _("the coordinating staff (administrator)"), "backbone_analyst": _("the coordinating staff (analyst)")},
        "role": {"backbone_admin": _("Backbone administrator"), "backbone_analyst": _("Backbone analyst"), "partner_lead": _("Partner lead"),
                 "plan_editor": _("Plan editor"), "composition_editor": _("Composition counts")},
        "channel": {"web": _("web"), "api": "API"},
    }
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "language" and isinstance(value, str):
        return language_name(value)
    if isinstance(value, list):
        return ", ".join(detail_value(key, v) for v in value)
    if isinstance(value, dict):  # e.g. a cycle's names: "Español: Seguimiento 2027"
        return ", ".join(f"{language_name(k) if key == 'names' else k}: {detail_value(key, v)}" for k, v in sorted(value.items()))
    return codes.get(key, {}).get(str(value), str(value))


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    action: str
    actor: str  # the person's name and email, or "" for the system
    organization: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    object_name: str = ""  # a cycle's name, where the object is a cycle


@dataclass(frozen=True)
class Filters:
    """What the log shows: an action, a person (part of a name or email), an organization, a date range (calendar days in
    the partnership's time zone, both included)."""

    action: str | None = None
    who: str = ""
    organization_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def backbone_events(session: Session, backbone_id: int, *, action: str | None = None, before: int | None = None,
                    limit: int | None = PAGE_SIZE, filters: Filters | None = None) -> list[Entry]:
    """The log of one backbone and its partners, newest first; ``before`` pages back by event id."""
    from app import clock
    from app.assessments.models import Cycle
    from app.auth.models import User
    from app.organizations.models import Organization

    f = filters or Filters(action=action)
    orgs = select(Organization.id).where(or_(Organization.id == backbone_id, Organization.backbone_id == backbone_id))
    query = (select(AuditEvent, User.name, User.email, Organization.name)
             .outerjoin(User, User.id == AuditEvent.actor_id).outerjoin(Organization, Organization.id == AuditEvent.organization_id)
             .where(AuditEvent.organization_id.in_(orgs)).order_by(AuditEvent.id.desc()))
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.who.strip():
        pattern = f"%{f.who.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern)))
    if f.organization_id:
        query = query.where(AuditEvent.organization_id == f.organization_id)
    if f.since:
        query = query.where(AuditEvent.at >= dt.datetime.combine(f.since, dt.time(0), tzinfo=clock.zone()).astimezone(dt.UTC))
    if f.until:
        query = query.where(AuditEvent.at < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(0), tzinfo=clock.zone()).astimezone(dt.UTC))
    if before:
        query = query.where(AuditEvent.id < before)
    if limit:
        query = query.limit(limit)
    rows = session.execute(query).all()
    cycle_ids = {int(e.object_id) for e, *_ in rows if e.object_type == "cycle" and e.object_id.isdigit()}
    cycles = {c.id: c for c in session.scalars(select(Cycle).where(Cycle.id.in_(cycle_ids)))} if cycle_ids else {}
    from app.i18n import get_locale

    lang = get_locale()
    return [Entry(e.id, e.at, e.action, f"{name} <{email}>" if name else (email or ""), org or "", e.object_type, e.object_id,
                  e.details or {}, cycles[int(e.object_id)].name_in(lang) if e.object_type == "cycle" and e.object_id.isdigit()
                  and int(e.object_id) in cycles else "") for e, name, email, org in rows]
