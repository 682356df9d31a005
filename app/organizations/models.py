"""Organizations (the backbone and its partners) and who belongs to them in which role."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, create_constraint=True, length=32, values_callable=lambda e: [m.value for m in e])


class OrgKind(StrEnum):
    backbone = "backbone"
    partner = "partner"


class Role(StrEnum):
    backbone_admin = "backbone_admin"
    backbone_analyst = "backbone_analyst"
    partner_lead = "partner_lead"
    respondent = "respondent"
    plan_editor = "plan_editor"  # changes the organization's action plan; reaches no answer and no result
    composition_editor = "composition_editor"  # enters the organization's composition counts (e.g. HR); reaches nothing else


BACKBONE_ROLES = (Role.backbone_admin, Role.backbone_analyst)

SECTORS = (
    "k12", "higher_education", "workforce", "employer", "culturally_specific", "nonprofit",
    "government", "health", "philanthropy", "other",
)
SIZE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1000+")


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"))
    # A partner belongs to the partnership its backbone coordinates.
    backbone_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40), default="other")
    size_band: Mapped[str] = mapped_column(String(20), default="1-10")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[dt.datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="organization", cascade="all, delete-orphan")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="memberships")


class LocalResource(Base):
    """Help the partnership itself offers (a local expert, a training, a community group), which the backbone lists beside
    the instrument's resources: on result pages and in reports, for one domain or for every domain."""

    __tablename__ = "local_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    backbone_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    domain_id: Mapped[str | None] = mapped_column(String(64))  # None: every domain
    language: Mapped[str | None] = mapped_column(String(8))  # None: every language; else shown to readers of that language only
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str] = mapped_column(Text, default="")  # what the reader finds there, who to ask
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
