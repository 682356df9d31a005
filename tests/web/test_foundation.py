"""The foundation as a user meets it over HTTP: health, sign-in, sessions, languages, errors, tokens."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.organizations.models import Role
from tests import factories as f


def test_healthz_reports_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_anonymous_user_is_sent_to_login(client):
    r = client.get("/instruments")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/instruments"


def test_login_sets_httponly_lax_session_and_routes_by_role(client, db, csrf):
    bb = f.backbone(db)
    admin = f.user(db, bb, Role.backbone_admin, email="Admin@Example.org")
    db.commit()
    r = client.post("/login", data={"email": "ADMIN@example.org", "password": f.PASSWORD, "csrf_token": csrf})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/backbone"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("reassess_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert admin.email == "admin@example.org"


def test_wrong_password_is_refused_with_a_message(client, db, csrf):
    bb = f.backbone(db)
    f.user(db, bb, Role.backbone_admin, email="a@example.org")
    db.commit()
    r = client.post("/login", data={"email": "a@example.org", "password": "nope nope nope", "csrf_token": csrf})
    assert r.status_code == 400
    assert "do not match an account" in r.text
    assert "reassess_session" not in r.headers.get("set-cookie", "")


def test_login_form_without_csrf_token_is_refused(client, db):
    bb = f.backbone(db)
    f.user(db, bb, Role.backbone_admin, email="b@example.org")
    db.commit()
    r = client.post("/login", data={"email": "b@example.org", "password": f.PASSWORD})
    assert r.status_code == 403
    assert "expired" in r.text


def test_login_never_redirects_off_site(client, db, csrf):
    bb = f.backbone(db)
    f.user(db, bb, Role.backbone_admin, email="c@example.org")
    db.commit()
    r = client.post("/login", data={"email": "c@example.org", "password": f.PASSWORD, "csrf_token": csrf, "next": "//evil.example/x"})
    assert r.headers["location"] == "/backbone"


def test_logout_ends_the_session_at_once(client, db, csrf):
    bb = f.backbone(db)
    u = f.user(db, bb, Role.backbone_admin)
    f.sign_in(client, db, u)
    assert client.get("/instruments").status_code == 200
    token = client.cookies.get("reassess_session")
    r = client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    client.cookies.set("reassess_session", token)  # a stolen copy of the cookie no longer works
    assert client.get("/instruments").status_code == 303


def test_language_from_query_cookie_and_accept_language(client):
    r = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in r.text and "Iniciar sesión" in r.text
    r = client.get("/login?lang=en", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in r.text
    assert "reassess_lang=en" in r.headers["set-cookie"]
    client.cookies.delete("reassess_lang")
    client.cookies.set("reassess_lang", "es")
    r = client.get("/login")
    assert '<html lang="es">' in r.text


def test_language_choice_persists_for_the_user(client, db):
    bb = f.backbone(db)
    u = f.user(db, bb, Role.backbone_admin)
    f.sign_in(client, db, u)
    client.get("/instruments?lang=es")
    db.expire_all()
    assert db.scalar(select(User.preferred_language).where(User.id == u.id)) == "es"
    client.cookies.delete("reassess_lang")
    assert '<html lang="es">' in client.get("/instruments").text


def test_error_pages_in_both_languages(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "Page not found" in r.text
    r = client.get("/no-such-page?lang=es")
    assert r.status_code == 404 and "Página no encontrada" in r.text


def test_api_token_authenticates_and_bad_token_is_401(client, db):
    bb = f.backbone(db)
    u = f.user(db, bb, Role.backbone_analyst, email="analyst@example.org")
    headers = f.api_token(db, u)
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200
    assert r.json()["memberships"][0]["role"] == "backbone_analyst"
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"})
    assert r.status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_security_headers(client):
    r = client.get("/login")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "same-origin"


def test_openapi_document_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/me" in paths and "/healthz" in paths
