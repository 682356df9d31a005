"""What the team wrote reaches the team: the lead's result page shows every submitted text, never its author in an
anonymous cycle; the lead quotes texts in the report and hides one that identifies someone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.assessments import service, texts
from app.assessments.models import Answer, Assessment, TextMark
from app.assessments.service import AnswerInput
from app.audit import AuditEvent
from app.organizations.models import Role
from tests import factories as f
from tests.dashboard_world import INSTRUMENT
from tests.pdf_text import pdf_words

ROLES = ["board", "executive", "staff", "staff", "staff"]


def team(db, catalogue, *, anonymous: bool = True, people: int = 5, submit: bool = True):
    """A partner whose ``people`` respondents each write a story, a commitment and a comment no one else wrote."""
    instrument = catalogue.get(*INSTRUMENT)
    backbone = f.backbone(db, "Words Backbone")
    admin = f.user(db, backbone, Role.backbone_admin)
    org, other = f.partner(db, backbone, "Words Partner"), f.partner(db, backbone, "Other Partner")
    lead, other_lead = f.user(db, org, Role.partner_lead), f.user(db, other, Role.partner_lead)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Words 2026", instrument=instrument, opens_on=today,
                                 closes_on=today + dt.timedelta(days=30), partner_ids=[org.id, other.id], anonymous=anonymous)
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
    written: dict[str, dict[str, str]] = {}
    for k in range(people):
        person = f.user(db, org, Role.respondent, email=f"person{k}@words.example.org", password=None)
        response = service.get_or_start_response(db, assessment, person.id, "es" if k == 1 else "en")
        service.set_respondent_profile(db, catalogue, response, ROLES[k % len(ROLES)], [])
        mine = {"story": f"Story number {k} of the team", "commitment": f"We commit to thing {k}", "comment": f"Comment {k} on leadership"}
        for item in instrument.items:
            if item.is_rated:
                answer = AnswerInput(item.id, value="2", comment=mine["comment"] if item.id == "leadership-01" else None)
                db.add(Answer(response_id=response.id, item_id=item.id, **service.validate_answer(instrument, cycle.depth, answer)))
        for item_id, text in (("reflection-01", mine["story"]), ("closing-commitments", mine["commitment"])):
            db.add(Answer(response_id=response.id, item_id=item_id, **service.validate_answer(instrument, cycle.depth, AnswerInput(item_id, text=text))))
        db.flush()
        service.submit_response(db, response, person.id)
        written[person.email] = mine
    if submit:
        service.submit_assessment(db, catalogue, assessment, lead.id, min_group_size=5)
    db.commit()
    return {"assessment": assessment, "lead": lead, "other_lead": other_lead, "admin": admin, "written": written, "cycle": cycle}


def keys_on(page: str) -> list[str]:
    return re.findall(r'name="key" value="([0-9a-f]+)"', page)


def test_the_lead_reads_every_submitted_text_without_its_author_in_an_anonymous_cycle(client, db, catalogue):
    t = team(db, catalogue)
    f.sign_in(client, db, t["lead"])
    page = client.get(f"/assessments/{t['assessment'].id}/result")
    assert page.status_code == 200
    body = page.text
    assert "What your team wrote" in body
    for mine in t["written"].values():
        assert all(text in body for text in mine.values())
    section = body[body.index('id="team-texts"'):body.index('aria-labelledby="detail-h"')]
    # Nothing beside a text says who wrote it: no email, no code, no role group, no language.
    assert not [e for e in t["written"] if e in section]
    assert not re.search(r"P-[0-9A-F]{8}", section)
    assert not [w for w in ("Board", "Executive", "Español", "Spanish", "board", "executive") if w in section]
    # Each question's texts come in a new order: over a few loads, the stories do not always keep one order.
    orders = set()
    for _ in range(6):
        again = client.get(f"/assessments/{t['assessment'].id}/result").text
        orders.add(tuple(re.findall(r"Story number (\d)", again)))
    assert len(orders) > 1
    # The keys that name texts in the forms tie nothing together: not answer ids, and not in answer order.
    answer_ids = {str(a) for a in db.scalars(select(Answer.id))}
    assert keys_on(body) and not set(keys_on(body)) & answer_ids


def test_before_the_organization_submits_no_text_reaches_the_lead(client, db, catalogue):
    t = team(db, catalogue, submit=False)
    f.sign_in(client, db, t["lead"])
    page = client.get(f"/assessments/{t['assessment'].id}/result")
    assert page.status_code == 404
    assert not [x for mine in t["written"].values() for x in mine.values() if x in page.text]


def test_a_named_cycle_shows_the_email_beside_each_text_as_its_welcome_page_says(client, db, catalogue):
    t = team(db, catalogue, anonymous=False)
    f.sign_in(client, db, t["lead"])
    body = client.get(f"/assessments/{t['assessment'].id}/result").text
    for email in t["written"]:
        assert email in body


def test_the_lead_quotes_texts_for_the_report_and_hides_one_that_identifies_someone(client, db, catalogue, csrf):
    t = team(db, catalogue)
    aid = t["assessment"].id
    f.sign_in(client, db, t["lead"])
    body = client.get(f"/assessments/{aid}/result").text

    def key_of(text: str, page: str) -> str:
        at = page.index(text)
        return re.findall(r'name="key" value="([0-9a-f]+)"', page[at:])[0]

    for text in ("Story number 0 of the team", "We commit to thing 3", "Comment 4 on leadership"):
        r = client.post(f"/assessments/{aid}/texts", data={"key": key_of(text, body), "action": "quote", "csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"].endswith("#team-texts")
    body = client.get(f"/assessments/{aid}/result").text
    assert body.count("Quoted in the report") == 3 and "3 texts chosen for the report" in body
    # The report quotes what the lead chose, and nothing else the team wrote.
    pdf = client.get(f"/assessments/{aid}/report.pdf")
    assert pdf.status_code == 200
    words = pdf_words(pdf.content)
    assert "Story number 0 of the team" in words and "We commit to thing 3" in words and "Comment 4 on leadership" in words
    assert "Story number 1 of the team" not in words

    # Hiding: gone from the page for everyone else and from the report; kept as written; recorded without its author.
    r = client.post(f"/assessments/{aid}/texts", data={"key": key_of("Story number 0 of the team", body), "action": "hide", "csrf_token": csrf})
    assert r.status_code == 303
    lead_page = client.get(f"/assessments/{aid}/result").text
    assert "1 hidden text" in lead_page and "Show again" in lead_page
    f.sign_in(client, db, t["admin"])
    admin_page = client.get(f"/assessments/{aid}/result").text
    assert "Story number 0 of the team" not in admin_page and "Story number 2 of the team" in admin_page
    assert "Quote in the report" not in admin_page  # the partner's leads choose, not the backbone
    assert db.scalar(select(Answer.text).where(Answer.text == "Story number 0 of the team")) == "Story number 0 of the team"
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("text.%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["text.quoted"] * 3 + ["text.hidden"]
    assert all(e.actor_id == t["lead"].id and e.object_id == str(aid) and set(e.details) == {"question", "field"} for e in events)
    assert events[-1].details == {"question": "reflection-01", "field": "text"}
    log = client.get("/backbone/audit").text
    assert "Text hidden: it identifies someone" in log and "person0@" not in log


def test_only_the_organizations_own_leads_mark_texts(client, db, catalogue, csrf):
    t = team(db, catalogue)
    aid = t["assessment"].id
    f.sign_in(client, db, t["lead"])
    key = keys_on(client.get(f"/assessments/{aid}/result").text)[0]
    for who, status in ((t["other_lead"], 404), (t["admin"], 403)):
        f.sign_in(client, db, who)
        assert client.post(f"/assessments/{aid}/texts", data={"key": key, "action": "hide", "csrf_token": csrf}).status_code == status
    assert db.scalar(select(TextMark)) is None
    f.sign_in(client, db, t["lead"])
    refused = client.post(f"/assessments/{aid}/texts", data={"key": "0" * 20, "action": "quote", "csrf_token": csrf})
    assert refused.status_code == 422 and "not among your team" in refused.text


def test_a_report_quotes_at_most_twelve_texts(client, db, catalogue, csrf, settings):
    t = team(db, catalogue)
    a = t["assessment"]
    instrument = catalogue.get(*INSTRUMENT)
    keys = [x.key for s in texts.team_texts(db, a, instrument, "en", settings.secret_key, "combined") for x in s.texts]
    for key in keys[:texts.MAX_QUOTES]:
        texts.mark_text(db, a, key, "quote", settings.secret_key, t["lead"].id)
    with pytest.raises(texts.MarkRefused):
        texts.mark_text(db, a, keys[texts.MAX_QUOTES], "quote", settings.secret_key, t["lead"].id)


def test_the_commitments_are_addressable_by_question_id(db, catalogue, settings):
    t = team(db, catalogue)
    instrument = catalogue.get(*INSTRUMENT)
    found = texts.team_texts(db, t["assessment"], instrument, "es", settings.secret_key, "combined", question_ids={"closing-commitments"})
    assert [s.question_id for s in found] == ["closing-commitments"]
    assert sorted(x.text for x in found[0].texts) == sorted(m["commitment"] for m in t["written"].values())
    assert found[0].title.startswith("¿A qué se comprometerá")


def test_the_reports_quotes_are_read_from_the_quoted_answers_alone(db, catalogue, settings, statements):
    """The quotes come from the lead's marks: a quoted text, never one quoted and then hidden, and only the quoted answers
    are read (every download of a report asks for its quotes, cached or not)."""
    t = team(db, catalogue)
    a = t["assessment"]
    instrument = catalogue.get(*INSTRUMENT)
    assert texts.quoted_texts(db, a, instrument, "en", settings.secret_key) == []
    by_text = {x.text: x.key for s in texts.team_texts(db, a, instrument, "en", settings.secret_key, "combined") for x in s.texts}
    for text in ("Story number 2 of the team", "We commit to thing 3", "Comment 4 on leadership", "Story number 0 of the team"):
        texts.mark_text(db, a, by_text[text], "quote", settings.secret_key, t["lead"].id)
    texts.mark_text(db, a, by_text["Story number 0 of the team"], "hide", settings.secret_key, t["lead"].id)
    db.commit()
    statements.clear()
    quoted = dict(texts.quoted_texts(db, a, instrument, "en", settings.secret_key))
    assert sorted(x for found in quoted.values() for x in found) == ["Comment 4 on leadership", "Story number 2 of the team",
                                                                    "We commit to thing 3"]
    read = [s for s in statements if "FROM answers" in s]
    assert read and all("answers.id IN" in s for s in read)
    assert len([s for s in statements if "FROM text_marks" in s]) == 1  # the lead's marks, read once
