"""What the team wrote: the texts of a submitted assessment's counted responses, for the organization to read.

Every text answer and every comment of the responses that the current result counts (so nothing before the
organization submits, and in an anonymous cycle nothing below the minimum: app.assessments.submission), grouped by
question, each group in a new random order. In an anonymous cycle no name, code, group, language or time goes beside a
text; in a named one, the respondent's email, as the welcome page says. A text is named in forms by a key derived from
the server's secret and the answer: stable, so that a lead can mark it, and tied to nothing (answer ids are sequential
per response, so they would tie one person's texts together).

The lead marks texts to quote in the report, or hides a text that identifies someone: the respondent's words stay
stored as written; the decision is a ``TextMark`` and is recorded in the audit log (the question, never the author).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.assessments import disclosure
from app.assessments.models import Answer, Assessment, TextField, TextMark
from app.assessments.submission import counted_responses
from app.auth.models import User
from app.db import utcnow
from app.i18n import gettext as _
from app.instruments.schema import Instrument, ItemType

TEXT_TYPES = (ItemType.short_text, ItemType.long_text)
MAX_QUOTES = 12
Action = Literal["quote", "unquote", "hide", "show"]
RECORDED = {"quote": "text.quoted", "unquote": "text.unquoted", "hide": "text.hidden", "show": "text.shown"}


@dataclass(frozen=True)
class TeamText:
    key: str
    question_id: str
    field: TextField
    text: str
    author: str | None  # a named cycle's respondent email; None in an anonymous cycle
    quoted: bool
    hidden: bool


@dataclass
class TextSection:
    id: str  # the question's id, or "comments:<domain id>" / "comments:other"
    title: str
    question_id: str | None  # the text question (commitments: "closing-commitments"); None for a domain's comments
    domain_id: str | None
    texts: list[TeamText] = field(default_factory=list)
    hidden: list[TeamText] = field(default_factory=list)


def text_key(secret: str, answer_id: int, kind: TextField) -> str:
    return hmac.new(secret.encode(), f"team-text:{answer_id}:{kind.value}".encode(), hashlib.sha256).hexdigest()[:20]


def _sections(instrument: Instrument, lang: str) -> tuple[list[TextSection], dict[str, str], dict[str, str]]:
    """The sections in the instrument's order, and where each question's text and comments go."""
    sections: list[TextSection] = []
    text_of: dict[str, str] = {}
    comment_of: dict[str, str] = {}

    def questions(qs: list) -> None:
        for q in qs:
            if q.type in TEXT_TYPES:
                sections.append(TextSection(q.id, q.text.get(lang), q.id, getattr(q, "domain", None)))
                text_of[q.id] = q.id

    questions(instrument.reflection)
    for d in instrument.domains:
        questions(instrument.items_of(d.id))
        section = TextSection(f"comments:{d.id}", _("Comments on %(domain)s", domain=d.title.get(lang)), None, d.id)
        sections.append(section)
        for item in instrument.items_of(d.id):
            comment_of[item.id] = section.id
    questions(instrument.closing)
    sections.append(TextSection("comments:other", _("Other comments"), None, None))
    return sections, text_of, comment_of


def _texts(db: Session, assessment: Assessment, answer_ids: set[int] | None = None) -> list[tuple[Answer, TextField, str]]:
    """(answer, field, text) of every non-empty text of the responses the current result counts (of these answers only,
    when ``answer_ids`` is given)."""
    responses = counted_responses(db, [assessment.id])[assessment.id]
    if not responses:
        return []
    out = []
    only = () if answer_ids is None else (Answer.id.in_(sorted(answer_ids)),)
    for a in db.scalars(select(Answer).where(Answer.response_id.in_([r.id for r in responses]), *only)):
        for kind, value in ((TextField.text, a.text), (TextField.comment, a.comment)):
            if value and value.strip():
                out.append((a, kind, value.strip()))
    return out


def team_texts(db: Session, assessment: Assessment, instrument: Instrument, lang: str, secret: str,
               view: Literal["named", "combined"], *, question_ids: set[str] | None = None,
               quoted_only: bool = False) -> list[TextSection]:
    """The team's texts by section (only sections with texts); ``view`` from app.access.team_texts_view; ``question_ids``
    keeps only those text questions' sections (e.g. {"closing-commitments"} for action planning); ``quoted_only`` reads
    only the answers the lead quoted (a report's quotes: most teams have hundreds of answers and a handful of quotes)."""
    marks = {(m.answer_id, m.field): m for m in db.scalars(select(TextMark).where(TextMark.assessment_id == assessment.id))}
    quoted = {m.answer_id for m in marks.values() if m.quoted and not m.hidden} if quoted_only else None
    if quoted is not None and not quoted:
        return []
    found = _texts(db, assessment, quoted)
    emails: dict[int, str] = {}
    if view == "named" and found:
        owners = {a.response.user_id for a, _k, _t in found}
        emails = dict(db.execute(select(User.id, User.email).where(User.id.in_(owners))).all())
    sections, text_of, comment_of = _sections(instrument, lang)
    by_id = {s.id: s for s in sections}
    for a, kind, value in found:
        target = text_of.get(a.item_id) if kind is TextField.text else comment_of.get(a.item_id, "comments:other")
        if target is None:
            continue
        mark = marks.get((a.id, kind))
        t = TeamText(text_key(secret, a.id, kind), a.item_id, kind, value, emails.get(a.response.user_id) if view == "named" else None,
                     bool(mark and mark.quoted and not mark.hidden), bool(mark and mark.hidden))
        (by_id[target].hidden if t.hidden else by_id[target].texts).append(t)
    kept = []
    for s in sections:
        if question_ids is not None and s.question_id not in question_ids:
            continue
        if s.texts or s.hidden:
            s.texts, s.hidden = disclosure.shuffled(s.texts), disclosure.shuffled(s.hidden)
            kept.append(s)
    return kept


def quoted_texts(db: Session, assessment: Assessment, instrument: Instrument, lang: str, secret: str) -> list[tuple[str, list[str]]]:
    """What the lead chose to quote in the report: (section title, texts), in the instrument's order, never an author.
    Every download of a report asks, cached or not: only the quoted answers are read."""
    return [(s.title, [t.text for t in s.texts if t.quoted])
            for s in team_texts(db, assessment, instrument, lang, secret, "combined", quoted_only=True) if any(t.quoted for t in s.texts)]


class MarkRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def mark_text(db: Session, assessment: Assessment, key: str, action: Action, secret: str, actor_id: int) -> TextMark:
    """The lead's decision on one text (found by its key among the counted texts), recorded in the audit log."""
    found = {text_key(secret, a.id, kind): (a, kind) for a, kind, _t in _texts(db, assessment)}
    if key not in found:
        raise MarkRefused(_("This text is not among your team's submitted texts any more. Reload the page."))
    answer, kind = found[key]
    mark = db.scalar(select(TextMark).where(TextMark.answer_id == answer.id, TextMark.field == kind))
    if mark is None:
        mark = TextMark(assessment_id=assessment.id, answer_id=answer.id, field=kind, quoted=False, hidden=False)
        db.add(mark)
    if action == "quote":
        quoted = db.scalars(select(TextMark).where(TextMark.assessment_id == assessment.id, TextMark.quoted.is_(True),
                                                   TextMark.hidden.is_(False))).all()
        if mark not in quoted and len(quoted) >= MAX_QUOTES:
            raise MarkRefused(_("A report quotes at most %(n)s texts: take one out first.", n=MAX_QUOTES))
        mark.quoted, mark.hidden = True, False
    elif action == "unquote":
        mark.quoted = False
    elif action == "hide":
        mark.hidden, mark.quoted = True, False
    else:
        mark.hidden = False
    mark.updated_by_id, mark.updated_at = actor_id, utcnow()
    audit.record(db, actor_id, RECORDED[action], "assessment", assessment.id, assessment.organization_id,
                 question=answer.item_id, field=kind.value)
    return mark
