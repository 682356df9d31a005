"""GET /api/v1/assessments, one assessment's stored result and its submitted answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from app import access, audit
from app.api.paging import PagingDep
from app.assessments import results as result_views
from app.assessments.models import Assessment, AssessmentStatus, Cycle
from app.assessments.service import current_result
from app.auth.ratelimit import client_key
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import NotFound
from app.exports.answers import submitted_answers

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


@router.get("", summary="Assessments the caller may read, optionally of one cycle, organization and status")
def list_assessments(db: SessionDep, principal: CurrentUser, page: PagingDep,
                     cycle: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this cycle's")] = None,
                     organization: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this organization's")] = None,
                     status: Annotated[Literal["draft", "in_progress", "submitted", "reopened"] | None, Query(description="Only in this status")] = None,
                     updated_since: Annotated[dt.datetime | None, Query(description="Only those changed since (ISO 8601)")] = None,
                     ) -> list[AssessmentOut]:
    """By id."""
    query = select(Assessment).join(Cycle).where(access.assessment_scope(principal)).order_by(Assessment.id)
    if cycle is not None:
        query = query.where(Assessment.cycle_id == cycle)
    if organization is not None:
        query = query.where(Assessment.organization_id == organization)
    if status is not None:
        query = query.where(Assessment.status == AssessmentStatus(status))
    if updated_since is not None:
        query = query.where(Assessment.updated_at >= (updated_since if updated_since.tzinfo else updated_since.replace(tzinfo=dt.UTC)))
    return page.finish([assessment_out(a) for a in db.scalars(page.apply(query))])


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
    language: str | None
    item_id: str
    value: int | None
    special: Literal["dont_know", "not_applicable"] | None
    choices: list[str] | None
    text: str | None
    comment: str | None


@router.get("/{assessment_id}/answers", summary="The answers the submitted result counts (none before submission)",
            description="Anonymous cycle: for the backbone, per response a code that is new in every call, responses in a random "
                        "order, and only the group fields (role group, race/ethnicity, language) whose every combination at least "
                        "the anonymity minimum share; for the organization itself, no respondent and no group field, each item's "
                        "answers in a random order. Named cycle: the respondent's email and group fields.")
def get_answers(request: Request, assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser,
                settings: SettingsDep) -> list[AnswerOut]:
    assessment = access.get_assessment(db, principal, assessment_id)
    rows = [AnswerOut(**row) for row in submitted_answers(db, assessment, access.answers_view(principal, assessment), settings.min_group_size)]
    # Reading raw answers is logged, as the web's exports are: who, through which channel, from which address.
    audit.record(db, principal.user_id, "answers.read", "assessment", assessment.id, assessment.organization_id, channel="api",
                 address=client_key(request), rows=len(rows))
    db.commit()
    return rows
