"""A partner's action plan: actions that address growth opportunities, with dated progress notes.

A plan belongs to the organization across cycles (an action may span cycles). It never holds respondents' answers: an
action's text is what the lead (or a plan editor) wrote, even when they started it from a growth opportunity or a
commitment the team wrote.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.organizations.models import enum_column


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class ActionSource(StrEnum):
    opportunity = "opportunity"  # a growth opportunity of a result (source_ref: the item id)
    commitment = "commitment"  # the team's closing commitments (source_ref: the question id)
    scratch = "scratch"


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # The cycle whose result it was planned from (None: planned from scratch, outside a cycle).
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    domain_id: Mapped[str | None] = mapped_column(String(64))
    item_ids: Mapped[list[Any] | None]
    owner: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "action_status"), default=ActionStatus.planned)
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ActionSource] = mapped_column(enum_column(ActionSource, "action_source"), default=ActionSource.scratch)
    source_ref: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]

    notes: Mapped[list[ActionNote]] = relationship(back_populates="action", cascade="all, delete-orphan",
                                                   order_by="ActionNote.at.desc()")


class ActionNote(Base):
    """A dated progress note on an action."""

    __tablename__ = "action_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[dt.date] = mapped_column(Date)  # the day the note is about (today by default)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship(back_populates="notes")


class CheckIn(Base):
    """A date the backbone set for a cycle, by which partners update their plans (e.g. quarterly)."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    reminded_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TargetKind(StrEnum):
    share_at_level = "share_at_level"  # a share of partners at a readiness level or above
    median_change = "median_change"  # the partnership's median score up by some points from the reference cycle
    composition_gap = "composition_gap"  # people of color at a level (e.g. boards) within some points of the benchmark


class Target(Base):
    """A partnership's target (the backbone's), e.g. "by June 2028, 80 % of partners at Established or above in Data"."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    backbone_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TargetKind] = mapped_column(enum_column(TargetKind, "target_kind"))
    domain_id: Mapped[str] = mapped_column(String(64))  # a domain of the reference cycle's instrument, or "overall"
    level_index: Mapped[int | None] = mapped_column(Integer)
    share: Mapped[int | None] = mapped_column(Integer)  # percent of partners
    points: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str | None] = mapped_column(String(16))  # a composition_gap's level (board, leadership, managers, staff)
    # The cycle whose instrument names the domain, and the baseline of a median change.
    reference_cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
