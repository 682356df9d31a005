"""Sign-in, invitation links and API tokens are rate limited, with a clear message in the user's language."""

from __future__ import annotations

from app.auth.ratelimit import Limiter, Rule
from tests import factories as f


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_leave_the_window_and_keys_are_counted_apart():
    clock = Clock()
    rule = Rule("t", 3, 60)
    limiter = Limiter({"t": rule}, clock)
    for _ in range(3):
        assert limiter.retry_after(rule, "a") is None
        limiter.fail(rule, "a")
    assert limiter.retry_after(rule, "a") == 60
    assert limiter.retry_after(rule, "b") is None  # another address is not affected
    clock.now += 30
    assert limiter.retry_after(rule, "a") == 30
    clock.now += 30.5
    assert limiter.retry_after(rule, "a") is None  # the oldest failure left the window


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
