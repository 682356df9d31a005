"""GET /api/v1/assessments, one assessment's stored result and its submitted answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
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
SINCE = "Only those changed since this time (ISO 8601): any activity for backbone staff, the submission for others"


class OrganizationRef(BaseModel):
    id: int = Field(description="The partner organization's id")
    name: str = Field(description="The organization's name")
    sector: str = Field(description="The sector's code (e.g. k12, nonprofit, government, other)")
    size_band: str = Field(description="The size band's code, by number of people: 1-10, 11-50, 51-200, 201-1000 or 1000+")


class CycleRef(BaseModel):
    id: int = Field(description="The cycle's id")
    name: str = Field(description="The cycle's name in the partnership's first language")


class AssessmentOut(BaseModel):
    id: int = Field(description="The assessment's id: one partner organization's assessment in one cycle")
    organization: OrganizationRef = Field(description="The partner organization that assesses itself")
    cycle: CycleRef = Field(description="The cycle the assessment belongs to")
    status: Literal["draft", "in_progress", "submitted", "reopened"] = Field(
        description="draft: nobody has started; in_progress: people are answering; submitted: the lead submitted it and it has a result; "
                    "reopened: open for answers again after a submission (the last result stays until the next one)")
    instrument_id: str = Field(description="The id of the instrument the cycle uses")
    instrument_version: str = Field(description="The instrument's version")
    submitted_at: str | None = Field(description="When it was last submitted (ISO 8601, UTC); null before the first submission")


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
                     updated_since: Annotated[dt.datetime | None, Query(description=SINCE)] = None,
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
        since = updated_since if updated_since.tzinfo else updated_since.replace(tzinfo=dt.UTC)
        # Backbone staff, who see each partner's last activity, filter on it; anyone else on the submission only (a lead
        # polling answers' activity could tell when each person it invited was answering).
        query = query.where((Assessment.updated_at if access.is_backbone(principal) else Assessment.submitted_at) >= since)
    return page.finish([assessment_out(a) for a in db.scalars(page.apply(query))])


@router.get("/{assessment_id}", summary="One assessment")
def get_assessment(assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser) -> AssessmentOut:
    """One assessment's organization, cycle, status and instrument. Backbone staff read every partner's; a partner lead
    reads its own organization's; any other id is a 404."""
    return assessment_out(access.get_assessment(db, principal, assessment_id))


@router.get("/{assessment_id}/result", summary="The stored result: overall, domains, growth opportunities, groups")
def get_result(assessment_id: result_views.IdPath, db: SessionDep, principal: CurrentUser) -> result_views.ResultOut:
    """The current stored result (computed at the last submission, or by `reassess results recompute`; not scored on reading):
    scores 0-100, shown scores and levels overall and per domain, growth opportunities, and the group results at or above
    the anonymity minimum. Backbone staff and the partner's leads may read it; before the first submission there is none (404)."""
    assessment = access.get_assessment(db, principal, assessment_id)
    row = current_result(db, assessment.id)
    if row is None:
        raise NotFound()
    return result_views.result_out(row)


class AnswerOut(BaseModel):
    respondent: str | None = Field(description="Named cycle: the respondent's email. Anonymous cycle: for the backbone, a code for the response "
                                               "that is new in every call (null when even that could single someone out); for the organization "
                                               "itself, null")
    role_group: str | None = Field(description="The role group the respondent chose (its id), or null when not given or withheld")
    race_ethnicity: list[str] | None = Field(description="The race/ethnicity categories the respondent chose (their ids), or null when none "
                                                         "was given or they are withheld")
    language: str | None = Field(description="The language code the response was given in, or null when withheld")
    item_id: str = Field(description="The question's (item's) id in the instrument")
    value: int | None = Field(description="The value chosen on the question's scale; null for a special answer or a question without a scale")
    special: Literal["dont_know", "not_applicable"] | None = Field(description="\"Don't know\" or \"Not applicable\" instead of a value; null otherwise")
    choices: list[str] | None = Field(description="The option ids chosen, for a choice question; null otherwise")
    text: str | None = Field(description="The written answer to a text question; null otherwise")
    comment: str | None = Field(description="The comment the respondent added to the question, if any")


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
