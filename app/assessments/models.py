"""Cycles, assessments, responses, answers and stored results."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.organizations.models import Organization, enum_column


class InstrumentRecord(Base):
    """The content hash of each instrument version, recorded the first time it is loaded."""

    __tablename__ = "instrument_versions"

    instrument_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    first_loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The spelling corrections loaded with it ([at, was, now], app.instruments.loader): a correction, once loaded, stays.
    corrections: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")


class Depth(StrEnum):
    core = "core"
    full = "full"


class Order(StrEnum):
    stepped = "stepped"
    integrated = "integrated"


class Cycle(Base):
    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    backbone_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # in the partnership's first language; also where `names` has none
    # The name in each other language of the partnership (language -> name); pages, emails and reports use name_in().
    names: Mapped[dict[str, Any] | None]
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(20))
    depth: Mapped[Depth] = mapped_column(enum_column(Depth, "cycle_depth"), default=Depth.full)
    order: Mapped[Order] = mapped_column(enum_column(Order, "cycle_order"), default=Order.integrated)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Days before closing on which `reassess serve` reminds everyone who has not finished (app/assessments/reminders.py);
    # None: the default (14 and 3), [] none.
    reminder_days: Mapped[list[Any] | None]
    # Whether each partner's lead is emailed when the cycle opens (app/assessments/announce.py), and when that was done.
    announce: Mapped[bool] = mapped_column(Boolean, default=False)
    announced_at: Mapped[dt.datetime | None]

    baseline: Mapped[Cycle | None] = relationship(remote_side="Cycle.id")

    def name_in(self, lang: str) -> str:
        """The cycle's name in the reader's language, or its first name when it has none in that language."""
        return str((self.names or {}).get(lang) or self.name)


class CycleReminder(Base):
    """A reminder round of a cycle: on ``due_on`` (by the schedule, or the day someone sent it by hand), to ``sent``
    people. The row is the claim: one per cycle and day, whichever web process inserts it first sends the round."""

    __tablename__ = "cycle_reminders"
    __table_args__ = (UniqueConstraint("cycle_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    scheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AssessmentStatus(StrEnum):
    draft = "draft"
    in_progress = "in_progress"
    submitted = "submitted"
    reopened = "reopened"


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("organization_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(enum_column(AssessmentStatus, "assessment_status"), default=AssessmentStatus.draft)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An extension for this partner alone: its own closing day, later than the cycle's (None: the cycle's).
    closes_on: Mapped[dt.date | None] = mapped_column(Date)

    organization: Mapped[Organization] = relationship()
    cycle: Mapped[Cycle] = relationship()

    @property
    def deadline(self) -> dt.date:
        """The last day this partner's people can answer: its extension, or the cycle's closing day."""
        return max(self.closes_on, self.cycle.closes_on) if self.closes_on else self.cycle.closes_on


class ResponseStatus(StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # What exports and the API show instead of a person: random, stable, meaningless.
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus, "response_status"), default=ResponseStatus.in_progress)
    language: Mapped[str] = mapped_column(String(8), default="en")
    role_group: Mapped[str | None] = mapped_column(String(64))
    race_ethnicity: Mapped[list[Any] | None]
    # What a respondent who chose "I describe myself another way" wrote: kept for them, never grouped, never exported.
    self_description: Mapped[str | None] = mapped_column(Text)
    last_page: Mapped[str | None] = mapped_column(String(64))
    # Started from an invitation link: reachable only through a session opened with that person's link (and, on a new
    # device, their return code), never through an account's sign-in (app.access.get_own_response).
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    # The invitation it was started with: a new invitation after that one was revoked starts the person afresh.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]

    assessment: Mapped[Assessment] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Special(StrEnum):
    dont_know = "dont_know"
    not_applicable = "not_applicable"


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(Integer)
    special: Mapped[Special | None] = mapped_column(enum_column(Special, "answer_special"))
    choices: Mapped[list[Any] | None]
    text: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")


class TextField(StrEnum):
    text = "text"  # the answer to a text question
    comment = "comment"  # a comment on any question


class TextMark(Base):
    """What an organization's lead decided about one text its people wrote: quote it in the report, or hide it (it
    identifies someone). The text itself stays as the respondent wrote it."""

    __tablename__ = "text_marks"
    __table_args__ = (UniqueConstraint("answer_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    field: Mapped[TextField] = mapped_column(enum_column(TextField, "text_field"))
    quoted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Result(Base):
    """The scoring engine's output for one assessment; a recomputation supersedes, never deletes."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    engine_version: Mapped[str] = mapped_column(String(20))
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]]
    # The few figures the comparison dashboard reads for hundreds of partners at once (see summarize()).
    summary: Mapped[dict[str, Any] | None]
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[dt.datetime | None]
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
