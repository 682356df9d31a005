"""When the database goes away the service answers 503 with a clear page in the user's language (JSON under /api,
a reason at /healthz), and when it comes back the service recovers by itself, without a restart.

On PostgreSQL the database really goes away: the app reaches it through a TCP proxy that the test cuts and
restores. On SQLite (a local file) the test makes new connections fail and drops the pooled ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.main import create_app
from tests.faults.tcp_proxy import Proxy


class Outage:
    """Turns the app's database off and on."""

    def __init__(self, url: str):
        self.proxy: Proxy | None = None
        self.down = False
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            self.proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432).start()
            parsed = parsed.set(host="127.0.0.1", port=self.proxy.port)
        self.engine = make_engine(parsed.render_as_string(hide_password=False))
        if self.proxy is None:
            event.listen(self.engine, "do_connect", self._refuse)

    def _refuse(self, *args: object) -> None:
        if self.down:
            raise sqlite3.OperationalError("unable to open database file")

    def cut(self) -> None:
        self.down = True
        if self.proxy is not None:
            self.proxy.cut()
        else:
            self.engine.dispose()

    def restore(self) -> None:
        self.down = False
        if self.proxy is not None:
            self.proxy.start()


@pytest.fixture
def outage(settings, engine) -> Iterator[Outage]:  # engine: the migrated test database
    o = Outage(settings.database_url)
    yield o
    o.restore()
    o.engine.dispose()
    if o.proxy is not None:
        o.proxy.cut()


@pytest.fixture
def live_client(outage, settings, catalogue) -> Iterator[TestClient]:
    app = create_app(settings, engine=outage.engine, catalogue=catalogue)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        c.cookies.set("reassess_session", "a-session-the-database-must-look-up")
        yield c


def test_database_outage_gives_a_translated_503_and_recovery_needs_no_restart(outage, live_client):
    c = live_client
    assert c.get("/healthz").json()["database"] == "ok"
    assert c.get("/respond").status_code == 303  # the database answered: no such session, so sign in

    outage.cut()
    health = c.get("/healthz")
    assert health.status_code == 503 and health.json()["database"] == "unreachable" and health.json()["reason"]
    page = c.get("/respond", headers={"accept-language": "es"})
    assert page.status_code == 503 and page.headers["retry-after"]
    assert 'lang="es"' in page.text and "No disponible por el momento" in page.text and "base de datos" in page.text
    english = c.get("/respond?lang=en")
    assert english.status_code == 503 and "The database cannot be reached right now" in english.text
    api = c.get("/api/v1/me", headers={"Authorization": "Bearer rsk_whatever"})
    assert api.status_code == 503 and "database" in api.json()["detail"]

    outage.restore()
    assert c.get("/healthz").status_code == 200
    assert c.get("/respond").status_code == 303
    assert c.get("/api/v1/me", headers={"Authorization": "Bearer rsk_whatever"}).status_code == 401
