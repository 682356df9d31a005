"""Which questions go on which page of a response, and how far a respondent has come.

Integrated order: the readiness reflection, one page per domain (all its asked items), the closing
questions. Stepped order: the reflection, then one page per step (core questions across all
domains, then deeper ones, short answers, narratives), then the closing questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.assessments.models import Answer, Depth, Order
from app.assessments.service import AnswerInput
from app.i18n import gettext as _
from app.instruments.schema import Instrument, Item, ItemType, Question
from app.scoring import asked_items


@dataclass(frozen=True)
class Section:
    domain_id: str | None
    questions: tuple[Item | Question, ...]


@dataclass(frozen=True)
class Page:
    key: str
    sections: tuple[Section, ...]
    domain_id: str | None = None
    step: int | None = None

    @property
    def question_ids(self) -> list[str]:
        return [q.id for s in self.sections for q in s.questions]

    def title(self, instrument: Instrument, lang: str) -> str:
        if self.key == "reflection":
            return _("Before you begin: readiness reflection")
        if self.key == "closing":
            return _("Summary: strengths, growth and commitments")
        if self.domain_id:
            return instrument.domain(self.domain_id).title.get(lang)
        return {1: _("Core questions"), 2: _("Deeper questions"), 3: _("Short answers"), 4: _("Your stories")}[self.step or 1]


def plan_pages(instrument: Instrument, depth: Depth, order: Order) -> list[Page]:
    items = asked_items(instrument, depth.value)
    pages: list[Page] = []
    if instrument.reflection:
        pages.append(Page("reflection", (Section(None, tuple(instrument.reflection)),)))
    if order is Order.integrated:
        for domain in instrument.domains:
            mine = tuple(i for i in items if i.domain == domain.id)
            if mine:
                pages.append(Page(f"domain-{domain.id}", (Section(domain.id, mine),), domain_id=domain.id))
    else:
        for step in (1, 2, 3, 4):
            sections = tuple(Section(d.id, tuple(i for i in items if i.step == step and i.domain == d.id)) for d in instrument.domains)
            sections = tuple(s for s in sections if s.questions)
            if sections:
                pages.append(Page(f"step-{step}", sections, step=step))
    if instrument.closing:
        pages.append(Page("closing", (Section(None, tuple(instrument.closing)),)))
    return pages


def is_answered(answer: Answer | None) -> bool:
    return answer is not None and (answer.value is not None or answer.special is not None or bool(answer.choices) or bool(answer.text))


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    per_page: dict[str, tuple[int, int]]

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def progress(pages: list[Page], answers: dict[str, Answer]) -> Progress:
    per_page = {}
    for page in pages:
        ids = page.question_ids
        per_page[page.key] = (sum(1 for i in ids if is_answered(answers.get(i))), len(ids))
    return Progress(sum(a for a, _ in per_page.values()), sum(t for _, t in per_page.values()), per_page)


# -- a question page as posted ----------------------------------------------------------------------

def stored_repr(answer: Answer | None) -> str:
    """An answer as one string, to know on save whether the respondent changed it on this page (the form carries each
    question's stored value as ``orig-<id>``, and ``present-<id>`` for a multiple choice, which posts nothing when empty)."""
    if answer is None:
        return ""
    if answer.special is not None:
        return answer.special.value
    if answer.value is not None:
        return str(answer.value)
    if answer.choices:
        return "|".join(answer.choices)
    return answer.text or ""


@dataclass(frozen=True)
class PageChange:
    answer: AnswerInput  # what to save
    posted: dict[str, Any]  # what the page shows back if the save is refused


def page_changes(instrument: Instrument, question_ids: list[str], form: Any, stored: Callable[[str], Answer | None]) -> list[PageChange]:
    """The answers a posted page changed, one per question whose answer or comment differs from what the page showed;
    ``stored`` gives a question's stored answer, asked only for a comment changed alone (usually nothing is asked: the
    autosave has saved everything already)."""
    changes = []
    for qid in question_ids:
        question = instrument.question(qid)
        assert question is not None
        if question.type is ItemType.multiple_choice:
            choices = [str(v) for v in form.getlist(qid)][:50]
            value: str | None = "|".join(choices)
            data: dict[str, Any] = {"choices": choices}
            changed = form.get(f"present-{qid}") is not None and value != form.get(f"orig-{qid}", "")
        else:
            raw = form.get(qid)
            value = str(raw) if raw is not None else None
            data = {"value": value} if question.type in (ItemType.rated, ItemType.single_choice) else {"text": value}
            changed = value is not None and value != form.get(f"orig-{qid}", "")
        comment = form.get(f"{qid}-comment")
        comment_changed = comment is not None and str(comment) != form.get(f"orig-{qid}-comment", "")
        if not changed and not comment_changed:
            continue
        existing = stored(qid) if not changed or comment is None else None
        if not changed:  # only the comment changed: keep the stored answer as it is
            data = _existing_data(existing, question.type)
        answer = AnswerInput(qid, value=data.get("value"), choices=data.get("choices", ()), text=data.get("text"),
                             comment=str(comment) if comment is not None else (existing.comment if existing else None))
        changes.append(PageChange(answer, {**({"value": value} if value is not None else {}), **data, "comment": str(comment or "")}))
    return changes


def _existing_data(existing: Answer | None, kind: ItemType) -> dict[str, Any]:
    if existing is None:
        return {}
    if kind is ItemType.multiple_choice:
        return {"choices": list(existing.choices or [])}
    if kind in (ItemType.rated, ItemType.single_choice):
        return {"value": stored_repr(existing) or None}
    return {"text": existing.text}


# -- an answer as the respondent reads it back (review, and the page that says a post was not saved) ----------------

def choice_label(instrument: Instrument, question: Item | Question, raw: str, lang: str) -> str:
    """The label of a posted or stored choice (a scale point, "don't know", an option id); the raw value if unknown."""
    if question.type is ItemType.rated and isinstance(question, Item) and question.scale:
        scale = instrument.scale(question.scale)
        if raw in ("dont_know", "not_applicable"):
            special = getattr(scale, raw)
            return special.get(lang) if special is not None else raw
        for option in scale.options:
            if str(option.value) == raw:
                return option.label.get(lang)
        return raw
    for choice in question.options or []:
        if choice.id == raw:
            return choice.label.get(lang)
    return raw


@dataclass(frozen=True)
class Shown:
    """One question with the respondent's answer, as text to read: ``labels`` for choices, ``text`` for written answers."""

    question: Item | Question
    labels: tuple[str, ...] = ()
    text: str = ""
    comment: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.labels or self.text)


def shown_answer(instrument: Instrument, question: Item | Question, answer: Answer | None, lang: str) -> Shown:
    if answer is None:
        return Shown(question)
    if question.type in (ItemType.short_text, ItemType.long_text):
        return Shown(question, text=answer.text or "", comment=answer.comment or "")
    raw = ([answer.special.value] if answer.special is not None else [str(answer.value)] if answer.value is not None
           else [str(c) for c in answer.choices or []])
    return Shown(question, tuple(choice_label(instrument, question, r, lang) for r in raw), comment=answer.comment or "")


def posted_answers(instrument: Instrument, form: Any, lang: str) -> list[Shown]:
    """What a posted question page carried and had not saved yet (its answer or comment differs from what the page
    knew as saved, ``orig-<id>``), question by question in the order of the form: for a page that could not save it,
    read from the form alone, nothing from the database."""
    shown = []
    seen: set[str] = set()
    for key, _value in form.multi_items():
        question = instrument.question(key) if isinstance(key, str) else None
        if question is None or key in seen:
            continue
        seen.add(key)
        values = [str(v) for v in form.getlist(key) if isinstance(v, str)][:50]
        comment = str(form.get(f"{key}-comment") or "").strip()
        if "|".join(values) == str(form.get(f"orig-{key}", "")) and comment == str(form.get(f"orig-{key}-comment", "")).strip():
            continue  # as the page had it saved (shown, or confirmed by the autosave): nothing lost
        if question.type in (ItemType.short_text, ItemType.long_text):
            shown.append(Shown(question, text=(values[0] if values else "").strip(), comment=comment))
        else:
            shown.append(Shown(question, tuple(choice_label(instrument, question, v, lang) for v in values if v), comment=comment))
    for key, value in form.multi_items():  # a comment typed on a question left unanswered
        if isinstance(key, str) and key.endswith("-comment") and isinstance(value, str) and value.strip():
            qid = key[: -len("-comment")]
            question = instrument.question(qid)
            if question is not None and qid not in seen and value.strip() != str(form.get(f"orig-{key}", "")).strip():
                seen.add(qid)
                shown.append(Shown(question, comment=value.strip()))
    return [s for s in shown if s.answered or s.comment]
