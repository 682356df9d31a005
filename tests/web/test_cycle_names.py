"""A cycle has a name in each language of the partnership, shown in the reader's language on pages, exports and reports."""

from __future__ import annotations

from sqlalchemy import select

from app.assessments.models import Cycle
from tests import factories as f
from tests.pdf_text import pdf_words


def create(client, world, csrf, **names):
    return client.post("/backbone/cycles", data={
        "name": "Second follow-up", "instrument": "equity-self-assessment@1.0", "opens_on": "2027-01-10", "closes_on": "2027-03-01",
        "privacy": "anonymous", "baseline": str(world["follow"].id), "partners": [str(world["a"].id)], "csrf_token": csrf, **names})


def test_a_cycle_named_in_both_languages_is_shown_in_the_readers(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    form = client.get("/backbone/cycles/new?lang=en").text
    assert "Name in English" in form and "Name in Español (optional)" in form
    ok = create(client, world, csrf, name_es="Segundo seguimiento")
    assert ok.status_code == 303
    cycle = db.scalar(select(Cycle).where(Cycle.name == "Second follow-up"))
    assert cycle.names == {"es": "Segundo seguimiento"} and cycle.name_in("es") == "Segundo seguimiento" and cycle.name_in("en") == "Second follow-up"
    spanish = client.get(f"/backbone/cycles/{cycle.id}?lang=es").text
    assert "<h1>Segundo seguimiento</h1>" in spanish
    assert "<h1>Second follow-up</h1>" in client.get(f"/backbone/cycles/{cycle.id}?lang=en").text
    assert "Segundo seguimiento" in client.get("/backbone?lang=es").text
    # The results export names the cycle in the reader's language.
    export = client.get(f"/backbone/cycles/{cycle.id}/export/results.csv?lang=es")
    assert export.status_code == 200 and "Segundo seguimiento" in export.content.decode("utf-8-sig")


def test_without_a_name_in_a_language_its_readers_see_the_first_name(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    assert create(client, world, csrf, name_es="  ").status_code == 303
    cycle = db.scalar(select(Cycle).where(Cycle.name == "Second follow-up"))
    assert cycle.names is None
    assert "<h1>Second follow-up</h1>" in client.get(f"/backbone/cycles/{cycle.id}?lang=es").text


def test_a_name_too_long_in_another_language_is_refused_at_its_field_and_nothing_is_lost(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    bad = create(client, world, csrf, name_es="x" * 201)
    assert bad.status_code == 422
    assert 'id="name_es-error"' in bad.text and 'value="Second follow-up"' in bad.text
    assert db.scalar(select(Cycle).where(Cycle.name == "Second follow-up")) is None


def test_the_report_and_the_result_page_use_the_readers_name_of_the_baseline(client, db, world):
    world["baseline"].names = {"es": "Línea de base"}
    db.commit()
    f.sign_in(client, db, world["lead_a"])
    page = client.get(f"/assessments/{world['fa'].id}/result?lang=es").text
    assert "Desde Línea de base" in page
    pdf = client.get(f"/assessments/{world['fa'].id}/report.pdf?lang=es")
    words = pdf_words(pdf.content)
    assert "Línea de base" in words


def test_the_api_takes_and_gives_the_names_and_refuses_a_language_the_partnership_does_not_have(client, db, world):
    headers = f.api_token(db, world["admin"])
    body = {"name": "API cycle", "instrument_id": "equity-self-assessment", "instrument_version": "1.0", "opens_on": "2027-01-10",
            "closes_on": "2027-03-01", "partner_ids": [world["a"].id]}
    made = client.post("/api/v1/cycles", json={**body, "names": {"es": "Ciclo de la API"}}, headers=headers)
    assert made.status_code == 201 and made.json()["names"] == {"es": "Ciclo de la API"}
    for names in ({"fr": "Cycle"}, {"en": "Twice"}):
        refused = client.post("/api/v1/cycles", json={**body, "names": names}, headers=headers)
        assert refused.status_code == 422, refused.text
