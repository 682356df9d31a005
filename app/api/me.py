"""GET /api/v1/me: who the token or session belongs to."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.deps import CurrentUser

router = APIRouter(tags=["identity"])


class SeatOut(BaseModel):
    organization_id: int = Field(description="The id of the organization the seat is in")
    organization_kind: str = Field(description="backbone (the coordinating organization) or partner")
    role: str = Field(description="The role in that organization: backbone_admin, backbone_analyst, partner_lead, plan_editor, "
                                  "composition_editor or respondent")


class MeOut(BaseModel):
    id: int = Field(description="The user's id")
    email: str = Field(description="The user's email address")
    name: str = Field(description="The user's name (may be empty)")
    language: str = Field(description="The user's preferred language code, e.g. en or es")
    memberships: list[SeatOut] = Field(description="The user's seats: a role in an organization each")


@router.get("/me", summary="The signed-in user and their roles")
def me(principal: CurrentUser) -> MeOut:
    """Who the API token or the browser session belongs to, and each role they hold in an organization. Any signed-in
    user may call it."""
    return MeOut(id=principal.user_id, email=principal.email, name=principal.name, language=principal.language,
                 memberships=[SeatOut(organization_id=s.organization_id, organization_kind=s.kind.value, role=s.role.value)
                              for s in principal.seats])
