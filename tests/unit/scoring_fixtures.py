"""Small instruments built in code, for hand-computed scoring examples and property tests.

The default instrument ("mini" 1.0):

- scales: ``impl`` 0-3 with "Don't know" and "Not applicable"; ``agree`` 1-5 with "Don't know" (a scale not starting at 0)
- levels: emerging 0, developing 25, established 50, leading 75
- domains: lead (weight 2), data (1), comm (1)
- items, in this order::

    lead-01  step 1  policy    weight 2  impl
    lead-02  step 1  practice  weight 1  impl
    lead-03  step 2  practice  weight 1  impl
    lead-04  step 1  policy    weight 1  impl
    lead-05  step 3  short_text (not scored)
    data-01  step 1  policy    weight 1  impl
    data-02  step 1  practice  weight 1  impl
    comm-01  step 1  practice  weight 1  agree
    comm-02  step 2  policy    weight 1  impl
"""

from __future__ import annotations

from typing import Any

from app.instruments.schema import Instrument
from app.scoring import AnswerIn, ResponseIn

ROLES = ("board", "executive", "staff", "volunteer")
RACES = ("asian", "black", "latino", "native", "white")
LEVELS = (("emerging", 0), ("developing", 25), ("established", 50), ("leading", 75))


def text(s: str) -> dict[str, str]:
    return {"en": s, "es": f"{s} (es)"}


def guidance() -> dict[str, Any]:
    return {"why": text("why it matters"), "actions": [text("first step"), text("second step")], "resources": []}


def rated(item_id: str, domain: str, focus: str | None = "policy", weight: float = 1.0, step: int = 1, scale: str = "impl") -> dict[str, Any]:
    return {"id": item_id, "domain": domain, "step": step, "type": "rated", "focus": focus, "scale": scale, "weight": weight,
            "text": text(item_id), "guidance": guidance()}


def domain(domain_id: str, weight: float = 1.0) -> dict[str, Any]:
    return {"id": domain_id, "title": text(domain_id.title()), "introduction": text("intro"), "weight": weight}


DEFAULT_DOMAINS = [domain("lead", 2), domain("data"), domain("comm")]
DEFAULT_ITEMS = [
    rated("lead-01", "lead", "policy", 2),
    rated("lead-02", "lead", "practice"),
    rated("lead-03", "lead", "practice", step=2),
    rated("lead-04", "lead", "policy"),
    {"id": "lead-05", "domain": "lead", "step": 3, "type": "short_text", "text": text("What else?")},
    rated("data-01", "data", "policy"),
    rated("data-02", "data", "practice"),
    rated("comm-01", "comm", "practice", scale="agree"),
    rated("comm-02", "comm", "policy", step=2),
]


def make_instrument(items: list[dict[str, Any]] | None = None, domains: list[dict[str, Any]] | None = None, *, version: str = "1.0",
                    instrument_id: str = "mini", changes: dict[str, Any] | None = None, **scoring: Any) -> Instrument:
    """The default instrument, or one with other items / domains / scoring thresholds / id changes."""
    data: dict[str, Any] = {
        "id": instrument_id, "version": version, "title": text("Mini"), "description": text("A small instrument"),
        "attribution": text("Tests"), "languages": ["en", "es"], "published": "2026-01-01", "scoring": scoring,
        "scales": [
            {"id": "impl", "options": [{"value": v, "label": text(f"impl {v}")} for v in range(4)],
             "dont_know": text("Don't know"), "not_applicable": text("Not applicable")},
            {"id": "agree", "options": [{"value": v, "label": text(f"agree {v}")} for v in range(1, 6)], "dont_know": text("Don't know")},
        ],
        "levels": [{"id": lid, "name": text(lid), "min_score": bound, "description": text(lid)} for lid, bound in LEVELS],
        "domains": DEFAULT_DOMAINS if domains is None else domains,
        "items": DEFAULT_ITEMS if items is None else items,
        "respondent": {
            "role_group": {"id": "role_group", "type": "single_choice", "text": text("Your role"),
                           "options": [{"id": g, "label": text(g)} for g in ROLES]},
            "race_ethnicity": {"id": "race_ethnicity", "type": "multiple_choice", "text": text("Race/ethnicity"),
                               "options": [{"id": g, "label": text(g)} for g in RACES]},
        },
    }
    if changes is not None:
        data["changes"] = changes
    return Instrument.model_validate(data)


def answer(raw: int | str) -> AnswerIn:
    """3 -> a value; "dk" / "dont_know" -> Don't know; "na" / "not_applicable" -> Not applicable."""
    if isinstance(raw, int):
        return AnswerIn(value=raw)
    return AnswerIn(special={"dk": "dont_know", "na": "not_applicable"}.get(raw, raw))


def resp(rid: str, answers: dict[str, int | str] | None = None, role: str | None = None, race: tuple[str, ...] = ()) -> ResponseIn:
    return ResponseIn(id=rid, answers={k: answer(v) for k, v in (answers or {}).items()}, role_group=role, race_ethnicity=race)


def crowd(prefix: str, n: int, answers: dict[str, int | str], role: str | None = None, race: tuple[str, ...] = ()) -> list[ResponseIn]:
    """n respondents giving the same answers."""
    return [resp(f"{prefix}{k}", answers, role, race) for k in range(n)]
