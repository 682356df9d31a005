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
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth import security
from app.config import ROOT, Settings, prepare
from app.db import make_engine
from app.instruments.loader import Catalogue, load_catalogue
from app.main import create_app
from app.migration import migrate_database
from app.models import Base
from tests import dashboard_world

TEST_SECRET = "test-secret-key-with-enough-entropy-0123456789"
# What a person looks at after a run (screenshots, report pages); scripts/test gives its PostgreSQL pass a folder of its own.
ARTIFACTS = Path(os.environ.get("REASSESS_TEST_ARTIFACTS") or ROOT / "test-artifacts")


def pytest_report_header() -> str:
    return f"reassess database: {'PostgreSQL' if os.environ.get('REASSESS_TEST_DATABASE_URL') else 'SQLite'}"


@pytest.fixture(scope="session", autouse=True)
def production_hasher() -> Iterator[PasswordHasher]:
    """Passwords set in tests are hashed with argon2's cheapest parameters (argon2's own profile for tests): a hash at
    the production cost takes about 0.1 s of CPU, and the suite makes hundreds of them (a sixth of the security tests'
    time). A hash carries its parameters, so checking a password works the same for either kind. The production hasher
    is yielded: `test_passwords_are_hashed_at_argon2s_default_cost` checks it."""
    real = security._hasher
    security._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield real
    security._hasher = real


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    url = os.environ.get("REASSESS_TEST_DATABASE_URL") or f"sqlite:///{var / 'test.db'}"
    return prepare(Settings(env="test", var_dir=var, database_url=url, secret_key=TEST_SECRET, _env_file=None,
                            report_prefetch=False))  # the background rendering shares no test connection (one test turns it on)


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


def _shares_the_world(request: pytest.FixtureRequest) -> bool:
    """Whether a test of this module uses the shared world (any of its tests asks for ``world``, the one below)."""
    module = request.module
    found = module.__dict__.get("_reassess_shares_world")
    if found is None:
        found = any(getattr(item, "module", None) is module and "world_rows" in getattr(item, "fixturenames", ())
                    for item in request.session.items)
        module._reassess_shares_world = found
    return found


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """One connection and transaction for a module whose tests share the world: rolled back after the module."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def connection(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Connection]:
    """The test's connection, whose transaction is rolled back after the test. In a module that shares the world, the
    module's connection: the world is built once in its transaction, and each test runs in a savepoint of its own."""
    if _shares_the_world(request):
        request.getfixturevalue("world_rows")  # built before the test's savepoint, so that it outlives it
        conn = request.getfixturevalue("module_connection")
        tx = conn.begin_nested()
    else:
        conn = engine.connect()
        tx = conn.begin()
    # Failures counted by tests that committed to this database (a server under test) do not limit this test's clients.
    conn.execute(text("DELETE FROM rate_limit_failures"))
    yield conn
    if tx.is_active:
        tx.rollback()
    if not _shares_the_world(request):
        conn.close()


@pytest.fixture(scope="module")
def world_rows(module_connection: Connection, catalogue: Catalogue) -> dict[str, Any]:
    """The shared world (tests/dashboard_world.py), built once per module that uses it: what each name refers to."""
    factory = sessionmaker(bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as session:
        built = dashboard_world.build(session, catalogue)
        return {name: (type(v), v.id) if isinstance(v, Base) else v for name, v in built.items()}


@pytest.fixture
def world(world_rows: dict[str, Any], db: Session) -> dict[str, Any]:
    """A small partnership with hand-computable results (tests/dashboard_world.py): a baseline and its follow-up of three
    partners, two backbone staff and two leads. Built once per module; each test gets its objects in its own session,
    and what it changes is rolled back after it."""
    return {name: db.get(*ref) if isinstance(ref, tuple) else ref for name, ref in world_rows.items()}


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
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
def app(settings: Settings, engine: Engine, catalogue: Catalogue, connection: Connection) -> FastAPI:
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
