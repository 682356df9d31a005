"""The backbone workspace over HTTP: who may see and change what, forms, reminders, exports and the JSON API."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.assessments import service
from app.assessments.models import Assessment, Cycle
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.organizations.models import Organization, Role
from app.organizations.service import add_member
from tests import factories as f


def test_partner_users_and_strangers_do_not_reach_the_workspace(client, db, world):
    cycle = world["follow"].id
    f.sign_in(client, db, world["lead_a"])
    assert client.get("/backbone", follow_redirects=False).headers["location"] == "/partner"
    for path in (f"/backbone/cycles/{cycle}", f"/backbone/cycles/{cycle}/compare", f"/backbone/cycles/{cycle}/export/results.csv",
                 f"/backbone/partners/{world['b'].id}/edit", "/backbone/partners"):
        assert client.get(path).status_code == 404, path
    other = f.backbone(db, "Another Partnership")
    stranger = f.user(db, other, Role.backbone_admin)
    db.commit()
    f.sign_in(client, db, stranger)
    assert client.get(f"/backbone/cycles/{cycle}/compare").status_code == 404  # another backbone's cycle id, guessed
    assert client.get(f"/backbone/partners/{world['a'].id}/edit").status_code == 404
    client.cookies.clear()
    r = client.get(f"/backbone/cycles/{cycle}/compare", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")


def test_an_analyst_reads_everything_and_changes_nothing(client, db, world, csrf):
    f.sign_in(client, db, world["analyst"])
    cycle = world["follow"].id
    for path in ("/backbone", "/backbone/partners", f"/backbone/cycles/{cycle}", f"/backbone/cycles/{cycle}/compare",
                 f"/backbone/cycles/{cycle}/export/results.xlsx"):
        assert client.get(path).status_code == 200, path
    assert "New cycle" not in client.get("/backbone").text
    posts = [("/backbone/partners", {"name": "X", "sector": "other", "size_band": "1-10", "preferred_language": "en"}),
             (f"/backbone/partners/{world['a'].id}/archive", {}), (f"/backbone/cycles/{cycle}/close", {}),
             (f"/backbone/cycles/{cycle}/remind", {}), ("/backbone/cycles", {"name": "X"})]
    for path, data in posts:
        assert client.post(path, data={**data, "csrf_token": csrf}).status_code == 403, path
    assert client.get("/backbone/cycles/new").status_code == 403
    headers = f.api_token(db, world["analyst"])
    assert client.post("/api/v1/partners", json={"name": "X"}, headers=headers).status_code == 403
    assert client.get(f"/api/v1/cycles/{cycle}/comparison", headers=headers).status_code == 200


def test_admin_creates_edits_archives_and_restores_a_partner(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    bad = client.post("/backbone/partners", data={"name": "", "sector": "k12", "size_band": "1-10", "preferred_language": "es",
                                                  "contact_email": "not an email", "csrf_token": csrf})
    assert bad.status_code == 422 and "Give the organization&#39;s name." in bad.text and 'value="not an email"' in bad.text
    r = client.post("/backbone/partners", data={"name": "Dogwood Clinic", "sector": "health", "size_band": "51-200", "preferred_language": "es",
                                                "contact_name": "Ana", "contact_email": "Ana@Dogwood.example.org", "csrf_token": csrf},
                    follow_redirects=True)
    assert r.status_code == 200 and "Dogwood Clinic" in r.text
    org = db.scalar(select(Organization).where(Organization.name == "Dogwood Clinic"))
    assert org.preferred_language == "es" and org.contact_email == "ana@dogwood.example.org" and org.backbone_id == world["backbone"].id
    dup = client.post(f"/backbone/partners/{org.id}", data={"name": "alder school district", "sector": "health", "size_band": "51-200",
                                                           "preferred_language": "es", "csrf_token": csrf})
    assert dup.status_code == 422 and "already exists" in dup.text
    listing = client.get("/backbone/partners?lang=en").text
    row = listing[listing.index(f'id="partner-{org.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Not invited" in row and "Archiving leaves Dogwood Clinic out of new cycles" in row  # archiving says what it does first
    assert "<summary>Archive" in row and row.index("<summary>Archive") < row.index(f'action="/backbone/partners/{org.id}/archive"')
    client.post(f"/backbone/partners/{org.id}/archive", data={"csrf_token": csrf})
    db.refresh(org)
    assert org.archived_at is not None
    assert "Dogwood Clinic" not in client.get("/backbone/cycles/new").text  # archived partners are left out of new cycles
    client.post(f"/backbone/partners/{org.id}/restore", data={"csrf_token": csrf})
    db.refresh(org)
    assert org.archived_at is None


def test_inviting_a_lead_in_spanish_gives_a_link_that_lands_on_the_partner_page(client, db, world, csrf, settings):
    f.sign_in(client, db, world["admin"])
    posted = client.post(f"/backbone/partners/{world['c'].id}/invite-lead", data={"email": "jefa@cedar.example.org", "language": "es",
                                                                                  "csrf_token": csrf})
    assert posted.status_code == 303 and "/invite/" not in posted.headers["location"]  # a redirect: a reload sends nothing again
    r = client.get(posted.headers["location"])
    assert r.status_code == 200 and "/invite/inv_" in r.text  # no SMTP in tests: the link is shown to copy, to its inviter only
    f.sign_in(client, db, world["analyst"])
    assert "/invite/inv_" not in client.get(posted.headers["location"]).text  # anyone else sees no link
    f.sign_in(client, db, world["admin"])
    inv = db.scalar(select(Invitation).where(Invitation.email == "jefa@cedar.example.org"))
    assert inv.purpose is InvitationPurpose.partner_lead and inv.language == "es"
    waiting = client.get("/backbone/partners?lang=en").text
    assert re.search(rf'id="partner-{world["c"].id}".*?Invited on [^<]*, not accepted yet', waiting, re.S)
    mail = sorted((settings.var_dir / "outbox").glob("*.eml"))[-1].read_text()
    assert "Cedar Employers" in mail and "le invita" in mail
    link = r.text.split('value="', 1)[1].split("/invite/", 1)[1].split('"', 1)[0]
    client.cookies.clear()
    client.cookies.set("reassess_csrf", "test-csrf-cookie")
    landed = client.get(f"/invite/{link}", follow_redirects=False)
    assert landed.status_code == 200 and "Elija su contraseña" in landed.text  # the link signs no one in by itself
    accepted = client.post(f"/invite/{link}/accept", data={"password": "una frase larga 2026", "confirm": "una frase larga 2026",
                                                           "csrf_token": csrf}, follow_redirects=False)
    assert accepted.headers["location"] == "/partner"
    f.sign_in(client, db, world["admin"])
    listing = client.get("/backbone/partners?lang=en").text
    cedar = listing[listing.index(f'id="partner-{world["c"].id}"'):]
    assert "Has accepted" in cedar[:cedar.index("</tr>")]  # the Lead column says the lead took the seat
    birch = listing[listing.index(f'id="partner-{world["b"].id}"'):]
    assert "Has accepted" in birch[:birch.index("</tr>")]


def test_creating_a_follow_up_cycle_through_the_form(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    form = client.get("/backbone/cycles/new").text
    assert f'<option value="{world["follow"].id}" selected>' in form  # the latest cycle is the default baseline
    bad = client.post("/backbone/cycles", data={"name": "", "instrument": "equity-self-assessment@1.0", "opens_on": "2027-01-01",
                                                "closes_on": "2026-01-01", "privacy": "anonymous", "csrf_token": csrf})
    assert bad.status_code == 422 and "Choose at least one partner." in bad.text
    assert "Give the cycle a name." in bad.text and "The closing date must be on or after the opening date." in bad.text  # all at once
    ok = client.post("/backbone/cycles", data={"name": "Second follow-up", "instrument": "equity-self-assessment@1.0", "opens_on": "2027-01-10",
                                               "closes_on": "2027-03-01", "privacy": "named", "depth": "full", "order": "stepped",
                                               "baseline": str(world["follow"].id), "partners": [str(world["a"].id), str(world["b"].id)],
                                               "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    cycle = db.scalar(select(Cycle).where(Cycle.name == "Second follow-up"))
    assert cycle.baseline_id == world["follow"].id and not cycle.anonymous and cycle.order.value == "stepped"
    assert db.scalar(select(func.count()).select_from(Assessment).where(Assessment.cycle_id == cycle.id)) == 2
    page = client.get(ok.headers["location"]).text
    assert "Not yet open" in page and "Second follow-up" in page


def test_reminders_go_to_those_who_have_not_submitted(client, db, world, csrf, settings):
    follow = world["follow"]
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    links = {invitations.issue(db, settings, email=address, language="es", organization=world["c"], purpose=InvitationPurpose.respond,
                               assessment_id=cedar.id, created_by_id=world["admin"].id).link(settings)
             for address in ("one@cedar.example.org", "two@cedar.example.org")}
    db.commit()
    outbox = settings.var_dir / "outbox"
    before = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    f.sign_in(client, db, world["admin"])
    r = client.post(f"/backbone/cycles/{follow.id}/remind", data={"csrf_token": csrf}, follow_redirects=True)
    assert r.status_code == 200 and "2 reminders sent" in r.text
    assert len(list(outbox.glob("*.eml"))) == before + 2
    body = email.message_from_bytes(max(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns).read_bytes(),
                                    policy=email.policy.default).get_body(("plain",)).get_content()
    assert any(link in body for link in links)  # the link people hold, sent again: it keeps working
    assert "ya no funciona" not in body


def test_closing_a_cycle_stops_new_answers(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    assert "Send reminders" in client.get(f"/backbone/cycles/{world['follow'].id}").text  # an open cycle offers the actions
    client.post(f"/backbone/cycles/{world['follow'].id}/close", data={"csrf_token": csrf})
    db.refresh(world["follow"])
    assert world["follow"].closed_at is not None
    assert "Send reminders" not in client.get(f"/backbone/cycles/{world['follow'].id}").text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_comparison_page_shows_levels_as_words_and_the_change(client, db, world, lang):
    f.sign_in(client, db, world["admin"])
    html = client.get(f"/backbone/cycles/{world['follow'].id}/compare?sort=data&dir=desc&lang={lang}").text
    assert html.index("Alder School District") < html.index("Birch Youth Alliance") < html.index("Cedar Employers")
    assert ("Leading" if lang == "en" else "Referente") in html and "▲ +34" in html and "▼ -34" in html
    assert 'aria-sort="descending"' in html and "<svg" in html and 'id="distribution"' in html
    filtered = client.get(f"/backbone/cycles/{world['follow'].id}/compare?sector=nonprofit&lang={lang}").text
    assert "Birch Youth Alliance" in filtered and "Alder School District" not in filtered


def test_export_files_over_http(client, db, world):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    r = client.get(f"/backbone/cycles/{cycle}/export/results.csv?lang=es")
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert "Puntuación" in rows[0] and len(rows) == 30
    x = client.get(f"/backbone/cycles/{cycle}/export/items.xlsx?lang=en")
    ws = load_workbook(io.BytesIO(x.content), read_only=True).worksheets[0]
    assert next(ws.values)[4] == "Question"
    assert client.get(f"/backbone/cycles/{cycle}/export/nope.csv").status_code in (400, 422)


def test_api_partner_scope_comparison_and_writes(client, db, world):
    lead = f.api_token(db, world["lead_a"])
    assert [p["name"] for p in client.get("/api/v1/partners", headers=lead).json()] == ["Alder School District"]
    assert client.get(f"/api/v1/partners/{world['b'].id}", headers=lead).status_code == 404
    assert client.get(f"/api/v1/cycles/{world['follow'].id}/comparison", headers=lead).status_code == 404
    own = client.get(f"/api/v1/cycles/{world['follow'].id}", headers=lead).json()
    assert [p["partner"]["name"] for p in own["progress"]] == ["Alder School District"]
    admin = f.api_token(db, world["admin"])
    table = client.get(f"/api/v1/cycles/{world['follow'].id}/comparison?sort=overall&dir=desc", headers=admin).json()
    alder = table["rows"][0]
    assert alder["partner"]["name"] == "Alder School District" and alder["domains"]["data"]["change"] == 34
    assert table["distribution"]["leadership"] == {"emerging": 0, "developing": 0, "established": 1, "leading": 1,
                                                    "not_enough_answers": 0, "no_result": 1}
    created = client.post("/api/v1/partners", json={"name": "Elm Works", "sector": "employer", "preferred_language": "es"}, headers=admin)
    assert created.status_code == 201 and created.json()["sector"] == "employer"
    assert client.post("/api/v1/partners", json={"name": "Elm Works", "sector": "mining"}, headers=admin).status_code == 422
    cycle = client.post("/api/v1/cycles", json={"name": "API cycle", "instrument_id": "equity-self-assessment", "instrument_version": "1.0",
                                                "opens_on": "2027-02-01", "closes_on": "2027-04-01", "baseline_id": world["follow"].id,
                                                "partner_ids": [created.json()["id"]]}, headers=admin)
    assert cycle.status_code == 201 and cycle.json()["baseline_id"] == world["follow"].id
    export = client.get(f"/api/v1/cycles/{world['follow'].id}/export/results?format=json", headers=admin).json()
    assert len(export["rows"]) == 30 and export["columns"]["score"] == "Score"


def test_a_person_in_two_backbones_reads_and_changes_the_same_one(client, db, csrf):
    """An analyst of one backbone and an admin of another listed the first's partners and created in the second."""
    first, second = f.backbone(db, "First Backbone"), f.backbone(db, "Second Backbone")
    f.partner(db, first, "Partner of the first")
    f.partner(db, second, "Partner of the second")
    person = f.user(db, first, Role.backbone_analyst)
    add_member(db, person, second, Role.backbone_admin)
    db.commit()
    f.sign_in(client, db, person)
    listed = client.get("/backbone/partners").text
    created = client.post("/backbone/partners", data={"name": "New partner", "sector": "k12", "size_band": "1-10",
                                                      "preferred_language": "en", "csrf_token": csrf})
    assert created.status_code == 303
    new = db.scalar(select(Organization).where(Organization.name == "New partner"))
    assert "Partner of the first" not in listed and "Partner of the second" in listed and new.backbone_id == second.id


def test_the_partner_home_reads_the_same_statements_however_many_assessments(client, db, world, statements, catalogue):
    """No query per assessment on the lead's home (there were three per assessment)."""
    f.sign_in(client, db, world["lead_a"])

    def selects() -> int:
        statements.clear()
        db.expunge_all()
        assert client.get("/partner").status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    two = selects()
    today = dt.date.today()
    for n in range(3):
        service.create_cycle(db, backbone=world["backbone"], actor_id=world["admin"].id, name=f"More {n}", instrument=world["instrument"],
                             opens_on=today, closes_on=today + dt.timedelta(days=9), partner_ids=[world["a"].id])
    db.commit()
    assert selects() == two
