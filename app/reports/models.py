"""Rendered reports, cached by (result, language, paper, template version)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ReportCacheEntry(Base):
    __tablename__ = "report_cache"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "language", "paper", "template_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "assessment" (subject: a result) or "cycle" (subject: a cycle digest)
    subject_id: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    paper: Mapped[str] = mapped_column(String(10))
    template_version: Mapped[str] = mapped_column(String(40))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
