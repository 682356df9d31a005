"""The respondent's journey over HTTP (no JavaScript): invitation, welcome, pages, autosave, review, submit."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Answer, AssessmentStatus, ResponseStatus
from app.assessments.models import Response as ResponseRow
from app.organizations.models import Role
from tests import factories as f
from tests.service.test_assessments import INSTRUMENT, cycle_assessment, respond


@pytest.fixture
def world(db, catalogue):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org, other = f.partner(db, backbone, "Familias Unidas"), f.partner(db, backbone, "Other Partner")
    lead, other_lead = f.user(db, org, Role.partner_lead), f.user(db, other, Role.partner_lead)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today, closes_on=today + dt.timedelta(days=10), partner_ids=[org.id])
    db.commit()
    return {"admin": admin, "org": org, "lead": lead, "other_lead": other_lead, "cycle": cycle, "assessment": cycle_assessment(db, cycle),
            "instrument": catalogue.get(*INSTRUMENT)}


def invite(client, db, world, csrf, emails="ana@example.org", language="es") -> list[str]:
    f.sign_in(client, db, world["lead"])
    page = client.post(f"/partner/assessments/{world['assessment'].id}/invite", data={"emails": emails, "language": language, "csrf_token": csrf})
    assert page.status_code == 200, page.text
    client.cookies.delete("reassess_session")
    return re.findall(r'value="(http://[^"]+/invite/[^"]+)"', page.text)


def open_link(client, link: str) -> str:
    r = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert r.status_code == 303
    return r.headers["location"]


def test_invitations_are_written_to_the_outbox_and_shown_to_copy(client, db, world, csrf, settings):
    f.sign_in(client, db, world["lead"])
    before = set(settings.outbox_dir.glob("*.eml"))  # other tests of the session write there too
    bad = client.post(f"/partner/assessments/{world['assessment'].id}/invite",
                      data={"emails": "ana@example.org\nnot-an-address", "csrf_token": csrf})
    assert bad.status_code == 422 and "These are not email addresses: not-an-address" in bad.text
    assert "ana@example.org\nnot-an-address</textarea>" in bad.text  # what was typed is kept
    assert set(settings.outbox_dir.glob("*.eml")) == before  # the list is refused as a whole
    links = invite(client, db, world, csrf, "ana@example.org, Ben@Example.org")
    assert len(links) == 2
    mails = sorted(set(settings.outbox_dir.glob("*.eml")) - before)
    message = email.message_from_bytes(mails[-1].read_bytes(), policy=email.policy.default)
    assert len(mails) == 2 and message["To"] in ("ana@example.org", "ben@example.org")
    assert message["Subject"] == "Su invitación a la autoevaluación de equidad racial de Familias Unidas"  # the invitee's language
    assert "/invite/inv_" in message.get_body(("plain",)).get_content()


def test_the_whole_journey_without_javascript(client, db, world, csrf):
    link = invite(client, db, world, csrf)[0]
    welcome = open_link(client, link)
    assert welcome.endswith("/welcome")
    page = client.get(welcome)
    assert page.status_code == 200 and "Qué esperar" in page.text  # the invitation's language
    assert client.post(welcome, data={"csrf_token": csrf}).status_code == 422  # the role group is required
    first = client.post(welcome, data={"role_group": "staff", "csrf_token": csrf})
    assert first.status_code == 303 and first.headers["location"].endswith("/page/reflection")
    rid = int(welcome.split("/")[2])
    response = db.get(ResponseRow, rid)
    assert response.role_group == "staff" and response.language == "es"

    # Answer the first domain page and go on; a bad value is refused with a message and saves nothing.
    instrument = world["instrument"]
    items = [i for i in instrument.items if i.domain == "leadership" and i.is_rated]
    data = {i.id: "2" for i in items} | {"csrf_token": csrf, "nav": "next"}
    data[items[0].id] = "9"
    bad = client.post(f"/respond/{rid}/page/domain-leadership", data=data)
    assert bad.status_code == 422 and "Elija una de las respuestas ofrecidas" in bad.text
    db.expire_all()
    stored = service.answers_of(db, rid)
    assert items[0].id not in stored and all(stored[i.id].value == 2 for i in items[1:])
    data[items[0].id] = "dont_know"
    ok = client.post(f"/respond/{rid}/page/domain-leadership", data=data)
    assert ok.status_code == 303 and ok.headers["location"].endswith("/page/domain-policies")

    # Review lists what is still unanswered, with links back; submitting needs a confirmation.
    review = client.get(f"/respond/{rid}/review")
    assert review.status_code == 200 and f"/respond/{rid}/page/domain-policies#q-policies-01" in review.text
    assert client.post(f"/respond/{rid}/submit", data={"csrf_token": csrf}).status_code == 422
    done = client.post(f"/respond/{rid}/submit", data={"csrf_token": csrf, "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"].endswith("/done")
    assert client.post(f"/respond/{rid}/submit", data={"csrf_token": csrf, "confirm": "yes"}).status_code == 303  # idempotent
    db.expire_all()
    assert db.get(ResponseRow, rid).status is ResponseStatus.submitted
    # A later change is refused with a clear message, not lost silently.
    late = client.post(f"/respond/{rid}/answer", json={"item_id": items[1].id, "value": "3"}, headers={"X-CSRF-Token": csrf})
    assert late.status_code == 409 and "ya se envió" in late.json()["error"]
    assert db.scalar(select(Answer.value).where(Answer.response_id == rid, Answer.item_id == items[1].id)) == 2

    # The lead submits the organization's assessment: the result is computed and shown.
    f.sign_in(client, db, world["lead"])
    assert client.post(f"/partner/assessments/{world['assessment'].id}/submit", data={"csrf_token": csrf}).status_code == 422
    alone = client.post(f"/partner/assessments/{world['assessment'].id}/submit", data={"csrf_token": csrf, "confirm": "yes"})
    assert alone.status_code == 422 and "al menos 5 personas" in alone.text  # anonymous: one response is never a result
    for _k in range(4):
        respond(db, client.app.state.catalogue, world["assessment"], world["org"], {items[1].id: "1"})
    db.commit()
    submitted = client.post(f"/partner/assessments/{world['assessment'].id}/submit", data={"csrf_token": csrf, "confirm": "yes"})
    assert submitted.status_code == 303 and submitted.headers["location"].startswith(f"/assessments/{world['assessment'].id}/result")
    db.expire_all()
    assert world["assessment"].status is AssessmentStatus.submitted


def test_save_and_continue_after_the_autosave_reads_no_answers_and_a_comment_alone_keeps_the_answer(client, db, world, csrf, statements):
    welcome = open_link(client, invite(client, db, world, csrf)[0])
    client.post(welcome, data={"role_group": "staff", "csrf_token": csrf})
    rid = int(welcome.split("/")[2])
    items = [i.id for i in world["instrument"].items if i.domain == "leadership" and i.is_rated]
    for item in items:  # what respond.js does on each click
        assert client.post(f"/respond/{rid}/answer", json={"item_id": item, "value": "2"}, headers={"X-CSRF-Token": csrf}).json()["ok"]
    form = {"csrf_token": csrf, "nav": "next"}
    for item in items:  # the page as the script left it: every answer saved, its orig-* updated
        form |= {item: "2", f"orig-{item}": "2", f"{item}-comment": "", f"orig-{item}-comment": ""}
    statements.clear()
    r = client.post(f"/respond/{rid}/page/domain-leadership", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("/page/domain-policies")
    assert statements and not any("FROM answers" in s for s in statements)
    # A comment added without touching the answer: the stored answer is read then, and kept.
    form[f"{items[0]}-comment"] = "Board minutes, March"
    assert client.post(f"/respond/{rid}/page/domain-leadership", data=form).status_code == 303
    db.expire_all()
    stored = service.answers_of(db, rid)[items[0]]
    assert (stored.value, stored.comment) == (2, "Board minutes, March")


def test_autosave_saves_one_item_and_reports_errors_in_the_users_language(client, db, world, csrf):
    rid = int(open_link(client, invite(client, db, world, csrf)[0]).split("/")[2])
    item = next(i for i in world["instrument"].items if i.is_rated)
    headers = {"X-CSRF-Token": csrf}
    ok = client.post(f"/respond/{rid}/answer", json={"item_id": item.id, "value": "3", "comment": "<b>acta</b>"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["ok"]
    again = client.post(f"/respond/{rid}/answer?lang=en", json={"item_id": item.id, "value": "1"}, headers=headers)
    assert again.status_code == 200
    db.expire_all()
    answer = service.answers_of(db, rid)[item.id]
    assert answer.value == 1  # last write wins
    bad = client.post(f"/respond/{rid}/answer?lang=en", json={"item_id": "nope", "value": "1"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"] == "Unknown question 'nope'."
    long = client.post(f"/respond/{rid}/answer?lang=es", json={"item_id": item.id, "value": "1", "comment": "x" * 5001}, headers=headers)
    assert long.status_code == 422 and "demasiado largo" in long.json()["error"]
    assert client.post(f"/respond/{rid}/answer", json={"item_id": item.id, "value": "1"}).status_code == 403  # no CSRF token
    page = client.get(f"/respond/{rid}/page/domain-{item.domain}")
    assert f'id="{item.id}-1" name="{item.id}" value="1" checked' in page.text
    assert "&lt;b&gt;acta&lt;/b&gt;</textarea>" in page.text  # a save without a comment keeps the stored one, shown escaped
