"""Responses and answers: starting a response, validating and saving one answer (checked in SQL against a response,
assessment or cycle that closed meanwhile), the respondent's profile, counts."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, bindparam, case, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock
from app.assessments.cycles import assessment_is_open, instrument_of
from app.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Cycle,
    Depth,
    Response,
    ResponseStatus,
    Special,
)
from app.db import utcnow, writable
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument, Item, ItemType, Question
from app.text import clean_text

MAX_TEXT = 5000


# -- responses and answers ---------------------------------------------------------------------

def new_pseudonym() -> str:
    return "R-" + secrets.token_hex(5).upper()


def find_response(session: Session, assessment_id: int, user_id: int) -> Response | None:
    return session.scalar(select(Response).where(Response.assessment_id == assessment_id, Response.user_id == user_id))


def get_or_start_response(session: Session, assessment: Assessment, user_id: int, language: str, *,
                          invitation_id: int | None = None) -> Response:
    """The person's response to the assessment, started when there is none. ``invitation_id``: started from that
    invitation's link, and so reachable only through a session opened with a link (app.access.get_own_response)."""
    response = find_response(session, assessment.id, user_id)
    if response is None:
        response = Response(assessment_id=assessment.id, user_id=user_id, pseudonym=new_pseudonym(), language=language,
                            invited=invitation_id is not None, invitation_id=invitation_id)
        session.add(response)
        if assessment.status is AssessmentStatus.draft:
            assessment.status = AssessmentStatus.in_progress
        session.flush()
    return response


def restart_response(session: Session, response: Response, invitation_id: int) -> None:
    """Start a response afresh for a new invitation, its earlier one having been revoked (the respondent lost their
    return code): what was saved is deleted, never shown to anyone, and the response gets a new code."""
    ensure_writable(response)
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    response.role_group, response.race_ethnicity, response.last_page = None, None, None
    response.self_description = None
    response.pseudonym, response.invitation_id, response.updated_at = new_pseudonym(), invitation_id, utcnow()
    session.flush()


def ensure_writable(response: Response, today: dt.date | None = None) -> None:
    """Refuse a change that would be lost: a submitted response, a submitted assessment, a closed cycle."""
    assessment = response.assessment
    if response.status is ResponseStatus.submitted:
        raise Conflict(_("This response has been submitted and can no longer be changed."))
    if assessment.status is AssessmentStatus.submitted:
        raise Conflict(_("Your organization has submitted this assessment; answers can no longer be changed."))
    if not assessment_is_open(assessment, today):
        raise Conflict(_("This assessment cycle is closed; answers can no longer be changed."))


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """One answer as a form or the API sends it; ``value`` is the raw string of a choice or scale point."""

    item_id: str
    value: str | None = None
    choices: Sequence[str] = ()
    text: str | None = None
    comment: str | None = None


def asked_question(instrument: Instrument, depth: Depth, item_id: str) -> Item | Question:
    """An item the cycle asks, or a reflection/closing question; unknown ids are bad input."""
    question = instrument.question(item_id)
    if question is None or (isinstance(question, Item) and depth is Depth.core and question.step != 1):
        raise Invalid(_("Unknown question '%(id)s'.", id=item_id[:64]), field=item_id[:64])
    return question


def validate_answer(instrument: Instrument, depth: Depth, data: AnswerInput) -> dict[str, Any]:
    """The stored fields of an answer, or Invalid with a message tied to the question's field."""
    question = asked_question(instrument, depth, data.item_id)
    field = data.item_id
    stored: dict[str, Any] = {"value": None, "special": None, "choices": None, "text": None, "comment": None}
    comment = clean_text(data.comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise Invalid(_("The comment is too long: at most %(n)s characters.", n=f"{MAX_TEXT:,}"), field=f"{field}-comment")
    stored["comment"] = comment or None
    raw = (data.value or "").strip()
    if question.type is ItemType.rated:
        assert isinstance(question, Item) and question.scale is not None
        scale = instrument.scale(question.scale)
        if raw in ("dont_know", "not_applicable"):
            if getattr(scale, raw) is None:
                raise Invalid(_("This question cannot be answered that way."), field=field)
            stored["special"] = Special(raw)
        elif raw:
            try:
                value = int(raw)
            except ValueError:
                value = None
            if value is None or value not in scale.values:
                raise Invalid(_("Choose one of the answers offered."), field=field)
            stored["value"] = value
    elif question.type is ItemType.single_choice:
        if raw and raw not in {c.id for c in question.options or []}:
            raise Invalid(_("Choose one of the answers offered."), field=field)
        stored["choices"] = [raw] if raw else None
    elif question.type is ItemType.multiple_choice:
        allowed = [c.id for c in question.options or []]
        picked = [c for c in data.choices if c]
        if any(c not in allowed for c in picked):
            raise Invalid(_("Choose among the answers offered."), field=field)
        stored["choices"] = [c for c in allowed if c in picked] or None
    else:
        text = clean_text(data.text if data.text is not None else data.value or "").strip()
        if len(text) > MAX_TEXT:
            raise Invalid(_("The answer is too long: at most %(n)s characters.", n=f"{MAX_TEXT:,}"), field=field)
        stored["text"] = text or None
    return stored


ACTIVITY_RESOLUTION = dt.timedelta(minutes=1)


def save_answer(session: Session, catalogue: Catalogue, response: Response, data: AnswerInput) -> dict[str, Any]:
    """Store one answer (last write wins for that item; other items are never touched); returns what was stored.

    The response, assessment and cycle may have been read from a snapshot (the autosave reads without SQLite's write
    lock): the write itself checks, in the same statement, that the response can still be changed, so that an answer
    never lands in a response submitted, an assessment submitted or a cycle closed in the meantime.
    """
    ensure_writable(response)
    assessment = response.assessment
    instrument = instrument_of(catalogue, assessment.cycle)
    stored = validate_answer(instrument, assessment.cycle.depth, data)
    if data.comment is None:  # no comment sent: keep the stored one (an empty string clears it)
        stored.pop("comment")
    now = utcnow()
    writable(session)  # the write lock from here on (a snapshot read so far ends here)
    if not _upsert_answer(session, response.id, data.item_id, stored, now):
        _refuse_stale(session, response)
    # Last activity is shown to the minute: the response and assessment rows are rewritten at most once a minute
    # rather than on every keystroke's save (two writes fewer for nearly every save, under the write lock).
    if now - response.updated_at >= ACTIVITY_RESOLUTION:
        session.execute(update(Response).where(Response.id == response.id).values(updated_at=now))
    if now - assessment.updated_at >= ACTIVITY_RESOLUTION:
        session.execute(update(Assessment).where(Assessment.id == assessment.id).values(updated_at=now))
    return stored


def _refuse_stale(session: Session, response: Response) -> None:
    """The answer was not written: the response changed since it was read. Re-read it (the write lock is held) and say why."""
    session.refresh(response)
    session.refresh(response.assessment)
    session.refresh(response.assessment.cycle)
    ensure_writable(response)
    raise Conflict(_("This assessment cycle is closed; answers can no longer be changed."))  # closed at midnight in between


def _upsert_answer(session: Session, response_id: int, item_id: str, stored: dict[str, Any], now: dt.datetime) -> bool:
    """Insert or update the answer if its response can still be changed (the checks of ensure_writable, in SQL).
    False when it could not."""
    values = {"response_id": response_id, "item_id": item_id, "updated_at": now, **stored}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        return session.execute(_upsert_statement(dialect, tuple(stored)), {**values, "today": clock.today()}).rowcount == 1  # type: ignore[attr-defined]
    answer = session.scalar(select(Answer).where(Answer.response_id == response_id, Answer.item_id == item_id))
    if answer is None:
        session.add(Answer(**values))
    else:
        for key, value in values.items():
            setattr(answer, key, value)
    session.flush()
    return True


@functools.cache
def _upsert_statement(dialect: str, columns: tuple[str, ...]) -> Any:
    """INSERT ... SELECT ... WHERE <the response can be changed> ON CONFLICT DO UPDATE of an answer's `columns`, built
    once (the values come with each execution): building and keying a new statement per save cost more than running it."""
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    names = ("response_id", "item_id", *columns, "updated_at")
    table = Answer.__table__
    today = bindparam("today", type_=Date())
    open_response = (
        select(literal(1))
        .select_from(Response.__table__.join(Assessment.__table__, Assessment.id == Response.assessment_id)
                     .join(Cycle.__table__, Cycle.id == Assessment.cycle_id))
        .where(Response.id == bindparam("response_id"), Response.status == ResponseStatus.in_progress,
               Assessment.status != AssessmentStatus.submitted, Cycle.closed_at.is_(None), Cycle.opens_on <= today,
               case((Assessment.closes_on > Cycle.closes_on, Assessment.closes_on), else_=Cycle.closes_on) >= today)  # its deadline
        .exists()
    )
    rows = select(*(bindparam(name, type_=table.c[name].type) for name in names)).where(open_response)
    stmt = insert(table).from_select([table.c[name] for name in names], rows)
    upsert = stmt.on_conflict_do_update(index_elements=["response_id", "item_id"],
                                        set_={k: stmt.excluded[k] for k in (*columns, "updated_at")})
    return upsert.execution_options(preserve_rowcount=True)  # an INSERT's rowcount is kept only when asked for


def answers_of(session: Session, response_id: int) -> dict[str, Answer]:
    return {a.item_id: a for a in session.scalars(_answers_of_response(), {"response_id": response_id})}


@functools.cache
def _answers_of_response() -> Any:
    """Built once: it runs on every page a respondent sees."""
    return select(Answer).where(Answer.response_id == bindparam("response_id"))


def set_respondent_profile(session: Session, catalogue: Catalogue, response: Response, role_group: str | None,
                           race_ethnicity: Sequence[str]) -> None:
    ensure_writable(response)
    instrument = instrument_of(catalogue, response.assessment.cycle)
    roles = {c.id for c in instrument.respondent.role_group.options or []}
    if not role_group or role_group not in roles:
        raise Invalid(_("Choose the group that best describes your role."), field="role_group")
    question = instrument.respondent.race_ethnicity
    categories = [c.id for c in (question.options or [])] if question else []
    if any(c not in categories for c in race_ethnicity):
        raise Invalid(_("Choose among the answers offered."), field="race_ethnicity")
    response.role_group = role_group
    response.race_ethnicity = [c for c in categories if c in race_ethnicity] or None
    response.updated_at = utcnow()


MAX_SELF_DESCRIPTION = 200
SELF_DESCRIBE = "self_describe"


def set_self_description(response: Response, text: str | None) -> None:
    """What a respondent who ticked "I describe myself another way" wrote, for them alone: never grouped, never exported.
    Cleared when the option is not ticked. Call after set_respondent_profile."""
    ensure_writable(response)
    cleaned = " ".join(clean_text(text or "").split())
    if len(cleaned) > MAX_SELF_DESCRIPTION:
        raise Invalid(_("Your description is too long: at most %(n)s characters.", n=MAX_SELF_DESCRIPTION), field="self_description")
    response.self_description = (cleaned or None) if SELF_DESCRIBE in (response.race_ethnicity or []) else None


def response_counts(session: Session, assessment_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per assessment: how many responses are submitted and in progress."""
    counts: dict[int, dict[str, int]] = {a: {"submitted": 0, "in_progress": 0} for a in assessment_ids}
    if not assessment_ids:
        return counts
    rows = session.execute(select(Response.assessment_id, Response.status, func.count())
                           .where(Response.assessment_id.in_(assessment_ids)).group_by(Response.assessment_id, Response.status))
    for assessment_id, status, n in rows:
        counts[assessment_id][status.value] = n
    return counts
