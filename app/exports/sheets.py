"""A cycle's exports as sheets: results per partner and domain, per partner and item, the raw answers (long or wide), the
data dictionary, the action plans, check-ins, targets and the audit log.

Each ``Sheet`` has stable column ids (the JSON export's and the API's field names), headers in the reader's language and
typed values; a coded value (a sector, a size band, a level, a role group, an answer on a scale, a special answer) is a
``Coded`` pair of its stable code and its label in the reader's language, and the export writes the one the reader asked
for (``Options.values``). app.exports.formats writes a sheet. The scores are the stored ones: "Score" is the whole number
every page shows, "Exact score" the full precision.

Every partner-scoped sheet honours the comparison page's filters (``Options.sector`` and ``Options.size``). The answers
come in chunks of partners (``CHUNK``), so that a large export streams in constant memory.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.assessments.models import Assessment, Cycle, Result
from app.assessments.service import instrument_of
from app.dashboard.comparison import comparison_table
from app.exports.answers import answer_rows
from app.i18n import gettext as _
from app.i18n import language_name
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument, Item, Question
from app.organizations.labels import sector_label, size_label
from app.organizations.models import Organization
from app.plans.checkins import standings
from app.plans.models import Action
from app.plans.service import status_labels
from app.plans.targets import overview
from app.scoring import shown

KINDS = ("results", "items", "answers", "dictionary", "actions", "check_ins", "targets", "composition")
# "composition" is built by app.exports.composition (app.exports.service chooses).
ExportKind = Literal["results", "items", "answers", "dictionary", "actions", "check_ins", "targets", "composition"]
Values = Literal["labels", "codes"]
Shape = Literal["long", "wide"]
CHUNK = 50  # partners whose answers are read at once


@dataclass(frozen=True)
class Coded:
    """A value with its stable code and its label in the reader's language: an export writes one or the other."""

    code: Any
    label: Any


@dataclass(frozen=True)
class Options:
    """What the reader asked of an export: values and headers as codes or labels, the answers long or wide, and the
    comparison page's filters."""

    values: Values | None = None  # None: labels in CSV and XLSX, codes in JSON
    headers: Values = "labels"
    shape: Shape = "long"
    sector: str | None = None
    size: str | None = None

    def query(self) -> dict[str, str]:
        """The options as a link's query (the defaults left out)."""
        return {k: v for k, v in (("values", self.values or ""), ("headers", self.headers), ("shape", self.shape),
                                  ("sector", self.sector or ""), ("size", self.size or "")) if v and v != getattr(Options, k)}


@dataclass(frozen=True)
class Sheet:
    title: str
    keys: list[str]  # stable column ids (the JSON export's field names)
    headers: list[str]  # the same columns in the reader's language
    rows: Iterable[list[Any]]  # a list, or an iterator read once (the answers, streamed)
    notes: list[str] = field(default_factory=list)  # what the reader should know about what is left out
    notes_title: str = "Notes"  # the XLSX sheet that holds them, in the reader's language

    def header_row(self, headers: Values = "labels") -> list[str]:
        return self.keys if headers == "codes" else self.headers

    def value_rows(self, values: Values = "labels") -> Iterator[list[Any]]:
        for row in self.rows:
            yield [cell(v, values) for v in row]

    def records(self, values: Values = "codes") -> list[dict[str, Any]]:
        return list(self.iter_records(values))

    def iter_records(self, values: Values = "codes") -> Iterator[dict[str, Any]]:
        for row in self.value_rows(values):
            yield dict(zip(self.keys, row, strict=True))


def cell(value: Any, values: Values) -> Any:
    if isinstance(value, Coded):
        return value.code if values == "codes" else value.label
    return value


def _sheet(title: str, columns: Sequence[tuple[str, str]], rows: Iterable[list[Any]], notes: list[str] | None = None) -> Sheet:
    return Sheet(title, [k for k, _h in columns], [h for _k, h in columns], rows, notes if notes is not None else [])


def _partners(db: Session, cycle: Cycle, opts: Options) -> list[tuple[int, Organization]]:
    """The cycle's assessments and their partners, by name, as the comparison page's filters keep them."""
    q = select(Assessment.id, Organization).join(Organization, Organization.id == Assessment.organization_id).where(Assessment.cycle_id == cycle.id)
    if opts.sector:
        q = q.where(Organization.sector == opts.sector)
    if opts.size:
        q = q.where(Organization.size_band == opts.size)
    return [(aid, org) for aid, org in db.execute(q.order_by(Organization.name, Organization.id)).all()]


def sector(code: str) -> Coded:
    return Coded(code, sector_label(code))


def size(code: str) -> Coded:
    return Coded(code, size_label(code))


def results_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, opts: Options | None = None) -> Sheet:
    """One row per partner and domain (and one for the overall score), with the change since the baseline: the partners
    the comparison page shows with the same filters."""
    opts = opts or Options()
    table = comparison_table(db, catalogue, cycle, lang, sector=opts.sector, size=opts.size)
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("sector", _("Sector")), ("size_band", _("Size")),
               ("cycle", _("Cycle")), ("responses", _("Responses")), ("domain_id", _("Domain id")), ("domain", _("Domain")),
               ("score", _("Score")), ("exact_score", _("Exact score")), ("level", _("Readiness level")),
               ("policy_score", _("Policy score")), ("practice_score", _("Practice score")),
               ("baseline_score", _("Baseline score")), ("change", _("Change since baseline")), ("level_change", _("Level change"))]
    rows = []
    for r in table.rows:
        org = r.organization
        head = [org.id, org.name, sector(org.sector), size(org.size_band), cycle.name_in(lang), r.n_responses]
        for domain_id, title, c in [("overall", _("Overall"), r.overall), *((d.id, d.title, r.cells[d.id]) for d in table.domains)]:
            rows.append([*head, domain_id, title, c.shown, _round(c.score), Coded(c.level.id, c.level.name) if c.level else None,
                         shown(c.policy_score), shown(c.practice_score), c.baseline_shown, c.change, c.level_move])
    return _sheet(_("Results by domain"), columns, rows)


def items_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, opts: Options | None = None) -> Sheet:
    """One row per partner and rated item: score, answers counted, spread, don't-know share."""
    instrument = instrument_of(catalogue, cycle)
    opts = opts or Options()
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("domain_id", _("Domain id")), ("item_id", _("Item id")),
               ("item", _("Question")), ("focus", _("Policy or practice")), ("score", _("Score")), ("exact_score", _("Exact score")),
               ("answers", _("Answers with a score")), ("spread", _("Spread")), ("dont_know_share", _("Share answering don't know"))]
    focus = focus_labels()
    pairs = _partners(db, cycle, opts)
    data = dict(db.execute(select(Result.assessment_id, Result.data).where(
        Result.assessment_id.in_([a for a, _o in pairs]), Result.is_current.is_(True))).all()) if pairs else {}
    rows = []
    for aid, org in pairs:
        for d in (data.get(aid) or {}).get("domains", []):
            for i in d.get("items", []):
                item = instrument.item(i["id"])
                rows.append([org.id, org.name, d["id"], i["id"], item.text.get(lang), focus.get(item.focus.value) if item.focus else None,
                             i.get("shown"), _round(i.get("score")), i.get("n", 0), _round(i.get("spread")), _round(i.get("dont_know_share"), 3)])
    return _sheet(_("Results by question"), columns, rows)


def focus_labels() -> dict[str, Coded]:
    return {"policy": Coded("policy", _("Policy")), "practice": Coded("practice", _("Practice"))}


class AnswerWords:
    """The labels of an instrument's answers in the reader's language: role groups, categories, languages, the values of
    each item's scale, special answers and choices."""

    def __init__(self, instrument: Instrument, lang: str) -> None:
        self.instrument, self.lang = instrument, lang
        role = instrument.respondent.role_group
        race = instrument.respondent.race_ethnicity
        self.roles = {c.id: c.label.get(lang) for c in role.options or []}
        self.races = {c.id: c.label.get(lang) for c in (race.options or [])} if race else {}
        generic = {"dont_know": _("Don't know"), "not_applicable": _("Not applicable")}
        # Per question, computed once: the labels of its scale's values, of its special answers, of its choices.
        self.values: dict[str, dict[int, str]] = {}
        self.specials: dict[str, dict[str, str]] = {}
        self.choice_labels: dict[str, dict[str, str]] = {}
        for q in _questions(instrument):
            scale = instrument.scale(q.scale) if isinstance(q, Item) and q.scale else None
            if scale:
                self.values[q.id] = {o.value: o.label.get(lang) for o in scale.options}
            self.specials[q.id] = {code: (own.get(lang) if (own := getattr(scale, code, None) if scale else None) else label)
                                   for code, label in generic.items()}
            self.choice_labels[q.id] = {c.id: c.label.get(lang) for c in q.options or []}
        self.generic = generic

    def role(self, code: str | None) -> Coded | None:
        return None if code is None else Coded(code, self.roles.get(code, code))

    def race(self, codes: Sequence[str] | None) -> Coded | None:
        """A list of codes (JSON keeps it a list; CSV and XLSX join it with "; ") or their labels joined."""
        return Coded(list(codes), "; ".join(self.races.get(c, c) for c in codes)) if codes else None

    def language(self, code: str | None) -> Coded | None:
        return None if code is None else Coded(code, language_name(code))

    def value(self, item_id: str, value: int | None) -> Coded | int | None:
        labels = self.values.get(item_id)
        if value is None or labels is None:
            return value
        return Coded(value, labels.get(value, value))

    def special_answer(self, item_id: str, code: str | None) -> Coded | None:
        if code is None:
            return None
        return Coded(code, self.specials.get(item_id, self.generic).get(code, code))

    def choices(self, item_id: str, codes: Sequence[str] | None) -> Coded | None:
        if not codes:
            return None
        labels = self.choice_labels.get(item_id, {})
        return Coded(list(codes), "; ".join(labels.get(c, c) for c in codes))


def _answer_head() -> list[tuple[str, str]]:
    return [("partner_id", _("Partner id")), ("partner", _("Partner")), ("respondent", _("Respondent")), ("role_group", _("Role group")),
            ("race_ethnicity", _("Race or ethnicity")), ("language", _("Language"))]


def _answer_chunks(db: Session, cycle: Cycle, opts: Options, min_group_size: int, taken: set[str]) -> Iterator[tuple[Organization, list[dict[str, Any]]]]:
    """Per partner, its answer rows (app.exports.answers), read ``CHUNK`` partners at a time; pseudonyms unique in the
    whole export (``taken``)."""
    pairs = _partners(db, cycle, opts)
    view = "named" if not cycle.anonymous else "pseudonymous"
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        by_assessment = answer_rows(db, [aid for aid, _o in chunk], view, min_group_size, taken=taken)
        for aid, org in chunk:
            yield org, by_assessment.pop(aid)  # what a chunk loaded is let go (the session's identity map holds it weakly)


def answers_sheet(db: Session, cycle: Cycle, min_group_size: int, opts: Options | None = None, catalogue: Catalogue | None = None,
                  lang: str = "en") -> Sheet:
    """The answers of the responses each submitted assessment's result counts (none of an assessment not submitted):
    under a code that is new in every export (anonymous cycle) or the respondent's email (named cycle), in a random
    order, with the group fields that no fewer than the minimum share (app.assessments.disclosure).

    Long (``opts.shape``): one row per response and item. Wide: one row per response, a column per question (its value;
    a special answer in the item's ``_special`` column); a partner whose rows may not be tied to one another (they would
    single someone out) has no rows there, and the sheet's notes say so."""
    opts = opts or Options()
    words = AnswerWords(instrument_of(catalogue, cycle), lang) if catalogue is not None else None
    taken: set[str] = set()
    if opts.shape == "wide" and words is not None:
        return _wide_answers(db, cycle, min_group_size, opts, words, taken)
    columns = [*_answer_head(), ("item_id", _("Item id")), ("value", _("Value")), ("special", _("Special answer")),
               ("choices", _("Choices")), ("text", _("Text answer")), ("comment", _("Comment"))]

    def rows() -> Iterator[list[Any]]:
        for org, answers in _answer_chunks(db, cycle, opts, min_group_size, taken):
            for a in answers:
                item = a["item_id"]
                if words is None:
                    yield [org.id, org.name, a["respondent"], a["role_group"], a["race_ethnicity"] or None, a["language"],
                           item, a["value"], a["special"], a["choices"] or None, a["text"], a["comment"]]
                else:
                    yield [org.id, org.name, a["respondent"], words.role(a["role_group"]), words.race(a["race_ethnicity"]),
                           words.language(a["language"]), item, words.value(item, a["value"]), words.special_answer(item, a["special"]),
                           words.choices(item, a["choices"]), a["text"], a["comment"]]
    return _sheet(_("Answers"), columns, rows())


def _questions(instrument: Instrument) -> list[Question | Item]:
    return [*instrument.reflection, *instrument.items, *instrument.closing]


def _wide_answers(db: Session, cycle: Cycle, min_group_size: int, opts: Options, words: AnswerWords, taken: set[str]) -> Sheet:
    questions = _questions(words.instrument)
    columns = _answer_head()
    specials = set()
    for q in questions:
        columns.append((q.id, q.text.get(words.lang)))
        if isinstance(q, Item) and q.scale:
            scale = words.instrument.scale(q.scale)
            if scale.dont_know or scale.not_applicable:
                specials.add(q.id)
                columns.append((f"{q.id}_special", _("%(question)s: special answer", question=q.id)))
    notes: list[str] = []
    left_out = _("%(partner)s: its answers cannot be given one row per response without singling someone out; the long shape "
                 "(one row per answer) has them.")

    def rows() -> Iterator[list[Any]]:
        for org, answers in _answer_chunks(db, cycle, opts, min_group_size, taken):
            people: dict[str, dict[str, Any]] = {}
            for a in answers:
                if a["respondent"] is None:
                    continue
                person = people.setdefault(a["respondent"], {"_": a})
                person[a["item_id"]] = a
            if answers and not people:
                notes.append(left_out % {"partner": org.name})
            for key, person in people.items():
                first = person["_"]
                row: list[Any] = [org.id, org.name, key, words.role(first["role_group"]), words.race(first["race_ethnicity"]),
                                  words.language(first["language"])]
                for q in questions:
                    a = person.get(q.id)
                    row.append(_wide_value(words, q.id, a))
                    if q.id in specials:
                        row.append(words.special_answer(q.id, a["special"]) if a else None)
                yield row
    return dataclasses.replace(_sheet(_("Answers"), columns, rows(), notes), notes_title=_("Notes"))


def _wide_value(words: AnswerWords, item_id: str, a: dict[str, Any] | None) -> Any:
    if a is None:
        return None
    if a["value"] is not None:
        return words.value(item_id, a["value"])
    if a["choices"]:
        return words.choices(item_id, a["choices"])
    return a["text"]


def dictionary_sheet(catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """The data dictionary of the cycle's instrument: every question (id, section, domain, step, focus, type, weight, its
    text in each language, the values of its scale with their labels in each language, its special answers and choices),
    then every other coded field of the exports with its codes and labels."""
    return dictionary_for(instrument_of(catalogue, cycle), lang)


def _pairs(options: Iterable[tuple[Any, str]]) -> str:
    return " | ".join(f"{code}, {label}" for code, label in options)


def dictionary_for(instrument: Instrument, lang: str) -> Sheet:
    languages = instrument.languages
    columns = [("variable", _("Variable")), ("section", _("Section")), ("domain_id", _("Domain id")), ("domain", _("Domain")),
               ("step", _("Step")), ("focus", _("Policy or practice")), ("type", _("Type")), ("weight", _("Weight")), ("scale_id", _("Scale id"))]
    columns += [(f"text_{code}", _("Text (%(language)s)", language=language_name(code))) for code in languages]
    columns += [(f"values_{code}", _("Values and labels (%(language)s)", language=language_name(code))) for code in languages]
    columns += [(f"special_{code}", _("Special answers (%(language)s)", language=language_name(code))) for code in languages]
    focus = focus_labels()
    rows: list[list[Any]] = []
    sections = [("reflection", q) for q in instrument.reflection] + [("domain", q) for q in instrument.items] + [("closing", q) for q in instrument.closing]
    for section, q in sections:
        item = q if isinstance(q, Item) else None
        scale = instrument.scale(item.scale) if item and item.scale else None
        domain = instrument.domain(item.domain) if item else None
        row: list[Any] = [q.id, section, domain.id if domain else None, domain.title.get(lang) if domain else None, item.step if item else None,
                          focus[item.focus.value] if item and item.focus else None, q.type.value, item.weight if item else None,
                          scale.id if scale else None]
        row += [q.text.get(code) for code in languages]
        for code in languages:
            if scale:
                row.append(_pairs((o.value, o.label.get(code)) for o in scale.options))
            else:
                row.append(_pairs((c.id, c.label.get(code)) for c in q.options or []) or None)
        for code in languages:
            row.append(_pairs((k, getattr(scale, k).get(code)) for k in ("dont_know", "not_applicable") if getattr(scale, k)) or None
                       if scale else None)
        rows.append(row)
    blank = [None] * 7
    for variable, options in coded_fields(instrument, languages):
        rows.append([variable, "field", *blank, *[None] * len(languages), *[_pairs(o[code] for o in options) for code in languages],
                     *[None] * len(languages)])
    return _sheet(_("Data dictionary"), columns, rows)


def coded_fields(instrument: Instrument, languages: Sequence[str]) -> list[tuple[str, list[dict[str, tuple[Any, str]]]]]:
    """The exports' coded fields other than the questions, each with its codes and labels per language."""
    from app import i18n

    def per_language(codes: Iterable[Any], label) -> list[dict[str, tuple[Any, str]]]:  # type: ignore[no-untyped-def]
        out = []
        for code in codes:
            entry = {}
            for lang in languages:
                with i18n.locale(lang):
                    entry[lang] = (code, label(code, lang))
            out.append(entry)
        return out

    from app.organizations.models import SECTORS, SIZE_BANDS

    role = instrument.respondent.role_group
    race = instrument.respondent.race_ethnicity
    fields = [("sector", per_language(SECTORS, lambda c, _l: sector_label(c))),
              ("size_band", per_language(SIZE_BANDS, lambda c, _l: size_label(c))),
              ("level", per_language([lv.id for lv in instrument.levels], lambda c, lg: next(lv.name.get(lg) for lv in instrument.levels if lv.id == c))),
              ("role_group", per_language([c.id for c in role.options or []], lambda c, lg: next(o.label.get(lg) for o in role.options or [] if o.id == c)))]
    if race:
        fields.append(("race_ethnicity", per_language([c.id for c in race.options or []],
                                                      lambda c, lg: next(o.label.get(lg) for o in race.options or [] if o.id == c))))
    fields += [("language", per_language(list(instrument.languages), lambda c, _l: language_name(c))),
               ("special", per_language(["dont_know", "not_applicable"], lambda c, _l: {"dont_know": _("Don't know"),
                                                                                      "not_applicable": _("Not applicable")}[c])),
               ("focus", per_language(["policy", "practice"], lambda c, _l: focus_labels()[c].label))]
    return fields


def actions_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, opts: Options | None = None) -> Sheet:
    """The action plans of the cycle's partners: one row per action (a plan spans cycles: every action of the partner)."""
    instrument = instrument_of(catalogue, cycle)
    titles = {d.id: d.title.get(lang) for d in instrument.domains}
    labels = status_labels()
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("action_id", _("Action id")), ("title", _("Action")),
               ("domain_id", _("Domain id")), ("domain", _("Domain")), ("items", _("Questions")), ("owner", _("Owner")),
               ("starts_on", _("Starts on")), ("due_on", _("Due on")), ("measure", _("Measure of success")), ("status_id", _("Status id")),
               ("status", _("Status")), ("dropped_reason", _("Why it was dropped")), ("source", _("Started from")),
               ("planned_in_cycle_id", _("Planned in cycle id")), ("notes", _("Progress notes")), ("updated_at", _("Last changed (UTC)"))]
    rows = []
    orgs = [org.id for _aid, org in _partners(db, cycle, opts or Options())]
    for action, org in db.execute(select(Action, Organization).join(Organization, Organization.id == Action.organization_id)
                                  .where(Organization.id.in_(orgs)).order_by(Organization.name, Action.id)):
        rows.append([org.id, org.name, action.id, action.title, action.domain_id, titles.get(action.domain_id or ""),
                     "; ".join(action.item_ids or []) or None,
                     action.owner or None, action.starts_on, action.due_on, action.measure or None, action.status.value, labels[action.status.value],
                     action.dropped_reason or None, action.source.value, action.cycle_id, len(action.notes),
                     action.updated_at.strftime("%Y-%m-%d %H:%M:%S")])
    return _sheet(_("Action plans"), columns, rows)


def check_ins_sheet(db: Session, cycle: Cycle) -> Sheet:
    """Per partner and check-in: whether the partner updated its plan in that check-in's window."""
    dates, partners = standings(db, cycle)
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("check_in", _("Check-in")), ("updated", _("Plan updated")),
               ("open_actions", _("Open actions")), ("plan_last_changed", _("Plan last changed"))]
    rows = [[r.organization.id, r.organization.name, c.due_on, r.updated[c.id], r.open_actions, r.last_update] for r in partners for c in dates]
    return _sheet(_("Check-ins"), columns, rows)


def targets_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """The partnership's targets and its figure for each in every cycle."""
    columns = [("target_id", _("Target id")), ("target", _("Target")), ("goal", _("Goal")), ("kind", _("Kind")), ("domain_id", _("Domain id")),
               ("due_on", _("By")), ("cycle_id", _("Cycle id")), ("cycle", _("Cycle")), ("value", _("Partnership")), ("partners", _("Partners")),
               ("met", _("Met"))]
    rows = [[r.target.id, r.target.title, r.goal, r.target.kind.value, r.target.domain_id, r.target.due_on, s.cycle.id, s.cycle.name_in(lang),
             s.value, s.partners, s.met] for r in overview(db, catalogue, cycle.backbone_id, lang) for s in r.standings]
    return _sheet(_("Targets"), columns, rows)


def build(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, lang: str, min_group_size: int, opts: Options | None = None) -> Sheet:
    opts = opts or Options()
    if kind == "composition":
        raise ValueError("the composition export is built by app.exports.composition")
    if kind == "dictionary":
        return dictionary_sheet(catalogue, cycle, lang)
    if kind == "actions":
        return actions_sheet(db, catalogue, cycle, lang, opts)
    if kind == "check_ins":
        return check_ins_sheet(db, cycle)
    if kind == "targets":
        return targets_sheet(db, catalogue, cycle, lang)
    if kind == "results":
        return results_sheet(db, catalogue, cycle, lang, opts)
    if kind == "items":
        return items_sheet(db, catalogue, cycle, lang, opts)
    return answers_sheet(db, cycle, min_group_size, opts, catalogue, lang)


def audit_sheet(entries: Sequence[audit.Entry], labels: dict[str, str]) -> Sheet:
    """The audit log as a sheet: one row per event (``labels``: audit.labels()), details as JSON text."""
    columns = [("at", _("When (UTC)")), ("actor", _("Who")), ("action_id", _("Action id")), ("action", _("What")),
               ("organization", _("Organization")), ("object_type", _("Object")), ("object_id", _("Object id")),
               ("object_name", _("Object name")), ("details", _("Details"))]
    rows = [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, labels.get(e.action, e.action), e.organization, e.object_type,
             e.object_id, e.object_name, json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""] for e in entries]
    return _sheet(_("Audit log"), columns, rows)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)
