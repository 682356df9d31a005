"""A real server (uvicorn in a thread) on its own migrated database, and headless Debian Chromium.

Browser tests share one server per module; they create their data through ``live.session()``
and commit it, so the server sees it. Screenshots go to test-artifacts/screenshots/<area>/.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from app import i18n
from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.instruments.loader import Catalogue
from app.main import create_app
from app.migration import migrate_database
from tests.conftest import ARTIFACTS, TEST_SECRET, free_port, reset_database

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")


@dataclass
class Live:
    url: str
    settings: Settings
    sessionmaker: sessionmaker[Session]
    catalogue: Catalogue

    def session(self) -> Session:
        return self.sessionmaker()


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Iterator[Live]:
    """``LIVE_SETTINGS`` in the test module changes the server's settings (e.g. a smaller anonymity minimum);
    ``LIVE_WORLD(folder)``, if the module has one, returns more settings and the catalogue the server runs with (the
    pseudo-locale's catalogs and instrument, tests/languages.py)."""
    var = tmp_path_factory.mktemp("live")
    saved = i18n.configuration()
    extra: dict[str, object] = {}
    if getattr(request.module, "LIVE_WORLD", None) is not None:
        extra, catalogue = request.module.LIVE_WORLD(tmp_path_factory.mktemp("world"))
    url = os.environ.get("REASSESS_TEST_DATABASE_URL") or f"sqlite:///{var / 'live.db'}"
    port = free_port()
    settings = prepare(Settings(env="test", var_dir=var, database_url=url, secret_key=TEST_SECRET,
                                base_url=f"http://127.0.0.1:{port}", _env_file=None,
                                **{"report_prefetch": False, **getattr(request.module, "LIVE_SETTINGS", {}), **extra}))
    reset_database(url)
    migrate_database(settings)
    engine = make_engine(url)
    app = create_app(settings, engine=engine, catalogue=catalogue)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield Live(url=f"http://127.0.0.1:{port}", settings=settings, sessionmaker=make_sessionmaker(engine), catalogue=catalogue)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()
    i18n.configure(*saved)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


def screenshot(page: object, area: str, name: str) -> Path:
    folder = ARTIFACTS / "screenshots" / area
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def sign_in_page(page: object, live: Live, email: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{live.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
