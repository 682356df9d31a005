"""Schemathesis over the JSON API: every operation of /openapi.json, as each kind of caller.

The app's own OpenAPI document drives Hypothesis in process (ASGI, no network). Every generated request
must get an answer that is not a 5xx, whose status code and content type are documented and whose body
matches its declared schema. Besides the schema's positive and negative cases, part of the requests use
the ids of a small partnership's real objects (and a real instrument), so that they get past the
permission checks into the handlers. Hypothesis is derandomized: CI runs the same cases every time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.assessments.models import Assessment
from app.organizations.models import Role
from tests import dashboard_world
from tests import factories as f

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("anonymous", "respondent", "lead_a", "analyst", "admin")  # the admin last: its writes change what others see
# Then a caller with a made-up token: 401 until the address is rate-limited, 429 after (valid tokens too, so it goes last).
CALLERS = (*ROLES, "bad_token")
REQUEST_TIMEOUT_S = 120  # a report rendered cold on a loaded machine takes seconds, not the client's default 10
MAX_EXAMPLES = 5  # per role, operation and kind of case (positive, negative, real ids): about 3 000 cases in all
MIN_CASES = 2000
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.fixture
def world(world, db) -> dict:
    """The shared world (two cycles of three partners, with results), a respondent and an API token per role."""
    world = dict(world)
    world["respondent"] = f.user(db, world["a"], Role.respondent)
    db.commit()
    world["headers"] = {"anonymous": {}, **{role: f.api_token(db, world[role]) for role in ROLES[1:]},
                        "bad_token": {"Authorization": "Bearer rsk_made-up"}}
    world["ids"] = {"assessment_id": list(db.scalars(select(Assessment.id).order_by(Assessment.id))),
                    "cycle_id": [world["baseline"].id, world["follow"].id],
                    "partner_id": [world["a"].id, world["b"].id, world["c"].id, world["backbone"].id]}
    return world


@pytest.fixture
def schema(app):
    # Reports render in the request's thread here, not in the idle-priority renderer: on a loaded CI machine that process
    # can wait long for a core, and a case that waited past the client's timeout failed once and passed on the retry
    # (from the cache), which Hypothesis reports as flaky. What the renderer process does is tested in tests/reports.
    app.state.settings = app.state.settings.model_copy(update={"report_processes": 0})
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _real_ids(operation, ids: dict[str, list[int]]) -> st.SearchStrategy | None:
    """Cases whose path ids (and, for a new cycle, instrument and partners) name objects that exist."""
    instrument_id, version = dashboard_world.INSTRUMENT
    if operation.label == "POST /api/v1/cycles":
        body = st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=40), "instrument_id": st.just(instrument_id), "instrument_version": st.just(version),
             "opens_on": st.dates().map(str), "closes_on": st.dates().map(str),
             "partner_ids": st.lists(st.sampled_from(ids["partner_id"]), min_size=1, max_size=3)},
            optional={"baseline_id": st.sampled_from(ids["cycle_id"]), "anonymous": st.booleans(), "depth": st.sampled_from(["core", "full"]),
                      "order": st.sampled_from(["stepped", "integrated"])})
        return body.flatmap(lambda b: operation.as_strategy(body=b))
    if operation.label == "GET /api/v1/instruments/{instrument_id}/{version}":
        return operation.as_strategy(path_parameters={"instrument_id": instrument_id, "version": version})
    real = {p.name: st.sampled_from(ids[p.name]) for p in operation.path_parameters if p.name in ids}
    if not real:
        return None
    return st.fixed_dictionaries(real).flatmap(lambda values: operation.as_strategy(path_parameters=values))


def _strategies(operation, ids: dict[str, list[int]]) -> list[st.SearchStrategy]:
    found = [operation.as_strategy(GenerationMode.POSITIVE)]
    if next(operation.iter_parameters(), None) is not None or operation.body:  # nothing can be invalid otherwise
        found.append(operation.as_strategy(GenerationMode.NEGATIVE))
    real = _real_ids(operation, ids)
    return found if real is None else [*found, real]


def _fuzz(strategy: st.SearchStrategy, headers: dict[str, str], seen: Callable[[int], None]) -> None:
    @FUZZ
    @given(case=strategy)
    def run(case) -> None:
        seen(0)
        # The document declares the bearer scheme: the generated case may carry a made-up token of its own. Each caller
        # is who its headers say (the anonymous one has no token at all).
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=REQUEST_TIMEOUT_S)
        seen(response.status_code)

    run()


def describe(exc: BaseException) -> str:
    """A failure with what it wraps (Hypothesis reports a case that failed once and then passed as a group): each
    exception's type and message, so that a failure seen once in CI says what it was."""
    parts = [f"{type(exc).__name__}: {exc}"]
    for sub in getattr(exc, "exceptions", ()):
        parts.append("  " + describe(sub).replace("\n", "\n  "))
    return "\n".join(parts)


def test_every_operation_holds_its_schema_for_every_role(schema, world):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17  # the whole API and /healthz: a document that lost its routes must not pass
    calls: Counter[tuple[str, str]] = Counter()
    answered: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    for role in CALLERS:
        for operation in operations:
            def seen(status: int, role: str = role, label: str = operation.label) -> None:
                if status:
                    answered[(role, status)] += 1
                else:
                    calls[(role, label)] += 1

            strategies = _strategies(operation, world["ids"]) if role in ROLES else [operation.as_strategy(GenerationMode.POSITIVE)]
            for strategy in strategies:
                try:
                    _fuzz(strategy, world["headers"][role], seen)
                except (Exception, BaseExceptionGroup) as exc:  # every failing role and operation in one report
                    failures.append(f"--- {role}: {operation.label}\n{describe(exc)}")

    assert not failures, "\n".join(failures)
    total = sum(n for (role, _), n in calls.items() if role in ROLES)
    by_status: Counter[int] = Counter()
    for (_, status), n in answered.items():
        by_status[status] += n
    print(f"{total} cases for the five roles, {sum(by_status.values())} in all; answers by status: {dict(sorted(by_status.items()))}")
    assert total >= MIN_CASES, f"only {total} cases were sent"
    for role in ROLES:
        assert all(calls[(role, op.label)] for op in operations), f"{role}: an operation got no case"
        assert sum(n for (r, _), n in calls.items() if r == role) >= MIN_CASES // len(ROLES) // 2, role
    assert {s for (r, s) in answered if r == "anonymous"} <= {200, 400, 401, 403, 422}  # 200: /healthz only
    for role in ROLES[1:]:  # the real ids reach past the permission checks
        assert answered[(role, 200)] > 0, role
    assert answered[("admin", 201)] > 0 and answered[("analyst", 403)] > 0
    assert answered[("bad_token", 401)] > 0 and answered[("bad_token", 429)] > 0


@pytest.mark.parametrize("body", [
    b'{"name": "\\udc00"}',  # a lone surrogate: Python reads it, UTF-8 cannot write it back
    b'{"name": 1e999}', b'{"name": NaN}',  # floats that Python reads and JSON cannot hold
    json.dumps({"name": "Nul\x00 Partner"}).encode(),  # PostgreSQL cannot store NUL
    json.dumps({"name": "Tab\x0bbed Partner"}).encode(),  # nor can an XLSX export hold control characters
    json.dumps({"name": "Fine", "contact_email": "a\x00@b.example.org"}).encode(),
    json.dumps({"name": "   "}).encode(),
], ids=["lone-surrogate", "infinity", "nan", "nul", "control", "nul-in-email", "blank"])
def test_bodies_that_are_hard_to_store_or_echo_get_a_documented_422(schema, db, client, body):
    admin = f.user(db, f.backbone(db), Role.backbone_admin)
    response = client.post("/api/v1/partners", content=body, headers={**f.api_token(db, admin), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    schema["/api/v1/partners"]["POST"].Case(body={}).validate_response(response, checks=CHECKS)
