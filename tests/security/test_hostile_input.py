"""Hostile and malformed input: each gets a clear message in the user's language and changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess

import pytest
from sqlalchemy import func, select

from app.assessments.models import Answer, Cycle
from app.organizations.models import Organization, Role
from tests import dashboard_world
from tests import factories as f

SCRIPT = '<script>alert("x")</script>'


def counts(db) -> tuple[int, int, int]:
    return (db.scalar(select(func.count()).select_from(Organization)), db.scalar(select(func.count()).select_from(Cycle)),
            db.scalar(select(func.count()).select_from(Answer)))


def test_an_oversized_body_is_refused_with_413_in_the_users_language(client, db, world, csrf, settings):
    f.sign_in(client, db, world["admin"])
    before = counts(db)
    big = "x" * (settings.max_body_bytes + 1)
    page = client.post("/backbone/partners?lang=es", data={"name": big, "csrf_token": csrf})
    assert page.status_code == 413 and "Demasiados datos" in page.text and 'lang="es"' in page.text
    api = client.post("/api/v1/partners", content=b'{"name": "' + big.encode() + b'"}',
                      headers={**f.api_token(db, world["admin"]), "content-type": "application/json"})
    assert api.status_code == 413 and api.json()["detail"]

    def chunks():  # no Content-Length: the limit applies while reading
        yield f"csrf_token={csrf}&name=".encode()
        for _ in range(settings.max_body_bytes // 100_000 + 1):
            yield b"x" * 100_000

    streamed = client.post("/backbone/partners", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413
    assert counts(db) == before


def test_invalid_utf8_gets_a_clear_answer_not_a_crash(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    before = counts(db)
    form = client.post("/backbone/partners?lang=es", content=b"name=%FF%FE%FD&csrf_token=" + csrf.encode(),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code in (400, 422) and 'lang="es"' in form.text
    api = client.post("/api/v1/partners", content=b'{"name": "\xff\xfe"}',
                      headers={**f.api_token(db, world["admin"]), "content-type": "application/json"})
    assert api.status_code in (400, 422) and api.json()["detail"]
    assert counts(db) == before


def test_markup_in_free_text_is_shown_escaped_on_pages_exports_and_reports(client, db, world, csrf, artifacts):
    a = world["a"]
    a.name = SCRIPT
    a.contact_name = "=HYPERLINK(\"http://evil.example\")"
    db.commit()
    f.sign_in(client, db, world["admin"])
    follow = world["follow"].id
    for url in ("/backbone/partners", f"/backbone/cycles/{follow}", f"/backbone/cycles/{follow}/compare",
                f"/assessments/{world['fa'].id}/result", "/backbone/audit"):
        html = client.get(url).text
        assert SCRIPT not in html, url
    assert "&lt;script&gt;alert" in client.get("/backbone/partners").text
    rows = list(csv.reader(io.StringIO(client.get(f"/backbone/cycles/{follow}/export/results.csv").content.decode("utf-8-sig"))))
    assert any(SCRIPT in r for r in rows)  # a CSV holds the text as it is; no spreadsheet runs it as a formula
    edit = client.post(f"/backbone/partners/{a.id}", data={"name": "+SUM(A1:A2)", "sector": a.sector, "size_band": a.size_band,
                                                          "preferred_language": "en", "csrf_token": csrf})
    assert edit.status_code == 303
    for fmt in ("csv", "xlsx"):
        content = client.get(f"/backbone/cycles/{follow}/export/results.{fmt}").content
        if fmt == "csv":
            cells = {c for r in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in r}
        else:
            from openpyxl import load_workbook

            cells = {c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row}
        assert "'+SUM(A1:A2)" in cells and "+SUM(A1:A2)" not in cells, fmt
    db.refresh(a)  # the edit above went through the app
    a.name = SCRIPT
    db.commit()
    pdf = client.get(f"/assessments/{world['fa'].id}/report.pdf").content
    path = artifacts / "hostile-report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert 'alert("x")' in text.replace("\u201c", '"').replace("\u201d", '"')  # printed as text, not interpreted


def test_answers_with_markup_stay_text_on_the_respondents_page(client, db, world, csrf, catalogue):
    from app.assessments import service
    from app.assessments.models import Assessment
    from app.respond.service import plan_pages

    instrument = catalogue.get(*dashboard_world.INSTRUMENT)
    org = f.partner(db, world["backbone"], "Markup Partner")
    person = f.user(db, org, Role.respondent)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=world["backbone"], actor_id=world["admin"].id, name="Markup", instrument=instrument,
                                 opens_on=today, closes_on=today + dt.timedelta(days=5), partner_ids=[org.id])
    response = service.get_or_start_response(db, db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id)), person.id, "en")
    service.set_respondent_profile(db, catalogue, response, "staff", [])
    db.commit()
    pages = plan_pages(instrument, cycle.depth, cycle.order)
    page, item = next((p, q.id) for p in pages for s in p.sections for q in s.questions if q.type.value == "long_text")
    rated = pages[1].question_ids[0]
    f.sign_in(client, db, person)
    headers = {"X-CSRF-Token": csrf}
    assert client.post(f"/respond/{response.id}/answer", json={"item_id": item, "text": SCRIPT}, headers=headers).json()["ok"]
    assert client.post(f"/respond/{response.id}/answer", json={"item_id": rated, "value": "1", "comment": SCRIPT}, headers=headers).json()["ok"]
    for key in (page.key, pages[1].key):
        html = client.get(f"/respond/{response.id}/page/{key}").text
        assert SCRIPT not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, key


@pytest.mark.parametrize("lang", ["xx", "../../etc", "es-MX"])
def test_unknown_locales_fall_back_without_error(client, lang):
    page = client.get(f"/login?lang={lang}")
    assert page.status_code == 200 and page.headers["content-language"] in ("en", "es")
    assert client.get("/login", headers={"accept-language": f"{lang};q=1, *;q=0.1"}).status_code == 200


def test_an_unknown_language_in_the_api_is_a_clear_422(client, db, world):
    r = client.get("/api/v1/instruments/equity-self-assessment/1.0?lang=xx", headers=f.api_token(db, world["admin"]))
    assert r.status_code == 422 and r.json()["detail"]


@pytest.mark.parametrize("opens, closes", [("0000-01-01", "2030-01-01"), ("99999-01-01", "2030-01-01"), ("2030-02-30", "2030-03-01"),
                                           ("2031-01-01", "2030-01-01")])
def test_dates_out_of_range_get_a_message_and_create_nothing(client, db, world, csrf, opens, closes):
    f.sign_in(client, db, world["admin"])
    before = counts(db)
    page = client.post("/backbone/cycles?lang=es", data={"name": "Fechas", "instrument": "equity-self-assessment@1.0", "opens_on": opens,
                                                          "closes_on": closes, "privacy": "anonymous", "depth": "full",
                                                          "order": "integrated", "partners": [str(world["a"].id)], "csrf_token": csrf})
    assert page.status_code in (400, 422) and 'aria-invalid="true"' in page.text and 'lang="es"' in page.text
    api = client.post("/api/v1/cycles", json={"name": "Dates", "instrument_id": "equity-self-assessment", "instrument_version": "1.0",
                                              "opens_on": opens, "closes_on": closes, "partner_ids": [world["a"].id]},
                      headers=f.api_token(db, world["admin"]))
    assert api.status_code == 422 and api.json()["detail"]
    assert counts(db) == before


def test_control_characters_pasted_into_text_are_cleaned_not_fatal(client, db, world, csrf):
    from app.assessments import service
    from app.assessments.models import Assessment

    instrument = world["instrument"]
    org = f.partner(db, world["backbone"], "Pasted Partner")
    person = f.user(db, org, Role.respondent)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=world["backbone"], actor_id=world["admin"].id, name="Pasted", instrument=instrument,
                                 opens_on=today, closes_on=today + dt.timedelta(days=5), partner_ids=[org.id], anonymous=False)
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
    response = service.get_or_start_response(db, assessment, person.id, "en")
    db.commit()
    item = next(i.id for i in instrument.items if i.is_rated)
    f.sign_in(client, db, person)
    r = client.post(f"/respond/{response.id}/answer", json={"item_id": item, "value": "2", "comment": "first line\x0bsecond\x00 line\x07"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["ok"]
    stored = db.scalar(select(Answer).where(Answer.response_id == response.id, Answer.item_id == item))
    db.refresh(stored)
    assert stored.comment == "first line\nsecond line"
    service.submit_response(db, response, person.id)
    service.submit_assessment(db, client.app.state.catalogue, assessment, None, 5)
    db.commit()

    f.sign_in(client, db, world["admin"])
    created = client.post("/backbone/partners", data={"name": "Nul\x00 Partner\x1b", "sector": "k12", "size_band": "1-10",
                                                      "preferred_language": "en", "csrf_token": csrf})
    assert created.status_code == 303
    assert db.scalar(select(Organization).where(Organization.name == "Nul Partner")) is not None
    for fmt in ("xlsx", "csv"):
        assert client.get(f"/backbone/cycles/{cycle.id}/export/answers.{fmt}").status_code == 200
