"""Who holds the seats: a partner's counts of people by race and ethnicity (and, optionally, gender) per level, per cycle,
and the benchmarks (the community served) they are set against. Counts, never names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Composition(Base):
    """One partner's counts for one cycle: what the lead (or a person the lead named) entered, as of a date, from a source."""

    __tablename__ = "compositions"
    __table_args__ = (UniqueConstraint("organization_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # the date the counts refer to
    source: Mapped[str] = mapped_column(String(300), default="")  # e.g. "HR system, self-identified"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    counts: Mapped[list[CompositionCount]] = relationship(back_populates="composition", cascade="all, delete-orphan",
                                                          order_by="CompositionCount.id")


class CompositionCount(Base):
    """A number of people at one level (board, leadership, managers, staff, served) in one category of one dimension:
    ("total", "all") is the level's headcount; ("race", a category) and ("gender", a category) its groups."""

    __tablename__ = "composition_counts"
    __table_args__ = (UniqueConstraint("composition_id", "level", "dimension", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    composition_id: Mapped[int] = mapped_column(ForeignKey("compositions.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)

    composition: Mapped[Composition] = relationship(back_populates="counts")


class Benchmark(Base):
    """The community served, as shares of the population by race and ethnicity (percent): the partnership's (set by the
    backbone, organization_id None) or a partner's own service area."""

    __tablename__ = "benchmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    backbone_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # e.g. "Multnomah County population, 2020 census"
    source: Mapped[str] = mapped_column(String(300), default="")
    shares: Mapped[dict[str, Any]]  # category -> percent
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
