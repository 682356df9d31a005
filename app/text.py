"""Free text as people paste it: control characters out (a NUL cannot be stored in PostgreSQL, spreadsheets refuse
the others), the vertical tab and form feed that word processors put in pasted text become line breaks."""

from __future__ import annotations

import re

_BREAKS = re.compile(r"[\x0b\x0c]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    return _CONTROL.sub("", _BREAKS.sub("\n", text))


def email_address(raw: str) -> str | None:
    """The address lower-cased and trimmed, or None when it is not one (something@domain.tld, no space, at most 320)."""
    email = raw.strip().lower()
    if "@" not in email or "." not in email.split("@")[-1] or " " in email or len(email) > 320:
        return None
    return email
