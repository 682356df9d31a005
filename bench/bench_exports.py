"""Export speed and memory: a cycle's answers, long and wide, in CSV, XLSX and JSON, for 50 and 500 partners.

Run:  .venv/bin/python bench/bench_exports.py [--sizes 50,500] [--respondents 10]

Builds the partnership of bench_dashboard.py (stored results), adds to the follow-up cycle `--respondents` submitted
responses per partner with an answer to every rated item (500 partners x 10 x 56 = 280,000 answers), then downloads
through the application, signed in as the backbone admin, reading the body as it streams:

- GET /backbone/cycles/{id}/export/answers.csv              long, labels
- GET /backbone/cycles/{id}/export/answers.csv?shape=wide   one row per response
- GET /backbone/cycles/{id}/export/answers.json             codes
- GET /backbone/cycles/{id}/export/answers.xlsx

For each it prints the time to the last byte (untraced), the size, and the peak of Python's own allocations while the
same export ran again under tracemalloc: constant memory means that peak stays about the same from 50 to 500 partners
(issue 24).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_dashboard import build  # noqa: E402

EXPORTS = ["answers.csv", "answers.csv?shape=wide", "answers.json", "answers.xlsx"]


def add_answers(engine, cycle_id: int, respondents: int) -> int:  # type: ignore[no-untyped-def]
    """Submitted responses with an answer to every rated item, inserted in bulk; the number of answers."""
    from sqlalchemy import insert, select

    from app.assessments.models import Answer, Assessment, Response, ResponseStatus
    from app.auth.models import User
    from app.instruments.loader import load_catalogue

    rated = [i for i in load_catalogue(ROOT / "surveys").get("equity-self-assessment", "1.0").items if i.is_rated]
    rng = random.Random(20261201)
    submitted = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    total = 0
    with engine.begin() as conn:
        assessments = list(conn.scalars(select(Assessment.id).where(Assessment.cycle_id == cycle_id)))
        conn.execute(insert(User), [{"email": f"r{a}-{k}@bench.example.org"} for a in assessments for k in range(respondents)])
        users = dict(conn.execute(select(User.email, User.id).where(User.email.like("%@bench.example.org"))).all())
        conn.execute(insert(Response), [
            {"assessment_id": a, "user_id": users[f"r{a}-{k}@bench.example.org"], "pseudonym": f"B{a:05}{k:03}", "status": ResponseStatus.submitted,
             "language": "es" if k % 4 == 0 else "en", "role_group": "staff" if k % 3 else "manager", "submitted_at": submitted}
            for a in assessments for k in range(respondents)])
        for (rid,) in conn.execute(select(Response.id).where(Response.assessment_id.in_(assessments))):
            rows = [{"response_id": rid, "item_id": i.id, "value": rng.randint(0, 3)} for i in rated]
            conn.execute(insert(Answer), rows)
            total += len(rows)
    return total


def download(client, path: str, traced: bool) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """Seconds to the last byte, bytes, peak traced MB (tracing, which slows Python about threefold, only when asked)."""
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    size = 0
    with client.stream("GET", path) as r:
        assert r.status_code == 200, (path, r.status_code)
        for piece in r.iter_bytes():
            size += len(piece)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if traced:
        tracemalloc.stop()
    return seconds, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500")
    parser.add_argument("--respondents", type=int, default=10)
    args = parser.parse_args()
    for partners in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            client, cycle_id, _first, engine = build(f"sqlite:///{tmp}/bench.db", Path(tmp), partners, args.respondents)
            answers = add_answers(engine, cycle_id, args.respondents)
            print(f"{partners} partners, {partners * args.respondents} responses, {answers} answers")
            for export in EXPORTS:
                path = f"/backbone/cycles/{cycle_id}/export/{export}"
                seconds, size, _peak = download(client, path, traced=False)
                _seconds, _size, peak = download(client, path, traced=True)
                print(f"  {export:26} {seconds:6.2f} s  {size / 2**20:7.1f} MB  peak Python allocations {peak:6.1f} MB", flush=True)
            client.close()
            engine.dispose()


if __name__ == "__main__":
    main()
