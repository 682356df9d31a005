"""The assessments API and the result page: shapes, permissions, anonymity, and agreement with the engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from app.assessments import service
from app.organizations.models import Role
from app.scoring import AnswerIn, ResponseIn, score_assessment
from tests import factories as f
from tests.service.test_assessments import INSTRUMENT


def _respondent(db, catalogue, assessment, org, role_group: str, values: dict[str, str]) -> None:
    person = f.user(db, org, Role.respondent, password=None)
    response = service.get_or_start_response(db, assessment, person.id, "en")
    service.set_respondent_profile(db, catalogue, response, role_group, [])
    for item_id, value in values.items():
        service.save_answer(db, catalogue, response, service.AnswerInput(item_id, value=value, comment=None))
    service.submit_response(db, response, person.id)


@pytest.fixture
def world(db, catalogue):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    analyst = f.user(db, backbone, Role.backbone_analyst)
    a, b = f.partner(db, backbone, "Partner A"), f.partner(db, backbone, "Partner B")
    lead_a, lead_b = f.user(db, a, Role.partner_lead), f.user(db, b, Role.partner_lead)
    instrument = catalogue.get(*INSTRUMENT)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", instrument=instrument, anonymous=False,
                                 opens_on=today, closes_on=today + dt.timedelta(days=30), partner_ids=[a.id, b.id])
    assessments = {o.id: x for o in (a, b) for x in [cycle_assessment_of(db, cycle, o)]}
    rated = [i.id for i in instrument.items if i.is_rated]
    # Six staff, five board members, two managers: managers (2 < 5) are hidden, and so is the board, or its
    # figures and the staff's would reveal the managers' by subtraction from the total.
    for k in range(13):
        values = {item_id: ("dont_know" if (k + j) % 9 == 0 else str((k + j) % 4)) for j, item_id in enumerate(rated)}
        _respondent(db, catalogue, assessments[a.id], a, "staff" if k < 6 else "board" if k < 11 else "manager", values)
    service.submit_assessment(db, catalogue, assessments[a.id], lead_a.id, 5)
    db.commit()
    return {"admin": admin, "analyst": analyst, "lead_a": lead_a, "lead_b": lead_b, "a": a, "b": b, "cycle": cycle,
            "assessment_a": assessments[a.id], "assessment_b": assessments[b.id], "instrument": instrument}


def cycle_assessment_of(db, cycle, org):
    from sqlalchemy import select

    from app.assessments.models import Assessment

    return db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))


def test_list_assessments_filters_by_cycle_and_status(client, db, world):
    headers = f.api_token(db, world["analyst"])
    rows = client.get(f"/api/v1/assessments?cycle={world['cycle'].id}&status=submitted", headers=headers).json()
    assert [r["id"] for r in rows] == [world["assessment_a"].id]
    assert rows[0]["organization"]["name"] == "Partner A"
    assert (rows[0]["instrument_id"], rows[0]["instrument_version"]) == INSTRUMENT
    everything = client.get(f"/api/v1/assessments?cycle={world['cycle'].id}", headers=headers).json()
    assert {r["status"] for r in everything} == {"submitted", "draft"}


def test_a_partner_lists_only_its_own_assessments_and_gets_404_for_others(client, db, world):
    headers = f.api_token(db, world["lead_b"])
    rows = client.get("/api/v1/assessments", headers=headers).json()
    assert [r["organization"]["id"] for r in rows] == [world["b"].id]
    for path in ("", "/result", "/answers"):
        assert client.get(f"/api/v1/assessments/{world['assessment_a'].id}{path}", headers=headers).status_code == 404
    assert client.get(f"/assessments/{world['assessment_a'].id}/result", headers=headers).status_code == 404


def test_the_result_has_the_documented_shape(client, db, world):
    body = client.get(f"/api/v1/assessments/{world['assessment_a'].id}/result", headers=f.api_token(db, world["lead_a"])).json()
    assert set(body["overall"]) >= {"score", "level"}
    assert [d["id"] for d in body["domains"]] == [d.id for d in world["instrument"].domains]
    domain = body["domains"][0]
    assert set(domain) >= {"id", "score", "level", "policy_score", "practice_score", "dont_know_share", "items"}
    assert set(domain["items"][0]) >= {"id", "score", "n", "spread"}
    assert body["growth_opportunities"] and "groups" in body
    assert set(body["groups"]["role_group"]) == {"staff"}


def test_stored_result_equals_a_fresh_computation_from_the_exported_answers(client, db, world):
    headers = f.api_token(db, world["admin"])
    aid = world["assessment_a"].id
    stored = client.get(f"/api/v1/assessments/{aid}/result", headers=headers).json()
    answers = client.get(f"/api/v1/assessments/{aid}/answers", headers=headers).json()
    by_respondent: dict[str, dict[str, AnswerIn]] = defaultdict(dict)
    for a in answers:
        by_respondent[a["respondent"]][a["item_id"]] = AnswerIn(value=a["value"], special=a["special"])
    fresh = score_assessment(world["instrument"], [ResponseIn(id=k, answers=v) for k, v in by_respondent.items()],
                             depth="full", min_group_size=5).model_dump(mode="json")
    assert stored["overall"] == fresh["overall"]
    assert stored["domains"] == fresh["domains"]
    assert stored["growth_opportunities"] == fresh["growth_opportunities"]


def test_answers_show_what_the_welcome_page_promised_named_or_anonymous(client, db, world):
    aid = world["assessment_a"].id
    answers = client.get(f"/api/v1/assessments/{aid}/answers", headers=f.api_token(db, world["lead_a"])).json()
    assert all("@" in a["respondent"] for a in answers)  # a named cycle: "with your email address", as the welcome page says
    assert {a["role_group"] for a in answers} >= {"staff"}
    world["cycle"].anonymous = True
    db.commit()
    anonymous = client.get(f"/api/v1/assessments/{aid}/answers", headers=f.api_token(db, world["lead_a"])).json()
    assert anonymous and all(a["respondent"] is None and a["role_group"] is None and a["language"] is None for a in anonymous)
    headers = f.api_token(db, world["analyst"])
    first, second = (client.get(f"/api/v1/assessments/{aid}/answers", headers=headers).json() for _ in range(2))
    assert all(a["respondent"] and "@" not in a["respondent"] for a in first)
    assert not {a["respondent"] for a in first} & {a["respondent"] for a in second}  # new codes in every call


def test_no_result_yet_is_a_404_with_a_clear_message(client, db, world):
    r = client.get(f"/api/v1/assessments/{world['assessment_b'].id}/result", headers=f.api_token(db, world["lead_b"]))
    assert r.status_code == 404


@pytest.mark.parametrize("lang", ["en", "es"])
def test_result_page_in_both_languages(client, db, world, lang):
    f.sign_in(client, db, world["lead_a"])
    page = client.get(f"/assessments/{world['assessment_a'].id}/result?lang={lang}")
    assert page.status_code == 200
    html = page.text
    for domain in world["instrument"].domains:
        assert domain.title.get(lang) in html.replace("&amp;", "&")
    assert ("Growth opportunities" if lang == "en" else "Oportunidades de crecimiento") in html
    level_names = {lv.name.get(lang) for lv in world["instrument"].levels}
    assert any(name in html for name in level_names)


def test_anonymous_visitor_is_sent_to_login(client, world):
    r = client.get(f"/assessments/{world['assessment_a'].id}/result")
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
