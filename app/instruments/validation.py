"""Rules that relate one part of an instrument file to another.

``problems(instrument)`` returns every problem found as ``(location, message)``; the
loader turns each location into a line of the file. Nothing here raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from app.instruments.schema import Instrument, ItemType, Question, Text

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

CHOICE_TYPES = {ItemType.single_choice, ItemType.multiple_choice}
TEXT_TYPES = {ItemType.short_text, ItemType.long_text}


def problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    found += _language_problems(inst)
    found += _scale_problems(inst)
    found += _level_problems(inst)
    found += _id_problems(inst)
    found += _item_problems(inst)
    found += _question_problems(inst)
    found += _change_problems(inst)
    return found


def texts(model: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Text]]:
    """Every user-visible string of a model, with its location."""
    if isinstance(model, Text):
        yield loc, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from texts(getattr(model, name), (*loc, name))
    elif isinstance(model, list):
        for index, value in enumerate(model):
            yield from texts(value, (*loc, index))


def _language_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    declared = list(dict.fromkeys(inst.languages))
    if inst.source_language not in declared:
        found.append((("source_language",), f"the source language '{inst.source_language}' is not among the declared languages"))
    if len(declared) != len(inst.languages):
        found.append((("languages",), "a language is declared twice"))
    for loc, text in texts(inst):
        for lang in declared:
            if lang not in text.root:
                found.append((loc, f"the text is missing in '{lang}'"))
        for lang in text.root:
            if lang not in declared:
                found.append(((*loc, lang), f"'{lang}' is not a declared language"))
    return found


def _scale_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    for s, scale in enumerate(inst.scales):
        values = [o.value for o in scale.options]
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            found.append((("scales", s, "options"), f"scale '{scale.id}': option values must increase from the first option to the last"))
    return found


def _level_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    if inst.levels and inst.levels[0].min_score != 0:
        found.append((("levels", 0, "min_score"), "the first readiness level must start at 0"))
    for n in range(1, len(inst.levels)):
        before, level = inst.levels[n - 1], inst.levels[n]
        if level.min_score <= before.min_score:
            found.append(
                (("levels", n, "min_score"),
                 f"level '{level.id}' starts at {level.min_score:g}, which is not above '{before.id}' ({before.min_score:g}); lower bounds must increase")
            )
    return found


def _id_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    for kind in ("scales", "levels", "domains"):
        seen: set[str] = set()
        for n, thing in enumerate(getattr(inst, kind)):
            if thing.id in seen:
                found.append(((kind, n, "id"), f"duplicate {kind[:-1]} id '{thing.id}'"))
            seen.add(thing.id)
    seen = set()
    for loc, question in _answerables(inst):
        if question.id in seen:
            found.append(((*loc, "id"), f"duplicate item id '{question.id}'"))
        seen.add(question.id)
    return found


def _answerables(inst: Instrument) -> Iterator[tuple[Loc, Any]]:
    for section in ("reflection", "items", "closing"):
        for n, thing in enumerate(getattr(inst, section)):
            yield (section, n), thing
    yield ("respondent", "role_group"), inst.respondent.role_group
    if inst.respondent.race_ethnicity is not None:
        yield ("respondent", "race_ethnicity"), inst.respondent.race_ethnicity


def _item_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    domains = {d.id for d in inst.domains}
    scales = {s.id for s in inst.scales}
    rated_domains: set[str] = set()
    for n, item in enumerate(inst.items):
        loc: Loc = ("items", n)
        if item.domain not in domains:
            found.append(((*loc, "domain"), f"item '{item.id}': unknown domain '{item.domain}'"))
        if item.is_rated:
            rated_domains.add(item.domain)
            if item.scale is None:
                found.append((loc, f"item '{item.id}': a rated item needs a scale"))
            elif item.scale not in scales:
                found.append(((*loc, "scale"), f"item '{item.id}': unknown scale '{item.scale}'"))
            if item.focus is None:
                found.append((loc, f"item '{item.id}': a rated item needs a focus (policy or practice)"))
            if item.guidance is None:
                found.append((loc, f"item '{item.id}': a rated item needs growth guidance"))
        else:
            if item.scale is not None:
                found.append(((*loc, "scale"), f"item '{item.id}': only rated items have a scale"))
            if item.guidance is not None:
                found.append(((*loc, "guidance"), f"item '{item.id}': only rated items have growth guidance"))
        found += _options_problems(loc, item.id, item.type, item.options)
    for n, domain in enumerate(inst.domains):
        if domain.id not in rated_domains:
            found.append((("domains", n), f"domain '{domain.id}' has no rated item"))
    return found


def _options_problems(loc: Loc, qid: str, qtype: ItemType, options: list[Any] | None) -> list[Problem]:
    if qtype in CHOICE_TYPES:
        if not options:
            return [(loc, f"'{qid}': a choice question needs options")]
        ids = [o.id for o in options]
        if len(set(ids)) != len(ids):
            return [((*loc, "options"), f"'{qid}': option ids must be unique")]
    elif options:
        return [((*loc, "options"), f"'{qid}': only choice questions have options")]
    return []


def _question_problems(inst: Instrument) -> list[Problem]:
    found: list[Problem] = []
    for loc, question in _answerables(inst):
        if not isinstance(question, Question):
            continue
        if question.type is ItemType.rated:
            found.append(((*loc, "type"), f"'{question.id}': only items in a domain can be rated"))
        found += _options_problems(loc, question.id, question.type, question.options)
    role = inst.respondent.role_group
    if role.type is not ItemType.single_choice:
        found.append((("respondent", "role_group", "type"), "the role group question must be single_choice"))
    race = inst.respondent.race_ethnicity
    if race is not None and race.type not in CHOICE_TYPES:
        found.append((("respondent", "race_ethnicity", "type"), "the race/ethnicity question must be a choice question"))
    return found


def _change_problems(inst: Instrument) -> list[Problem]:
    if inst.changes is None:
        return []
    found: list[Problem] = []
    for kind, current in (("items", {i.id for i in inst.items}), ("domains", {d.id for d in inst.domains})):
        changes = getattr(inst.changes, kind)
        for old, new in changes.renamed.items():
            if new not in current:
                found.append((("changes", kind, "renamed", old), f"'{old}' is renamed to '{new}', which is not in this version"))
        for new in changes.merged:
            if new not in current:
                found.append((("changes", kind, "merged", new), f"'{new}' merges earlier ids but is not in this version"))
        for n, old in enumerate(changes.retired):
            if old in current:
                found.append((("changes", kind, "retired", n), f"'{old}' is retired but still in this version"))
    return found
