"""Words for the codes organizations carry (sector, size band), in the current language."""

from __future__ import annotations

from app.i18n import gettext as _
from app.i18n import lazy
from app.organizations.models import SECTORS, SIZE_BANDS

_SECTORS = {
    "k12": lazy("K-12 education"),
    "higher_education": lazy("Higher education"),
    "workforce": lazy("Workforce development"),
    "employer": lazy("Employer"),
    "culturally_specific": lazy("Culturally specific organization"),
    "nonprofit": lazy("Nonprofit"),
    "government": lazy("Government agency"),
    "health": lazy("Health"),
    "philanthropy": lazy("Philanthropy"),
    "other": lazy("Other"),
}
assert set(_SECTORS) == set(SECTORS)


def sector_label(code: str) -> str:
    return _(_SECTORS[code]) if code in _SECTORS else code


def size_label(band: str) -> str:
    if band not in SIZE_BANDS:
        return band
    return _("%(band)s people", band=band.replace("-", "–"))


def sector_choices() -> list[tuple[str, str]]:
    return [(code, sector_label(code)) for code in SECTORS]


def size_choices() -> list[tuple[str, str]]:
    return [(band, size_label(band)) for band in SIZE_BANDS]
