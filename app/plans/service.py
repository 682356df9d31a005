"""A partner's action plan: creating, changing and completing actions, and their dated progress notes.

Every check is here (the HTML form and the API share it): a bad field changes nothing and comes back as a message per
field in the user's language. Creating, changing, completing or dropping an action, and each note, is recorded in the
audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, clock
from app.db import utcnow
from app.errors import Invalid
from app.i18n import gettext as _
from app.i18n import ngettext
from app.instruments.schema import Instrument
from app.organizations import helpers
from app.organizations.models import Organization, Role
from app.plans.models import Action, ActionNote, ActionSource, ActionStatus
from app.text import clean_text

MAX_NOTE = 5_000
MAX_TEXT = 5_000
STATUS_ORDER = (ActionStatus.in_progress, ActionStatus.planned, ActionStatus.done, ActionStatus.dropped)


def status_labels() -> dict[str, str]:
    return {ActionStatus.planned.value: _("Planned"), ActionStatus.in_progress.value: _("In progress"),
            ActionStatus.done.value: _("Done"), ActionStatus.dropped.value: _("Dropped")}


@dataclass
class ActionFields:
    """An action as a form or the API gives it: text as typed, dates as ISO text or dates."""

    title: str = ""
    description: str = ""
    domain_id: str = ""
    item_ids: tuple[str, ...] = ()
    owner: str = ""
    starts_on: str | dt.date | None = None
    due_on: str | dt.date | None = None
    measure: str = ""
    status: str = ActionStatus.planned.value
    dropped_reason: str = ""


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    value = value.strip()
    return dt.date.fromisoformat(value) if value else None


def problems(fields: ActionFields, instrument: Instrument | None) -> tuple[dict[str, str], dict[str, Any]]:
    """What is wrong, per field (all at once), and the clean values when nothing is."""
    found: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["title"] = clean_text(fields.title).strip()
    if not clean["title"]:
        found["title"] = _("Give the action a title.")
    elif len(clean["title"]) > 200:
        found["title"] = _("The title is too long (at most %(n)s characters).", n=200)
    for key, limit in (("description", MAX_TEXT), ("measure", MAX_TEXT), ("dropped_reason", MAX_TEXT), ("owner", 200)):
        clean[key] = clean_text(getattr(fields, key) or "").strip()
        if len(clean[key]) > limit:
            found[key] = _("This is too long (at most %(n)s characters).", n=limit)
    domain = (fields.domain_id or "").strip() or None
    if domain is not None and (instrument is None or not any(d.id == domain for d in instrument.domains)):
        found["domain_id"] = _("Choose a domain from the list.")
    clean["domain_id"] = domain
    items = [i for i in fields.item_ids if i]
    if items and (instrument is None or not all(instrument.has_item(i) and (domain is None or instrument.item(i).domain == domain) for i in items)):
        found["item_ids"] = _("Choose questions of the action's domain.")
    clean["item_ids"] = items or None
    for key in ("starts_on", "due_on"):
        try:
            clean[key] = _date(getattr(fields, key))
        except ValueError:
            found[key] = _("Enter a date like 2026-09-30.")
    if clean.get("starts_on") and clean.get("due_on") and clean["due_on"] < clean["starts_on"]:
        found["due_on"] = _("The due date must be on or after the start date.")
    if fields.status not in ActionStatus.__members__:
        found["status"] = _("Choose a status from the list.")
    else:
        clean["status"] = ActionStatus(fields.status)
        if clean["status"] is ActionStatus.dropped and not clean["dropped_reason"] and "dropped_reason" not in found:
            found["dropped_reason"] = _("Say why the action is dropped: the follow-up reads it.")
    return found, clean


def _check(fields: ActionFields, instrument: Instrument | None) -> dict[str, Any]:
    found, clean = problems(fields, instrument)
    for field, message in found.items():
        raise Invalid(message, field=field)
    return clean


def create_action(db: Session, org: Organization, fields: ActionFields, instrument: Instrument | None, actor_id: int, *,
                  cycle_id: int | None = None, source: ActionSource = ActionSource.scratch, source_ref: str | None = None) -> Action:
    clean = _check(fields, instrument)
    action = Action(organization_id=org.id, cycle_id=cycle_id, source=source, source_ref=source_ref, created_by_id=actor_id, **clean)
    if action.status is ActionStatus.done:
        action.completed_at = utcnow()
    db.add(action)
    db.flush()
    audit.record(db, actor_id, "action.created", "action", action.id, org.id, title=action.title)
    return action


def update_action(db: Session, action: Action, fields: ActionFields, instrument: Instrument | None, actor_id: int) -> list[str]:
    """Change the action; returns the names of the fields that changed (recorded in the audit log)."""
    clean = _check(fields, instrument)
    changed = [k for k, v in clean.items() if getattr(action, k) != v]
    if not changed:
        return []
    was = action.status
    for k in changed:
        setattr(action, k, clean[k])
    action.updated_at = utcnow()
    if action.status is ActionStatus.done and was is not ActionStatus.done:
        action.completed_at = utcnow()
    elif action.status is not ActionStatus.done:
        action.completed_at = None
    event = ("action.completed" if action.status is ActionStatus.done and was is not ActionStatus.done else
             "action.dropped" if action.status is ActionStatus.dropped and was is not ActionStatus.dropped else "action.updated")
    audit.record(db, actor_id, event, "action", action.id, action.organization_id, fields=changed)
    return changed


def add_note(db: Session, action: Action, body: str, noted_on: str | dt.date | None, actor_id: int) -> ActionNote:
    text = clean_text(body or "").strip()
    if not text:
        raise Invalid(_("Write the note first."), field="body")
    if len(text) > MAX_NOTE:
        raise Invalid(_("The note is too long (at most %(n)s characters).", n=MAX_NOTE), field="body")
    try:
        day = _date(noted_on) or clock.today()
    except ValueError:
        raise Invalid(_("Enter a date like 2026-09-30."), field="noted_on") from None
    note = ActionNote(action_id=action.id, body=text, noted_on=day, author_id=actor_id)
    db.add(note)
    action.updated_at = utcnow()
    db.flush()
    audit.record(db, actor_id, "action.noted", "action", action.id, action.organization_id)
    return note


def plan_of(db: Session, org_id: int, until: dt.datetime | None = None) -> list[Action]:
    """The organization's actions (those that existed by ``until``, when given): under way first, then planned (by due
    date), done, dropped."""
    query = select(Action).where(Action.organization_id == org_id)
    if until is not None:
        query = query.where(Action.created_at <= until)
    rank = {s: n for n, s in enumerate(STATUS_ORDER)}
    return sorted(db.scalars(query), key=lambda a: (rank[a.status], a.due_on or dt.date.max, a.id))


@dataclass(frozen=True)
class CarriedAction:
    """An action of the plan a follow-up report's worksheet lists, with its status today."""

    title: str
    domain_id: str | None
    status: str
    owner: str
    due_on: dt.date | None
    dropped_reason: str

    @property
    def open(self) -> bool:
        return self.status in (ActionStatus.planned.value, ActionStatus.in_progress.value)


def carried_actions(db: Session, org_id: int, until: dt.datetime | None) -> list[CarriedAction]:
    """The actions of the organization's plan that existed when its follow-up was submitted (``until``), as they stand."""
    return [CarriedAction(a.title, a.domain_id, a.status.value, a.owner, a.due_on, a.dropped_reason) for a in plan_of(db, org_id, until)]


@dataclass(frozen=True)
class DomainLoop:
    """A domain's change since the baseline beside the actions that addressed it (described, not claimed as causal)."""

    domain_id: str
    title: str
    change: int | None
    counts: dict[str, int]  # status -> actions on this domain that existed when the follow-up was submitted

    @property
    def acted(self) -> bool:
        return any(n for s, n in self.counts.items() if s != ActionStatus.dropped.value)

    def actions_text(self) -> str:
        """E.g. "3 actions done; 1 action in progress", or "no action", in the reader's language."""
        forms = {ActionStatus.done.value: lambda n: ngettext("%(num)s action done", "%(num)s actions done", n),
                 ActionStatus.in_progress.value: lambda n: ngettext("%(num)s action in progress", "%(num)s actions in progress", n),
                 ActionStatus.planned.value: lambda n: ngettext("%(num)s action planned", "%(num)s actions planned", n),
                 ActionStatus.dropped.value: lambda n: ngettext("%(num)s action dropped", "%(num)s actions dropped", n)}
        parts = [forms[s.value](self.counts[s.value]) for s in (ActionStatus.done, ActionStatus.in_progress, ActionStatus.planned,
                                                              ActionStatus.dropped) if self.counts.get(s.value)]
        return "; ".join(parts) if parts else _("no action")


def action_counts(db: Session, org_id: int, until: dt.datetime | None) -> dict[str, dict[str, int]]:
    """Per domain, the organization's actions on it that existed by ``until`` (a follow-up's submission), by status."""
    query = select(Action.domain_id, Action.status, func.count()).where(Action.organization_id == org_id, Action.domain_id.is_not(None))
    if until is not None:
        query = query.where(Action.created_at <= until)
    counts: dict[str, dict[str, int]] = {}
    for domain_id, status, n in db.execute(query.group_by(Action.domain_id, Action.status)):
        counts.setdefault(domain_id, {})[status.value] = n
    return counts


def loop_rows(domains: list[tuple[str, str, int | None]], counts: dict[str, dict[str, int]]) -> list[DomainLoop]:
    return [DomainLoop(d, title, change, counts.get(d, {})) for d, title, change in domains]


def closing_the_loop(db: Session, org_id: int, domains: list[tuple[str, str, int | None]], until: dt.datetime | None) -> list[DomainLoop]:
    """Per domain (id, title, change since the baseline): the organization's actions on it that existed by ``until``
    (the follow-up's submission), counted by status."""
    return loop_rows(domains, action_counts(db, org_id, until))


@dataclass(frozen=True)
class ActedRow:
    """A domain's average change since the baseline among the partners that acted on it and among the others."""

    domain_id: str
    title: str
    acted: list[int]  # the changes (points) of the partners with an action on the domain (not dropped)
    others: list[int]

    @staticmethod
    def mean(values: list[int]) -> float | None:
        return sum(values) / len(values) if values else None


def acted_by_domain(db: Session, org_ids: list[int]) -> dict[str, set[int]]:
    """Per domain, the organizations with an action on it that was not dropped (one query)."""
    out: dict[str, set[int]] = {}
    if org_ids:
        for org_id, domain_id in db.execute(select(Action.organization_id, Action.domain_id).where(
                Action.organization_id.in_(org_ids), Action.domain_id.is_not(None), Action.status != ActionStatus.dropped).distinct()):
            out.setdefault(domain_id, set()).add(org_id)
    return out


def plan_editors(db: Session, org_id: int) -> list[tuple[int, str]]:
    """(user id, email) of the organization's plan editors, by email."""
    return helpers.holders(db, org_id, Role.plan_editor)


def remove_plan_editor(db: Session, org: Organization, user_id: int, actor_id: int) -> bool:
    return helpers.remove(db, org, user_id, Role.plan_editor, actor_id, "plan.editor_removed")
