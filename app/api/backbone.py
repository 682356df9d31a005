"""GET/POST /api/v1/partners: the backbone's partner organizations as JSON.

Backbone admins read and write; backbone analysts only read; a partner lead reads its own organization.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from app import access
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.api.schemas import PartnerOut, partner_out
from app.assessments.results import IdPath
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import Invalid
from app.organizations import service as orgs
from app.organizations.models import SECTORS, SIZE_BANDS, Organization, OrgKind

router = APIRouter(tags=["partners"])
class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Checked by organizations.service.partner_problems, as the form is: one line each, a known language, a unique name.
    name: str = Field(min_length=1, max_length=200, description="The organization's name: one line, unique within the partnership")
    sector: Literal[SECTORS] = Field(default="other", description="The sector's code")  # type: ignore[valid-type]
    size_band: Literal[SIZE_BANDS] = Field(default="1-10", description="The size band, by number of people")  # type: ignore[valid-type]
    preferred_language: str = Field(default="", max_length=16, description="one of REASSESS_LOCALES (default: the first)")
    contact_name: str = Field(default="", max_length=200, description="The contact person's name (optional)")
    contact_email: str = Field(default="", max_length=320, pattern=r"^$|^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$",
                               description="The contact person's email address (optional); a cycle's announcement invites it to lead when "
                                           "the partner has no lead yet")


@router.get("/partners", summary="Partner organizations the caller may read")
def list_partners(db: SessionDep, principal: CurrentUser, page: PagingDep,
                  archived: Annotated[bool, Query(description="Also the archived partners")] = False,
                  sector: Annotated[Literal[SECTORS] | None, Query(description="Only this sector")] = None,  # type: ignore[valid-type]
                  size_band: Annotated[Literal[SIZE_BANDS] | None, Query(description="Only this size band")] = None,  # type: ignore[valid-type]
                  ) -> list[PartnerOut]:
    """By name; a partner lead gets its own organization only."""
    query = select(Organization).where(access.org_scope(principal), Organization.kind == OrgKind.partner)
    if not archived:
        query = query.where(Organization.archived_at.is_(None))
    if sector:
        query = query.where(Organization.sector == sector)
    if size_band:
        query = query.where(Organization.size_band == size_band)
    return page.finish([partner_out(o) for o in db.scalars(page.apply(query.order_by(func.lower(Organization.name), Organization.id)))])


@router.get("/partners/{partner_id}", summary="One partner organization")
def read_partner(partner_id: IdPath, db: SessionDep, principal: CurrentUser) -> PartnerOut:
    """One partner organization, archived or not. Backbone staff read every partner of their partnership; a partner lead
    reads its own organization; any other id is a 404."""
    return partner_out(access.get_partner(db, principal, partner_id))


@router.post("/partners", status_code=201, summary="Add a partner organization (backbone admins)", responses=WRITE_ERRORS)
def add_partner(body: PartnerIn, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> PartnerOut:
    """Adds a partner organization to the caller's partnership, with the same checks as the form (one line each, a known
    language, a name no other partner has), and returns it. Backbone admins only; analysts get a 403."""
    backbone = access.get_backbone(db, principal, "admin")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in body.model_dump().items()}
    values["preferred_language"] = values["preferred_language"] or settings.default_locale
    for field, message in orgs.partner_problems(db, values, settings.locales, backbone.id).items():
        raise Invalid(message, field=field)
    org = orgs.create_partner(db, backbone, values, principal.user_id)
    db.commit()
    return partner_out(org)


