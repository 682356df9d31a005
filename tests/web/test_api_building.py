"""An API to build on (issue 24): paging and filters on every list, a declared bearer scheme, docs served from the app's
own files, one error shape in the caller's language, a 422 that names the field."""

from __future__ import annotations

import datetime as dt

from tests import factories as f


def test_every_list_pages_through_with_a_cursor(client, db, world):
    admin = f.api_token(db, world["admin"])
    for k in range(5):
        f.partner(db, world["backbone"], f"Paged partner {k}")
    db.commit()
    everyone = client.get("/api/v1/partners?limit=500", headers=admin)
    assert "x-next-cursor" not in everyone.headers and "link" not in everyone.headers
    names, url, pages = [], "/api/v1/partners?limit=2", 0
    while url:
        r = client.get(url, headers=admin)
        assert r.status_code == 200 and len(r.json()) <= 2
        names += [p["name"] for p in r.json()]
        pages += 1
        cursor = r.headers.get("x-next-cursor")
        if cursor:
            assert r.headers["link"].endswith('rel="next"') and f"cursor={cursor}" in r.headers["link"]
        url = f"/api/v1/partners?limit=2&cursor={cursor}" if cursor else ""
    assert names == [p["name"] for p in everyone.json()] and pages == (len(names) + 1) // 2 and len(names) == 8
    for path in ("/api/v1/cycles?limit=1", "/api/v1/assessments?limit=1", "/api/v1/targets?limit=1", f"/api/v1/partners/{world['a'].id}/actions?limit=1"):
        r = client.get(path, headers=admin)
        assert r.status_code == 200 and len(r.json()) <= 1, path
    assert client.get("/api/v1/cycles?limit=1", headers=admin).headers["x-next-cursor"]
    assert client.get("/api/v1/partners?limit=501", headers=admin).status_code == 422
    bad = client.get("/api/v1/partners?cursor=nonsense!", headers={**admin, "Accept-Language": "es"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor" and "cursor" in bad.json()["detail"]


def test_lists_filter_by_organization_status_time_and_kind(client, db, world):
    admin = f.api_token(db, world["admin"])
    own = client.get(f"/api/v1/assessments?organization={world['a'].id}", headers=admin).json()
    assert {a["organization"]["id"] for a in own} == {world["a"].id} and len(own) == 2
    assert [a["id"] for a in client.get(f"/api/v1/assessments?organization={world['a'].id}&status=submitted&cycle={world['follow'].id}",
                                        headers=admin).json()] == [world["fa"].id]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert client.get("/api/v1/assessments", params={"updated_since": later}, headers=admin).json() == []
    assert len(client.get("/api/v1/assessments", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=admin).json()) == 6
    assert [p["name"] for p in client.get("/api/v1/partners?sector=k12", headers=admin).json()] == ["Alder School District"]
    assert [c["name"] for c in client.get("/api/v1/cycles?closed=true", headers=admin).json()] == ["Baseline"]
    assert client.get("/api/v1/partners?sector=mining", headers=admin).status_code == 422


def test_one_error_shape_in_the_callers_language_and_a_422_naming_the_field(client, db, world):
    admin = {**f.api_token(db, world["admin"]), "Accept-Language": "es"}
    missing = client.post("/api/v1/partners", json={}, headers=admin)
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], str)
    assert missing.json()["errors"] == [{"loc": ["body", "name"], "field": "name", "message": "Este campo es obligatorio.", "type": "missing"}]
    duplicate = client.post("/api/v1/partners", json={"name": "Alder School District"}, headers=admin)
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "name"
    assert duplicate.json()["detail"] == duplicate.json()["errors"][0]["message"]
    too_long = client.post("/api/v1/partners", json={"name": "x" * 201}, headers=admin).json()["errors"][0]
    assert too_long["field"] == "name" and too_long["message"] == "Demasiado largo: como máximo 200 caracteres."
    unknown = client.post("/api/v1/cycles", json={"name": "C", "instrument_id": "equity-self-assessment", "instrument_version": "1.0",
                                                  "opens_on": "2027-01-01", "closes_on": "2027-02-01", "partner_ids": [world["a"].id, 999999]},
                          headers=admin)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "partner_ids" and "999999" in unknown.json()["detail"]
    for r in (client.get("/api/v1/cycles/999999", headers=admin), client.get("/api/v1/me")):
        assert set(r.json()) == {"detail", "errors"} and r.json()["errors"] == [] and r.json()["detail"]
    english = client.post("/api/v1/partners", json={}, headers={**admin, "Accept-Language": "en"}).json()
    assert english["errors"][0]["message"] == "This field is required."


def test_the_document_declares_the_bearer_scheme_and_the_docs_need_no_internet(client):
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer", "bearerFormat": "rsk_...",
                                                             "description": "An API token made with `reassess token create --email EMAIL`."}
    operations = [op for path, item in doc["paths"].items() if path.startswith("/api/") for op in item.values()]
    assert operations and all(op.get("security") == [{"token": []}] for op in operations)
    assert all(op.get("summary") for op in operations)
    assert "Paging" in doc["info"]["description"]
    for page, script in (("/docs", "/static-docs/swagger-ui-bundle.js"), ("/redoc", "/static-docs/redoc.standalone.js")):
        r = client.get(page)
        assert r.status_code == 200 and script in r.text and "cdn" not in r.text.lower() and "googleapis" not in r.text
        assert "cdn" not in r.headers["content-security-policy"] and client.get(script).status_code == 200


def test_a_lead_cannot_time_its_peoples_answers_through_the_api(client, db, world):
    """Last activity is the backbone's (as on the pages); a lead's updated_since filters on submissions only."""
    lead = f.api_token(db, world["lead_a"])
    own = client.get(f"/api/v1/cycles/{world['follow'].id}", headers=lead).json()
    assert own["progress"] and all(p["last_activity"] is None for p in own["progress"])
    admin = f.api_token(db, world["admin"])
    assert any(p["last_activity"] for p in client.get(f"/api/v1/cycles/{world['follow'].id}", headers=admin).json()["progress"])
    submitted = world["fa"].submitted_at
    world["fa"].updated_at = submitted + dt.timedelta(hours=1)  # later activity, as an answer saved an hour after
    db.commit()
    just_after = {"updated_since": (submitted + dt.timedelta(seconds=1)).isoformat(), "organization": world["a"].id}
    assert client.get("/api/v1/assessments", params=just_after, headers=lead).json() == []
    assert [a["id"] for a in client.get("/api/v1/assessments", params=just_after, headers=admin).json()] == [world["fa"].id]


def test_the_next_page_link_is_the_services_own_address_whatever_the_host_header(client, db, world, settings):
    admin = {**f.api_token(db, world["admin"]), "Host": "evil.example"}
    r = client.get("/api/v1/cycles?limit=1", headers=admin)
    assert r.headers["link"].startswith(f"<{settings.base_url.rstrip('/')}/api/v1/cycles?") and "evil.example" not in r.headers["link"]
