"""The instruments API and the catalogue pages backbone staff read, in either language."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.instruments.schema import Instrument
from app.instruments.validation import texts
from app.organizations.models import Role
from tests import factories as f

ID, VERSION = "equity-self-assessment", "1.0"
STEPS = {
    "en": {1: "Step 1 · core", 2: "Step 2 · deeper", 3: "Step 3 · short answer", 4: "Step 4 · narrative"},
    "es": {1: "Paso 1 · esencial", 2: "Paso 2 · en profundidad", 3: "Paso 3 · respuesta breve", 4: "Paso 4 · narrativa"},
}


@pytest.fixture
def shipped(catalogue) -> Instrument:
    return catalogue.get(ID, VERSION)


@pytest.fixture
def staff(db):
    backbone = f.backbone(db)
    return {"analyst": f.user(db, backbone, Role.backbone_analyst), "backbone": backbone}


def _at(data: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        data = data[part]
    return data


# -- API ---------------------------------------------------------------------------------------------------

def test_list_instruments(client, db, staff, catalogue):
    headers = f.api_token(db, staff["analyst"])
    r = client.get("/api/v1/instruments", headers=headers)
    assert r.status_code == 200
    rows = r.json()
    assert [(row["id"], row["version"]) for row in rows] == [i.key for i in catalogue.all()]
    row = next(row for row in rows if (row["id"], row["version"]) == (ID, VERSION))
    assert row == {"id": ID, "version": VERSION, "title": "Racial Equity Organizational Self-Assessment", "languages": ["en", "es"],
                   "published": "2026-11-01"}
    es = client.get("/api/v1/instruments?lang=es", headers=headers).json()
    assert next(r for r in es if r["id"] == ID)["title"] == "Autoevaluación organizacional de equidad racial"


def test_the_list_needs_a_signed_in_user(client):
    assert client.get("/api/v1/instruments").status_code == 401


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_version_localized_with_scales_and_levels(client, db, staff, shipped, lang):
    r = client.get(f"/api/v1/instruments/{ID}/{VERSION}?lang={lang}", headers=f.api_token(db, staff["analyst"]))
    assert r.status_code == 200
    data = r.json()
    assert (data["id"], data["version"], data["language"], data["languages"]) == (ID, VERSION, lang, ["en", "es"])
    # The whole instrument: every string of the file, at its place, in the language asked for.
    for loc, text in texts(shipped):
        assert _at(data, loc) == text.root[lang], loc
    assert [(o["value"], o["label"]) for o in data["scales"][0]["options"]] == [
        (o.value, o.label.root[lang]) for o in shipped.scale("implementation").options]
    assert [(lv["id"], lv["min_score"], lv["name"]) for lv in data["levels"]] == [
        (lv.id, lv.min_score, lv.name.root[lang]) for lv in shipped.levels]
    assert [lv["min_score"] for lv in data["levels"]] == [0, 25, 50, 75]
    assert [d["id"] for d in data["domains"]] == [d.id for d in shipped.domains]
    assert [(i["id"], i["domain"], i["step"], i["type"], i["focus"], i["scale"]) for i in data["items"]] == [
        (i.id, i.domain, i.step, i.type.value, i.focus.value if i.focus else None, i.scale) for i in shipped.items]
    assert len(data["reflection"]) == len(shipped.reflection) and len(data["closing"]) == 3
    assert data["respondent"]["role_group"]["options"]


def test_an_unknown_version_or_instrument_is_404(client, db, staff):
    headers = f.api_token(db, staff["analyst"])
    for path in (f"/api/v1/instruments/{ID}/9.9", f"/api/v1/instruments/{ID}/1.0.0", "/api/v1/instruments/nothing/1.0"):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["errors"] == [] and r.json()["detail"]


def test_an_unknown_language_is_refused(client, db, staff):
    r = client.get(f"/api/v1/instruments/{ID}/{VERSION}?lang=fr", headers=f.api_token(db, staff["analyst"]))
    assert r.status_code == 422
    assert r.json()["detail"] == "Unknown language 'fr'. Use one of: en, es."


# -- pages -------------------------------------------------------------------------------------------------

def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _domains_on_page(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(step tag, item id)]) for each domain section, in page order."""
    out = []
    for section in re.findall(r'<section id="d-[^"]+" class="domain-block">(.*?)</section>', page, re.S):
        heading = _text(re.search(r"<h2>(.*?)</h2>", section, re.S).group(1))
        items = [(_text(tag), item_id) for tag, item_id in
                 re.findall(r'<li>\s*<span class="tag">(.*?)</span>.*?<span class="muted">\((.*?)\)</span>', section, re.S)]
        out.append((heading, items))
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_catalogue_page_shows_a_version_domain_by_domain_with_the_steps(client, db, staff, shipped, lang):
    f.sign_in(client, db, staff["analyst"])
    listing = client.get(f"/instruments?lang={lang}")
    assert listing.status_code == 200
    assert f'href="/instruments/{ID}/{VERSION}"' in listing.text
    assert html.escape(shipped.title.root[lang], quote=False) in listing.text

    page = client.get(f"/instruments/{ID}/{VERSION}?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    expected = [(f"{n}. {d.title.root[lang]}", [(STEPS[lang][i.step], i.id) for i in shipped.items_of(d.id)])
                for n, d in enumerate(shipped.domains, start=1)]
    assert _domains_on_page(page.text) == expected
    body = _text(page.text)
    for d in shipped.domains:
        assert d.introduction.root[lang] in body
    for item in shipped.items:
        assert item.text.root[lang] in body
    for level in shipped.levels:
        assert level.name.root[lang] in body
    for option in shipped.scale("implementation").options:
        assert option.label.root[lang] in body
    other = {"en": "es", "es": "en"}[lang]
    assert shipped.item("leadership-01").text.root[other] not in body


def test_the_catalogue_page_shows_a_lead_only_the_versions_of_their_cycles(client, db, staff):
    partner = f.partner(db, staff["backbone"])
    lead = f.user(db, partner, Role.partner_lead)
    f.sign_in(client, db, lead)
    assert client.get(f"/instruments/{ID}/{VERSION}").status_code == 404  # in no cycle of theirs yet
    listing = client.get("/instruments")
    assert listing.status_code == 200 and f"/instruments/{ID}/{VERSION}" not in listing.text
    f.sign_in(client, db, staff["analyst"])
    assert client.get(f"/instruments/{ID}/9.9").status_code == 404


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_catalogue_page_lists_a_versions_spelling_corrections(client, db, staff, lang):
    f.sign_in(client, db, staff["analyst"])
    page = client.get(f"/instruments/{ID}/{VERSION}?lang={lang}")
    summary = {"en": "3 spelling corrections since it was published", "es": "3 correcciones ortográficas desde su publicación"}[lang]
    assert summary in page.text
    assert '<li lang="en">Fully in place and <del>practised</del> <ins>practiced</ins></li>' in page.text
    assert '<li lang="en">Unpaid participation <del>favours</del> <ins>favors</ins> those who can afford' in page.text
    body = _text(page.text)
    assert "Fully in place and practiced" in body if lang == "en" else "Plenamente establecido y en práctica" in body
