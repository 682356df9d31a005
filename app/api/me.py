"""GET /api/v1/me: who the token or session belongs to."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentUser

router = APIRouter(tags=["identity"])


class SeatOut(BaseModel):
    organization_id: int
    organization_kind: str
    role: str


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    language: str
    memberships: list[SeatOut]


@router.get("/me", summary="The signed-in user and their roles")
def me(principal: CurrentUser) -> MeOut:
    return MeOut(id=principal.user_id, email=principal.email, name=principal.name, language=principal.language,
                 memberships=[SeatOut(organization_id=s.organization_id, organization_kind=s.kind.value, role=s.role.value)
                              for s in principal.seats])
