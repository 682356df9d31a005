"""Importing partners from a file (issue 23, item 8): a preview with each row's problems in the user's language, then
all partners or none, with their leads invited."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.auth.models import Invitation, InvitationPurpose
from app.organizations.models import Organization
from tests import factories as f


def count(db, backbone) -> int:
    return db.scalar(select(func.count()).select_from(Organization).where(Organization.backbone_id == backbone.id))


def test_a_file_with_a_bad_row_is_shown_and_nothing_is_imported(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    before = count(db, world["backbone"])
    csv = ("nombre;sector;tamaño;idioma;correo\n"
           "Escuela Sol;Educación primaria y secundaria;11-50;es;directora@sol.example.org\n"
           "Alder School District;k12;11-50;en;\n"  # a partner that exists
           "Río Health;health;huge;en;not-an-email\n").encode()
    page = client.post("/backbone/partners/import?lang=en", data={"csrf_token": csrf}, files={"file": ("partners.csv", csv, "text/csv")})
    assert page.status_code == 422 and "2 rows have a problem" in page.text
    assert "A partner with this name already exists." in page.text and "Choose a size from the list." in page.text
    assert "Enter an email address like name@example.org." in page.text and "K-12 education" in page.text  # a Spanish label read
    assert 'action="/backbone/partners/import/confirm"' not in page.text
    spanish = client.post("/backbone/partners/import?lang=es", data={"csrf_token": csrf}, files={"file": ("p.csv", csv, "text/csv")})
    assert "Ya existe una organización socia con este nombre." in spanish.text and "2 filas tienen un problema" in spanish.text
    assert count(db, world["backbone"]) == before


def test_a_good_xlsx_imports_every_partner_and_invites_their_leads_or_nothing(client, db, world, csrf):
    f.sign_in(client, db, world["admin"])
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "sector", "size", "language", "lead_email", "contact_name"])
    sheet.append(["Escuela Sol", "K-12 education", "11-50", "es", "directora@sol.example.org", "Ana"])
    sheet.append(["Harbor Clinic", "health", "51-200 people", "en", "", ""])
    data = io.BytesIO()
    book.save(data)
    page = client.post("/backbone/partners/import?lang=en", data={"csrf_token": csrf},
                       files={"file": ("partners.xlsx", data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert page.status_code == 200 and "2 partners are ready to import." in page.text
    payload = page.text.split('name="rows" value="', 1)[1].split('"', 1)[0].replace("&#34;", '"').replace("&quot;", '"')
    done = client.post("/backbone/partners/import/confirm", data={"rows": payload, "invite_leads": "yes", "csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"].endswith("flash=imported&n=2&leads=1")
    sol = db.scalar(select(Organization).where(Organization.name == "Escuela Sol"))
    assert sol.sector == "k12" and sol.preferred_language == "es" and sol.contact_email == "directora@sol.example.org"
    assert db.scalar(select(Organization.size_band).where(Organization.name == "Harbor Clinic")) == "51-200"
    invitation = db.scalar(select(Invitation).where(Invitation.email == "directora@sol.example.org"))
    assert invitation.purpose is InvitationPurpose.partner_lead and invitation.language == "es"
    assert "2 partners were imported. 1 lead was invited." in client.get(done.headers["location"] + "&lang=en").text
    # The same preview again: both names exist now, so nothing is imported twice.
    again = client.post("/backbone/partners/import/confirm?lang=en", data={"rows": payload, "csrf_token": csrf})
    assert again.status_code == 422 and "Nothing was imported" in again.text
    f.sign_in(client, db, world["analyst"])
    assert client.get("/backbone/partners/import").status_code == 403
