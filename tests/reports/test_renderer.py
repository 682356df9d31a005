"""Reports are rendered in a separate, lower-priority process, with no database transaction open meanwhile."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.migration import migrate_database
from app.reports import renderer, service
from tests import dashboard_world
from tests.conftest import TEST_SECRET


def test_the_renderer_is_another_process_at_a_lower_priority():
    pool = renderer._pool(1)
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    assert pool.submit(os.nice, 0).result(timeout=60) >= os.nice(0) + renderer.NICENESS
    if sys.platform == "linux":  # runs only on CPU time the web processes leave
        assert pool.submit(os.sched_getscheduler, 0).result(timeout=60) == os.SCHED_IDLE
    # Full collections between renderings only (test_a_renderer_collects_garbage_between_renderings_not_during_them).
    assert pool.submit(gc.get_threshold).result(timeout=60)[2] == renderer.FULL_COLLECTION_THRESHOLD
    assert pool.submit(gc.get_freeze_count).result(timeout=60) > 0
    pdf = renderer.render("<html lang='es'><body><h1>Informe</h1></body></html>", str(service.HERE), 1)
    assert pdf.startswith(b"%PDF")


def test_a_dead_renderer_is_replaced():
    pool = renderer._pool(1)
    pid = pool.submit(os.getpid).result(timeout=60)
    os.kill(pid, 9)
    pdf = renderer.render("<html><body><p>again</p></body></html>", str(service.HERE), 1)
    assert pdf.startswith(b"%PDF") and renderer._pool(1).submit(os.getpid).result(timeout=60) != pid


@pytest.mark.parametrize("kind", ["partner", "summary"])
def test_no_transaction_is_open_while_a_report_renders(tmp_path, catalogue, monkeypatch, kind):
    """Rendering takes seconds: on SQLite an open transaction would hold the write lock (every save waiting), on
    PostgreSQL a snapshot. Another connection writes, without waiting at all, while the PDF is being made."""
    url = os.environ.get("REASSESS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'r.db'}"
    if url.startswith("postgresql"):
        pytest.skip("the lock matters on SQLite; PostgreSQL runs the same code in the other report tests")
    settings = prepare(Settings(env="test", var_dir=tmp_path, database_url=url, secret_key=TEST_SECRET, _env_file=None))
    migrate_database(settings)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as db:
        world = dashboard_world.build(db, catalogue)
        db.commit()
    seen = []

    def render(html: str, base_url: str, processes: int) -> bytes:
        seen.append(db.in_transaction())
        other = make_engine(url)
        with other.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")  # fail at once rather than wait for a lock
            conn.execute(text("UPDATE organizations SET name = name"))
            conn.commit()
        other.dispose()
        return renderer.write_pdf(html, base_url)

    monkeypatch.setattr(renderer, "render", render)
    with factory() as db:
        if kind == "partner":
            pdf = service.partner_report(db, catalogue, settings, db.merge(world["fa"]), "en")
        else:
            pdf = service.cycle_summary(db, catalogue, settings, db.merge(world["follow"]), "es")
        assert pdf.content.startswith(b"%PDF") and seen == [False]
        again = service.partner_report(db, catalogue, settings, db.merge(world["fa"]), "en") if kind == "partner" else None
    assert again is None or again.cached
    engine.dispose()


def test_a_renderer_does_not_outlive_its_web_process():
    """A web process killed (or stopped) leaves no renderer behind waiting for work forever."""
    script = ("import os, time\nfrom app.reports import renderer\n"
              "print(renderer._pool(1).submit(os.getpid).result(timeout=60), flush=True)\ntime.sleep(60)")
    web = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(web.stdout.readline())
    os.kill(child, 0)  # alive
    web.kill()
    web.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, 9)
    raise AssertionError("the renderer outlived its web process")


GC_SCRIPT = r'''
import gc, json, sys, time
from app.reports import renderer, service

events = []
gc.callbacks.append(lambda phase, info: phase == "start" and info["generation"] == 2 and events.append("full collection"))
rows = "".join(f"<tr><td>Pregunta {i}: ¿la organización lo hace?</td><td>{i % 5}</td></tr>" for i in range(400))
html = f"<html lang='es'><body><h1>Informe</h1>{'<p>Señal, acción, evaluación.</p>' * 300}<table>{rows}</table></body></html>"
renderer.write_pdf(html, str(service.HERE))  # as a process that does not defer full collections
control = events.count("full collection")
renderer.collect_between_renderings()
events.clear()
write_pdf = renderer.write_pdf

def traced(html, base_url):
    events.append("rendering starts")
    try:
        return write_pdf(html, base_url)
    finally:
        events.append("rendering ends")

renderer.write_pdf = traced
renderer._render_here(html, str(service.HERE))
renderer._render_here(html, str(service.HERE))  # at once: it collects the first one's garbage before it starts
deadline = time.monotonic() + 60
while events[-1] != "full collection" and time.monotonic() < deadline:  # the collector thread, soon after
    time.sleep(0.05)
print(json.dumps({"control": control, "events": events}))
'''


def test_a_renderer_collects_garbage_between_renderings_not_during_them():
    """A full collection during a rendering traverses all its boxes (a tenth of a report's time): a renderer process
    runs them between renderings, and still collects each rendering's garbage."""
    import json

    out = subprocess.run([sys.executable, "-c", GC_SCRIPT], capture_output=True, text=True, timeout=300, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["control"] > 0, "the document is too small to show anything: no full collection even by default"
    assert seen["events"] == ["rendering starts", "rendering ends", "full collection",
                              "rendering starts", "rendering ends", "full collection"]
