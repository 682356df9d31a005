"""Dashboard speed: the comparison page, a partner drill-down and the results XLSX, at 50 and 500 partners.

Run:  .venv/bin/python bench/bench_dashboard.py [--sizes 50,500] [--respondents 10] [--runs 15] [--database-url URL]

Builds, in a fresh SQLite file (or the given empty database), a backbone with N partners, a baseline and a
follow-up cycle, each partner scored from `respondents` random responses by the real engine and stored as a
result (the raw answers are not written: none of the three measured pages reads them). Then it times, through the
whole application (HTTP via the ASGI test client, signed in as the backbone admin):

- GET /backbone/cycles/{id}/compare           goal at 500 partners: median under 300 ms
- GET /assessments/{id}/result (drill-down)   goal: median under 150 ms
- GET /backbone/cycles/{id}/export/results.xlsx  goal: under 5 s

and prints how each grows from the smallest to the largest size (it should grow no faster than the partners).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scoring import make_assessment  # noqa: E402

GOALS_MS = {"compare": 300.0, "drill-down": 150.0, "xlsx": 5000.0}


def build(url: str, var: Path, partners: int, respondents: int):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from app.assessments import service
    from app.assessments.models import Assessment, AssessmentStatus
    from app.auth import service as auth
    from app.config import Settings, prepare
    from app.db import make_engine, make_sessionmaker
    from app.instruments.loader import load_catalogue
    from app.main import create_app
    from app.migration import migrate_database
    from app.organizations.models import SECTORS, SIZE_BANDS, Organization, OrgKind, Role
    from app.organizations.service import add_member
    from app.scoring import score_assessment

    settings = prepare(Settings(env="test", var_dir=var, database_url=url, secret_key="bench-" + "x" * 40, _env_file=None))
    migrate_database(settings)
    catalogue = load_catalogue(ROOT / "surveys")
    instrument = catalogue.get("equity-self-assessment", "1.0")
    engine = make_engine(url)
    rng = random.Random(20261123)
    with make_sessionmaker(engine)() as db:
        backbone = Organization(kind=OrgKind.backbone, name="Bench backbone")
        db.add(backbone)
        db.flush()
        admin = auth.create_user(db, "bench-admin@example.org", password="bench-password-2026")
        add_member(db, admin, backbone, Role.backbone_admin)
        orgs = [Organization(kind=OrgKind.partner, backbone_id=backbone.id, name=f"Partner {k:04}", sector=SECTORS[k % len(SECTORS)],
                             size_band=SIZE_BANDS[k % len(SIZE_BANDS)]) for k in range(partners)]
        db.add_all(orgs)
        db.flush()
        today = dt.date.today()
        baseline = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", instrument=instrument,
                                        opens_on=today, closes_on=today, partner_ids=[o.id for o in orgs])
        follow = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Follow-up", instrument=instrument, baseline=baseline,
                                      opens_on=today, closes_on=today, partner_ids=[o.id for o in orgs])
        first = None
        for cycle in (baseline, follow):
            for a in db.query(Assessment).filter(Assessment.cycle_id == cycle.id).all():
                result = score_assessment(instrument, make_assessment(instrument, rng, respondents), depth="full", min_group_size=5)
                service.store_result(db, a, result)
                a.status = AssessmentStatus.submitted
                a.submitted_at = dt.datetime.now(dt.UTC)
                first = first or (a.id if cycle is follow else None)
        db.commit()
        follow_id = follow.id
    app = create_app(settings, engine=engine, catalogue=catalogue)
    client = TestClient(app)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"email": "bench-admin@example.org", "password": "bench-password-2026", "csrf_token": token})
    assert r.status_code == 200, r.status_code
    return client, follow_id, first, engine


def timed(client, path: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    client.get(path)  # warm the caches once
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500")
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    medians: dict[str, dict[int, float]] = {k: {} for k in GOALS_MS}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/bench.db"
            if args.database_url:
                from tests.conftest import reset_database

                reset_database(url)
            t0 = time.perf_counter()
            client, cycle_id, assessment_id, engine = build(url, Path(tmp), n, args.respondents)
            print(f"{n} partners x {args.respondents} respondents, two cycles: built in {time.perf_counter() - t0:.1f} s")
            runs = {"compare": timed(client, f"/backbone/cycles/{cycle_id}/compare?sort=leadership&dir=desc", args.runs),
                    "drill-down": timed(client, f"/assessments/{assessment_id}/result", args.runs),
                    "xlsx": timed(client, f"/backbone/cycles/{cycle_id}/export/results.xlsx", max(3, args.runs // 5))}
            for name, values in runs.items():
                med = statistics.median(values)
                medians[name][n] = med
                ok = "ok" if n != max(sizes) or med < GOALS_MS[name] else "OVER GOAL"
                print(f"  {name:<11} median {med:8.1f} ms   p90 {sorted(values)[int(0.9 * (len(values) - 1))]:8.1f} ms"
                      f"   (goal at {max(sizes)}: < {GOALS_MS[name]:.0f} ms) {ok}")
            client.close()
            engine.dispose()
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        print(f"growth from {lo} to {hi} partners (x{hi / lo:.0f}):")
        for name, by_size in medians.items():
            print(f"  {name:<11} x{by_size[hi] / by_size[lo]:.1f}")


if __name__ == "__main__":
    main()
