"""What several API routers return or accept alike."""

from __future__ import annotations

from pydantic import BaseModel

from app.organizations.models import Organization

# Names are plain text: no control characters but tab and line breaks. PostgreSQL cannot store NUL, and the others
# cannot be written to an XLSX export; refused here (422) rather than failing later in the database or an export (500).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class PartnerOut(BaseModel):
    id: int
    name: str
    sector: str
    size_band: str
    preferred_language: str
    contact_name: str
    contact_email: str
    archived: bool


def partner_out(o: Organization) -> PartnerOut:
    return PartnerOut(id=o.id, name=o.name, sector=o.sector, size_band=o.size_band, preferred_language=o.preferred_language,
                      contact_name=o.contact_name, contact_email=o.contact_email, archived=o.archived_at is not None)
