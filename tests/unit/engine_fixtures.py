"""A small instrument built in code, for hand-computed scoring examples."""

from __future__ import annotations

from typing import Any

from app.instruments.schema import Instrument
from app.scoring import AnswerIn, ResponseIn


def text(s: str) -> dict[str, str]:
    return {"en": s, "es": s + " (es)"}


def guidance() -> dict[str, Any]:
    return {"why": text("why"), "actions": [text("a1"), text("a2")], "resources": []}


def rated(item_id: str, domain: str, focus: str, weight: float = 1.0, step: int = 1) -> dict[str, Any]:
    return {"id": item_id, "domain": domain, "step": step, "type": "rated", "focus": focus, "scale": "impl", "weight": weight,
            "text": text(item_id), "guidance": guidance()}


def instrument(items: list[dict[str, Any]] | None = None, domains: list[dict[str, Any]] | None = None, version: str = "1.0",
               changes: dict[str, Any] | None = None, **scoring: Any) -> Instrument:
    data: dict[str, Any] = {
        "id": "mini", "version": version, "title": text("Mini"), "description": text("d"), "attribution": text("a"),
        "languages": ["en", "es"], "published": "2026-01-01", "scoring": scoring,
        "scales": [{"id": "impl", "options": [{"value": v, "label": text(str(v))} for v in range(4)],
                    "dont_know": text("Don't know"), "not_applicable": text("N/A")}],
        "levels": [{"id": lid, "name": text(lid), "min_score": b, "description": text(lid)}
                   for lid, b in (("emerging", 0), ("developing", 25), ("established", 50), ("leading", 75))],
        "domains": domains or [{"id": "lead", "title": text("Leadership"), "introduction": text("i"), "weight": 2},
                               {"id": "data", "title": text("Data"), "introduction": text("i"), "weight": 1}],
        "items": items or [
            rated("lead-01", "lead", "policy", 2), rated("lead-02", "lead", "practice"), rated("lead-03", "lead", "practice", step=2),
            rated("data-01", "data", "policy"), rated("data-02", "data", "practice"),
            {"id": "lead-04", "domain": "lead", "step": 3, "type": "short_text", "text": text("t")},
        ],
        "respondent": {"role_group": {"id": "role_group", "type": "single_choice", "text": text("role"),
                                      "options": [{"id": g, "label": text(g)} for g in ("board", "executive", "staff", "volunteer")]}},
    }
    if changes:
        data["changes"] = changes
    return Instrument.model_validate(data)


def resp(rid: str, role: str | None = None, race: tuple[str, ...] = (), **answers: int | str) -> ResponseIn:
    """answers as item_id=value with '-' in ids written as '_': lead_01=3, data_02='dont_know'."""
    parsed = {}
    for key, value in answers.items():
        item_id = key.replace("_", "-")
        parsed[item_id] = AnswerIn(special=value) if isinstance(value, str) else AnswerIn(value=value)
    return ResponseIn(id=rid, answers=parsed, role_group=role, race_ethnicity=race)
