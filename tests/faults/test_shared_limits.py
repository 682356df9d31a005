"""The rate limits hold across processes: two `reassess serve` processes (separate var folders, ports and processes;
one database) share one budget of failed sign-ins and bad API tokens, instead of allowing it once per process.

On PostgreSQL (REASSESS_TEST_DATABASE_URL) both use a database of their own on that server.
"""

from __future__ import annotations

import httpx

from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.migration import migrate_database
from tests import factories as f
from tests.conftest import TEST_SECRET, csrf_token
from tests.faults.conftest import Server

LIMIT = 4
CSRF = "shared-limits-csrf-cookie"


def test_two_web_processes_share_one_budget(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("REASSESS_LOGIN_ATTEMPTS", str(LIMIT))
    monkeypatch.setenv("REASSESS_TOKEN_FAILURES", str(LIMIT))
    monkeypatch.delenv("REASSESS_TRUSTED_PROXIES", raising=False)
    settings = [prepare(Settings(env="development", var_dir=tmp_path / f"var{n}", database_url=database_url, secret_key=TEST_SECRET,
                                 _env_file=None)) for n in (1, 2)]
    migrate_database(settings[0])
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as db:
        f.user(db, email="kim@example.org")
        token = f.api_token(db, f.user(db, email="api@example.org"))  # commits
    engine.dispose()
    servers = [Server(s, tmp_path / f"server{n}.log") for n, s in enumerate(settings)]
    try:
        for server in servers:
            server.start()

        def sign_in(n: int, password: str) -> int:
            with httpx.Client(base_url=servers[n % 2].url, cookies={"reassess_csrf": CSRF}) as c:  # a new connection each time
                return c.post("/login", data={"email": "kim@example.org", "password": password,
                                              "csrf_token": csrf_token(settings[0], CSRF)}).status_code

        def bad_token(n: int) -> int:
            return httpx.get(servers[n % 2].url + "/api/v1/me", headers={"Authorization": "Bearer rsk_wrong"}).status_code

        # Failures alternate between the two processes; the budget is LIMIT in all, not LIMIT in each.
        assert [sign_in(n, "wrong") for n in range(2 * LIMIT)] == [400] * LIMIT + [429] * LIMIT
        assert [sign_in(n, f.PASSWORD) for n in range(2)] == [429, 429]  # this address is slowed down on both
        assert [bad_token(n) for n in range(2 * LIMIT)] == [401] * LIMIT + [429] * LIMIT
        for server in servers:  # a valid token is still answered, by either process
            assert httpx.get(server.url + "/api/v1/me", headers=token).status_code == 200
        # An unknown invitation link is counted (a write) while the request's own transaction is open: answered, not stuck
        # on the database's write lock that transaction holds (SQLite).
        assert httpx.get(servers[0].url + "/invite/not-a-real-link", timeout=20).status_code == 404
    finally:
        for server in servers:
            server.stop()
