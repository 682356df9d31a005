"""Sign-in, invitation links and API tokens are rate limited, with a clear message in the user's language."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

import app.cli.serve
import app.main
from app.auth.ratelimit import PRUNE_EVERY, Limiter, RateLimitFailure, Rule
from tests import factories as f


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def client_at(app, address: str) -> TestClient:
    """A client whose requests come from ``address`` (the connection's peer)."""
    c = TestClient(app, base_url="http://testserver", follow_redirects=False, client=(address, 50000))
    c.cookies.set("reassess_csrf", "test-csrf-cookie")
    return c


def test_failures_leave_the_window_keys_are_counted_apart_and_old_rows_go(db, connection):
    clock = Clock()
    rule = Rule("t", 3, 60)
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    limiter = Limiter({"t": rule}, clock).using(sessions)
    other_process = Limiter({"t": rule}, clock).using(sessions)  # another web process on the same database
    for n in range(3):
        assert limiter.retry_after(rule, "a") is None and other_process.retry_after(rule, "a") is None
        (limiter if n % 2 else other_process).fail(rule, "a")
    assert limiter.retry_after(rule, "a") == 60 and other_process.retry_after(rule, "a") == 60
    assert limiter.retry_after(rule, "b") is None  # another address is not affected
    clock.advance(30)
    assert limiter.retry_after(rule, "a") == 30
    clock.advance(30.5)
    assert limiter.retry_after(rule, "a") is None  # the oldest failure left the window
    rows = db.scalar(select(func.count()).select_from(RateLimitFailure))
    clock.advance(PRUNE_EVERY.total_seconds())
    limiter.fail(rule, "b")  # the first failure written by a process after a while deletes the rows out of every window
    assert rows == 3 and db.scalar(select(func.count()).select_from(RateLimitFailure)) == 1
    assert db.scalar(select(RateLimitFailure.key)) != "b"  # keys (addresses, typed emails) are stored hashed


def test_sign_in_is_limited_per_email_with_a_translated_message(client, db, csrf, settings):
    u = f.user(db, email="ana@example.org")
    db.commit()
    for _ in range(settings.login_attempts):
        r = client.post("/login", data={"email": "ana@example.org", "password": "wrong", "csrf_token": csrf})
        assert r.status_code == 400
    r = client.post("/login?lang=es", data={"email": "ANA@example.org", "password": f.PASSWORD, "csrf_token": csrf})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Demasiados intentos" in r.text and 'value="ANA@example.org"' in r.text  # what was typed is kept
    # Another account from the same address is not locked out by the first one's failures.
    other = f.user(db, email="luis@example.org")
    db.commit()
    assert client.post("/login", data={"email": other.email, "password": f.PASSWORD, "csrf_token": csrf}).status_code == 303
    assert u.id


def test_guessing_invitation_links_is_limited_but_a_failure_is_not_needed_to_open_one(client, settings):
    for n in range(settings.link_attempts):
        r = client.get(f"/invite/not-a-real-token-{n:04d}")
        assert r.status_code == 404 and "not valid" in r.text
    r = client.get("/invite/not-a-real-token-last", headers={"accept-language": "es"})
    assert r.status_code == 429 and "Demasiados intentos" in r.text and r.headers["retry-after"]


def test_bad_api_tokens_are_limited_with_json(client, settings):
    for _ in range(settings.token_failures):
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"}).status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"})
    assert r.status_code == 429 and "Too many attempts" in r.json()["detail"] and r.headers["retry-after"]


def test_sign_in_is_limited_per_address_and_account_not_per_account_alone(app, db, csrf, settings):
    f.user(db, email="eva@example.org")
    db.commit()
    guesser, owner = client_at(app, "203.0.113.7"), client_at(app, "198.51.100.20")
    for _ in range(settings.login_attempts):
        assert guesser.post("/login", data={"email": "eva@example.org", "password": "wrong", "csrf_token": csrf}).status_code == 400
    assert guesser.post("/login", data={"email": "eva@example.org", "password": f.PASSWORD, "csrf_token": csrf}).status_code == 429
    # The owner, from another address, signs in with the right password while the guesser is being slowed down.
    r = owner.post("/login", data={"email": "Eva@example.org", "password": f.PASSWORD, "csrf_token": csrf})
    assert r.status_code == 303 and "reassess_session" in r.cookies


def test_a_valid_token_works_from_an_address_that_used_up_its_bad_tokens(client, db, settings):
    headers = f.api_token(db, f.user(db))
    for _ in range(settings.token_failures):
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"}).status_code == 429
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_still_wrong"}).status_code == 429


def served_app(monkeypatch, settings, engine, catalogue, connection, **changes):
    """The application as `reassess serve` hands it to uvicorn, wrapped as uvicorn wraps it with serve's options."""
    s = settings.model_copy(update={"token_failures": 3, **changes})
    web = app.main.create_app(s, engine=engine, catalogue=catalogue, check_database=False)
    web.state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    ran = {}
    monkeypatch.setattr(app.cli.serve, "get_settings", lambda: s)
    monkeypatch.setattr(app.cli.serve, "migrate_database", lambda _s: None)
    monkeypatch.setattr(app.cli.serve, "_web_process", lambda *_a: None)
    monkeypatch.setattr(app.main, "create_app", lambda *_a, **_k: web)
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: ran.update(target=target, options=options))
    app.cli.serve.cmd_serve(argparse.Namespace(host="127.0.0.1", port=8000, log_level="warning", workers=1))
    config = uvicorn.Config(ran["target"], **ran["options"], log_config=None)
    config.load()
    return config.loaded_app


@pytest.mark.parametrize(("trusted", "spoofable"), [([], False), (["127.0.0.1"], True)])
def test_forwarded_for_is_believed_only_from_trusted_proxies(monkeypatch, settings, engine, catalogue, connection, trusted, spoofable):
    served = served_app(monkeypatch, settings, engine, catalogue, connection, trusted_proxies=trusted)
    with TestClient(served, base_url="http://testserver", client=("127.0.0.1", 50000)) as local:  # a proxy on the machine
        codes = [local.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong", "X-Forwarded-For": f"192.0.2.{n}"}).status_code
                 for n in range(1, 6)]
    # By default the header is ignored: every request counts against 127.0.0.1 (limit 3). From a trusted proxy each
    # request comes from the address it names.
    assert codes == ([401] * 5 if spoofable else [401, 401, 401, 429, 429])
