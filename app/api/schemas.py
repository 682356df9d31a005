"""What several API routers return or accept alike."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.organizations.models import Organization

# Names are plain text: no control characters but tab and line breaks. PostgreSQL cannot store NUL, and the others
# cannot be written to an XLSX export; refused here (422) rather than failing later in the database or an export (500).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class PartnerOut(BaseModel):
    id: int = Field(description="The partner organization's id")
    name: str = Field(description="The organization's name, unique within the partnership")
    sector: str = Field(description="The sector's code (e.g. k12, nonprofit, government, other): see the data dictionary for the labels")
    size_band: str = Field(description="The size band's code, by number of people: 1-10, 11-50, 51-200, 201-1000 or 1000+")
    preferred_language: str = Field(description="The organization's language code, e.g. en or es: the default for its lead's invitation")
    contact_name: str = Field(description="The contact person's name; empty when none is given")
    contact_email: str = Field(description="The contact person's email address; empty when none is given")
    archived: bool = Field(description="Whether the partner is archived: kept with its history, left out of new cycles")


def partner_out(o: Organization) -> PartnerOut:
    return PartnerOut(id=o.id, name=o.name, sector=o.sector, size_band=o.size_band, preferred_language=o.preferred_language,
                      contact_name=o.contact_name, contact_email=o.contact_email, archived=o.archived_at is not None)
