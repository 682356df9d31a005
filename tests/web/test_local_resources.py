"""The partnership's own resources (issue 25): the backbone lists them; result pages and reports show them under the
domain they help with, in the reader's language; a new one renders the report again."""

from __future__ import annotations

from tests import factories as f
from tests.pdf_text import pdf_words


def pdf_text(content: bytes) -> str:
    return pdf_words(content)


def test_the_backbone_lists_local_help_and_partners_find_it_on_their_result_and_report(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    result = f"/assessments/{world['fb'].id}/result"
    before = client.get(f"{result.replace('/result', '/report.pdf')}?lang=es")
    assert before.headers["x-report-cache"] == "miss" and "Oficina de Equidad" not in pdf_text(before.content)
    bad = client.post("/backbone/resources?lang=es", data={"csrf_token": csrf, "title": "Mentoría", "url": "javascript:alert(1)"})
    assert bad.status_code == 422 and "https://" in bad.text and 'value="Mentoría"' in bad.text  # the typed name stays
    for data in ({"title": "Acompañamiento de la Oficina de Equidad del condado", "url": "https://equity.example.gov/coaching",
                  "note": "Pregunte por Ana Ruiz.", "domain_id": "leadership", "language": "es"},
                 {"title": "Partnership data office hours", "domain_id": "", "language": "en"}):
        assert client.post("/backbone/resources", data={"csrf_token": csrf, **data}).status_code == 303
    listed = client.get("/backbone/resources?lang=es").text
    assert "Acompañamiento de la Oficina de Equidad" in listed and "Pregunte por Ana Ruiz." in listed
    f.sign_in(client, db, world["lead_b"])
    es = client.get(f"{result}?lang=es").text
    assert "En su alianza" in es and "https://equity.example.gov/coaching" in es and "Partnership data office hours" not in es
    en = client.get(f"{result}?lang=en").text
    assert "Partnership data office hours" in en and "Oficina de Equidad" not in en
    after = client.get(f"{result.replace('/result', '/report.pdf')}?lang=es")
    assert after.headers["x-report-cache"] == "miss"  # the resources changed: rendered again
    text = pdf_text(after.content)
    assert "Apoyo dentro de su alianza" in text and "Oficina de Equidad" in text
    f.sign_in(client, db, world["analyst"])
    assert client.get("/backbone/resources").status_code == 200
    assert client.post("/backbone/resources", data={"csrf_token": csrf, "title": "x"}).status_code == 403
