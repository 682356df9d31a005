"""The permission matrix: every route of the application x every role x own or another organization's objects.

The routes come from the application's own table (``app.routing.route_table``): a new route fails
this test until its expected outcome for every role is written in ``EXPECTED`` below. Each request
runs in a savepoint that is rolled back, so every cell starts from the same world.

Outcomes: ``ok`` (the route did its work or answered about the input: 2xx, 3xx elsewhere than the
login page, 400, 409, 422), ``login`` (sent to sign in: 401 or a redirect to /login), ``403`` (may
see the object but not do this), ``404`` (may not know it exists). Never a 5xx.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from app.assessments import service
from app.assessments.models import Assessment
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth import service as auth
from app.auth.models import InvitationPurpose
from app.main import create_app
from app.organizations.models import LocalResource, Membership, Role
from app.plans.models import Action, CheckIn, Target, TargetKind
from app.reports import service as reports
from app.routing import Route, route_table
from app.webhooks.models import Webhook
from tests import factories as f
from tests.conftest import csrf_token
from tests.dashboard_world import INSTRUMENT, answer_and_submit

ROLES = ("anonymous", "respondent", "lead_a", "lead_b", "analyst", "admin")
# Whose objects are "own" and "other" for each role: A and B are partners of backbone X, D a partner of backbone Y.
SIDES = {"anonymous": ("A", "B"), "respondent": ("A", "B"), "lead_a": ("A", "B"), "lead_b": ("B", "A"),
         "analyst": ("A", "D"), "admin": ("A", "D")}
CSRF_COOKIE = "matrix-csrf-cookie"
MISSING_ID = 987_654_321

# The expected outcome per route and role: "own/other" (or one value for both). Read a row as: what each role
# gets for its own organization's object and for another organization's object with the same route.
EXPECTED_TABLE = """
# method path                                         anonymous  respondent lead_a     lead_b     analyst    admin
GET   /healthz                                        ok         ok         ok         ok         ok         ok
GET   /                                               ok         ok         ok         ok         ok         ok
GET   /login                                          ok         ok         ok         ok         ok         ok
POST  /login                                          ok         ok         ok         ok         ok         ok
POST  /logout                                         login      login      login      login      login      login
GET   /instruments                                    login      ok         ok         ok         ok         ok
GET   /instruments/{instrument_id}/{version}          login      ok         ok         ok         ok         ok
GET   /instruments/{instrument_id}/{version}/workbook.xlsx login 404 404       404        ok         ok
GET   /assessments/{assessment_id}/result             login      404        ok/404     ok/404     ok/404     ok/404
POST  /assessments/{assessment_id}/texts              login      404        ok/404     ok/404     403/404    403/404
GET   /plans/{org_id}                                 login      404        ok/404     ok/404     ok/404     ok/404
GET   /plans/{org_id}/new                             login      404        ok/404     ok/404     403/404    403/404
POST  /plans/{org_id}/actions                         login      404        ok/404     ok/404     403/404    403/404
GET   /plans/actions/{action_id}                      login      404        ok/404     ok/404     ok/404     ok/404
POST  /plans/actions/{action_id}                      login      404        ok/404     ok/404     403/404    403/404
POST  /plans/actions/{action_id}/notes                login      404        ok/404     ok/404     403/404    403/404
POST  /plans/{org_id}/editors                         login      404        ok/404     ok/404     403/404    403/404
POST  /plans/{org_id}/editors/{user_id}/remove        login      404        ok/404     ok/404     403/404    403/404
GET   /backbone/cycles/{cycle_id}/check-ins           login      404        404        404        ok/404     ok/404
POST  /backbone/cycles/{cycle_id}/check-ins           login      404        403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/check-ins/{check_in_id}/remove login 404  403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/check-ins/{check_in_id}/remind login 404  403/404    403/404    403/404    ok/404
GET   /backbone/targets                               login      404        404        404        ok         ok
POST  /backbone/targets                               login      404        404        404        403        ok
GET   /backbone/targets/{target_id}                   login      404        404        404        403        ok/404
POST  /backbone/targets/{target_id}                   login      404        404        404        403        ok/404
POST  /backbone/targets/{target_id}/remove            login      404        404        404        403        ok/404
GET   /invite/{token}                                 404        404        404        404        404        404
POST  /invite/{token}/resume                          404        404        404        404        404        404
POST  /invite/{token}/accept                          404        404        404        404        404        404
GET   /respond                                        login      ok         ok         ok         ok         ok
POST  /respond/start/{assessment_id}                  login      404        ok/404     ok/404     403/404    ok/404
GET   /respond/{response_id}/welcome                  login      ok/404     404        404        404        404
POST  /respond/{response_id}/welcome                  login      ok/404     404        404        404        404
GET   /respond/{response_id}/page/{key}               login      ok/404     404        404        404        404
POST  /respond/{response_id}/page/{key}               login      ok/404     404        404        404        404
POST  /respond/{response_id}/answer                   login      ok/404     404        404        404        404
GET   /respond/{response_id}/review                   login      ok/404     404        404        404        404
POST  /respond/{response_id}/submit                   login      ok/404     404        404        404        404
GET   /respond/{response_id}/done                     login      ok/404     404        404        404        404
GET   /partner                                        login      ok         ok         ok         ok         ok
POST  /partner/assessments/{assessment_id}/invite     login      404        ok/404     ok/404     403/404    ok/404
POST  /partner/invitations/{invitation_id}/revoke     login      404        ok/404     ok/404     403/404    ok/404
POST  /partner/invitations/{invitation_id}/resend     login      404        ok/404     ok/404     403/404    ok/404
POST  /partner/assessments/{assessment_id}/submit     login      404        ok/404     ok/404     403/404    ok/404
POST  /assessments/{assessment_id}/reopen             login      404        403/404    403/404    403/404    ok/404
GET   /backbone                                       login      ok         ok         ok         ok         ok
GET   /backbone/partners                              login      404        404        404        ok         ok
GET   /backbone/partners/new                          login      404        404        404        403        ok
POST  /backbone/partners                              login      404        404        404        403        ok
GET   /backbone/partners/import                       login      404        404        404        403        ok
POST  /backbone/partners/import                       login      404        404        404        403        ok
POST  /backbone/partners/import/confirm               login      404        404        404        403        ok
GET   /backbone/partners/{org_id}/edit                login      404        403/404    403/404    403/404    ok/404
POST  /backbone/partners/{org_id}                     login      404        403/404    403/404    403/404    ok/404
POST  /backbone/partners/{org_id}/archive             login      404        403/404    403/404    403/404    ok/404
POST  /backbone/partners/{org_id}/restore             login      404        403/404    403/404    403/404    ok/404
POST  /backbone/partners/{org_id}/invite-lead         login      404        403/404    403/404    403/404    ok/404
GET   /backbone/cycles/new                            login      404        404        404        403        ok
POST  /backbone/cycles                                login      404        404        404        403        ok
GET   /backbone/cycles/{cycle_id}                     login      404        404        404        ok/404     ok/404
POST  /backbone/cycles/{cycle_id}/close               login      404        403/404    403/404    403/404    ok/404
GET   /backbone/cycles/{cycle_id}/close               login      404        403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/reopen              login      404        403/404    403/404    403/404    ok/404
GET   /backbone/cycles/{cycle_id}/edit                login      404        403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/edit                login      404        403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/partners/{org_id}/deadline login 404  403/404    403/404    403/404    ok/404
POST  /backbone/cycles/{cycle_id}/remind              login      404        403/404    403/404    403/404    ok/404
GET   /backbone/cycles/{cycle_id}/remind              login      404        404        404        ok/404     ok/404
POST  /backbone/cycles/{cycle_id}/reminder-days       login      404        403/404    403/404    403/404    ok/404
GET   /backbone/cycles/{cycle_id}/compare             login      404        404        404        ok/404     ok/404
GET   /backbone/cycles/{cycle_id}/export/{kind}.{fmt} login      404        404        404        ok/404     ok/404
GET   /backbone/cycles/{cycle_id}/export              login      404        404        404        ok/404     ok/404
GET   /backbone/audit                                 login      404        404        404        403        ok
GET   /backbone/people                                login      404        404        404        403        ok
GET   /backbone/languages                             login      404        404        404        403        ok
POST  /backbone/people/{user_id}/password-link        login      404        404        404        403        404
POST  /backbone/people/invite                         login      404        404        404        403        ok
POST  /backbone/people/seats/{membership_id}/remove   login      404        404        404        403        404
GET   /composition/{org_id}                           login      404        ok/404     ok/404     ok/404     ok/404
GET   /composition/{org_id}/cycles/{cycle_id}         login      404        ok/404     ok/404     ok/404     ok/404
POST  /composition/{org_id}/cycles/{cycle_id}         login      404        ok/404     ok/404     403/404    403/404
POST  /composition/{org_id}/benchmark                 login      404        ok/404     ok/404     403/404    403/404
POST  /composition/{org_id}/benchmark/remove          login      404        ok/404     ok/404     403/404    403/404
POST  /composition/{org_id}/helpers                   login      404        ok/404     ok/404     403/404    403/404
POST  /composition/{org_id}/helpers/{user_id}/remove  login      404        ok/404     ok/404     403/404    403/404
GET   /backbone/composition                           login      404        404        404        ok         ok
POST  /backbone/composition                           login      404        404        404        403        ok
GET   /backbone/cycles/{cycle_id}/composition         login      404        404        404        ok/404     ok/404
GET   /backbone/resources                             login      404        404        404        ok         ok
POST  /backbone/resources                             login      404        404        404        403        ok
POST  /backbone/resources/{resource_id}/remove        login      404        404        404        403        ok/404
GET   /backbone/webhooks                              login      404        404        404        403        ok
POST  /backbone/webhooks                              login      404        404        404        403        ok
POST  /backbone/webhooks/{hook_id}/ping               login      404        404        404        403        ok/404
POST  /backbone/webhooks/{hook_id}/remove             login      404        404        404        403        ok/404
GET   /password/forgot                                ok         ok         ok         ok         ok         ok
POST  /password/forgot                                ok         ok         ok         ok         ok         ok
GET   /reset/{token}                                  404        404        404        404        404        404
POST  /reset/{token}                                  404        404        404        404        404        404
GET   /backbone/audit.csv                             login      404        404        404        403        ok
GET   /assessments/{assessment_id}/report.pdf         login      404        ok/404     ok/404     ok/404     ok/404
GET   /backbone/cycles/{cycle_id}/summary.pdf         login      404        404        404        ok/404     ok/404
GET   /api/v1/me                                      login      ok         ok         ok         ok         ok
GET   /api/v1/instruments                             login      ok         ok         ok         ok         ok
GET   /api/v1/instruments/{instrument_id}/{version}   login      ok         ok         ok         ok         ok
GET   /api/v1/assessments                             login      ok         ok         ok         ok         ok
GET   /api/v1/assessments/{assessment_id}             login      404        ok/404     ok/404     ok/404     ok/404
GET   /api/v1/assessments/{assessment_id}/result      login      404        ok/404     ok/404     ok/404     ok/404
GET   /api/v1/assessments/{assessment_id}/answers     login      404        ok/404     ok/404     ok/404     ok/404
GET   /api/v1/partners                                login      ok         ok         ok         ok         ok
GET   /api/v1/partners/{partner_id}                   login      404        ok/404     ok/404     ok/404     ok/404
POST  /api/v1/partners                                login      404        404        404        403        ok
GET   /api/v1/cycles                                  login      ok         ok         ok         ok         ok
POST  /api/v1/cycles                                  login      404        404        404        403        ok
GET   /api/v1/cycles/{cycle_id}                       login      404        ok/404     ok/404     ok/404     ok/404
GET   /api/v1/cycles/{cycle_id}/comparison            login      404        404        404        ok/404     ok/404
GET   /api/v1/cycles/{cycle_id}/export/{kind}         login      404        404        404        ok/404     ok/404
GET   /api/v1/assessments/{assessment_id}/report.pdf  login      404        ok/404     ok/404     ok/404     ok/404
GET   /api/v1/cycles/{cycle_id}/summary.pdf           login      404        404        404        ok/404     ok/404
GET   /api/v1/partners/{partner_id}/actions           login      404        ok/404     ok/404     ok/404     ok/404
POST  /api/v1/partners/{partner_id}/actions           login      404        ok/404     ok/404     403/404    403/404
GET   /api/v1/targets                                 login      ok         ok         ok         ok         ok
GET   /api/v1/cycles/{cycle_id}/check-ins             login      404        404        404        ok/404     ok/404
POST  /api/v1/targets                                 login      403        403        403        403        ok
PATCH /api/v1/partners/{partner_id}                login      404        403/404    403/404    403/404    ok/404
POST  /api/v1/partners/{partner_id}/archive        login      404        403/404    403/404    403/404    ok/404
POST  /api/v1/partners/{partner_id}/restore        login      404        403/404    403/404    403/404    ok/404
POST  /api/v1/partners/{partner_id}/invite-lead    login      404        403/404    403/404    403/404    ok/404
POST  /api/v1/cycles/{cycle_id}/close              login      404        403/404    403/404    403/404    ok/404
POST  /api/v1/cycles/{cycle_id}/reopen             login      404        403/404    403/404    403/404    ok/404
GET   /api/v1/cycles/{cycle_id}/reminders          login      404        404        404        ok/404     ok/404
POST  /api/v1/cycles/{cycle_id}/reminders          login      404        403/404    403/404    403/404    ok/404
GET   /api/v1/cycles/{cycle_id}/invitations        login      404        404        404        ok/404     ok/404
GET   /api/v1/audit                                login      404        404        404        403        ok
GET   /api/v1/people                               login      404        404        404        403        ok
PATCH /api/v1/actions/{action_id}                  login      404        ok/404     ok/404     403/404    403/404
POST  /api/v1/actions/{action_id}/notes            login      404        ok/404     ok/404     403/404    403/404
POST  /api/v1/people/invite                         login      404        404        404        403        ok
DELETE /api/v1/people/seats/{seat_id}                login      404        404        404        403        404
GET   /api/v1/webhooks                                login      404        404        404        403        ok
POST  /api/v1/webhooks                                login      404        404        404        403        ok
DELETE /api/v1/webhooks/{webhook_id}                  login      404        404        404        403        ok/404
POST  /api/v1/webhooks/{webhook_id}/ping              login      404        404        404        403        ok/404
GET   /api/v1/webhooks/{webhook_id}/deliveries        login      404        404        404        403        ok/404
GET   /api/v1/cycles/{cycle_id}/composition           login      404        404        404        ok/404     ok/404
GET   /api/v1/partners/{partner_id}/composition       login      404        ok/404     ok/404     ok/404     ok/404
PUT   /api/v1/partners/{partner_id}/composition/{cycle_id} login 404     ok/404     ok/404     403/404    403/404
GET   /api/v1/benchmark                               login      404        404        404        ok         ok
PUT   /api/v1/benchmark                               login      404        404        404        403        ok
PUT   /api/v1/partners/{partner_id}/benchmark         login      404        ok/404     ok/404     403/404    403/404
DELETE /api/v1/partners/{partner_id}/benchmark        login      404        ok/404     ok/404     403/404    403/404
"""


def parse_expected(table: str) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    expected = {}
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        method, path, *cells = line.split()
        assert len(cells) == len(ROLES), line
        expected[(method, path)] = {role: tuple((cell.split("/") * 2)[:2]) for role, cell in zip(ROLES, cells, strict=True)}
    return expected


EXPECTED = parse_expected(EXPECTED_TABLE)


# -- the world -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def matrix_conn(engine) -> Iterator[Any]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture(scope="module")
def world(matrix_conn, catalogue, settings) -> dict[str, Any]:
    factory = sessionmaker(bind=matrix_conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as db:
        instrument = catalogue.get(*INSTRUMENT)
        x, y = f.backbone(db, "Matrix Backbone X"), f.backbone(db, "Matrix Backbone Y")
        admin, analyst = f.user(db, x, Role.backbone_admin, password=None), f.user(db, x, Role.backbone_analyst, password=None)
        y_admin = f.user(db, y, Role.backbone_admin, password=None)
        orgs = {"A": f.partner(db, x, "Matrix A"), "B": f.partner(db, x, "Matrix B"), "D": f.partner(db, y, "Matrix D")}
        leads = {s: f.user(db, o, Role.partner_lead, password=None) for s, o in orgs.items()}
        today = dt.date.today()

        def cycle(backbone, actor, name, sides):
            return service.create_cycle(db, backbone=backbone, actor_id=actor.id, name=name, instrument=instrument, opens_on=today,
                                        closes_on=today + dt.timedelta(days=30), partner_ids=[orgs[s].id for s in sides])

        done = {"X": cycle(x, admin, "Done X", "AB"), "Y": cycle(y, y_admin, "Done Y", "D")}
        now = {"X": cycle(x, admin, "Now X", "AB"), "Y": cycle(y, y_admin, "Now Y", "D")}
        # Each side's own cycle, in which the other partner does not take part.
        alone = {"A": cycle(x, admin, "A alone", "A"), "B": cycle(x, admin, "B alone", "B"), "D": done["Y"]}
        sides: dict[str, dict[str, int]] = {}
        respondents = {}
        targets_of = {bb: Target(backbone_id=b.id, title=f"Matrix target {bb}", kind=TargetKind.median_change, domain_id="overall", points=5,
                                 reference_cycle_id=done[bb].id) for bb, b in (("X", x), ("Y", y))}
        db.add_all(targets_of.values())
        resources_of = {bb: LocalResource(backbone_id=b.id, title=f"Matrix resource {bb}") for bb, b in (("X", x), ("Y", y))}
        db.add_all(resources_of.values())
        hooks_of = {bb: Webhook(backbone_id=b.id, url=f"https://8.8.8.8/{bb}", secret="0" * 64, events=["assessment.submitted"])
                    for bb, b in (("X", x), ("Y", y))}
        db.add_all(hooks_of.values())
        db.flush()
        for s, org in orgs.items():
            bb = "Y" if s == "D" else "X"
            submitted = answer_and_submit(db, catalogue, done[bb], org, leads[s], {"*": 2})
            open_ = db.scalar(select(Assessment).where(Assessment.cycle_id == now[bb].id, Assessment.organization_id == org.id))
            respondents[s] = f.user(db, org, Role.respondent, password=None)
            response = service.get_or_start_response(db, open_, respondents[s].id, "en")
            invitation = invitations.issue(db, settings, email=f"matrix-{s.lower()}@example.org", language="en", organization=org,
                                           purpose=InvitationPurpose.respond, assessment_id=open_.id, created_by_id=leads[s].id)
            action = Action(organization_id=org.id, title=f"Matrix action {s}")
            check_in = CheckIn(cycle_id=alone[s].id, due_on=today + dt.timedelta(days=7))
            db.add_all([action, check_in])
            db.flush()
            sides[s] = {"assessment_id": submitted.id, "open_assessment_id": open_.id, "response_id": response.id, "action_id": action.id,
                        "user_id": respondents[s].id, "check_in_id": check_in.id, "target_id": targets_of[bb].id,
                        "invitation_id": invitation.invitation.id, "org_id": org.id, "partner_id": org.id, "cycle_id": alone[s].id,
                        "membership_id": db.scalar(select(Membership.id).where(Membership.user_id == respondents[s].id)),
                        "hook_id": hooks_of[bb].id, "webhook_id": hooks_of[bb].id, "resource_id": resources_of[bb].id,
                        "seat_id": db.scalar(select(Membership.id).where(Membership.user_id == respondents[s].id))}
        pseudonyms = set(db.scalars(select(ResponseRow.pseudonym).where(ResponseRow.assessment_id.in_(
            [side["assessment_id"] for side in sides.values()]))))
        users = {"respondent": respondents["A"], "lead_a": leads["A"], "lead_b": leads["B"], "analyst": analyst, "admin": admin}
        sessions = {role: auth.start_session(db, u, 1) for role, u in users.items()}
        db.commit()
        # The PDFs the report routes serve, rendered once here into the report cache: each request's savepoint is rolled
        # back, and a rendering made in it was made again for every role let in (what is checked here is who gets an answer).
        for s in "AB":
            reports.partner_report(db, catalogue, settings, db.get(Assessment, sides[s]["assessment_id"]), settings.default_locale)
            reports.cycle_summary(db, catalogue, settings, alone[s], settings.default_locale)
        db.commit()
    return {"sides": sides, "sessions": sessions, "pseudonyms": pseudonyms}


@pytest.fixture(scope="module")
def clients(matrix_conn, world, settings, engine, catalogue) -> Iterator[dict[str, TestClient]]:
    app = create_app(settings, engine=engine, catalogue=catalogue, check_database=False)
    app.state.sessionmaker = sessionmaker(bind=matrix_conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    out = {}
    for role in ROLES:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.cookies.set("reassess_csrf", CSRF_COOKIE)
        if role in world["sessions"]:
            c.cookies.set("reassess_session", world["sessions"][role])
        out[role] = c
    yield out
    for c in out.values():
        c.close()


# -- requests --------------------------------------------------------------------------------------

OPEN_ASSESSMENT_ROUTES = {"/respond/start/{assessment_id}", "/partner/assessments/{assessment_id}/invite",
                          "/partner/assessments/{assessment_id}/submit"}
FIXED = {"key": "reflection", "token": "no-such-invitation-token-0000", "kind": "results", "fmt": "csv",
         "instrument_id": "equity-self-assessment", "version": "1.0"}
FORMS: dict[str, dict[str, Any]] = {
    "/login": {"email": "nobody@example.org", "password": "not the password"},
    "/respond/{response_id}/welcome": {"role_group": "staff"},
    "/respond/{response_id}/page/{key}": {"nav": "next"},
    "/respond/{response_id}/submit": {"confirm": "yes"},
    "/partner/assessments/{assessment_id}/invite": {"emails": "new-person@example.org", "language": "es"},
    "/partner/assessments/{assessment_id}/submit": {"confirm": "yes"},
    "/assessments/{assessment_id}/reopen": {"reason": "more answers came in"},
    "/assessments/{assessment_id}/texts": {"key": "0" * 20, "action": "quote"},
    "/plans/{org_id}/actions": {"title": "Matrix action", "status": "planned"},
    "/plans/actions/{action_id}": {"title": "Matrix action renamed", "status": "in_progress"},
    "/plans/actions/{action_id}/notes": {"body": "A matrix note"},
    "/plans/{org_id}/editors": {"email": "matrix-editor@example.org", "language": "en"},
    "/backbone/cycles/{cycle_id}/check-ins": {"due_on": "2031-01-01"},
    "/backbone/targets": {"title": "Matrix target", "kind": "median_change", "domain_id": "overall", "points": "10"},
    "/backbone/targets/{target_id}": {"title": "Matrix target", "kind": "median_change", "domain_id": "overall", "points": "10"},
    "/backbone/partners": {"name": "Matrix New", "sector": "k12", "size_band": "1-10", "preferred_language": "en"},
    "/backbone/partners/{org_id}": {"name": "Matrix Renamed", "sector": "k12", "size_band": "1-10", "preferred_language": "en"},
    "/backbone/partners/{org_id}/invite-lead": {"email": "new-lead@example.org", "language": "en"},
    "/backbone/webhooks": {"url": "https://8.8.8.8/matrix", "events": "assessment.submitted"},
    "/backbone/resources": {"title": "Matrix local resource", "domain_id": "leadership"},
    "/composition/{org_id}/cycles/{cycle_id}": {"c-board-total-all": "12", "c-board-race-white": "7", "as_of": "2026-09-30"},
    "/composition/{org_id}/benchmark": {"name": "Matrix service area", "s-white": "60", "s-asian": "40"},
    "/composition/{org_id}/helpers": {"email": "matrix-counter@example.org", "language": "en"},
    "/backbone/composition": {"name": "Matrix county", "s-white": "55", "s-hispanic_latino": "45"},
    "/backbone/cycles": {"name": "Matrix Cycle", "instrument": "equity-self-assessment@1.0", "opens_on": "2030-01-01",
                         "closes_on": "2030-02-01", "privacy": "anonymous", "depth": "full", "order": "integrated"},
}
JSON: dict[str, dict[str, Any]] = {
    "/respond/{response_id}/answer": {"item_id": "lead-01", "value": "2"},
    "/api/v1/partners": {"name": "Matrix API Partner"},
    "/api/v1/webhooks": {"url": "https://8.8.8.8/matrix-api", "events": ["cycle.closed"]},
    "/api/v1/partners/{partner_id}": {"name": "Matrix API Renamed"},
    "/api/v1/partners/{partner_id}/invite-lead": {"email": "api-lead@example.org"},
    "/api/v1/cycles/{cycle_id}/reopen": {},
    "/api/v1/actions/{action_id}": {"title": "Matrix API action renamed"},
    "/api/v1/actions/{action_id}/notes": {"body": "A matrix API note"},
    "/api/v1/people/invite": {"email": "matrix-staff@example.org", "role": "backbone_analyst"},
    "/api/v1/partners/{partner_id}/actions": {"title": "Matrix API action"},
    "/api/v1/targets": {"title": "Matrix API target", "kind": "median_change", "points": 10, "reference_cycle_id": "{cycle_id}"},
    "/api/v1/partners/{partner_id}/composition/{cycle_id}": {"as_of": "2026-09-30", "counts": [
        {"level": "board", "dimension": "total", "category": "all", "count": 12},
        {"level": "board", "dimension": "race", "category": "white", "count": 7}]},
    "/api/v1/benchmark": {"name": "Matrix API county", "shares": {"white": 55, "hispanic_latino": 45}},
    "/api/v1/partners/{partner_id}/benchmark": {"name": "Matrix API service area", "shares": {"white": 60, "asian": 40}},
    "/api/v1/cycles": {"name": "Matrix API Cycle", "instrument_id": "equity-self-assessment", "instrument_version": "1.0",
                       "opens_on": "2030-01-01", "closes_on": "2030-02-01", "partner_ids": ["{org_id}"]},
}


def url_for(route: Route, ids: dict[str, int], override: int | None = None) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in FIXED:
            return FIXED[name]
        if override is not None:
            return str(override)
        key = "open_assessment_id" if name == "assessment_id" and route.path.removeprefix("/api/v1") in OPEN_ASSESSMENT_ROUTES else name
        return str(ids[key])
    return re.sub(r"\{(\w+)\}", fill, route.path)


def with_ids(body: Any, ids: dict[str, int]) -> Any:
    """A body with "{org_id}"-style placeholders filled with the side's ids."""
    if isinstance(body, dict):
        return {k: with_ids(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [with_ids(v, ids) for v in body]
    if isinstance(body, str) and re.fullmatch(r"\{\w+\}", body):
        return ids[body[1:-1]]
    return body


def call(client: TestClient, conn: Any, route: Route, url: str, ids: dict[str, int]) -> Any:
    kwargs: dict[str, Any] = {"headers": {"X-CSRF-Token": csrf_token_for(client)}}
    if route.path in FORMS:
        kwargs["data"] = FORMS[route.path]
    elif route.path in JSON:
        kwargs["json"] = with_ids(JSON[route.path], ids)
    savepoint = conn.begin_nested()
    try:
        return client.request(route.method, url, **kwargs)
    finally:
        savepoint.rollback()


def csrf_token_for(client: TestClient) -> str:
    return csrf_token(client.app.state.settings, CSRF_COOKIE)  # type: ignore[attr-defined]


def outcome(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status}!"
    if status == 401 or (status in (302, 303, 307) and response.headers.get("location", "").startswith("/login")):
        return "login"
    if status in (403, 404):
        return str(status)
    return "ok"


def has_ids(route: Route) -> bool:
    return any(name not in FIXED for name in re.findall(r"\{(\w+)\}", route.path))


ROUTES = route_table()


def test_every_route_has_an_expected_outcome_for_every_role():
    listed = {(r.method, r.path) for r in ROUTES}
    missing = sorted(listed - set(EXPECTED))
    stale = sorted(set(EXPECTED) - listed)
    assert not missing, f"routes without expectations in EXPECTED_TABLE: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_answers_each_role_as_expected(route, clients, matrix_conn, world):
    observed, mismatches = {}, []
    for role in ROLES:
        own_side, other_side = SIDES[role]
        own_ids, other_ids = world["sides"][own_side], world["sides"][other_side]
        own = outcome(call(clients[role], matrix_conn, route, url_for(route, own_ids), own_ids))
        other = outcome(call(clients[role], matrix_conn, route, url_for(route, other_ids), other_ids))
        observed[role] = (own, other)
        want = EXPECTED.get((route.method, route.path), {}).get(role)
        if (own, other) != want:
            mismatches.append(f"{role}: got {own}/{other}, expected {'/'.join(want) if want else '?'}")
    if os.environ.get("MATRIX_PRINT"):
        cells = [o if o == t else f"{o}/{t}" for o, t in observed.values()]
        print(f"\nROW {route.method} {route.path} " + " ".join(cells))
    assert not mismatches, f"{route.method} {route.path}: " + "; ".join(mismatches)


@pytest.mark.parametrize("route", [r for r in ROUTES if has_ids(r)], ids=[f"{r.method} {r.path}" for r in ROUTES if has_ids(r)])
def test_guessed_ids_reveal_nothing(route, clients, matrix_conn, world):
    """Another organization's object and an id that does not exist give the same answer, byte for byte."""
    for role in ROLES:
        ids = world["sides"][SIDES[role][1]]
        real_url, missing_url = url_for(route, ids), url_for(route, ids, override=MISSING_ID)
        other = call(clients[role], matrix_conn, route, real_url, ids)
        if other.status_code != 404:
            continue
        missing = call(clients[role], matrix_conn, route, missing_url, ids)
        # The page links to itself in the other language: the address it was asked for is the only difference allowed.
        same = missing.content.replace(missing_url.encode(), b"URL") == other.content.replace(real_url.encode(), b"URL")
        assert missing.status_code == 404 and same, f"{role} can tell a real id from a missing one"


VISIBLE = {"anonymous": set(), "respondent": {"A"}, "lead_a": {"A"}, "lead_b": {"B"}, "analyst": {"A", "B"}, "admin": {"A", "B"}}
GETS = [r for r in ROUTES if r.method == "GET" and not r.path.endswith(".pdf")]


@pytest.mark.parametrize("route", GETS, ids=[r.path for r in GETS])
def test_no_page_names_an_organization_out_of_reach(route, clients, matrix_conn, world):
    """Whatever a role may open with its own ids, no other organization's name is in it (lists included)."""
    for role in ROLES:
        ids = world["sides"][SIDES[role][0]]
        response = call(clients[role], matrix_conn, route, url_for(route, ids), ids)
        text = response.content.decode("utf-8", "replace")
        for side in {"A", "B", "D"} - VISIBLE[role]:
            assert f"Matrix {side}" not in text, f"{role} sees Matrix {side} at {route.path}"


def test_an_anonymous_cycle_never_links_answers_to_a_respondent_for_the_partner(clients, matrix_conn, world):
    """The cycles are anonymous: no page, export or API answer the partner's people can open carries a respondent's pseudonym."""
    assert world["pseudonyms"]
    for role in ("respondent", "lead_a", "lead_b"):
        ids = world["sides"][SIDES[role][0]]
        for route in GETS:
            response = call(clients[role], matrix_conn, route, url_for(route, ids), ids)
            text = response.content.decode("utf-8", "replace")
            leaked = [p for p in world["pseudonyms"] if p in text]
            assert not leaked, f"{role} sees respondent pseudonyms at {route.path}"
    answers = call(clients["lead_a"], matrix_conn, next(r for r in ROUTES if r.path.endswith("/answers")),
                   f"/api/v1/assessments/{world['sides']['A']['assessment_id']}/answers", world["sides"]["A"]).json()
    assert answers and all(a["respondent"] is None and a["race_ethnicity"] is None for a in answers)
    assert all(a["role_group"] is None for a in answers)  # two respondents: under the minimum group size, no group is named
