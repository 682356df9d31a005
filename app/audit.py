"""The audit log: who did what, to which object, when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


def record(session: Session, actor_id: int | None, action: str, obj_type: str, obj_id: object,
           organization_id: int | None = None, **details: Any) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, object_type=obj_type, object_id=str(obj_id),
                       organization_id=organization_id, details=details)
    session.add(event)
    return event
