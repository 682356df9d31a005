"""Webhooks (issue 24): a backbone admin registers a URL for events; an assessment's submission becomes a signed delivery
that the scheduler sends to a local listener, which fails once and takes the retry; each attempt is logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import re
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment
from app.db import utcnow
from app.organizations.models import Role
from app.webhooks import service as webhooks
from app.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery
from tests import factories as f
from tests.dashboard_world import answer_and_submit


class Listener:
    """An HTTP server on 127.0.0.1 that answers each POST with the next status of ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(listener.statuses.pop(0) if listener.statuses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/reassess"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local(settings):
    """Settings that let webhooks reach this machine (the listener): off by default."""
    return settings.model_copy(update={"webhook_allow_private": True})


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener([500]) as running:  # the first delivery fails: the retry must bring it
        yield running


def test_a_submission_is_delivered_signed_after_one_failure_and_a_retry(client, db, world, csrf, local, listener, catalogue, app):
    app.state.settings = local
    f.sign_in(client, db, world["admin"])
    page = client.post("/backbone/webhooks", data={"csrf_token": csrf, "url": listener.url, "events": ["assessment.submitted", "cycle.closed"]})
    assert page.status_code == 200 and "shown only once" in page.text
    secret = re.search(r'id="secret" type="text" readonly value="([0-9a-f]{64})"', page.text).group(1)
    # A partner submits: the request does not wait for the listener; the delivery waits in the outbox.
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == world["follow"].id, Assessment.organization_id == world["c"].id))
    lead_c = f.user(db, world["c"], Role.partner_lead)
    answer_and_submit(db, catalogue, world["follow"], world["c"], lead_c, {"*": 1})
    db.commit()
    assert listener.received == []
    pending = db.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "assessment.submitted")).all()
    assert len(pending) == 1 and pending[0].status == PENDING
    # The scheduler's run: the listener answers 500, the delivery waits a minute.
    now = utcnow()
    assert webhooks.deliver_due(db, local, now=now) == 1
    db.refresh(pending[0])
    assert pending[0].status == PENDING and pending[0].attempts == 1 and pending[0].last_status == 500
    assert pending[0].next_attempt_at >= now + dt.timedelta(seconds=59)
    assert webhooks.deliver_due(db, local, now=now + dt.timedelta(seconds=30)) == 0  # not due yet
    assert webhooks.deliver_due(db, local, now=now + dt.timedelta(seconds=61)) == 1
    db.refresh(pending[0])
    assert pending[0].status == DELIVERED and pending[0].attempts == 2 and pending[0].last_status == 200
    # Both attempts carried the same signed body: ids and dates, nothing any respondent wrote.
    assert len(listener.received) == 2
    headers, body = listener.received[-1]
    expected = "sha256=" + hmac.new(secret.encode(), headers["x-reassess-timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-reassess-signature"], expected)
    assert headers["x-reassess-event"] == "assessment.submitted" and headers["x-reassess-delivery"] == str(pending[0].id)
    payload = json.loads(body)
    assert payload["event"] == "assessment.submitted" and payload["data"]["assessment_id"] == cedar.id
    assert set(payload["data"]) == {"assessment_id", "organization_id", "cycle_id", "submitted_at"}
    assert listener.received[0][1] == body  # the retry is the same delivery
    # The page lists each delivery with its outcome; closing the cycle is an event too, a test event on demand.
    log = client.get("/backbone/webhooks?lang=en").text
    assert "Delivered" in log and listener.url in log
    service.close_cycle(db, world["follow"], world["admin"].id)
    db.commit()
    hook_id = pending[0].webhook_id
    assert client.post(f"/backbone/webhooks/{hook_id}/ping", data={"csrf_token": csrf}).status_code == 303
    assert webhooks.deliver_due(db, local) == 2
    assert sorted(h["x-reassess-event"] for h, _b in listener.received[2:]) == ["cycle.closed", "ping"]


def test_a_receiver_that_never_answers_gets_six_attempts_then_the_delivery_fails(db, world, local):
    hook = webhooks.register(db, world["backbone"].id, "http://127.0.0.1:9/nothing-listens-here", ["cycle.closed"], world["admin"].id, local)
    webhooks.emit(db, world["backbone"].id, "cycle.closed", {"cycle_id": world["follow"].id})
    db.commit()
    delivery = db.scalar(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    when = utcnow()
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        assert webhooks.deliver_due(db, local, now=when) == 1
        db.refresh(delivery)
        assert delivery.attempts == attempt and delivery.last_status is None and delivery.last_error
        when = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery.status == FAILED and webhooks.deliver_due(db, local, now=when + dt.timedelta(days=2)) == 0


def test_two_processes_send_one_delivery_once(db, world, local):
    hook = webhooks.register(db, world["backbone"].id, "http://127.0.0.1:9/x", ["cycle.closed"], world["admin"].id, local)
    webhooks.emit(db, world["backbone"].id, "cycle.closed", {"cycle_id": 1})
    db.commit()
    delivery = db.scalar(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    now = utcnow()
    assert webhooks.claim(db, delivery.id, now) is True
    assert webhooks.claim(db, delivery.id, now) is False  # the other process finds it taken


def test_addresses_on_private_networks_and_bad_urls_are_refused_in_the_users_language(client, db, world, csrf, settings):
    f.sign_in(client, db, world["admin"])
    for url in ("https://127.0.0.1:8000/x", "https://10.0.0.5/x", "https://169.254.169.254/latest/meta-data"):
        r = client.post("/backbone/webhooks?lang=es", data={"csrf_token": csrf, "url": url, "events": "assessment.submitted"})
        assert r.status_code == 422 and "red privada o local" in r.text and url in r.text  # what was typed stays
    r = client.post("/backbone/webhooks?lang=en", data={"csrf_token": csrf, "url": "ftp://example.org", "events": "cycle.closed"})
    assert r.status_code == 422 and "starting with https://" in r.text
    r = client.post("/backbone/webhooks?lang=en", data={"csrf_token": csrf, "url": "https://8.8.8.8/hook"})
    assert r.status_code == 422 and "Choose at least one event" in r.text
    api = f.api_token(db, world["admin"])
    made = client.post("/api/v1/webhooks", json={"url": "https://8.8.8.8/hook", "events": ["result.recomputed"]}, headers=api)
    assert made.status_code == 201 and len(made.json()["secret"]) == 64
    listed = client.get("/api/v1/webhooks", headers=api).json()
    assert [h["url"] for h in listed] == ["https://8.8.8.8/hook"] and "secret" not in listed[0]
    assert client.post(f"/api/v1/webhooks/{made.json()['id']}/ping", headers=api).json()["status"] == "pending"
    assert [d["event"] for d in client.get(f"/api/v1/webhooks/{made.json()['id']}/deliveries", headers=api).json()] == ["ping"]
    refused = client.post("/api/v1/webhooks", json={"url": "https://192.168.1.10/", "events": ["cycle.closed"]}, headers=api)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "url"
    assert client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=api).status_code == 204
    assert client.get("/api/v1/webhooks", headers=api).json() == []
    assert "Webhook added" in client.get("/backbone/audit?lang=en").text
    analyst = f.api_token(db, world["analyst"])
    assert client.get("/api/v1/webhooks", headers=analyst).status_code == 403


def test_one_address_is_registered_once(db, world, local):
    webhooks.register(db, world["backbone"].id, "http://127.0.0.1:9/once", ["cycle.closed"], world["admin"].id, local)
    with pytest.raises(Exception, match="already receives events"):
        webhooks.register(db, world["backbone"].id, "http://127.0.0.1:9/once", ["assessment.submitted"], world["admin"].id, local)


def test_a_name_that_rebinds_to_this_machine_reaches_nothing_and_shared_ranges_are_refused(monkeypatch, settings, listener):
    """The sender connects to the address it checked: a name answering a public address for the check and 127.0.0.1 for
    the connection (DNS rebinding) never reaches the local service."""
    import socket as sockets

    port = int(listener.url.split(":")[2].split("/")[0])
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1", "127.0.0.1"])
    real = sockets.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.attacker.example":
            return [(sockets.AF_INET, sockets.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(sockets, "getaddrinfo", rebinding)
    url = f"https://rebind.attacker.example:{port}/internal-admin"
    assert webhooks.check_url(url, allow_private=False) == url  # the check saw a public address
    outcome = webhooks.http_sender(allow_private=False)(url, b"{}", {})
    assert not outcome.ok and listener.received == []  # the next answers (127.0.0.1) are refused before any connection
    for refused in ("http://100.100.100.200/x", "https://[::ffff:127.0.0.1]/x", "https://[64:ff9b::7f00:1]/x", "http://8.8.8.8/plain-http"):
        with pytest.raises(Exception, match="private or local|starting with https"):
            webhooks.check_url(refused, allow_private=False)
    assert webhooks.audit_address("https://hooks.slack.example/services/T000/B000/XXXX") == "https://hooks.slack.example/…"
