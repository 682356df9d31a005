"""Free text as people paste it: control characters out (a NUL cannot be stored in PostgreSQL, spreadsheets refuse
the others), the vertical tab and form feed that word processors put in pasted text become line breaks."""

from __future__ import annotations

import re

_BREAKS = re.compile(r"[\x0b\x0c]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    return _CONTROL.sub("", _BREAKS.sub("\n", text))
