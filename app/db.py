"""Engine, sessions, the declarative Base and column types shared by every model."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every engine (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use app.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30, "factory": _SQLiteConnection})
        database = make_url(url).database
        writer = WriterLock(Path(f"{database}-writer.lock")) if database and database != ":memory:" else None

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_pragmas(dbapi_connection)
            dbapi_connection.writer = writer

        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "before_cursor_execute", _refuse_writes)
    return engine


class WriterLock:
    """SQLite's single writer, taken in turn by the threads and processes that share a database file.

    SQLite alone makes a waiting writer sleep in its busy handler (1, 2, 5, 10 ... up to 100 ms between tries): with
    several web processes, the process holding the lock took it again and again for its own threads while the other
    slept, and half the machine stood idle. Here a thread waits on a lock of its process and a process on a file lock
    (polled every millisecond at most), each woken as soon as the writer before it commits.
    """

    POLL_S = 0.001
    TIMEOUT_S = 30.0

    def __init__(self, path: Path):
        self.path = path
        self.threads = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    def acquire(self) -> bool:
        """True once held; False after TIMEOUT_S (then SQLite's own busy timeout decides, as without this lock)."""
        deadline = time.monotonic() + self.TIMEOUT_S
        if not self.threads.acquire(timeout=self.TIMEOUT_S):
            return False
        try:
            if self.fd is None or self.pid != os.getpid():
                self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(self.POLL_S)
        except OSError:  # no lock file (a read-only directory): SQLite's own locking still holds
            pass
        self.threads.release()
        return False

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


class _SQLiteConnection(sqlite3.Connection):
    """Gives the writer lock back when its transaction ends, whichever way it ends."""

    writer: WriterLock | None = None
    holding = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer()

    def release_writer(self) -> None:
        if self.holding and self.writer is not None:
            self.holding = False
            self.writer.release()


def _sqlite_pragmas(dbapi_connection: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, decides when transactions begin (so SAVEPOINT works).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at the start: a transaction that reads and then writes never
    # fails half-way with "database is locked" when another writer committed in between (WAL).
    # A read-only transaction (read_only(), or a GET request's until writable()) reads a snapshot with a deferred
    # BEGIN and waits for no writer.
    if _reads_only.get():
        conn.exec_driver_sql("BEGIN")
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi.writer is not None and not dbapi.holding:
        dbapi.holding = dbapi.writer.acquire()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        dbapi.release_writer()
        raise


class WriteWhileReading(RuntimeError):
    """A GET request wrote without declaring it with writable(): a programming error (on SQLite the write could fail
    under load, its read snapshot being older than another writer's commit)."""


def _refuse_writes(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    if _reads_only.get() and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        raise WriteWhileReading(f"a write in a read-only transaction (call app.db.writable first): {statement[:80]}")


_reads_only: ContextVar[bool] = ContextVar("reassess_reads_only", default=False)


def read_only_request(flag: bool) -> Token[bool]:
    """From here on (this request: the middleware sets it for GET and HEAD) transactions only read, until writable()."""
    return _reads_only.set(flag)


def end_read_only_request(token: Token[bool]) -> None:
    _reads_only.reset(token)


def writable(session: Session) -> None:
    """Declare that a GET request is about to write (a page that remembers where the respondent is, a download that
    is logged): on SQLite its read snapshot ends here, and its transactions from now on take the write lock at their
    start, as a POST's do. On PostgreSQL the transaction goes on (each statement sees what is committed when it runs;
    ending it would only cost two more round trips). A no-op everywhere else."""
    if _reads_only.get():
        if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
            session.commit()
        _reads_only.set(False)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_only(factory: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """A session for a lookup of one statement (who holds this session cookie or API token). On SQLite its transaction
    does not take the write lock (which every other transaction takes at its start), so it neither waits for writers
    nor makes them wait. On PostgreSQL it runs without a transaction (autocommit): no BEGIN and ROLLBACK, two round
    trips fewer on every request."""
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name != "sqlite":
        return _session(factory, reads=True, bind=_autocommit(bind))
    return _session(factory, reads=True)


def writing(factory: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """A session that writes, whatever the request: on SQLite its transactions take the write lock at their start."""
    return _session(factory, reads=False)


def reading_first() -> AbstractContextManager[None]:
    """Within: a request's transactions read a snapshot (on SQLite without the write lock) until writable(). For the
    POSTs that are mostly reads and whose writes check their own conditions (the autosave: a response that went
    stale is refused by the answer's upsert itself)."""
    return _reads(True)


@contextmanager
def _reads(flag: bool) -> Iterator[None]:
    token = _reads_only.set(flag)
    try:
        yield
    finally:
        _reads_only.reset(token)


@contextmanager
def _session(factory: sessionmaker[Session], *, reads: bool, **options: Any) -> Iterator[Session]:
    with _reads(reads), factory(**options) as session:
        yield session


def _autocommit(engine: Engine) -> Engine:
    """The engine's connections (the same pool) in autocommit mode, made once per engine."""
    found = engine.__dict__.get("_reassess_autocommit")
    if found is None:
        found = engine.__dict__["_reassess_autocommit"] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found
