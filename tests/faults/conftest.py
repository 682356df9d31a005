"""A real `reassess serve` process on a database of its own, for the fault tests (crash, concurrency)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import make_engine
from tests.conftest import TEST_SECRET, free_port


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("REASSESS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    name = f"crash_{secrets.token_hex(4)}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Server:
    def __init__(self, settings: Settings, log: Path, workers: int = 1):
        self.settings, self.log, self.port, self.workers = settings, log, free_port(), workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "REASSESS_DATABASE_URL": self.settings.database_url, "REASSESS_VAR_DIR": str(self.settings.var_dir),
               "REASSESS_SECRET_KEY": TEST_SECRET, "REASSESS_BASE_URL": self.url, "REASSESS_ENV": "development"}
        reassess = Path(sys.executable).parent / "reassess"
        with self.log.open("ab") as out:
            # A process group of its own: a kill reaches the web workers and the report renderers too, as a crash would.
            self.process = subprocess.Popen([str(reassess), "serve", "--port", str(self.port), "--log-level", "warning",
                                             "--workers", str(self.workers)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
