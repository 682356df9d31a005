"""What the commands share: the usage error, a session that disposes its engine, writing output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.config import Settings, get_settings


class CliError(Exception):
    """A usage problem: printed as one line, exit code 2."""


@contextmanager
def session(settings: Settings | None = None) -> Iterator[Any]:
    """A database session for one command; its engine is disposed when the command ends. It migrates nothing: only
    `serve`, `migrate` and `demo` bring the schema up to date."""
    from app.db import make_engine, make_sessionmaker

    engine = make_engine((settings or get_settings()).database_url)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "alembic_version"):
                raise CliError("the database has no tables yet: run `reassess migrate` first")
        with make_sessionmaker(engine)() as db:
            yield db
    finally:
        engine.dispose()


@contextmanager
def catalogue_and_session(settings: Settings) -> Iterator[tuple[Any, Any]]:
    """The instrument catalogue and a session, for the commands that read results."""
    from app.instruments.loader import load_catalogue

    catalogue = load_catalogue(settings.surveys_dir)
    with session(settings) as db:
        yield catalogue, db


def write_out(target: str | None, data: bytes) -> None:
    from pathlib import Path

    if not target or target == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(target).write_bytes(data)


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
