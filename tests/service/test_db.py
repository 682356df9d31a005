"""app/db.py: SQLite's writer taken in turn by threads and web processes (serve --workers), GET requests that only read."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from app.db import WriterLock, WriteWhileReading, end_read_only_request, make_engine, make_sessionmaker, read_only, read_only_request, writable, writing


@pytest.fixture
def sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1, 0)"))
    yield engine
    engine.dispose()


def test_writers_take_turns_and_none_is_lost(sqlite):
    """Eight threads increment one row 50 times each, read-modify-write: every increment counts."""
    def work():
        for _ in range(50):
            with sqlite.connect() as conn:
                n = conn.execute(text("SELECT n FROM t WHERE k = 1")).scalar_one()
                conn.execute(text("UPDATE t SET n = :n WHERE k = 1"), {"n": n + 1})
                conn.commit()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sqlite.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalar_one() == 400


def test_the_writer_is_given_back_on_rollback_and_close(sqlite):
    conn = sqlite.connect()
    conn.execute(text("UPDATE t SET n = 1"))
    writer = conn.connection.dbapi_connection.writer
    assert writer.threads.locked()
    conn.rollback()
    assert not writer.threads.locked()
    conn.execute(text("UPDATE t SET n = 2"))
    assert writer.threads.locked()
    conn.close()  # back to the pool: rolled back, the lock released
    assert not writer.threads.locked()


def test_another_process_waits_for_the_writer_and_goes_on_when_it_commits(sqlite, tmp_path):
    """A second process (another web worker) blocks on the file lock while this one writes, and not after."""
    db = tmp_path / "w.db"
    script = (f"from sqlalchemy import text; from app.db import make_engine\n"
              f"e = make_engine('sqlite:///{db}')\n"
              f"with e.begin() as c: c.execute(text('UPDATE t SET n = n + 10')); print(c.execute(text('SELECT n FROM t')).scalar_one())")
    conn = sqlite.connect()
    conn.execute(text("UPDATE t SET n = n + 1"))
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert other.poll() is None  # still waiting for the writer
    conn.commit()
    seen = int(other.communicate(timeout=60)[0])
    assert seen == 11  # its write went on after this one committed (it saw the +1), not beside it
    with sqlite.connect() as c:
        assert c.execute(text("SELECT n FROM t")).scalar_one() == 11
    conn.close()


def test_a_killed_writer_frees_the_file_lock(tmp_path, sqlite):
    db = tmp_path / "w.db"
    script = (f"import os, time; from sqlalchemy import text; from app.db import make_engine\n"
              f"e = make_engine('sqlite:///{db}'); c = e.connect(); c.execute(text('UPDATE t SET n = 5'))\n"
              f"print('holding', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    holder.kill()
    holder.wait()
    with sqlite.begin() as conn:
        conn.execute(text("UPDATE t SET n = 7"))
    with sqlite.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalar_one() == 7  # the killed writer's change never landed


def test_a_lock_that_cannot_be_had_in_time_leaves_the_decision_to_sqlite(tmp_path, monkeypatch):
    lock = WriterLock(tmp_path / "x.lock")
    monkeypatch.setattr(WriterLock, "TIMEOUT_S", 0.2)
    assert lock.acquire()
    other = WriterLock(tmp_path / "x.lock")  # another open file: as another process sees it
    assert other.acquire() is False  # it gives up (the test would hang if it did not), and SQLite decides
    lock.release()
    assert other.acquire()
    other.release()


def test_a_read_only_request_cannot_write_until_it_says_so(sqlite):
    factory = make_sessionmaker(sqlite)
    token = read_only_request(True)
    try:
        with factory() as db:
            assert db.execute(text("SELECT n FROM t")).scalar_one() == 0
            with pytest.raises((WriteWhileReading, StatementError), match="read-only transaction"):
                db.execute(text("UPDATE t SET n = 3"))
            db.rollback()
            writable(db)
            db.execute(text("UPDATE t SET n = 3"))
            db.commit()
    finally:
        end_read_only_request(token)
    with read_only(factory) as db:
        assert db.execute(text("SELECT n FROM t")).scalar_one() == 3
        with pytest.raises((WriteWhileReading, StatementError)):
            db.execute(text("UPDATE t SET n = 4"))
    with writing(factory) as db:
        db.execute(text("UPDATE t SET n = 4"))
        db.commit()


def test_a_read_does_not_wait_for_a_writer(sqlite):
    """A GET reads a snapshot while a write transaction is open elsewhere (on SQLite every other transaction waits)."""
    writer = sqlite.connect()
    writer.execute(text("UPDATE t SET n = 9"))
    factory = make_sessionmaker(sqlite)
    with read_only(factory) as db:  # the writer commits only after this: a read that waited for it would end in "database is locked"
        assert db.execute(text("SELECT n FROM t")).scalar_one() == 0  # the committed value
    writer.commit()
    writer.close()


@pytest.mark.parametrize("value", ["0", "two", "65"])
def test_serve_refuses_an_impossible_number_of_workers(value, capsys):
    from app.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--workers", value])
    assert exit_.value.code == 2
    assert "whole number from 1 to 64" in capsys.readouterr().err


def test_a_web_process_keeps_the_garbage_collector_off_its_long_lived_objects():
    import gc

    from app.cli.serve import tune_garbage_collector

    threshold = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 10_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_web_process_compiles_every_template_at_start(monkeypatch):
    """`reassess serve` compiles the templates while its renderers warm up: the first page or report after a start
    finds them compiled (and a template that cannot compile stops the start, not a reader's request)."""
    from app.cli import serve
    from app.reports import renderer
    from app.web import templating

    monkeypatch.setattr(templating.env, "cache", type(templating.env.cache)(400))  # as a new process starts: nothing compiled
    monkeypatch.setattr(renderer, "warm_up", lambda _n: [])
    monkeypatch.setattr(serve, "tune_garbage_collector", lambda: None)
    started = type("App", (), {"state": type("State", (), {"sessionmaker": None, "catalogue": None})()})()
    monkeypatch.setattr("app.scheduler.start", lambda *_a: None)
    serve._web_process(type("S", (), {"report_processes": 0})(), started)
    names = templating.env.list_templates()
    assert "reports/partner.html" in names and len(names) > 20
    compiled = {key[1] for key in templating.env.cache}
    assert compiled == set(names)


def test_no_round_trip_is_spent_on_a_transaction_that_is_not_needed(engine):
    """PostgreSQL: the session lookup of every request runs without a transaction (no BEGIN, no ROLLBACK), and a read
    that turns into a write (the autosave) stays one transaction. SQLite: the lookup reads a snapshot, and the read's
    snapshot ends before the write lock is taken."""
    factory = make_sessionmaker(engine)
    pg = engine.dialect.name == "postgresql"

    def autocommit(db) -> bool:
        # psycopg's flag; sqlite3's own `autocommit` (Python 3.12+) means something else and is not read here
        return pg and db.connection().connection.dbapi_connection.autocommit is True

    with read_only(factory) as db:
        db.execute(text("SELECT count(*) FROM organizations"))
        assert autocommit(db) is pg
    with factory() as db:  # the pooled connection is given back as it was
        db.execute(text("SELECT count(*) FROM organizations"))
        assert autocommit(db) is False
    token = read_only_request(True)
    try:
        with factory() as db:
            db.execute(text("SELECT count(*) FROM organizations"))
            reading = db.get_transaction()
            writable(db)
            assert (db.get_transaction() is reading) is pg
            db.execute(text("UPDATE organizations SET name = name"))  # allowed now, on both
            db.commit()
    finally:
        end_read_only_request(token)
