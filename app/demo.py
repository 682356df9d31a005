"""`reassess demo`: a demo partnership, created once (running it again changes nothing).

Answers come from a seeded random generator and a profile per partner, so that partners differ
visibly: leaders in one domain and behind in another, large gaps between leadership and staff,
many "Don't know" answers about data; the follow-up cycle moves some partners up.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.assessments.models import Answer, Assessment, AssessmentStatus, Cycle, Depth, Order
from app.assessments.service import (
    AnswerInput,
    create_cycle,
    current_result,
    get_or_start_response,
    submit_assessment,
    submit_response,
    validate_answer,
)
from app.auth import service as auth
from app.composition.service import save as save_counts
from app.composition.service import save_benchmark
from app.db import utcnow
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument, ItemType
from app.organizations.models import Organization, OrgKind, Role
from app.organizations.service import add_member
from app.plans.models import ActionSource, ActionStatus, CheckIn, Target, TargetKind
from app.plans.service import ActionFields, add_note, create_action

INSTRUMENT_ID = "equity-self-assessment"
# The demo is written in two languages: its partners, people and answers are in English or Spanish (demo data, not the
# list of languages the service offers: that is REASSESS_LOCALES).
EN, ES = i18n.SOURCE_LANGUAGE, "es"

BACKBONE_NAME = "Cascadia Education & Workforce Partnership"
ADMIN_EMAIL = "admin@example.org"
ANALYST_EMAIL = "analyst@example.org"
PASSWORD = "demo-equity-2026"
SEED = 20261122
ROLES = ("board", "executive", "manager", "staff", "staff", "staff", "volunteer")


@dataclass(frozen=True)
class PartnerProfile:
    name: str
    sector: str
    size_band: str
    language: str
    respondents: int
    base: float  # typical answer on the 0-3 scale
    strong: tuple[str, ...] = ()  # domains a point ahead
    weak: tuple[str, ...] = ()  # domains a point behind
    leader_gap: float = 0.0  # how much more favourable leadership answers are than staff
    data_dont_know: float = 0.05  # share of "Don't know" on data items
    growth: float = 0.3  # movement from baseline to follow-up
    spanish_share: float = 0.0
    follow_up_done: bool = True
    lead_email: str = field(default="")


PARTNERS = (
    PartnerProfile("Riverside School District", "k12", "1000+", EN, 12, 1.4, ("leadership",), ("data", "resources"),
                   leader_gap=1.1, data_dont_know=0.3, growth=0.5, spanish_share=0.25),
    PartnerProfile("Columbia Community College", "higher_education", "201-1000", EN, 10, 1.8, ("data", "services"), ("voice",),
                   leader_gap=0.3, growth=0.4),
    PartnerProfile("Metro Workforce Board", "workforce", "11-50", EN, 6, 1.2, ("community",), ("workforce",),
                   data_dont_know=0.55, growth=0.6),
    PartnerProfile("Harbor Health Employers", "employer", "1000+", EN, 9, 0.8, ("resources",), ("voice", "community"),
                   leader_gap=1.4, data_dont_know=0.15, growth=0.2),
    PartnerProfile("Familias Unidas del Valle", "culturally_specific", "11-50", ES, 8, 2.3, ("voice", "community", "services"),
                   ("data",), data_dont_know=0.35, spanish_share=1.0, growth=0.2),
    PartnerProfile("County Department of Human Services", "government", "201-1000", EN, 11, 1.5, ("policies",), ("climate",),
                   leader_gap=0.9, growth=0.3, spanish_share=0.15, follow_up_done=False),
    PartnerProfile("Eastside Youth Collective", "nonprofit", "1-10", EN, 6, 2.0, ("climate", "voice"), ("policies", "resources"),
                   growth=0.5, spanish_share=0.25),
    PartnerProfile("Northwest Regional Library", "government", "51-200", EN, 7, 1.0, ("services",), ("leadership", "workforce"),
                   data_dont_know=0.4, growth=0.7),
    PartnerProfile("Puentes Community Health Center", "health", "51-200", ES, 9, 1.9, ("services", "workforce"), ("resources",),
                   leader_gap=0.6, spanish_share=0.6, growth=0.3, follow_up_done=False),
)


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower().split(" ")[0] if ch.isalnum())


def lead_email(profile: PartnerProfile) -> str:
    return f"lead@{slug(profile.name)}.example.org"


@dataclass
class DemoReport:
    created: bool
    logins: list[tuple[str, str, str]]  # (who, email, password)
    cycles: list[str]


def load_demo(session: Session, catalogue: Catalogue, min_group_size: int, today: dt.date | None = None) -> DemoReport:
    """Create the demo partnership unless it exists; return what to print."""
    today = today or dt.date.today()
    logins = [("backbone admin", ADMIN_EMAIL, PASSWORD), ("backbone analyst", ANALYST_EMAIL, PASSWORD)]
    logins += [(f"partner lead, {p.name}", lead_email(p), PASSWORD) for p in PARTNERS[:2]]
    existing = session.scalar(select(Organization).where(Organization.name == BACKBONE_NAME, Organization.kind == OrgKind.backbone))
    if existing is not None:
        names = list(session.scalars(select(Cycle.name).where(Cycle.backbone_id == existing.id).order_by(Cycle.id)))
        return DemoReport(False, logins, names)
    instrument = catalogue.find(INSTRUMENT_ID, "1.0") or catalogue.latest(INSTRUMENT_ID)
    if instrument is None:
        raise LookupError(f"the demo needs the instrument {INSTRUMENT_ID} in surveys/")
    # The open follow-up asks the newest version: the demo compares a 1.0 baseline with a 1.1 follow-up across versions.
    newest = catalogue.latest(INSTRUMENT_ID) or instrument

    backbone = Organization(kind=OrgKind.backbone, name=BACKBONE_NAME, sector="philanthropy", size_band="11-50",
                            contact_name="Demo admin", contact_email=ADMIN_EMAIL)
    session.add(backbone)
    session.flush()
    admin = _user(session, ADMIN_EMAIL, "Alex Rivera", PASSWORD, EN)
    add_member(session, admin, backbone, Role.backbone_admin)
    add_member(session, _user(session, ANALYST_EMAIL, "Sam Okafor", PASSWORD, EN), backbone, Role.backbone_analyst)

    partners = []
    for profile in PARTNERS:
        org = Organization(kind=OrgKind.partner, backbone_id=backbone.id, name=profile.name, sector=profile.sector,
                           size_band=profile.size_band, preferred_language=profile.language, contact_email=lead_email(profile))
        session.add(org)
        session.flush()
        lead = _user(session, lead_email(profile), f"Lead, {profile.name}", PASSWORD, profile.language)
        add_member(session, lead, org, Role.partner_lead)
        partners.append((profile, org, lead))

    # Three cycles a year apart: the baseline, a first follow-up (both closed), and the second follow-up, open now.
    def cycle(name: str, es: str, opens: dt.date, closes: dt.date, order: Order, before: Cycle | None, asked: Instrument = instrument) -> Cycle:
        years = f"{opens.year}-{opens.year + 1}"
        return create_cycle(session, backbone=backbone, actor_id=admin.id, name=f"{name} {years}", names={ES: f"{es} {years}"},
                            instrument=asked, opens_on=opens, closes_on=closes, depth=Depth.full, order=order, anonymous=True,
                            baseline=before, partner_ids=[o.id for _, o, _ in partners])

    first_open, baseline_open, follow_open = (today - dt.timedelta(days=d) for d in (780, 420, 40))
    first = cycle("Baseline", "Línea de base", first_open, first_open + dt.timedelta(days=90), Order.integrated, None)
    baseline = cycle("Follow-up", "Seguimiento", baseline_open, baseline_open + dt.timedelta(days=90), Order.stepped, first)
    follow_up = cycle("Follow-up", "Seguimiento", follow_open, today + dt.timedelta(days=60), Order.stepped, baseline, newest)
    rng = random.Random(SEED)
    for c, growth_factor, as_of in ((first, 0.0, first_open + dt.timedelta(days=60)), (baseline, 0.5, baseline_open + dt.timedelta(days=60)),
                                    (follow_up, 1.0, today)):
        for profile, org, lead in partners:
            done = profile.follow_up_done or c is not follow_up
            _fill(session, catalogue, newest if c is follow_up else instrument, c, org, lead, profile, rng, growth_factor, as_of, done,
                  min_group_size)
    for c in (first, baseline):
        c.closed_at = min(_at(c.closes_on + dt.timedelta(days=1), hour=9), utcnow())  # closed the day after it ended
    session.flush()
    _plans(session, catalogue, instrument, backbone, admin, partners, baseline, follow_up, rng, today, first)
    _composition(session, catalogue, backbone, admin, partners, (first, baseline, follow_up), rng)
    return DemoReport(True, logins, [first.name, baseline.name, follow_up.name])


# The partnership's community (shares in percent, adding up to 100) and one partner's own service area.
COUNTY = {"american_indian_alaska_native": 1.0, "asian": 8.0, "black_african_american": 5.5, "hispanic_latino": 13.0,
          "middle_eastern_north_african": 1.5, "native_hawaiian_pacific_islander": 0.7, "white": 62.0, "multiracial": 7.3, "another": 1.0}
STUDENTS = {"american_indian_alaska_native": 1.5, "asian": 10.0, "black_african_american": 9.0, "hispanic_latino": 28.0,
            "middle_eastern_north_african": 0.5, "native_hawaiian_pacific_islander": 1.0, "white": 42.0, "multiracial": 8.0, "another": 0.0}
STAFF_BY_SIZE = {"1000+": 1400, "201-1000": 480, "51-200": 120, "11-50": 34, "1-10": 8}


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` people across the categories in proportion to ``weights`` (largest remainders: they add up exactly)."""
    whole = sum(weights.values()) or 1.0
    raw = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[:total - sum(out.values())]:
        out[k] += 1
    return out


def _composition(session: Session, catalogue: Catalogue, backbone: Organization, admin, partners, cycles: tuple[Cycle, ...],  # type: ignore[no-untyped-def]
                 rng: random.Random) -> None:
    """The county's population as the partnership's benchmark, the school district's students as its own, and every
    partner's counts in the two closed cycles (and, for some, the open one): boards and leadership whiter than staff."""
    save_benchmark(session, backbone.id, None, "Tri-County population, 2020 census", "U.S. Census Bureau, 2020 Decennial Census",
                   COUNTY, admin.id)
    colors = {k: v for k, v in COUNTY.items() if k != "white"}
    for n, (profile, org, lead) in enumerate(partners):
        if n == 0:
            save_benchmark(session, backbone.id, org.id, "Riverside students, 2025-26", "District enrollment report", STUDENTS, lead.id)
        staff = STAFF_BY_SIZE.get(profile.size_band, 30)
        heads = {"staff": staff, "managers": max(3, staff // 8), "leadership": min(9, max(2, staff // 40)), "board": 9 + (3 * n) % 10}
        poc_staff = 0.78 if profile.sector == "culturally_specific" or profile.language == "es" else 0.22 + 0.03 * (n % 6)
        for k, cycle in enumerate(cycles):
            if k == 2 and n % 2:
                continue  # half the partners have not counted yet in the open cycle
            counts: dict[tuple[str, str, str], int] = {}
            for level, total in heads.items():
                climb = {"staff": 1.0, "managers": 0.8, "leadership": 0.5 + 0.1 * k, "board": 0.3 + 0.12 * k}[level]
                unknown = round(total * 0.03) if level in ("staff", "managers") else 0
                unknown = unknown if unknown >= 5 else 0  # a handful unknown would hide the level's share (docs/privacy.md, 15)
                known = total - unknown
                poc = min(known, round(known * poc_staff * climb * rng.uniform(0.9, 1.1)))
                if level == "board" and k == 0 and n % 3 == 1:
                    poc = 0  # a board with no member of color, as a partnership's baseline report found
                groups = _split(poc, colors)
                groups["white"] = known - poc
                groups["unknown"] = unknown
                counts[(level, "total", "all")] = total
                counts.update({(level, "race", c): v for c, v in groups.items()})
                if level in ("board", "leadership"):
                    women = round(total * rng.uniform(0.35, 0.6))
                    counts.update({(level, "gender", "women"): women, (level, "gender", "men"): total - women})
            save_counts(session, org, cycle, counts, (cycle.opens_on + dt.timedelta(days=20)).isoformat(),
                        "HR system, as people describe themselves", lead.id, after_close=True)


STATUS_CYCLE = (ActionStatus.done, ActionStatus.in_progress, ActionStatus.planned, ActionStatus.done, ActionStatus.dropped)


def _at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _plans(session: Session, catalogue: Catalogue, instrument: Instrument, backbone: Organization, admin, partners,  # type: ignore[no-untyped-def]
           baseline: Cycle, follow_up: Cycle, rng: random.Random, today: dt.date, first: Cycle) -> None:
    """Action plans built from the last cycle's growth opportunities (``baseline``: actions in every state, dated notes),
    the open follow-up's check-ins, and two partnership targets measured from the first cycle across all three."""
    after = baseline.closes_on + dt.timedelta(days=14)
    for n, (profile, org, lead) in enumerate(partners[:6]):
        assessment = session.scalar(select(Assessment).where(Assessment.cycle_id == baseline.id, Assessment.organization_id == org.id))
        result = current_result(session, assessment.id) if assessment else None
        for k, opp in enumerate(((result.data if result else {}) or {}).get("growth_opportunities", [])[:3]):
            item = instrument.item(opp["item_id"])
            status = STATUS_CYCLE[(n + k) % len(STATUS_CYCLE)]
            with i18n.locale(profile.language):
                fields = ActionFields(title=item.text.get(profile.language)[:200], domain_id=item.domain, item_ids=(item.id,),
                                      description="\n".join(f"- {a.get(profile.language)}" for a in (item.guidance.actions if item.guidance else [])),
                                      owner=("Equipo directivo" if profile.language == ES else "Leadership team") if k == 0 else
                                      ("Recursos humanos" if profile.language == ES else "Human resources"),
                                      starts_on=after, due_on=after + dt.timedelta(days=120 + 30 * k),
                                      measure=("Revisado en la junta" if profile.language == ES else "Reviewed by the board"),
                                      status=status.value,
                                      dropped_reason=("Sin presupuesto este año" if profile.language == ES else "No budget this year")
                                      if status is ActionStatus.dropped else "")
            action = create_action(session, org, fields, instrument, lead.id, cycle_id=baseline.id, source=ActionSource.opportunity,
                                   source_ref=item.id)
            action.created_at = action.updated_at = _at(after)
            if status is not ActionStatus.planned:
                note_day = after + dt.timedelta(days=60 + rng.randrange(60))
                add_note(session, action, "Primer borrador compartido con el equipo." if profile.language == ES else
                         "First draft shared with the team.", note_day, lead.id).at = _at(note_day)
                action.updated_at = _at(note_day)
            if status is ActionStatus.done:
                action.completed_at = _at(after + dt.timedelta(days=150))
            if status is ActionStatus.in_progress and n % 2 == 0:  # updated for the follow-up's first check-in; others not
                day = follow_up.opens_on + dt.timedelta(days=10)
                add_note(session, action, "Avance revisado con la dirección." if profile.language == ES else
                         "Progress reviewed with the leadership team.", day, lead.id).at = _at(day)
                action.updated_at = _at(day)
    for day in (follow_up.opens_on + dt.timedelta(days=30), follow_up.closes_on - dt.timedelta(days=10)):
        # A check-in gone by had its reminder emailed a week before, as `reassess serve` does (app/scheduler.py).
        reminded = day - dt.timedelta(days=7)
        session.add(CheckIn(cycle_id=follow_up.id, due_on=day, reminded_at=_at(reminded) if day < today else None))
    for t in (Target(backbone_id=backbone.id, title="Established or above overall", kind=TargetKind.share_at_level, domain_id="overall",
                     level_index=2, share=60, reference_cycle_id=first.id, due_on=follow_up.closes_on + dt.timedelta(days=365),
                     created_by_id=admin.id),
              Target(backbone_id=backbone.id, title="Data by race moves up", kind=TargetKind.median_change, domain_id="data", points=10,
                     reference_cycle_id=first.id, due_on=follow_up.closes_on, created_by_id=admin.id),
              Target(backbone_id=backbone.id, title="Boards that look like the county", kind=TargetKind.composition_gap, domain_id="overall",
                     level="board", points=10, reference_cycle_id=first.id, due_on=dt.date(2028, 6, 30), created_by_id=admin.id)):
        session.add(t)
    session.flush()


def _user(session: Session, email: str, name: str, password: str | None, language: str):  # type: ignore[no-untyped-def]
    user = auth.get_user_by_email(session, email)
    return user or auth.create_user(session, email, name=name, password=password, language=language)


def _fill(session: Session, catalogue: Catalogue, instrument: Instrument, cycle: Cycle, org: Organization, lead, profile: PartnerProfile,  # type: ignore[no-untyped-def]
          rng: random.Random, growth_factor: float, as_of: dt.date, done: bool, min_group_size: int) -> None:
    assessment = session.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
    assert assessment is not None
    cycle.created_at = assessment.created_at = assessment.updated_at = min(_at(cycle.opens_on, hour=9), utcnow())  # made as it opened
    n = profile.respondents if done else max(2, profile.respondents // 2)
    span = max((as_of - cycle.opens_on).days - 1, 1)  # the days on which people answer: the cycle's first, up to the day before `as_of`
    race_options = [c.id for c in (instrument.respondent.race_ethnicity.options or [])] if instrument.respondent.race_ethnicity else []
    for k in range(n):
        language = ES if rng.random() < profile.spanish_share else EN
        email = f"r{k + 1}.{slug(profile.name)}@example.org"
        person = lead if k == 0 else _user(session, email, "", None, language)
        if k > 0:
            add_member(session, person, org, Role.respondent)
        response = get_or_start_response(session, assessment, person.id, language)
        response.invited = k > 0  # the respondents came through their links; the lead answers signed in
        role = "executive" if k == 0 else ROLES[k % len(ROLES)]
        response.role_group = role
        if race_options and rng.random() < 0.8:
            response.race_ethnicity = [rng.choice(race_options[:8])]
        leader = role in ("board", "executive")
        finished = done or k < n // 2
        answers = []
        for item in instrument.items:
            if cycle.depth is Depth.core and item.step != 1:
                continue
            if not finished and rng.random() < 0.4:
                continue
            value = _answer(item, instrument, profile, rng, leader, growth_factor, language)
            if value is None:
                continue
            stored = validate_answer(instrument, cycle.depth, value)
            answers.append(Answer(response_id=response.id, item_id=item.id, **stored))
        session.add_all(answers)
        response.last_page = "review" if finished else None
        if finished:
            session.flush()
            submit_response(session, response, person.id, as_of=as_of)
            # Dated inside the cycle, before the organization's submission (the result counts only responses submitted
            # by then): the k-th person answers on a day of their own, spread over the weeks the cycle has run.
            day = cycle.opens_on + dt.timedelta(days=1 + (k * 5 + org.id) % span)
            response.created_at = _at(max(cycle.opens_on, day - dt.timedelta(days=1)), hour=14)
            response.submitted_at = response.updated_at = _at(day)
    session.flush()
    if done:
        row = submit_assessment(session, catalogue, assessment, lead.id, min_group_size, as_of=as_of)
        # The day it counts for, never later than now (a follow-up's `as_of` is today).
        row.computed_at = assessment.submitted_at = assessment.updated_at = min(_at(as_of), utcnow())
    elif assessment.status is AssessmentStatus.draft:
        assessment.status = AssessmentStatus.in_progress


def _answer(item, instrument: Instrument, profile: PartnerProfile, rng: random.Random, leader: bool,  # type: ignore[no-untyped-def]
            growth_factor: float, language: str) -> AnswerInput | None:
    if item.type is ItemType.rated:
        dont_know = profile.data_dont_know if item.domain == "data" else 0.04
        roll = rng.random()
        if roll < dont_know:
            return AnswerInput(item.id, value="dont_know")
        if roll < dont_know + 0.02:
            return AnswerInput(item.id, value="not_applicable")
        scale = instrument.scale(item.scale or "")
        mean = profile.base + growth_factor * profile.growth
        mean += 1.0 if item.domain in profile.strong else -0.9 if item.domain in profile.weak else 0.0
        mean += profile.leader_gap / 2 if leader else -profile.leader_gap / 2
        mean += 0.25 if item.focus and item.focus.value == "policy" else -0.15
        value = max(scale.min_value, min(scale.max_value, round(rng.gauss(mean, 0.7))))
        comment = None
        if rng.random() < 0.06:
            comment = (_COMMENTS_ES if language == ES else _COMMENTS_EN)[rng.randrange(len(_COMMENTS_EN))]
        return AnswerInput(item.id, value=str(value), comment=comment)
    if item.type in (ItemType.short_text, ItemType.long_text) and rng.random() < 0.5:
        texts = _TEXTS_ES if language == ES else _TEXTS_EN
        return AnswerInput(item.id, text=texts[rng.randrange(len(texts))])
    return None


_COMMENTS_EN = (
    "We have a draft, but the board has not voted on it yet.",
    "This happens in some programs and not in others.",
    "Our equity team raised this last year; progress has been slow.",
    "I am not sure everyone on staff knows about this.",
)
_COMMENTS_ES = (
    "Tenemos un borrador, pero la junta directiva aún no lo ha aprobado.",
    "Esto ocurre en algunos programas y en otros no.",
    "Nuestro equipo de equidad lo planteó el año pasado; el avance ha sido lento.",
    "No estoy seguro de que todo el personal lo sepa.",
)
_TEXTS_EN = (
    "We started a monthly equity learning circle for staff and board members.",
    "Families told us our forms were hard to use, so we rewrote them with a parent advisory group.",
    "We now publish our outcomes by race twice a year and discuss them at a community meeting.",
)
_TEXTS_ES = (
    "Iniciamos un círculo mensual de aprendizaje sobre equidad para el personal y la junta directiva.",
    "Las familias nos dijeron que nuestros formularios eran difíciles de usar, así que los reescribimos con un grupo asesor de padres y madres.",
    "Ahora publicamos nuestros resultados desglosados por raza dos veces al año y los comentamos en una reunión comunitaria.",
)

