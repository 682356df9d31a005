"""The backbone's cycles: the new-cycle form and a cycle's progress page.

Closing and reopening: app.dashboard.lifecycle_routes; reminders: app.dashboard.reminder_routes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import access, clock, i18n
from app.assessments import announce, reminders, service
from app.assessments.catalogue import missing_languages
from app.assessments.models import Assessment, Cycle, Depth, Order
from app.auth import invitations
from app.dashboard.progress import Progress, cycle_progress
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import Organization, OrgKind
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


# -- cycles ------------------------------------------------------------------------------------

def _other_languages(request: Request) -> list[str]:
    """The partnership's languages besides the first: a cycle may have a name in each (the first is its name)."""
    settings = request.app.state.settings
    return [lang for lang in settings.locales if lang != settings.default_locale]


def _cycle_form_context(db: Session, catalogue: Catalogue, backbone: Organization) -> dict[str, Any]:
    instruments = [e.instrument for e in catalogue.entries.values()]
    instruments.sort(key=lambda i: (i.id, [int(p) if p.isdigit() else p for p in i.version.split(".")]), reverse=True)
    cycles = db.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.opens_on.desc(), Cycle.id.desc())).all()
    partners = db.scalars(select(Organization).where(Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner,
                                                     Organization.archived_at.is_(None)).order_by(func.lower(Organization.name))).all()
    return {"instruments": instruments, "cycles": cycles, "partners": partners, "page_title": _("New cycle")}


def _form_page(request: Request, ctx: dict[str, Any], values: dict[str, Any], errors: dict[str, str] | None = None) -> Response:
    settings = request.app.state.settings
    return render(request, "backbone/cycle_form.html", {**ctx, "values": values, "errors": errors or {},
                                                        "first_language": settings.default_locale,
                                                        "other_languages": _other_languages(request)},
                  status_code=422 if errors else 200)


@router.get("/backbone/cycles/new", response_class=HTMLResponse)
def new_cycle_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    ctx = _cycle_form_context(db, catalogue, backbone)
    today = clock.today()
    latest = ctx["cycles"][0] if ctx["cycles"] else None
    values = {"name": "", "instrument": f"{ctx['instruments'][0].id}@{ctx['instruments'][0].version}" if ctx["instruments"] else "",
              "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=42)).isoformat(), "privacy": "anonymous",
              "depth": "full", "order": "integrated", "baseline": str(latest.id) if latest else "",
              "partners": {p.id for p in ctx["partners"]}, "announce": True}
    if latest is not None:  # a follow-up asks the same way as its baseline, so the two compare
        values.update(depth=latest.depth.value, order=latest.order.value, privacy="anonymous" if latest.anonymous else "named")
        values["partners"] = set(db.scalars(select(Assessment.organization_id).where(Assessment.cycle_id == latest.id))) & values["partners"]
    return _form_page(request, ctx, values)


@router.post("/backbone/cycles")
def create_cycle(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in ("name", "instrument", "opens_on", "closes_on", "privacy", "depth",
                                                                         "order", "baseline")}
    values["partners"] = {int(v) for v in form.getlist("partners") if str(v).isdigit()}
    values["announce"] = form.get("announce") == "yes"
    names = {lang: str(form.get(f"name_{lang}") or "").strip() for lang in _other_languages(request)}
    values.update({f"name_{lang}": v for lang, v in names.items()})
    errors: dict[str, str] = {}
    inst_id, _sep, version = values["instrument"].partition("@")
    instrument = catalogue.find(inst_id, version)
    if instrument is None:
        errors["instrument"] = _("Choose an instrument from the list.")
    elif missing := missing_languages(instrument, request.app.state.settings.locales):
        errors["instrument"] = _("This version has no text in %(languages)s, which the partnership offers: choose a version "
                                 "that has every language.", languages=", ".join(i18n.language_name(x) for x in missing))
    dates = {}
    for key in ("opens_on", "closes_on"):
        try:
            dates[key] = dt.date.fromisoformat(values[key])
        except ValueError:
            errors[key] = _("Enter a date like 2026-09-30.")
    baseline = None
    if values["baseline"]:
        if values["baseline"].isdigit():
            baseline = db.scalar(select(Cycle).where(Cycle.id == int(values["baseline"]), Cycle.backbone_id == backbone.id))
        if baseline is None:
            errors["baseline"] = _("Choose a cycle from the list.")
    if not values["partners"]:
        errors["partners"] = _("Choose at least one partner.")
    errors = {**service.cycle_problems(values["name"], dates.get("opens_on"), dates.get("closes_on"), names), **errors}
    if not errors:
        assert instrument is not None
        try:
            cycle = service.create_cycle(db, backbone=backbone, actor_id=principal.user_id, name=values["name"], instrument=instrument,
                                         opens_on=dates["opens_on"], closes_on=dates["closes_on"],
                                         depth=Depth(values["depth"]) if values["depth"] in Depth.__members__ else Depth.full,
                                         order=Order(values["order"]) if values["order"] in Order.__members__ else Order.integrated,
                                         anonymous=values["privacy"] != "named", baseline=baseline, partner_ids=values["partners"],
                                         names=names)
        except Invalid as exc:
            errors[str(exc.details.get("field") or "name")] = exc.message
        except NotFound:
            errors["partners"] = _("Choose partners from the list.")
    if errors:
        db.rollback()
        return _form_page(request, _cycle_form_context(db, catalogue, backbone), values, errors)
    told = ""
    if form.get("announce") == "yes":
        assert instrument is not None
        n = announce.announce_now_or_later(db, request.app.state.settings, cycle, instrument.estimated_minutes, principal.user_id)
        told = "&announced=later" if n is None else f"&announced={n}"
    db.commit()
    return RedirectResponse(f"/backbone/cycles/{cycle.id}?flash=created{told}", status_code=303)


@router.get("/backbone/cycles/{cycle_id}", response_class=HTMLResponse)
def cycle_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
               status: Annotated[str, Query(max_length=20)] = "") -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    rows = cycle_progress(db, cycle)
    totals = {p.value: sum(1 for r in rows if r.status is p) for p in Progress}
    shown = [r for r in rows if not status or r.status.value == status]
    return render(request, "backbone/cycle.html", {
        "cycle": cycle, "rows": shown, "totals": totals, "status": status if status in totals else "", "all": len(rows),
        "instrument": service.instrument_of(catalogue, cycle), "is_admin": access.is_backbone_admin(principal),
        "invited": invitations.invited_counts(db, [r.assessment.id for r in rows]),
        "reminded": request.query_params.get("reminded"), "today_date": clock.today(), "schedule": [d for d in reminders.schedule(cycle) if d >= clock.today()],
        "page_title": cycle.name_in(i18n.get_locale())})
