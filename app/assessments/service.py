"""Cycles, assessments, responses and answers: the operations, each taking a Session.

Scores are never computed here by hand: ``submit_assessment`` hands the submitted answers
to the pure scoring engine and stores what it returns as the assessment's current Result.
Callers decide who may do what through ``app.access`` before they call in.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, bindparam, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import audit, clock
from app.assessments import disclosure
from app.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Cycle,
    Depth,
    Order,
    Response,
    ResponseStatus,
    Result,
    Special,
)
from app.db import utcnow, writable
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.i18n import ngettext
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument, Item, ItemType, Question
from app.organizations.models import Membership, Organization, OrgKind, Role
from app.scoring import ENGINE_VERSION, AnswerIn, AssessmentResult, ResponseIn, score_assessment
from app.text import clean_text

MAX_TEXT = 5000


# -- cycles ------------------------------------------------------------------------------------

def instrument_of(catalogue: Catalogue, cycle: Cycle) -> Instrument:
    instrument = catalogue.find(cycle.instrument_id, cycle.instrument_version)
    if instrument is None:  # the catalogue refuses to start without a recorded version; this is a lost file
        raise NotFound(_("The instrument %(id)s %(version)s of this cycle is not installed.", id=cycle.instrument_id,
                         version=cycle.instrument_version))
    return instrument


def cycle_problems(name: str, opens_on: dt.date | None, closes_on: dt.date | None) -> dict[str, str]:
    """What is wrong with a cycle's name and dates, per field (forms show them all at once)."""
    found = {}
    if not name.strip():
        found["name"] = _("Give the cycle a name.")
    elif len(name.strip()) > 200:
        found["name"] = _("The name is too long (at most %(n)s characters).", n=200)
    if opens_on and closes_on and closes_on < opens_on:
        found["closes_on"] = _("The closing date must be on or after the opening date.")
    return found


def create_cycle(session: Session, *, backbone: Organization, actor_id: int | None, name: str, instrument: Instrument,
                 opens_on: dt.date, closes_on: dt.date, depth: Depth = Depth.full, order: Order = Order.integrated,
                 anonymous: bool = True, baseline: Cycle | None = None, partner_ids: Iterable[int] = ()) -> Cycle:
    name = name.strip()
    for field, message in cycle_problems(name, opens_on, closes_on).items():
        raise Invalid(message, field=field)
    if baseline is not None and baseline.backbone_id != backbone.id:
        raise NotFound()
    cycle = Cycle(backbone_id=backbone.id, name=name, instrument_id=instrument.id, instrument_version=instrument.version,
                  depth=depth, order=order, anonymous=anonymous, opens_on=opens_on, closes_on=closes_on,
                  baseline_id=baseline.id if baseline else None)
    session.add(cycle)
    session.flush()
    add_partners(session, cycle, partner_ids)
    audit.record(session, actor_id, "cycle.created", "cycle", cycle.id, backbone.id, name=name)
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


def cycle_is_open(cycle: Cycle, today: dt.date | None = None) -> bool:
    """Open on ``today`` (default: today in the partnership's time zone, app.clock), as every page and save decides it."""
    today = today or clock.today()
    return cycle.closed_at is None and cycle.opens_on <= today <= cycle.closes_on


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
    response.pseudonym, response.invitation_id, response.updated_at = new_pseudonym(), invitation_id, utcnow()
    session.flush()


def ensure_writable(response: Response, today: dt.date | None = None) -> None:
    """Refuse a change that would be lost: a submitted response, a submitted assessment, a closed cycle."""
    assessment = response.assessment
    if response.status is ResponseStatus.submitted:
        raise Conflict(_("This response has been submitted and can no longer be changed."))
    if assessment.status is AssessmentStatus.submitted:
        raise Conflict(_("Your organization has submitted this assessment; answers can no longer be changed."))
    if not cycle_is_open(assessment.cycle, today):
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
               Cycle.closes_on >= today)
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


def lock_assessment(session: Session, assessment_id: int) -> Assessment:
    """The assessment, re-read and locked until the transaction ends, so that submitting and reopening happen one at a time.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite: every transaction already holds the write lock (BEGIN IMMEDIATE).
    """
    locked = session.scalar(select(Assessment).where(Assessment.id == assessment_id).with_for_update())
    if locked is None:
        raise NotFound()
    session.refresh(locked)
    return locked


def submit_response(session: Session, response: Response, actor_id: int | None, as_of: dt.date | None = None) -> bool:
    """Freeze a response. Returns False when it was already submitted (a retry changes nothing).

    The assessment is locked first, as the lead's submission locks it: a response is never frozen into an assessment
    whose result was computed without it, and a double click cannot submit twice.
    """
    lock_assessment(session, response.assessment_id)
    session.refresh(response)
    if response.status is ResponseStatus.submitted:
        return False
    ensure_writable(response, as_of)
    response.status = ResponseStatus.submitted
    response.submitted_at = utcnow()
    # In an anonymous cycle the log says that someone submitted, never who; the pseudonym never goes into it.
    actor = None if response.assessment.cycle.anonymous else actor_id
    audit.record(session, actor, "response.submitted", "assessment", response.assessment_id, response.assessment.organization_id)
    return True


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


# -- submission and results --------------------------------------------------------------------

def scoring_inputs(session: Session, assessment_id: int) -> list[ResponseIn]:
    """The submitted responses of an assessment as the scoring engine takes them."""
    responses = session.scalars(select(Response).where(
        Response.assessment_id == assessment_id, Response.status == ResponseStatus.submitted).order_by(Response.id)).all()
    by_response: dict[int, dict[str, AnswerIn]] = {r.id: {} for r in responses}
    if responses:
        rows = session.execute(select(Answer.response_id, Answer.item_id, Answer.value, Answer.special)
                               .where(Answer.response_id.in_(list(by_response))))
        for response_id, item_id, value, special in rows:
            if value is not None or special is not None:
                by_response[response_id][item_id] = AnswerIn(value=value, special=special.value if special else None)
    return [ResponseIn(id=r.pseudonym, answers=by_response[r.id], role_group=r.role_group,
                       race_ethnicity=tuple(r.race_ethnicity or ())) for r in responses]


def compute_result(session: Session, catalogue: Catalogue, assessment: Assessment, min_group_size: int) -> AssessmentResult:
    instrument = instrument_of(catalogue, assessment.cycle)
    return score_assessment(instrument, scoring_inputs(session, assessment.id), depth=assessment.cycle.depth.value,
                            min_group_size=min_group_size)


def store_result(session: Session, assessment: Assessment, result: AssessmentResult) -> Result:
    now = utcnow()
    session.execute(update(Result).where(Result.assessment_id == assessment.id, Result.is_current.is_(True))
                    .values(is_current=False, superseded_at=now))
    row = Result(assessment_id=assessment.id, engine_version=ENGINE_VERSION, instrument_id=result.instrument_id,
                 instrument_version=result.instrument_version, data=(data := result.model_dump(mode="json")), summary=summarize(data),
                 computed_at=now)
    session.add(row)
    session.flush()
    return row


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    """Overall and per-domain score, shown score, level and policy/practice scores, from a stored result's data."""
    def pick(d: dict[str, Any]) -> dict[str, Any]:
        return {k: d.get(k) for k in ("score", "shown", "level", "policy_score", "practice_score") if k in d}

    return {"n_responses": data.get("n_responses", 0), "overall": pick(data.get("overall") or {}),
            "domains": {d["id"]: pick(d) for d in data.get("domains") or []}}


def submit_assessment(session: Session, catalogue: Catalogue, assessment: Assessment, actor_id: int | None,
                      min_group_size: int, as_of: dt.date | None = None) -> Result:
    """Submit the organization's assessment and store its result, in the caller's transaction.

    Idempotent: submitting an already submitted assessment returns its current result and changes nothing.
    ``as_of`` is the day the submission counts for (today; an earlier day only when importing history).
    """
    locked = lock_assessment(session, assessment.id)
    if locked.status is AssessmentStatus.submitted:
        current = current_result(session, locked.id)
        if current is not None:
            return current
    if not cycle_is_open(locked.cycle, as_of):
        raise Conflict(_("This assessment cycle is closed; the assessment can no longer be submitted."))
    n_submitted = session.scalar(select(func.count()).select_from(Response).where(
        Response.assessment_id == locked.id, Response.status == ResponseStatus.submitted)) or 0
    if not n_submitted:
        raise Invalid(_("No response has been submitted yet: at least one person must submit their answers first."))
    result = compute_result(session, catalogue, locked, min_group_size)
    if locked.cycle.anonymous:
        check_anonymity(session, locked, result, min_group_size)
    row = store_result(session, locked, result)
    locked.status = AssessmentStatus.submitted
    locked.submitted_at = row.computed_at
    locked.submitted_by_id = actor_id
    locked.updated_at = row.computed_at
    audit.record(session, actor_id, "assessment.submitted", "assessment", locked.id, locked.organization_id,
                 responses=n_submitted, engine_version=ENGINE_VERSION)
    return row


def check_anonymity(session: Session, assessment: Assessment, result: AssessmentResult, min_group_size: int) -> None:
    """In an anonymous cycle a result never rests on fewer than ``min_group_size`` people, alone or as the difference
    between two results (docs/privacy.md, guarantee 2):

    - the first result needs that many submitted responses from people other than those who run the assessment (the
      organization's leads, the backbone's staff): they know their own answers, and could subtract them;
    - a new result after reopening must not differ from the last one by the answers of more than none and fewer than
      that many people, in the whole or in any cell of the groups either shows (disclosure.isolated_late_answers):
      comparing the two would isolate them.
    """
    responses = session.scalars(select(Response).where(Response.assessment_id == assessment.id,
                                                       Response.status == ResponseStatus.submitted)).all()
    organization = assessment.organization
    runners = set(session.scalars(select(Membership.user_id).where(or_(
        and_(Membership.organization_id == organization.id, Membership.role == Role.partner_lead),
        Membership.organization_id == organization.backbone_id))))
    others = sum(1 for r in responses if r.user_id not in runners)
    if others < min_group_size:
        raise Invalid(_("This cycle is anonymous: the assessment can be submitted once at least %(min)s people besides its leads "
                        "have submitted their answers (so far: %(n)s), so that nobody's answers can be read from the results.",
                        min=min_group_size, n=others))
    previous = current_result(session, assessment.id)
    if previous is None:
        return
    late = {r.id for r in responses if r.submitted_at is None or r.submitted_at > previous.computed_at}
    shown = {kind: {*(previous.data.get("groups") or {}).get(kind, {}), *result.groups.get(kind, {})} for kind in ("role_group", "race_ethnicity")}
    found = disclosure.isolated_late_answers(responses, late, shown, min_group_size)
    if found is None:
        return
    added, whole = found
    if whole:
        raise Invalid(ngettext(
            "Since the last result, %(num)s more person has submitted. In an anonymous cycle a new result needs at least "
            "%(min)s new responses, so that nobody's answers can be found by comparing the two results.",
            "Since the last result, %(num)s more people have submitted. In an anonymous cycle a new result needs at least "
            "%(min)s new responses, so that nobody's answers can be found by comparing the two results.", added, min=min_group_size))
    raise Invalid(ngettext(
        "A new result now would differ from the last one by the answers of %(num)s person in one of the groups it shows. In "
        "an anonymous cycle it waits until that difference is at least %(min)s people, so that nobody's answers can be found "
        "by comparing the two results.",
        "A new result now would differ from the last one by the answers of %(num)s people in one of the groups it shows. In "
        "an anonymous cycle it waits until that difference is at least %(min)s people, so that nobody's answers can be found "
        "by comparing the two results.", added, min=min_group_size))


def counted_responses(session: Session, assessment_ids: Sequence[int]) -> dict[int, list[Response]]:
    """Per assessment, the submitted responses its current result was computed from (none before submission), in two
    queries whatever the number of assessments."""
    out: dict[int, list[Response]] = {a: [] for a in assessment_ids}
    if not assessment_ids:
        return out
    computed = dict(session.execute(select(Result.assessment_id, Result.computed_at).where(
        Result.assessment_id.in_(assessment_ids), Result.is_current.is_(True))).all())
    if computed:
        for r in session.scalars(select(Response).where(Response.assessment_id.in_(list(computed)),
                                                        Response.status == ResponseStatus.submitted).order_by(Response.id)):
            if r.submitted_at is not None and r.submitted_at <= computed[r.assessment_id]:
                out[r.assessment_id].append(r)
    return out


def reopen_assessment(session: Session, assessment: Assessment, actor_id: int | None, reason: str = "") -> bool:
    """Let the organization change its answers again; the stored result stays until the next submission."""
    assessment = lock_assessment(session, assessment.id)
    if assessment.status is not AssessmentStatus.submitted:
        return False
    assessment.status = AssessmentStatus.reopened
    assessment.updated_at = utcnow()
    audit.record(session, actor_id, "assessment.reopened", "assessment", assessment.id, assessment.organization_id,
                 reason=reason.strip()[:500])
    return True


def current_result(session: Session, assessment_id: int) -> Result | None:
    return session.scalar(select(Result).where(Result.assessment_id == assessment_id, Result.is_current.is_(True)))


def assessments_with_results(session: Session, assessment_ids: Sequence[int]) -> set[int]:
    """Which of these assessments have a current result (one query)."""
    if not assessment_ids:
        return set()
    return set(session.scalars(select(Result.assessment_id).where(Result.assessment_id.in_(assessment_ids), Result.is_current.is_(True))))


def result_history(session: Session, assessment_id: int) -> list[Result]:
    return list(session.scalars(select(Result).where(Result.assessment_id == assessment_id).order_by(Result.computed_at, Result.id)))


def recompute_results(session: Session, catalogue: Catalogue, min_group_size: int, cycle_id: int | None = None,
                      actor_id: int | None = None) -> int:
    """Recompute the result of every submitted assessment (of one cycle), keeping the old ones in history."""
    query = select(Assessment).where(Assessment.status == AssessmentStatus.submitted).order_by(Assessment.id)
    if cycle_id is not None:
        query = query.where(Assessment.cycle_id == cycle_id)
    n = 0
    for assessment in session.scalars(query).all():
        store_result(session, assessment, compute_result(session, catalogue, assessment, min_group_size))
        audit.record(session, actor_id, "result.recomputed", "assessment", assessment.id, assessment.organization_id,
                     engine_version=ENGINE_VERSION)
        n += 1
    return n
