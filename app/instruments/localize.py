"""An instrument version as plain data in one language (for the API and exports)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.instruments.schema import Instrument, Text


def localize(value: Any, lang: str) -> Any:
    """Replace every Text by its string in ``lang``; keep everything else as JSON-ready data."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, BaseModel):
        return {name: localize(getattr(value, name), lang) for name in type(value).model_fields}
    if isinstance(value, list):
        return [localize(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: localize(v, lang) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


def summary(instrument: Instrument, lang: str) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title.get(lang),
        "languages": list(instrument.languages),
        "published": instrument.published.isoformat(),
    }
