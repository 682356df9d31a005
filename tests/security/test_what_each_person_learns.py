"""What can each person learn? docs/privacy.md's guarantees for an anonymous cycle, tried as an attacker would.

A partnership runs an anonymous cycle with partner A (six people invited, one of them the only board member, one the
only person invited in Spanish) and partner C (two people). Everything each principal can fetch is collected: pages,
every export in every format, every API endpoint, reports, the audit log and its CSV, the outbox; once, and again
after one more person submits. Each respondent writes texts no one else wrote. Then:

- no view of anyone but the respondent shows an answer of a response its organization has not submitted;
- no view, and no difference between two views over time, ties an answer to a person: where answers appear, no
  email, stored code, language or group shared by fewer than the minimum appears beside them; two exports do not line
  up person by person (new codes, another order);
- nobody sees another organization's answers; an organization below the minimum gets no result at all;
- the audit log says that someone submitted, never who.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Response as ResponseRow
from app.organizations.models import Role
from tests import factories as f
from tests.pdf_text import pdf_pages
from tests.service.test_assessments import INSTRUMENT, cycle_assessment

LEADERSHIP = [f"leadership-{n:02d}" for n in range(1, 6)]


def secrets_of(org: str, k: int) -> tuple[str, str, str]:
    return f"{org}-secret-{k}q", f"{org}-story-{k}q", f"{org}-commitment-{k}q"


def text_of(response) -> str:
    """A response as text: PDF pages, workbook cells, or the body (read once per response)."""
    if not hasattr(response, "as_text"):
        response.as_text = _as_text(response)
    return response.as_text


def _as_text(response) -> str:
    kind = response.headers.get("content-type", "")
    if response.content.startswith(b"%PDF"):
        return "\n".join(pdf_pages(response.content))
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join("\t".join("" if v is None else str(v) for v in row) for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    return response.text


def canonical(url: str, response) -> object:
    """What a view says, without what changes from one look to the next by design (codes new in every export, random
    order, form tokens): two looks that say the same compare equal."""
    body = text_of(response)
    body = re.sub(r"P-[0-9A-F]{8}", "P-*", body)
    body = re.sub(r'name="csrf_token" value="[^"]+"', "", body)
    if "json" in response.headers.get("content-type", ""):
        return _sorted_json(json.loads(body))
    return sorted(body.splitlines())


def _sorted_json(value: object) -> object:
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items() if k != "respondent"}
    if isinstance(value, list):
        return sorted((_sorted_json(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.fixture
def world(db, catalogue, new_client, csrf, settings):
    backbone = f.backbone(db, "Learn Backbone")
    admin, analyst = f.user(db, backbone, Role.backbone_admin), f.user(db, backbone, Role.backbone_analyst)
    a, c = f.partner(db, backbone, "Learn Partner A"), f.partner(db, backbone, "Learn Partner C")
    lead_a, lead_c = f.user(db, a, Role.partner_lead), f.user(db, c, Role.partner_lead)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Learn 2026", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today, closes_on=today + dt.timedelta(days=30), partner_ids=[a.id, c.id], anonymous=True)
    db.commit()
    assessments = {"A": cycle_assessment(db, cycle, a), "C": cycle_assessment(db, cycle, c)}
    leads = {"A": f.sign_in(new_client(), db, lead_a), "C": f.sign_in(new_client(), db, lead_c)}

    def invite(side: str, emails: list[str], language: str) -> list[str]:
        page = leads[side].post(f"/partner/assessments/{assessments[side].id}/invite",
                                data={"emails": ", ".join(emails), "language": language, "csrf_token": csrf})
        assert page.status_code == 200, page.text
        return re.findall(r'value="http://[^"]+(/invite/[^"]+)"', page.text)

    people = {"A": [f"a{k}@learn.example.org" for k in range(6)], "C": [f"c{k}@learn.example.org" for k in range(2)]}
    links = {"A": invite("A", [people["A"][0], *people["A"][2:]], "en") , "C": invite("C", people["C"], "en")}
    links["A"].insert(1, invite("A", [people["A"][1]], "es")[0])  # the only person invited in Spanish
    respondents: dict[str, list[dict]] = {"A": [], "C": []}
    for side in ("A", "C"):
        for k, link in enumerate(links[side]):
            rc = new_client()
            opened = rc.get(link)
            assert opened.status_code == 303, opened.text
            rid = int(opened.headers["location"].split("/")[2])
            role = "board" if side == "A" and k == 0 else "staff"  # the only board member
            assert rc.post(f"/respond/{rid}/welcome", data={"role_group": role, "csrf_token": csrf}).status_code == 303
            secret, story, commitment = secrets_of(side, k)
            for item in LEADERSHIP:
                body = {"item_id": item, "value": str(k % 4), **({"comment": secret} if item == LEADERSHIP[0] else {})}
                assert rc.post(f"/respond/{rid}/answer", json=body, headers={"X-CSRF-Token": csrf}).status_code == 200
            for item, text in (("reflection-01", story), ("closing-commitments", commitment)):
                assert rc.post(f"/respond/{rid}/answer", json={"item_id": item, "text": text}, headers={"X-CSRF-Token": csrf}).status_code == 200
            respondents[side].append({"client": rc, "rid": rid, "email": people[side][k], "texts": (secret, story, commitment)})
    submit = lambda r: r["client"].post(f"/respond/{r['rid']}/submit", data={"confirm": "yes", "csrf_token": csrf})  # noqa: E731
    for r in respondents["A"][:5] + respondents["C"]:
        assert submit(r).status_code == 303
    small = leads["C"].post(f"/partner/assessments/{assessments['C'].id}/submit", data={"confirm": "yes", "csrf_token": csrf})
    assert small.status_code == 422 and "at least 5 people" in small.text  # below the minimum: no result at all
    principals = {"lead A": leads["A"], "lead C": leads["C"], "analyst": f.sign_in(new_client(), db, analyst),
                  "admin": f.sign_in(new_client(), db, admin)}
    stored_codes = set(db.scalars(select(ResponseRow.pseudonym).where(ResponseRow.assessment_id.in_([x.id for x in assessments.values()]))))
    return {"cycle": cycle, "assessments": assessments, "respondents": respondents, "principals": principals, "submit": submit,
            "stored_codes": stored_codes, "admin": admin}


def urls(world) -> list[str]:
    cid, rids = world["cycle"].id, [r["rid"] for side in world["respondents"].values() for r in side]
    out = ["/", "/respond", "/partner", "/backbone", "/backbone/partners", f"/backbone/cycles/{cid}", f"/backbone/cycles/{cid}/compare",
           "/backbone/audit", "/backbone/audit.csv", f"/backbone/cycles/{cid}/summary.pdf", "/api/v1/me", "/api/v1/assessments",
           "/api/v1/cycles", f"/api/v1/cycles/{cid}", f"/api/v1/cycles/{cid}/comparison", f"/api/v1/cycles/{cid}/summary.pdf",
           # the pages that run a cycle: who reminders reach (counts), editing, closing, the partnership's people
           f"/backbone/cycles/{cid}/remind", f"/backbone/cycles/{cid}/edit", f"/backbone/cycles/{cid}/close", f"/backbone/cycles/{cid}/check-ins",
           "/backbone/people", "/backbone/partners/import", "/password/forgot"]
    for kind in ("results", "items", "answers", "dictionary"):
        out += [f"/backbone/cycles/{cid}/export/{kind}.{fmt}" for fmt in ("csv", "xlsx", "json")]
        out += [f"/api/v1/cycles/{cid}/export/{kind}?format={fmt}" for fmt in ("csv", "xlsx", "json")]
    # the same answers in the other shape, values and headers (issue 24): one row per response, codes or labels
    out += [f"/backbone/cycles/{cid}/export/answers.{fmt}?shape=wide&values={v}" for fmt in ("csv", "json") for v in ("codes", "labels")]
    out += [f"/api/v1/cycles/{cid}/export/answers?format=csv&shape=wide&headers=codes", f"/backbone/cycles/{cid}/export/results.csv?values=codes"]
    # composition (issue 26): organizational counts beside the respondents' answers; no page of it shows an answer
    out += [f"/backbone/cycles/{cid}/composition", "/backbone/composition", f"/api/v1/cycles/{cid}/composition", "/api/v1/benchmark",
            f"/backbone/cycles/{cid}/export/composition.csv", f"/api/v1/cycles/{cid}/export/composition?format=json"]
    for a in world["assessments"].values():
        out += [f"/composition/{a.organization_id}", f"/composition/{a.organization_id}/cycles/{cid}",
                f"/api/v1/partners/{a.organization_id}/composition"]
        out += [f"/assessments/{a.id}/result", f"/assessments/{a.id}/report.pdf", f"/api/v1/assessments/{a.id}",
                f"/api/v1/assessments/{a.id}/result", f"/api/v1/assessments/{a.id}/answers", f"/api/v1/assessments/{a.id}/report.pdf"]
    for rid in rids:
        out += [f"/respond/{rid}/welcome", f"/respond/{rid}/page/reflection", f"/respond/{rid}/page/domain-leadership",
                f"/respond/{rid}/page/closing", f"/respond/{rid}/review", f"/respond/{rid}/done"]
    return out


def harvest(client: TestClient, paths: list[str]) -> dict[str, object]:
    seen = {}
    for path in paths:
        r = client.get(path)
        assert r.status_code < 500, (path, r.status_code)
        seen[path] = r
    return seen


def test_what_each_person_can_learn_in_an_anonymous_cycle(world, settings, new_client, csrf, db, catalogue):
    paths = urls(world)
    people = [r for side in world["respondents"].values() for r in side]
    emails = {r["email"] for r in people}
    texts = {r["email"]: r["texts"] for r in people}
    unsubmitted = world["respondents"]["A"][5]
    lead_a, admin = world["principals"]["lead A"], world["principals"]["admin"]
    # While people are answering, nothing of any response leaves the server for anyone but its respondent.
    for viewer in ("lead A", "admin"):
        for path, response in harvest(world["principals"][viewer], paths).items():
            assert not [t for t in sum(texts.values(), ()) if t in text_of(response)], (viewer, path)
    done = lead_a.post(f"/partner/assessments/{world['assessments']['A'].id}/submit", data={"confirm": "yes", "csrf_token": csrf})
    assert done.status_code == 303, done.text

    before = {name: harvest(c, paths) for name, c in world["principals"].items()}
    before |= {r["email"]: harvest(r["client"], paths) for r in people}

    for viewer, seen in before.items():
        for path, response in seen.items():
            body = text_of(response)
            for person in people:
                if person["email"] == viewer:
                    continue
                mine = [t for t in person["texts"] if t in body]
                # Nothing of a response that its organization has not submitted, nor of C's (below the minimum: no result).
                assert not mine or (person is not unsubmitted and not person["email"].startswith("c")), (viewer, path, mine)
                # Nobody else's words reach a respondent, nor another organization's lead.
                assert not mine or viewer in ("lead A", "analyst", "admin"), (viewer, path, mine)
            if any(t in body for t in sum(texts.values(), ())):
                # Where answers appear, no person is named beside them: no email, no stored code.
                assert not [e for e in emails if e in body], (viewer, path)
                assert not [code for code in world["stored_codes"] if code in body], (viewer, path)

    # What the team wrote reaches the team: every submitted text on the lead's result page, and nothing beside it that
    # names its author (no email, no code: checked above; no role group, no language).
    page = before["lead A"][f"/assessments/{world['assessments']['A'].id}/result"].text
    assert all(t in page for r in world["respondents"]["A"][:5] for t in r["texts"])
    words = page[page.index('id="team-texts"'):page.index('aria-labelledby="detail-h"')]
    role_labels = [o.label.get("en") for o in catalogue.get(*INSTRUMENT).respondent.role_group.options]
    assert not [w for w in [*role_labels, "Español", "Spanish"] if w in words]

    # The quasi-identifiers: the only board member and the only Spanish speaker are not singled out in any row.
    for viewer in ("lead A", "analyst", "admin"):
        for path in (f"/api/v1/assessments/{world['assessments']['A'].id}/answers", f"/backbone/cycles/{world['cycle'].id}/export/answers.json"):
            response = before[viewer][path]
            if response.status_code != 200:
                continue
            rows = response.json()
            rows = rows["rows"] if isinstance(rows, dict) else rows
            assert rows and {r["role_group"] for r in rows} <= {None, "staff"} and {r["language"] for r in rows} <= {None, "en"}
            if viewer == "lead A":  # the organization itself: no respondent key, no group field at all
                assert all(r["respondent"] is None and r["role_group"] is None and r["language"] is None for r in rows)
    # Two exports do not line up person by person: codes are new each time, and so is the order of people.
    exports = [admin.get(f"/backbone/cycles/{world['cycle'].id}/export/answers.json").json()["rows"] for _ in range(4)]
    codes = [{r["respondent"] for r in rows} for rows in exports]
    assert all(len(c) == 5 for c in codes) and all(not (codes[i] & codes[j]) for i in range(4) for j in range(i))
    orders = [tuple(r["comment"] for r in rows if r["comment"]) for rows in exports]
    assert len(set(orders)) > 1
    # The wide shape ties no more than the long one: a row per response under a code new in every export, no code of
    # the long exports, the same group fields left out.
    wide = [admin.get(f"/backbone/cycles/{world['cycle'].id}/export/answers.json?shape=wide").json()["rows"] for _ in range(3)]
    wide_codes = [{r["respondent"] for r in rows if r["partner_id"] == world["assessments"]["A"].organization_id} for rows in wide]
    assert all(len(c) == 5 for c in wide_codes) and all(not (wide_codes[i] & wide_codes[j]) for i in range(3) for j in range(i))
    assert not set().union(*wide_codes) & set().union(*codes)
    assert all(r["role_group"] in (None, "staff") and r["language"] in (None, "en") for rows in wide for r in rows)

    # The log says that someone submitted, never who; no respondent's address is in it at all.
    log = before["admin"]["/backbone/audit.csv"]
    assert log.status_code == 200 and not [e for e in emails if e in log.text]
    submitted = [row for row in csv.reader(io.StringIO(log.text.lstrip("\ufeff"))) if "response.submitted" in row]
    assert len(submitted) == 7 and all(row[1] == "" for row in submitted)
    # No email in the outbox carries an answer.
    for mail in settings.outbox_dir.glob("*.eml"):
        assert "-secret-" not in mail.read_text(errors="replace")

    # Polling before and after one person submits (the backbone reopened the assessment to let them): nothing that
    # carries answers changes, and the organization cannot publish a result that differs from the last by one person.
    assert admin.post(f"/assessments/{world['assessments']['A'].id}/reopen", data={"csrf_token": csrf}).status_code == 303
    assert world["submit"](unsubmitted).status_code == 303
    for viewer in ("lead A", "lead C", "analyst", "admin"):
        after = harvest(world["principals"][viewer], paths)
        for path, response in after.items():
            if response.status_code == 200 and any(k in path for k in ("/result", "/answers", "/export/", "report.pdf", "summary.pdf", "/compare")):
                assert canonical(path, response) == canonical(path, before[viewer][path]), (viewer, path)
            assert not [t for t in unsubmitted["texts"] if t in text_of(response)], (viewer, path)
    again = lead_a.post(f"/partner/assessments/{world['assessments']['A'].id}/submit",
                                               data={"confirm": "yes", "csrf_token": csrf})
    assert again.status_code == 422 and "at least 5 new responses" in again.text
