"""A partner's action plan over HTTP: actions from growth opportunities, commitments or scratch; their rules; who may
read and change them; and the follow-up's change beside the actions that addressed each domain."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.assessments.models import Assessment
from app.audit import AuditEvent
from app.organizations.models import Membership, Role
from app.plans.models import Action, ActionNote, ActionStatus
from tests import factories as f
from tests.pdf_text import pdf_words as text_of_pdf
from tests.web.test_team_texts import team


def add(client, org_id, csrf, **fields):
    data = {"title": "Publish pay bands", "status": "planned", "csrf_token": csrf, **fields}
    return client.post(f"/plans/{org_id}/actions", data=data)


def test_an_action_starts_from_a_growth_opportunity_with_its_recommended_actions(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    result = client.get(f"/assessments/{world['fa'].id}/result").text
    link = re.search(r'href="(/plans/\d+/new\?assessment=\d+&amp;item=([\w-]+))"', result)
    assert link, "every growth opportunity offers 'Add to the action plan'"
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200 and "Started from a growth opportunity" in form.text
    item = link.group(2)
    title = re.search(r'id="title" name="title" value="([^"]*)"', form.text).group(1)
    description = re.search(r'id="description" name="description"[^>]*>([^<]*)</textarea>', form.text).group(1)
    assert title and description.startswith("- ")
    domain = re.search(r'<option value="([\w-]+)" selected>', form.text).group(1)
    made = add(client, world["a"].id, csrf, title=title, description=description, domain_id=domain,
               item_ids=item, owner="HR team", starts_on="2027-01-01", due_on="2027-06-30", measure="Bands on the intranet",
               source="opportunity", source_ref=item, cycle_id=str(world["follow"].id))
    assert made.status_code == 303, made.text
    action = db.scalar(select(Action))
    assert action.source.value == "opportunity" and action.source_ref == item and action.item_ids == [item] and action.cycle_id == world["follow"].id
    plan = client.get(f"/plans/{world['a'].id}").text
    assert "HR team" in plan and "Bands on the intranet" in plan
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "action")) == "action.created"


def test_a_bad_field_changes_nothing_and_says_what_to_fix_in_the_users_language(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    bad = add(client, world["a"].id, csrf, starts_on="2027-06-01", due_on="2027-01-01", domain_id="no-such-domain")
    assert bad.status_code == 422
    assert "The due date must be on or after the start date." in bad.text and "Choose a domain from the list." in bad.text
    assert 'value="Publish pay bands"' in bad.text  # what was typed stays
    assert db.scalar(select(Action)) is None
    made = add(client, world["a"].id, csrf)
    action_id = int(made.headers["location"].split("#action-")[1])
    too_long = client.post(f"/plans/actions/{action_id}/notes", data={"body": "x" * 5001, "csrf_token": csrf})
    assert too_long.status_code == 422 and "at most 5000 characters" in too_long.text.replace(",", "")
    assert db.scalar(select(ActionNote)) is None
    dropped = client.post(f"/plans/actions/{action_id}", data={"title": "Publish pay bands", "status": "dropped", "csrf_token": csrf})
    assert dropped.status_code == 422 and "Say why the action is dropped" in dropped.text
    db.expire_all()
    assert db.get(Action, action_id).status is ActionStatus.planned
    spanish = client.post(f"/plans/{world['a'].id}/actions?lang=es", data={"title": "", "status": "planned", "csrf_token": csrf})
    assert spanish.status_code == 422 and "Dé un título a la acción." in spanish.text


def test_notes_and_completion_are_dated_and_recorded(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    action_id = int(add(client, world["a"].id, csrf).headers["location"].split("#action-")[1])
    assert client.post(f"/plans/actions/{action_id}/notes", data={"body": "Draft bands shared with the board", "noted_on": "2027-02-01",
                                                                  "csrf_token": csrf}).status_code == 303
    done = client.post(f"/plans/actions/{action_id}", data={"title": "Publish pay bands", "status": "done", "csrf_token": csrf})
    assert done.status_code == 303
    page = client.get(f"/plans/actions/{action_id}").text
    assert "Draft bands shared with the board" in page and "February 1, 2027" in page
    db.expire_all()
    action = db.get(Action, action_id)
    assert action.status is ActionStatus.done and action.completed_at is not None
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "action").order_by(AuditEvent.id)).all()
    assert events == ["action.created", "action.noted", "action.completed"]


def test_who_may_read_and_change_a_plan(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    action_id = int(add(client, world["a"].id, csrf).headers["location"].split("#action-")[1])
    # The backbone's analyst reads the plan, and changes nothing.
    f.sign_in(client, db, world["analyst"])
    assert client.get(f"/plans/{world['a'].id}").status_code == 200
    assert client.post(f"/plans/actions/{action_id}", data={"title": "Changed", "status": "done", "csrf_token": csrf}).status_code == 403
    assert add(client, world["a"].id, csrf).status_code == 403
    # Another partner's lead sees nothing of it.
    f.sign_in(client, db, world["lead_b"])
    for path in (f"/plans/{world['a'].id}", f"/plans/actions/{action_id}"):
        assert client.get(path).status_code == 404
    assert client.post(f"/plans/actions/{action_id}/notes", data={"body": "x", "csrf_token": csrf}).status_code == 404
    # A plan editor changes the plan and reaches no result, no answer.
    editor = f.user(db, email="editor@alder.example.org")
    db.add(Membership(user_id=editor.id, organization_id=world["a"].id, role=Role.plan_editor))
    db.commit()
    f.sign_in(client, db, editor)
    assert client.post(f"/plans/actions/{action_id}/notes", data={"body": "Editor's note", "csrf_token": csrf}).status_code == 303
    assert client.get(f"/assessments/{world['fa'].id}/result").status_code == 404
    assert client.get(f"/api/v1/assessments/{world['fa'].id}/answers").status_code in (401, 404)
    new = client.get(f"/plans/{world['a'].id}/new?assessment={world['fa'].id}&item=leadership-01")
    assert new.status_code == 200 and "Started from a growth opportunity" not in new.text


def test_a_commitment_the_team_wrote_starts_an_action_when_the_lead_chooses_it(client, db, catalogue, csrf):
    t = team(db, catalogue)
    org_id = t["assessment"].organization_id
    f.sign_in(client, db, t["lead"])
    result = client.get(f"/assessments/{t['assessment'].id}/result").text
    links = re.findall(r'href="(/plans/\d+/new\?assessment=\d+&amp;commitment=[0-9a-f]+)"', result)
    assert len(links) == 5  # one per commitment, none on other texts
    form = client.get(links[0].replace("&amp;", "&")).text
    assert "Started from a commitment your team wrote" in form
    assert re.search(r'value="We commit to thing \d"', form)
    assert f"/plans/{org_id}" in result


def test_the_follow_up_shows_each_domains_change_beside_the_actions_on_it(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    for title, status in (("Board equity charter", "done"), ("Leadership coaching", "done"), ("Succession plan", "in_progress")):
        assert add(client, world["a"].id, csrf, title=title, domain_id="leadership", status=status).status_code == 303
    for row in db.scalars(select(Action)):
        row.created_at = world["fa"].submitted_at.replace(year=world["fa"].submitted_at.year - 1)
    db.commit()
    page = client.get(f"/assessments/{world['fa'].id}/result").text
    section = page[page.index('id="loop-h"'):page.index('id="opps-h"')]
    leadership = re.search(r"<li><strong>Organizational commitment, leadership and governance</strong>:(.*?)</li>", section, re.S).group(1)
    assert "2 actions done; 1 action in progress" in leadership and "+33" in leadership
    assert re.search(r"Data, metrics and continuous quality improvement</strong>:.*?no action", section, re.S)
    pdf = client.get(f"/assessments/{world['fa'].id}/report.pdf?lang=en")
    words = text_of_pdf(pdf.content)
    assert "the change beside what you did" in words and "2 actions done; 1 action in progress" in words
    spanish = client.get(f"/assessments/{world['fa'].id}/result?lang=es").text
    assert "2 acciones hechas; 1 acción en curso" in spanish


def pdf_words(client, path: str) -> str:
    pdf = client.get(path)
    assert pdf.status_code == 200, pdf.text
    return text_of_pdf(pdf.content)


def test_the_follow_up_worksheet_lists_last_cycles_plan_with_each_actions_status_today(client, db, world, csrf):
    f.sign_in(client, db, world["lead_a"])
    for title, status, extra in (("Board equity charter", "done", {}),
                                 ("Succession plan", "in_progress", {"owner": "HR team", "due_on": "2027-03-31"}),
                                 ("Translate the intake form", "dropped", {"dropped_reason": "The county now provides it"})):
        assert add(client, world["a"].id, csrf, title=title, domain_id="leadership", status=status, **extra).status_code == 303
    before = world["fa"].submitted_at.replace(year=world["fa"].submitted_at.year - 1)
    for row in db.scalars(select(Action)):
        row.created_at = before
    db.commit()
    assert add(client, world["a"].id, csrf, title="An action of the new plan").status_code == 303  # after the follow-up
    words = pdf_words(client, f"/assessments/{world['fa'].id}/report.pdf?lang=en")
    sheet = words[words.index("Action-planning worksheet", words.index("Growth opportunities and next steps")):]
    assert "Your plan since" in sheet and "This cycle's priorities" in sheet
    assert sheet.index("Succession plan") < sheet.index("Board equity charter") < sheet.index("Translate the intake form")  # open first
    assert re.search(r"Succession plan .*In progress HR team", sheet) and "The county now provides it" in sheet
    assert "An action of the new plan" not in sheet  # only the plan that existed when the follow-up was submitted
    # The status today: a change reaches the next download (the cached report is not served).
    action = db.scalar(select(Action).where(Action.title == "Succession plan"))
    assert client.post(f"/plans/actions/{action.id}", data={"title": "Succession plan", "domain_id": "leadership", "status": "done",
                                                             "owner": "HR team", "due_on": "2027-03-31", "csrf_token": csrf}).status_code == 303
    again = pdf_words(client, f"/assessments/{world['fa'].id}/report.pdf?lang=es")
    hoja = again[again.index("Hoja de planificación de acciones", again.index("Oportunidades de crecimiento y próximos pasos")):]
    assert re.search(r"Succession plan .*Hecha", hoja) and "En curso" not in hoja
    # A baseline report has no plan to carry over.
    baseline = db.scalar(select(Assessment).where(Assessment.cycle_id == world["baseline"].id, Assessment.organization_id == world["a"].id))
    assert "Your plan since" not in pdf_words(client, f"/assessments/{baseline.id}/report.pdf?lang=en")


def test_a_lead_invites_a_plan_editor_who_reaches_the_plan_and_nothing_else(client, db, world, csrf, new_client):
    f.sign_in(client, db, world["lead_a"])
    page = client.post(f"/plans/{world['a'].id}/editors", data={"email": "hr@alder.example.org", "language": "es", "csrf_token": csrf})
    assert page.status_code == 200 and "hr@alder.example.org" in page.text
    link = re.search(r'value="http://[^"]+(/invite/[^"]+)"', page.text).group(1)
    editor = new_client()
    entry = editor.get(link)
    assert "Le invitan a ayudar con el plan de acción de Alder School District" in entry.text
    joined = editor.post(f"{link}/accept", data={"password": "a long enough password 42", "confirm": "a long enough password 42",
                                                 "csrf_token": csrf})
    assert joined.status_code == 303 and joined.headers["location"] == f"/plans/{world['a'].id}"
    home = editor.get("/")
    assert home.status_code == 303 and home.headers["location"] == f"/plans/{world['a'].id}"
    assert add(editor, world["a"].id, csrf, title="Recruit from community colleges").status_code == 303
    assert editor.get(f"/assessments/{world['fa'].id}/result").status_code == 404
    assert f"/assessments/{world['fa'].id}" not in editor.get("/partner", follow_redirects=True).text
    # A plan editor does not name others.
    assert editor.post(f"/plans/{world['a'].id}/editors", data={"email": "x@example.org", "csrf_token": csrf}).status_code == 403
    # The lead removes them: their next request reaches the plan no more.
    listed = client.get(f"/plans/{world['a'].id}").text
    uid = re.search(r'/plans/\d+/editors/(\d+)/remove', listed).group(1)
    assert client.post(f"/plans/{world['a'].id}/editors/{uid}/remove", data={"csrf_token": csrf}).status_code == 303
    assert editor.get(f"/plans/{world['a'].id}").status_code == 404
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "plan.editor_removed")) == "plan.editor_removed"


def test_the_api_reads_and_writes_a_plan_within_the_same_boundaries(client, db, world):
    lead = f.api_token(db, world["lead_a"])
    made = client.post(f"/api/v1/partners/{world['a'].id}/actions", headers=lead,
                       json={"title": "Pay equity review", "domain_id": "workforce", "starts_on": "2027-01-01", "due_on": "2027-03-01"})
    assert made.status_code == 201 and made.json()["status"] == "planned"
    bad = client.post(f"/api/v1/partners/{world['a'].id}/actions", headers=lead,
                      json={"title": "Backwards", "starts_on": "2027-03-01", "due_on": "2027-01-01"})
    assert bad.status_code == 422 and bad.json()["detail"] == "The due date must be on or after the start date."
    analyst = f.api_token(db, world["analyst"])
    assert [a["title"] for a in client.get(f"/api/v1/partners/{world['a'].id}/actions", headers=analyst).json()] == ["Pay equity review"]
    assert client.post(f"/api/v1/partners/{world['a'].id}/actions", headers=analyst, json={"title": "x"}).status_code == 403
    other = f.api_token(db, world["lead_b"])
    assert client.get(f"/api/v1/partners/{world['a'].id}/actions", headers=other).status_code == 404
    # The exports carry the plans too, for the backbone.
    export = client.get(f"/api/v1/cycles/{world['follow'].id}/export/actions?format=json", headers=f.api_token(db, world["admin"]))
    assert export.status_code == 200 and [r["title"] for r in export.json()["rows"]] == ["Pay equity review"]


def test_the_result_page_shows_every_cycle_of_the_partner_as_a_table_and_a_line(client, db, world):
    f.sign_in(client, db, world["lead_a"])
    page = client.get(f"/assessments/{world['fa'].id}/result").text
    section = page[page.index('id="trend-h"'):]
    section = section[:section.index("</section>")]
    # Alder: baseline 33 everywhere, 67 in leadership; follow-up 67, 100 in leadership.
    row = re.search(r"Organizational commitment, leadership and governance</th>(.*?)</tr>", section, re.S).group(1)
    assert re.findall(r'data-label="(?:Baseline|Follow-up)">(\d+)', row) == ["67", "100"]
    assert 'aria-label="Organizational commitment, leadership and governance: Baseline: 67; Follow-up: 100"' in row


def test_the_compare_page_shows_the_partnerships_median_over_every_cycle_for_the_partners_shown(client, db, world):
    f.sign_in(client, db, world["analyst"])

    def leadership(query: str) -> list[str]:
        page = client.get(f"/backbone/cycles/{world['follow'].id}/compare{query}").text
        section = page[page.index('id="trend-h"'):page.index('id="table-h"')]
        row = re.search(r"Organizational commitment, leadership and governance</th>(.*?)</tr>", section, re.S).group(1)
        return re.findall(r'data-label="(?:Baseline|Follow-up)">(\d+)', row)

    assert leadership("") == ["67", "84"]  # Alder and Birch: 67 and 67, then 100 and 67
    assert leadership("?sector=k12") == ["67", "100"]  # Alder alone, as the filter shows it
