"""Webhooks: a backbone admin registers a URL for events; each event becomes a delivery row in the same transaction as
what caused it (an outbox: a request never waits for, nor fails with, someone else's server), and `reassess serve`'s
scheduler sends the due deliveries (app/scheduler.py), signed, retried with back-off, each attempt's outcome kept.

What a delivery carries: ids, dates and counts that the backbone already sees on its pages, never an answer, a
respondent or a text (docs/privacy.md). Events: an assessment submitted (by its organization), a cycle closed (by an
admin), a result recomputed (`reassess results recompute`).

Signature: ``X-Reassess-Signature: sha256=HEX``, the HMAC-SHA256 of ``TIMESTAMP.BODY`` with the webhook's secret, where
TIMESTAMP is the ``X-Reassess-Timestamp`` header (Unix seconds): a receiver recomputes it, compares in constant time
and refuses old timestamps (replays).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app import audit
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.webhooks.models import DELIVERED, EVENTS, FAILED, PENDING, Webhook, WebhookDelivery

log = logging.getLogger("reassess")

BACKOFF_S = (60, 300, 1800, 7200, 43200)  # after attempt 1, 2, ...: then the delivery has failed for good
MAX_ATTEMPTS = len(BACKOFF_S) + 1
TIMEOUT_S = 10.0
CLAIM_S = 120  # a claimed delivery is another process's for this long (longer than a send can take)
BATCH = 50
USER_AGENT = "reassess-webhooks/1"


def event_labels() -> dict[str, str]:
    return {"assessment.submitted": _("An assessment is submitted"), "cycle.closed": _("A cycle is closed"),
            "result.recomputed": _("A result is recomputed"), "ping": _("Test event")}


# -- registering -------------------------------------------------------------------------------

def check_url(url: str, allow_private: bool) -> str:
    """A webhook's URL as stored, or Invalid with a message in the user's language."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 2000 or any(c.isspace() for c in url):
        raise Invalid(_("Enter the full address that should receive the events, starting with https://."), field="url")
    if parts.scheme != "https" and not allow_private:
        raise Invalid(_("Enter the full address that should receive the events, starting with https://."), field="url")
    if parts.username or parts.password:
        raise Invalid(_("Leave the user name and password out of the address: deliveries are signed instead."), field="url")
    if not allow_private and any(not _global(ip) for ip in _addresses(parts.hostname)):
        raise Invalid(_("This address is on a private or local network: webhooks go only to addresses on the internet."), field="url")
    return url


def _addresses(host: str) -> list[str]:
    """The addresses ``host`` is (an IP) or resolves to now; none when it does not resolve."""
    try:
        return sorted({str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []


def _global(address: str) -> bool:
    """An address on the public internet: not loopback, private, link-local, shared (100.64.0.0/10), reserved or
    multicast, also behind an IPv4-mapped, 6to4 or NAT64 IPv6 form."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        nat64 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in ipaddress.ip_network("64:ff9b::/96") else None
        inner = ip.ipv4_mapped or ip.sixtofour or nat64
        if inner is not None:
            return inner.is_global and not inner.is_multicast
    return ip.is_global and not ip.is_multicast


def audit_address(url: str) -> str:
    """What the audit log keeps of a webhook's address: its scheme and host (a receiver's path can be its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.path not in ("", "/") or parts.query else f"{parts.scheme}://{parts.netloc}"


def register(db: Session, backbone_id: int, url: str, events: list[str], actor_id: int | None, settings: Settings) -> Webhook:
    """A new webhook; its secret is on the returned row (shown once)."""
    url = check_url(url, settings.webhook_allow_private)
    if db.scalar(select(Webhook.id).where(Webhook.backbone_id == backbone_id, Webhook.url == url)) is not None:
        raise Invalid(_("This address already receives events; remove its webhook first to choose other events."), field="url")
    chosen = [e for e in EVENTS if e in set(events)]
    if not chosen or set(events) - set(EVENTS):
        raise Invalid(_("Choose at least one event."), field="events")
    hook = Webhook(backbone_id=backbone_id, url=url, secret=secrets.token_hex(32), events=chosen, created_by_id=actor_id)
    db.add(hook)
    db.flush()
    audit.record(db, actor_id, "webhook.added", "webhook", hook.id, backbone_id, address=audit_address(url))
    return hook


def hooks_of(db: Session, backbone_id: int) -> list[Webhook]:
    return list(db.scalars(select(Webhook).where(Webhook.backbone_id == backbone_id).order_by(Webhook.id)))


def get_hook(db: Session, backbone_id: int, hook_id: int) -> Webhook:
    hook = db.get(Webhook, hook_id)
    if hook is None or hook.backbone_id != backbone_id:
        raise NotFound()
    return hook


def remove(db: Session, hook: Webhook, actor_id: int | None) -> None:
    audit.record(db, actor_id, "webhook.removed", "webhook", hook.id, hook.backbone_id, address=audit_address(hook.url))
    db.delete(hook)


def deliveries_of(db: Session, hook: Webhook, limit: int = 50, offset: int = 0) -> list[WebhookDelivery]:
    return list(db.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
                           .order_by(WebhookDelivery.id.desc()).offset(offset).limit(limit)))


# -- events ------------------------------------------------------------------------------------

def emit(db: Session, backbone_id: int | None, event: str, data: dict[str, Any]) -> int:
    """A delivery of ``event`` to each of the backbone's active webhooks that listen for it, in the caller's
    transaction (sent by the scheduler once it commits); how many."""
    if backbone_id is None:
        return 0
    hooks = [h for h in db.scalars(select(Webhook).where(Webhook.backbone_id == backbone_id, Webhook.active.is_(True)))
             if event in (h.events or []) or event == "ping"]
    now = utcnow()
    for hook in hooks:
        db.add(WebhookDelivery(webhook_id=hook.id, event=event, next_attempt_at=now,
                               payload={"event": event, "occurred_at": now.isoformat(), "backbone_id": backbone_id, "data": data}))
    return len(hooks)


def ping(db: Session, hook: Webhook) -> WebhookDelivery:
    """A test event to one webhook, sent at the next run."""
    now = utcnow()
    delivery = WebhookDelivery(webhook_id=hook.id, event="ping", next_attempt_at=now,
                               payload={"event": "ping", "occurred_at": now.isoformat(), "backbone_id": hook.backbone_id, "data": {}})
    db.add(delivery)
    db.flush()
    return delivery


def assessment_data(assessment: Any) -> dict[str, Any]:
    return {"assessment_id": assessment.id, "organization_id": assessment.organization_id, "cycle_id": assessment.cycle_id,
            "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None}


# -- delivering --------------------------------------------------------------------------------

def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str | None


Sender = Callable[[str, bytes, dict[str, str]], Outcome]


def http_sender(allow_private: bool) -> Sender:
    """POSTs to the address the host name resolves to at this moment, checked, and to no other: the connection goes to
    that checked address (the Host header and, for https, the TLS name and certificate check stay the host's), so a name
    that resolves to a public address for the check and to a private one for the connection (DNS rebinding) reaches
    nothing. A name that does not resolve is not sent to. What the admin sees of a failure says no more than needed."""
    def send(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        parts = urlsplit(url)
        host = parts.hostname or ""
        addresses = _addresses(host)
        if not addresses:
            return Outcome(False, None, "refused: the address's name does not resolve")
        if not allow_private and any(not _global(a) for a in addresses):
            return Outcome(False, None, "refused: the address is on a private or local network")
        address = addresses[0]
        netloc = (f"[{address}]" if ":" in address else address) + (f":{parts.port}" if parts.port else "")
        pinned = parts._replace(netloc=netloc).geturl()
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        try:
            with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
                r = client.post(pinned, content=body, headers={**headers, "Host": parts.netloc}, extensions=extensions)
        except httpx.TimeoutException:
            return Outcome(False, None, "no answer in time")
        except httpx.HTTPError:
            return Outcome(False, None, "could not connect")
        return Outcome(200 <= r.status_code < 300, r.status_code, None if r.status_code < 300 else f"HTTP {r.status_code}")
    return send


def claim(db: Session, delivery_id: int, now: dt.datetime) -> bool:
    """Take one due delivery for this process (one conditional update: with several processes, one sends it)."""
    taken = db.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + dt.timedelta(seconds=CLAIM_S), attempts=WebhookDelivery.attempts + 1))
    db.commit()
    return taken.rowcount == 1  # type: ignore[attr-defined]


def deliver_due(db: Session, settings: Settings, sender: Sender | None = None, now: dt.datetime | None = None) -> int:
    """Send every due delivery (new ones, and failed ones whose back-off has passed); how many were attempted."""
    send = sender or http_sender(settings.webhook_allow_private)
    now = now or utcnow()
    due = list(db.scalars(select(WebhookDelivery.id).where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
                                                          or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
                          .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(BATCH)))
    db.commit()
    attempted = 0
    for delivery_id in due:
        if not claim(db, delivery_id, now):
            continue
        delivery = db.get(WebhookDelivery, delivery_id)
        hook = db.get(Webhook, delivery.webhook_id) if delivery else None
        if delivery is None or hook is None:
            continue
        body = json.dumps({"id": delivery.id, **delivery.payload}, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Reassess-Event": delivery.event,
                   "X-Reassess-Delivery": str(delivery.id), "X-Reassess-Timestamp": timestamp,
                   "X-Reassess-Signature": signature(hook.secret, timestamp, body)}
        outcome = send(hook.url, body, headers)
        attempted += 1
        delivery.last_status, delivery.last_error, delivery.claimed_until = outcome.status, outcome.error, None
        if outcome.ok:
            delivery.status, delivery.delivered_at = DELIVERED, utcnow()
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = FAILED
            log.warning("webhook %s: delivery %s failed for good after %s attempts (%s)", hook.id, delivery.id, delivery.attempts, outcome.error)
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=BACKOFF_S[delivery.attempts - 1])
        db.commit()
    return attempted
