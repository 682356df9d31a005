"""Scoring speed: one assessment of 25 respondents on the full instrument, and a cycle of 500 such assessments.

Run: .venv/bin/python bench/bench_scoring.py   (goals: < 2 ms per assessment, < 1 s per 500-assessment cycle)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.instruments.loader import load_catalogue  # noqa: E402
from app.scoring import AnswerIn, ResponseIn, score_assessment  # noqa: E402

ROLES = ("board", "executive", "manager", "staff", "staff", "volunteer")


def make_assessment(instrument, rng: random.Random, n: int = 25) -> list[ResponseIn]:
    rated = [i.id for i in instrument.items if i.is_rated]
    people = []
    for k in range(n):
        answers = {}
        for item_id in rated:
            roll = rng.random()
            answers[item_id] = (AnswerIn(special="dont_know") if roll < 0.08 else AnswerIn(special="not_applicable") if roll < 0.1
                                else AnswerIn(value=rng.randrange(4)))
        people.append(ResponseIn(id=f"R{k}", answers=answers, role_group=ROLES[k % len(ROLES)]))
    return people


def main() -> None:
    instrument = load_catalogue(Path(__file__).resolve().parent.parent / "surveys").get("equity-self-assessment", "1.0")
    rng = random.Random(7)
    one = make_assessment(instrument, rng)
    score_assessment(instrument, one)  # warm the per-instrument plan
    runs = []
    for _ in range(300):
        t0 = time.perf_counter()
        score_assessment(instrument, one)
        runs.append((time.perf_counter() - t0) * 1000)
    cycle = [make_assessment(instrument, rng) for _ in range(500)]
    t0 = time.perf_counter()
    for people in cycle:
        score_assessment(instrument, people)
    cycle_s = time.perf_counter() - t0
    rated = sum(1 for i in instrument.items if i.is_rated)
    print(f"instrument {instrument.id} {instrument.version}: {rated} rated items; 25 respondents per assessment")
    print(f"one assessment: median {statistics.median(runs):.2f} ms, p95 {sorted(runs)[int(len(runs) * 0.95)]:.2f} ms (goal < 2 ms)")
    print(f"cycle of 500 assessments: {cycle_s:.2f} s (goal < 1 s)")


if __name__ == "__main__":
    main()
