"""Submission and results: freezing a response, the anonymity rules of an organization's submission, scoring through
the pure engine and storing its Result (never computed here by hand), reopening, recomputing, the counted responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, defer

from app import audit
from app.assessments import disclosure
from app.assessments.answers import ensure_writable
from app.assessments.cycles import assessment_is_open, instrument_of
from app.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Cycle,
    Response,
    ResponseStatus,
    Result,
)
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.i18n import ngettext
from app.instruments.loader import Catalogue
from app.organizations.models import Membership, Organization, Role
from app.scoring import ENGINE_VERSION, AnswerIn, AssessmentResult, ResponseIn, score_assessment
from app.webhooks import service as webhooks


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


# -- submission and results --------------------------------------------------------------------

def runner_ids(session: Session, assessment_id: int) -> set[int]:
    """The users who run an assessment and see its result: its organization's leads and its backbone's staff. They know
    their own answers and could subtract them: their responses count toward no anonymity minimum."""
    organization = session.scalar(select(Organization).join(Assessment, Assessment.organization_id == Organization.id)
                                  .where(Assessment.id == assessment_id))
    if organization is None:
        return set()
    return set(session.scalars(select(Membership.user_id).where(or_(
        and_(Membership.organization_id == organization.id, Membership.role == Role.partner_lead),
        Membership.organization_id == organization.backbone_id))))


def scoring_inputs(session: Session, assessment_id: int) -> list[ResponseIn]:
    """The submitted responses of an assessment as the scoring engine takes them (those of the people who run it
    marked known: rule 8 counts them toward no group's minimum)."""
    runners = runner_ids(session, assessment_id)
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
                       race_ethnicity=tuple(r.race_ethnicity or ()), known=r.user_id in runners) for r in responses]


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
    if not assessment_is_open(locked, as_of):
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
    webhooks.emit(session, locked.organization.backbone_id, "assessment.submitted", webhooks.assessment_data(locked))
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
    runners = runner_ids(session, assessment.id)
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
    found = disclosure.isolated_late_answers([r for r in responses if r.user_id not in runners], late, shown, min_group_size)
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


def current_result(session: Session, assessment_id: int, *, deferred: bool = False) -> Result | None:
    """The assessment's current result; ``deferred``: its stored data (the whole result, tens of kilobytes of JSON) and
    summary are read only when used (a cached report needs the row's id alone)."""
    query = select(Result).where(Result.assessment_id == assessment_id, Result.is_current.is_(True))
    if deferred:
        query = query.options(defer(Result.data), defer(Result.summary))
    return session.scalar(query)


def assessments_with_results(session: Session, assessment_ids: Sequence[int]) -> set[int]:
    """Which of these assessments have a current result (one query)."""
    if not assessment_ids:
        return set()
    return set(session.scalars(select(Result.assessment_id).where(Result.assessment_id.in_(assessment_ids), Result.is_current.is_(True))))


def result_history(session: Session, assessment_id: int) -> list[Result]:
    return list(session.scalars(select(Result).where(Result.assessment_id == assessment_id).order_by(Result.computed_at, Result.id)))


def withdraw_small_results(session: Session, min_group_size: int, cycle_id: int | None = None, actor_id: int | None = None) -> int:
    """Withdraw the results of anonymous cycles that rest on fewer than the minimum of people besides the leads (stored
    before this rule existed): the result stops being current, so no page, export or report shows it, and the assessment
    is reopened, to be submitted again once enough people have answered. Returns how many were withdrawn."""
    query = (select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
             .where(Assessment.status == AssessmentStatus.submitted, Cycle.anonymous.is_(True)).order_by(Assessment.id))
    if cycle_id is not None:
        query = query.where(Assessment.cycle_id == cycle_id)
    n = 0
    for assessment in session.scalars(query).all():
        runners = runner_ids(session, assessment.id)
        counted = counted_responses(session, [assessment.id])[assessment.id]
        if sum(1 for r in counted if r.user_id not in runners) >= min_group_size:
            continue
        session.execute(update(Result).where(Result.assessment_id == assessment.id, Result.is_current.is_(True))
                        .values(is_current=False, superseded_at=utcnow()))
        assessment.status, assessment.updated_at = AssessmentStatus.reopened, utcnow()
        audit.record(session, actor_id, "result.withdrawn", "assessment", assessment.id, assessment.organization_id,
                     responses=len(counted))
        n += 1
    return n


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
        webhooks.emit(session, assessment.organization.backbone_id, "result.recomputed",
                      {**webhooks.assessment_data(assessment), "engine_version": ENGINE_VERSION})
        n += 1
    return n
