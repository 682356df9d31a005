"""Which questions go on which page of a response, and how far a respondent has come.

Integrated order: the readiness reflection, one page per domain (all its asked items), the closing
questions. Stepped order: the reflection, then one page per step (core questions across all
domains, then deeper ones, short answers, narratives), then the closing questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.assessments.models import Answer, Depth, Order
from app.i18n import gettext as _
from app.instruments.schema import Instrument, Item, Question
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
