"""Cycles: their instrument version, dates and partners, and whether one is open today (in the partnership's calendar)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock, i18n
from app.assessments.models import (
    Assessment,
    Cycle,
    Depth,
    Order,
    Response,
)
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument
from app.organizations.models import Organization, OrgKind
from app.text import clean_text
from app.webhooks import service as webhooks

# -- cycles ------------------------------------------------------------------------------------

def instrument_of(catalogue: Catalogue, cycle: Cycle) -> Instrument:
    instrument = catalogue.find(cycle.instrument_id, cycle.instrument_version)
    if instrument is None:  # the catalogue refuses to start without a recorded version; this is a lost file
        raise NotFound(_("The instrument %(id)s %(version)s of this cycle is not installed.", id=cycle.instrument_id,
                         version=cycle.instrument_version))
    return instrument


def cycle_problems(name: str, opens_on: dt.date | None, closes_on: dt.date | None,
                   names: dict[str, str] | None = None) -> dict[str, str]:
    """What is wrong with a cycle's name (and its names in other languages: field ``name_<lang>``) and dates, per field
    (forms show them all at once)."""
    found = {}
    if not name.strip():
        found["name"] = _("Give the cycle a name.")
    elif len(name.strip()) > 200:
        found["name"] = _("The name is too long (at most %(n)s characters).", n=200)
    for lang, other in (names or {}).items():
        if len(other.strip()) > 200:
            found[f"name_{lang}"] = _("The name is too long (at most %(n)s characters).", n=200)
    if opens_on and closes_on and closes_on < opens_on:
        found["closes_on"] = _("The closing date must be on or after the opening date.")
    return found


def create_cycle(session: Session, *, backbone: Organization, actor_id: int | None, name: str, instrument: Instrument,
                 opens_on: dt.date, closes_on: dt.date, depth: Depth = Depth.full, order: Order = Order.integrated,
                 anonymous: bool = True, baseline: Cycle | None = None, partner_ids: Iterable[int] = (),
                 names: dict[str, str] | None = None) -> Cycle:
    """``names``: the cycle's name in other languages of the partnership (language -> name; empty ones are left out)."""
    name = clean_text(name).strip()
    names = {lang: clean_text(v).strip() for lang, v in (names or {}).items() if v and v.strip()}
    for field, message in cycle_problems(name, opens_on, closes_on, names).items():
        raise Invalid(message, field=field)
    if baseline is not None and baseline.backbone_id != backbone.id:
        raise NotFound()
    cycle = Cycle(backbone_id=backbone.id, name=name, names=names or None, instrument_id=instrument.id, instrument_version=instrument.version,
                  depth=depth, order=order, anonymous=anonymous, opens_on=opens_on, closes_on=closes_on,
                  baseline_id=baseline.id if baseline else None)
    session.add(cycle)
    session.flush()
    add_partners(session, cycle, partner_ids)
    audit.record(session, actor_id, "cycle.created", "cycle", cycle.id, backbone.id, name=name, **({"names": names} if names else {}))
    return cycle


def add_partners(session: Session, cycle: Cycle, partner_ids: Iterable[int]) -> list[Assessment]:
    """Give each partner of the cycle's backbone an assessment in the cycle (once)."""
    ids = set(partner_ids)
    if not ids:
        return []
    partners = session.scalars(select(Organization).where(
        Organization.id.in_(ids), Organization.kind == OrgKind.partner, Organization.backbone_id == cycle.backbone_id)).all()
    if len(partners) != len(ids):
        raise NotFound()
    existing = set(session.scalars(select(Assessment.organization_id).where(Assessment.cycle_id == cycle.id)))
    created = [Assessment(organization_id=p.id, cycle_id=cycle.id) for p in partners if p.id not in existing]
    session.add_all(created)
    session.flush()
    return created


def update_cycle(session: Session, cycle: Cycle, actor_id: int | None, *, name: str, names: dict[str, str], opens_on: dt.date,
                 closes_on: dt.date, partner_ids: Iterable[int] = ()) -> list[Assessment]:
    """Rename a cycle (a name per language), move its dates (respondents' links follow its closing day) and add partners
    to it; returns the assessments added. Checked as a new cycle is (``cycle_problems``), and a cycle that people have
    answered cannot start later than today. Audited: the fields changed, and the partners added."""
    name = clean_text(name).strip()
    names = {lang: clean_text(v).strip() for lang, v in names.items() if v and v.strip()}
    for field, message in cycle_problems(name, opens_on, closes_on, names).items():
        raise Invalid(message, field=field)
    answered = session.scalar(select(Response.id).join(Assessment, Assessment.id == Response.assessment_id)
                              .where(Assessment.cycle_id == cycle.id).limit(1)) is not None
    if answered and opens_on > max(cycle.opens_on, clock.today()):
        raise Invalid(_("People have answered already: the cycle cannot open later than today."), field="opens_on")
    before = {"name": cycle.name, "names": cycle.names or {}, "opens_on": cycle.opens_on, "closes_on": cycle.closes_on}
    cycle.name, cycle.names, cycle.opens_on, cycle.closes_on = name, names or None, opens_on, closes_on
    after = {"name": cycle.name, "names": cycle.names or {}, "opens_on": cycle.opens_on, "closes_on": cycle.closes_on}
    changed = [k for k in before if before[k] != after[k]]
    if changed:
        audit.record(session, actor_id, "cycle.updated", "cycle", cycle.id, cycle.backbone_id, fields=changed,
                     opens_on=opens_on.isoformat(), closes_on=closes_on.isoformat())
    added = add_partners(session, cycle, partner_ids)
    if added:
        audit.record(session, actor_id, "cycle.partners_added", "cycle", cycle.id, cycle.backbone_id,
                     partners=[a.organization_id for a in added])
    return added


def cycle_is_open(cycle: Cycle, today: dt.date | None = None) -> bool:
    """Open on ``today`` (default: today in the partnership's time zone, app.clock), as every page and save decides it."""
    today = today or clock.today()
    return cycle.closed_at is None and cycle.opens_on <= today <= cycle.closes_on


def assessment_is_open(assessment: Assessment, today: dt.date | None = None) -> bool:
    """Whether this partner's people can answer and its lead submit: the cycle is not closed early, has opened, and the
    partner's deadline (an extension, or the cycle's closing day) has not passed."""
    today = today or clock.today()
    cycle = assessment.cycle
    return cycle.closed_at is None and cycle.opens_on <= today <= assessment.deadline


def extend(session: Session, assessment: Assessment, closes_on: str, actor_id: int | None) -> None:
    """Give one partner a later closing day than its cycle's (empty: back to the cycle's). Audited."""
    cycle = assessment.cycle
    if cycle.closed_at is not None:
        raise Invalid(_("The cycle is closed; reopen it first."), field="closes_on")
    text = closes_on.strip()
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise Invalid(_("Enter a date like 2026-09-30."), field="closes_on") from None
    if day is not None and day <= cycle.closes_on:
        raise Invalid(_("An extension ends after the cycle's closing day (%(date)s).", date=i18n.format_date(cycle.closes_on)),
                      field="closes_on")
    if day is not None and day < clock.today():
        raise Invalid(_("Give a closing date from today on."), field="closes_on")
    assessment.closes_on = day
    audit.record(session, actor_id, "assessment.extended", "assessment", assessment.id, assessment.organization_id,
                 closes_on=(day or cycle.closes_on).isoformat())


def cycle_state(cycle: Cycle, today: dt.date | None = None) -> str:
    """'open', 'upcoming' or 'closed' (closed early or past its closing date), as pages show it."""
    today = today or clock.today()
    if cycle_is_open(cycle, today):
        return "open"
    return "upcoming" if cycle.closed_at is None and today < cycle.opens_on else "closed"



def close_cycle(session: Session, cycle: Cycle, actor_id: int | None) -> None:
    if cycle.closed_at is None:
        cycle.closed_at = utcnow()
        audit.record(session, actor_id, "cycle.closed", "cycle", cycle.id, cycle.backbone_id)
        webhooks.emit(session, cycle.backbone_id, "cycle.closed", {"cycle_id": cycle.id, "closed_at": cycle.closed_at.isoformat()})


def reopen_cycle(session: Session, cycle: Cycle, actor_id: int | None, closes_on: str = "") -> None:
    """Undo a closing (or reopen a cycle past its closing date) until ``closes_on`` (ISO; default: its closing date, if it
    has not passed). Links work again until then (they follow the cycle); what was submitted stays submitted. Audited."""
    today = clock.today()
    if cycle_is_open(cycle, today) or (cycle.closed_at is None and today < cycle.opens_on):
        raise Invalid(_("This cycle is not closed."), field="closes_on")
    try:
        until = dt.date.fromisoformat(closes_on.strip()) if closes_on.strip() else cycle.closes_on
    except ValueError:
        raise Invalid(_("Enter a date like 2026-09-30."), field="closes_on") from None
    if until < today:
        raise Invalid(_("Give a closing date from today on (the cycle's closing date, %(date)s, has passed).",
                        date=i18n.format_date(cycle.closes_on)), field="closes_on")
    was = cycle.closes_on
    cycle.closed_at = None
    cycle.closes_on = until
    audit.record(session, actor_id, "cycle.reopened", "cycle", cycle.id, cycle.backbone_id, closes_on=until.isoformat(),
                 was=was.isoformat())
