"""/api/v1/webhooks: the backbone's webhooks and their deliveries (backbone administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from app import access
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.assessments.results import IdPath
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.webhooks import service
from app.webhooks.models import EVENTS, Webhook

router = APIRouter(tags=["webhooks"])
Event = Literal[EVENTS]  # type: ignore[valid-type]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000, description="The https:// address that receives the events (POST, JSON)")
    events: Annotated[list[Event], Field(min_length=1, max_length=len(EVENTS), description="The events it receives")]


class WebhookOut(BaseModel):
    id: int = Field(description="The webhook's id")
    url: str = Field(description="The address the events are sent to")
    events: list[str] = Field(description="The events it receives")
    active: bool = Field(description="Whether events are sent to it")
    created_at: dt.datetime = Field(description="When it was registered")


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="The signing secret (HMAC-SHA256 of TIMESTAMP.BODY): given only in this answer")


class DeliveryOut(BaseModel):
    id: int = Field(description="The delivery's id, also sent in the X-Reassess-Delivery header")
    event: str = Field(description="assessment.submitted, cycle.closed, result.recomputed, or ping (a test)")
    status: Literal["pending", "delivered", "failed"] = Field(description="pending: not sent yet or to be tried again; failed: no more attempts")
    attempts: int = Field(description="How many times sending it has been tried")
    next_attempt_at: dt.datetime | None = Field(description="When it is tried next (pending only)")
    last_status: int | None = Field(description="The receiver's last HTTP status")
    last_error: str | None = Field(description="Why the last attempt failed")
    created_at: dt.datetime = Field(description="When the event happened and the delivery was queued")
    delivered_at: dt.datetime | None = Field(description="When the receiver answered 2xx; null until then")


def webhook_out(h: Webhook) -> WebhookOut:
    return WebhookOut(id=h.id, url=h.url, events=list(h.events or []), active=h.active, created_at=h.created_at)


@router.get("/webhooks", summary="The partnership's webhooks (backbone admins)", responses={403: WRITE_ERRORS[403]})
def list_webhooks(db: SessionDep, principal: CurrentUser, page: PagingDep) -> list[WebhookOut]:
    """The webhooks registered for the caller's partnership, oldest first, without their secrets. Backbone admins only
    (analysts get a 403)."""
    return page.slice([webhook_out(h) for h in service.hooks_of(db, access.get_backbone(db, principal, "admin").id)])


@router.post("/webhooks", status_code=201, summary="Register a webhook (backbone admins)", responses=WRITE_ERRORS)
def add_webhook(body: WebhookIn, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> NewWebhookOut:
    """Deliveries are POSTed as JSON with the headers X-Reassess-Event, X-Reassess-Delivery, X-Reassess-Timestamp and
    X-Reassess-Signature (`sha256=` and the HMAC-SHA256 of `TIMESTAMP.BODY` with the secret); tried again after 1 min,
    5 min, 30 min, 2 h and 12 h when the receiver does not answer 2xx."""
    backbone = access.get_backbone(db, principal, "admin")
    hook = service.register(db, backbone.id, body.url, list(body.events), principal.user_id, settings)
    db.commit()
    return NewWebhookOut(**webhook_out(hook).model_dump(), secret=hook.secret)


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Remove a webhook (backbone admins)", responses=WRITE_ERRORS)
def remove_webhook(webhook_id: IdPath, db: SessionDep, principal: CurrentUser) -> Response:
    """Removes the webhook and its deliveries, sent or not; nothing more is sent to it. Backbone admins only (analysts get
    a 403)."""
    hook = service.get_hook(db, access.get_backbone(db, principal, "admin").id, webhook_id)
    service.remove(db, hook, principal.user_id)
    db.commit()
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/ping", status_code=202, summary="Send a test event to a webhook (backbone admins)", responses=WRITE_ERRORS)
def ping_webhook(webhook_id: IdPath, db: SessionDep, principal: CurrentUser) -> DeliveryOut:
    """Queues a ping event to the webhook, sent at the next webhook run (every 15 s by default), and returns the pending
    delivery. Backbone admins only (analysts get a 403)."""
    hook = service.get_hook(db, access.get_backbone(db, principal, "admin").id, webhook_id)
    delivery = service.ping(db, hook)
    db.commit()
    return DeliveryOut.model_validate(delivery, from_attributes=True)


@router.get("/webhooks/{webhook_id}/deliveries", summary="A webhook's deliveries, newest first (backbone admins)",
            responses={403: WRITE_ERRORS[403]})
def list_deliveries(webhook_id: IdPath, db: SessionDep, principal: CurrentUser, page: PagingDep) -> list[DeliveryOut]:
    """Each event sent or to be sent to the webhook, newest first, with its status, attempts and the receiver's last answer.
    Backbone admins only (analysts get a 403)."""
    hook = service.get_hook(db, access.get_backbone(db, principal, "admin").id, webhook_id)
    rows = service.deliveries_of(db, hook, limit=page.limit + 1, offset=page.offset)
    return page.finish([DeliveryOut.model_validate(d, from_attributes=True) for d in rows])
