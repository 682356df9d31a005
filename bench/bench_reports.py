"""Report speed: one partner's growth-opportunity report (cold and from the cache) and a 500-partner summary.

Run:  .venv/bin/python bench/bench_reports.py [--partners 500] [--respondents 10]

Builds the same partnership as bench_dashboard.py (real engine, stored results) and requests, through the
application signed in as the backbone admin:

- GET /assessments/{id}/report.pdf?lang=es   cold (rendered) goal < 1.5 s; again (from the cache) goal < 20 ms (issue 21)
- GET /backbone/cycles/{id}/summary.pdf      cold, all partners            goal < 4 s (issue 21)
and the peak memory (VmHWM) of the web process and of the renderer process that rendered them, goal < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_dashboard import build  # noqa: E402


def get(client, path: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    r = client.get(path)
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), (path, r.status_code)
    return (time.perf_counter() - t0) * 1000, r.headers.get("x-report-cache", "")


def peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children() -> list[int]:
    """The renderer processes (this process's children), from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            out.append(int(stat.parent.name))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--no-warm-up", action="store_true", help="skip the warm-up render that `reassess serve` does at start")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        client, cycle_id, assessment_id, engine = build(f"sqlite:///{tmp}/bench.db", Path(tmp), args.partners, args.respondents)
        # As a server runs it: the app's start-up (its lifespan: the request threads' limit) and one event loop for every
        # request. Outside `with`, the test client starts an event loop thread for each request (about 3 ms more each).
        with client:
            if not args.no_warm_up:  # as `reassess serve` does at start: the renderer process starts and warms up
                from app.reports import renderer
                from app.web import templating

                t0 = time.perf_counter()
                started = renderer.warm_up(client.app.state.settings.report_processes)
                templating.compile_all()
                for ready in started:
                    ready.result()
                print(f"renderer processes started and warmed up, templates compiled: {(time.perf_counter() - t0) * 1000:7.0f} ms "
                      "(`reassess serve` does this at start)")
            for lang in ("es", "en"):
                cold, c1 = get(client, f"/assessments/{assessment_id}/report.pdf?lang={lang}")
                warm = sorted(get(client, f"/assessments/{assessment_id}/report.pdf?lang={lang}")[0] for _ in range(11))
                print(f"partner report ({lang}): cold {cold:7.0f} ms (cache {c1}, goal < 1500 ms); from the cache median {warm[5]:5.1f} ms (goal < 20 ms)")
            rendered = max((peak_mb(pid) for pid in children()), default=0.0)
            print(f"peak memory of the renderer after the partner reports: {rendered:.0f} MB")
            summary, c2 = get(client, f"/backbone/cycles/{cycle_id}/summary.pdf?lang=en")
            print(f"summary of {args.partners} partners: {summary / 1000:5.1f} s (cache {c2}, goal < 4 s)")
            again, c3 = get(client, f"/backbone/cycles/{cycle_id}/summary.pdf?lang=en")
            print(f"summary of {args.partners} partners again: {again:5.1f} ms (cache {c3})")
            rendered = max((peak_mb(pid) for pid in children()), default=0.0)
            print(f"peak memory: web process {peak_mb(os.getpid()):.0f} MB, renderer process {rendered:.0f} MB (goal < 300 MB)")
        engine.dispose()


if __name__ == "__main__":
    main()
