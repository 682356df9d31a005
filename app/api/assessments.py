"""GET /api/v1/assessments, one assessment's stored result and its submitted answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from app import access
from app.assessments import results as result_views
from app.assessments.models import Answer, Assessment, AssessmentStatus, Cycle, Response, ResponseStatus
from app.assessments.service import current_result
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import NotFound

router = APIRouter(prefix="/assessments", tags=["assessments"])


class OrganizationRef(BaseModel):
    id: int
    name: str
    sector: str
    size_band: str


class CycleRef(BaseModel):
    id: int
    name: str


class AssessmentOut(BaseModel):
    id: int
    organization: OrganizationRef
    cycle: CycleRef
    status: Literal["draft", "in_progress", "submitted", "reopened"]
    instrument_id: str
    instrument_version: str
    submitted_at: str | None


def assessment_out(a: Assessment) -> AssessmentOut:
    org, cycle = a.organization, a.cycle
    return AssessmentOut(id=a.id, organization=OrganizationRef(id=org.id, name=org.name, sector=org.sector, size_band=org.size_band),
                         cycle=CycleRef(id=cycle.id, name=cycle.name), status=a.status.value, instrument_id=cycle.instrument_id,
                         instrument_version=cycle.instrument_version, submitted_at=a.submitted_at.isoformat() if a.submitted_at else None)


@router.get("", summary="Assessments the caller may read, optionally of one cycle and status")
def list_assessments(db: SessionDep, principal: CurrentUser,
                     cycle: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                     status: Annotated[Literal["draft", "in_progress", "submitted", "reopened"] | None, Query()] = None) -> list[AssessmentOut]:
    query = select(Assessment).join(Cycle).where(access.assessment_scope(principal)).order_by(Assessment.id)
    if cycle is not None:
        query = query.where(Assessment.cycle_id == cycle)
    if status is not None:
        query = query.where(Assessment.status == AssessmentStatus(status))
    return [assessment_out(a) for a in db.scalars(query)]


@router.get("/{assessment_id}", summary="One assessment")
def get_assessment(assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser) -> AssessmentOut:
    return assessment_out(access.get_assessment(db, principal, assessment_id))


@router.get("/{assessment_id}/result", summary="The stored result: overall, domains, growth opportunities, groups")
def get_result(assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser) -> result_views.ResultOut:
    assessment = access.get_assessment(db, principal, assessment_id)
    row = current_result(db, assessment.id)
    if row is None:
        raise NotFound()
    return result_views.result_out(row)


class AnswerOut(BaseModel):
    respondent: str | None
    role_group: str | None
    race_ethnicity: list[str] | None
    language: str
    item_id: str
    value: int | None
    special: Literal["dont_know", "not_applicable"] | None
    choices: list[str] | None
    text: str | None
    comment: str | None


@router.get("/{assessment_id}/answers", summary="The submitted answers, pseudonymous, with small groups suppressed")
def get_answers(assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser,
                settings: SettingsDep) -> list[AnswerOut]:
    assessment = access.get_assessment(db, principal, assessment_id)
    return [AnswerOut(**row) for row in submitted_answers(db, assessment, access.may_see_individual_answers(principal, assessment),
                                                          settings.min_group_size)]


def submitted_answers(db: Any, assessment: Assessment, identify: bool, min_group_size: int) -> list[dict[str, Any]]:
    """Rows of the submitted answers, as exports and the API give them.

    ``identify`` False (an anonymous cycle seen by the organization itself): no respondent id, and rows are
    ordered by item and answer so that they cannot be linked back into one person's response.
    Group fields are kept only for groups that the stored result shows (at or above the minimum size,
    after complementary suppression).
    """
    row = current_result(db, assessment.id)
    shown = result_views.shown_groups(row.data if row else None)
    responses = db.scalars(select(Response).where(Response.assessment_id == assessment.id,
                                                  Response.status == ResponseStatus.submitted)).all()
    by_id = {r.id: r for r in responses}
    answers = db.scalars(select(Answer).where(Answer.response_id.in_(list(by_id))).order_by(Answer.response_id, Answer.id)).all()
    rows = []
    for a in answers:
        r = by_id[a.response_id]
        race = [c for c in (r.race_ethnicity or []) if c in shown["race_ethnicity"]]
        rows.append({
            "respondent": r.pseudonym if identify else None,
            "role_group": r.role_group if r.role_group in shown["role_group"] else None,
            "race_ethnicity": (race or None) if identify else None,
            "language": r.language,
            "item_id": a.item_id,
            "value": a.value,
            "special": a.special.value if a.special else None,
            "choices": a.choices,
            "text": a.text,
            "comment": a.comment,
        })
    if not identify:
        rows.sort(key=lambda x: (x["item_id"], x["value"] if x["value"] is not None else -1, x["special"] or "", x["comment"] or ""))
    return rows
