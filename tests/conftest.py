"""Shared fixtures: one migrated test database per run, a rolled-back transaction per test.

REASSESS_TEST_DATABASE_URL selects PostgreSQL (the test command sets it for the second pass);
without it the suite runs on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import ROOT, Settings, prepare
from app.db import make_engine
from app.instruments.loader import Catalogue, load_catalogue
from app.main import create_app
from app.migration import migrate_database

TEST_SECRET = "test-secret-key-with-enough-entropy-0123456789"
ARTIFACTS = ROOT / "test-artifacts"


def pytest_report_header() -> str:
    return f"reassess database: {'PostgreSQL' if os.environ.get('REASSESS_TEST_DATABASE_URL') else 'SQLite'}"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    url = os.environ.get("REASSESS_TEST_DATABASE_URL") or f"sqlite:///{var / 'test.db'}"
    return prepare(Settings(env="test", var_dir=var, database_url=url, secret_key=TEST_SECRET, _env_file=None))


def reset_database(url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    reset_database(settings.database_url)
    migrate_database(settings)
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "surveys")


@pytest.fixture
def connection(engine: Engine) -> Iterator[object]:
    conn = engine.connect()
    outer = conn.begin()
    # Failures counted by tests that committed to this database (a server under test) do not limit this test's clients.
    conn.execute(text("DELETE FROM rate_limit_failures"))
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def db(connection: object) -> Iterator[Session]:
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as session:
        yield session


@pytest.fixture
def statements(db: Session) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection (the app's requests included) while the test runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(db.get_bind(), "before_cursor_execute", record)
    yield seen
    event.remove(db.get_bind(), "before_cursor_execute", record)


@pytest.fixture
def app(settings: Settings, engine: Engine, catalogue: Catalogue, connection: object) -> FastAPI:
    app = create_app(settings, engine=engine, catalogue=catalogue, check_database=False)
    app.state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        c.cookies.set("reassess_csrf", "test-csrf-cookie")
        yield c


@pytest.fixture
def new_client(app: FastAPI) -> Iterator[Callable[[], TestClient]]:
    """More browsers on the same app, each with its own cookies (several people at once), closed after the test."""
    made: list[TestClient] = []

    def new() -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.cookies.set("reassess_csrf", "test-csrf-cookie")
        made.append(c)
        return c

    yield new
    for c in made:
        c.close()


def free_port() -> int:
    """A free TCP port on the loopback, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_token(settings: Settings, cookie: str = "test-csrf-cookie") -> str:
    return hmac.new(settings.secret_key.encode(), b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def csrf(settings: Settings) -> str:
    return csrf_token(settings)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
