"""A partner's composition pages: its counts per cycle (entered by its leads and the people they name), its trend, its
own benchmark; read by its backbone's staff too. Who reaches what: app.access.get_composition_organization."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app import access, i18n
from app.auth.models import InvitationPurpose
from app.auth.service import Principal
from app.composition import parity, present, service
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations import helpers
from app.organizations.models import Organization, Role
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _minimum(request: Request) -> int:
    return int(request.app.state.settings.min_group_size)


def _overview(request: Request, db: Session, principal: Principal, catalogue: Catalogue, org: Organization,
              extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    lang, minimum = i18n.get_locale(), _minimum(request)
    cycles = service.cycles_of(db, org)
    latest = cycles[-1] if cycles else None
    race = service.race_of(catalogue, latest) if latest else parity.DEFAULT_RACE
    own = service.benchmark_of(db, org.backbone_id, org.id) if org.backbone_id else None
    names = org.id in access.lead_org_ids(principal)
    trend = service.trend(db, catalogue, org, minimum)
    return render(request, "composition/overview.html", {
        "org": org, "cycles": [(c, service.composition_of(db, org.id, c.id), service.is_editable(c)) for c in cycles],
        "trend": trend, "labels": service.labels(catalogue, latest, lang), "minimum": minimum, "levels": parity.PIPELINE,
        "benchmark": service.benchmark_for(db, org), "own_benchmark": own, "partnership_benchmark":
            service.benchmark_of(db, org.backbone_id) if org.backbone_id else None,
        "bench_categories": parity.benchmark_categories(race), "may_change": org.id in access.composition_org_ids(principal),
        "helpers": helpers.holders(db, org.id, Role.composition_editor) if names else None, "helper_error": None,
        "invited_links": [], "invited_by_others": [], "asked": {}, "errors": {}, "shown_share": present.shown_share,
        "page_title": _("Who holds the seats: %(org)s", org=org.name), **(extra or {})}, status_code=status)


@router.get("/composition/{org_id}", response_class=HTMLResponse)
def overview(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    return _overview(request, db, principal, catalogue, access.get_composition_organization(db, principal, org_id))


def _cycle_page(request: Request, db: Session, principal: Principal, catalogue: Catalogue, org: Organization, cycle_id: int,
                extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    cycle = next((c for c in service.cycles_of(db, org) if c.id == cycle_id), None)
    if cycle is None:
        return _overview(request, db, principal, catalogue, org, {"error": _("Your organization takes no part in this cycle.")}, 404)
    lang, minimum = i18n.get_locale(), _minimum(request)
    view = service.partner_view(db, catalogue, org, cycle, minimum)
    previous = service.previous_view(db, catalogue, view, minimum) if view.reported else None
    labels = service.labels(catalogue, cycle, lang)
    may_change = org.id in access.composition_org_ids(principal) and service.is_editable(cycle)
    counts = service.counts_of(view.composition) if may_change else {}  # raw counts: only to whoever enters them
    return render(request, "composition/cycle.html", {
        "org": org, "cycle": cycle, "view": view, "previous": previous, "labels": labels, "minimum": minimum,
        "race": view.race, "genders": parity.GENDERS, "levels": parity.LEVELS, "pipeline_levels": parity.PIPELINE,
        "chart": present.pipeline_svg(view, labels, minimum) if view.reported else None,
        "sentences": present.summary_sentences(view, previous, labels, minimum) if view.reported else [],
        "may_change": may_change, "closed": not service.is_editable(cycle), "field_name": service.field_name,
        "values": {service.field_name(k): str(v) for k, v in counts.items()}, "errors": {},
        "as_of": view.composition.as_of.isoformat() if view.composition and view.composition.as_of else "",
        "source": view.composition.source if view.composition else "", "shown_share": present.shown_share,
        "page_title": _("Composition counts: %(org)s", org=org.name), **(extra or {})}, status_code=status)


@router.get("/composition/{org_id}/cycles/{cycle_id}", response_class=HTMLResponse)
def cycle_page(request: Request, org_id: Id, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    org = access.get_composition_organization(db, principal, org_id)
    return _cycle_page(request, db, principal, catalogue, org, cycle_id)


@router.post("/composition/{org_id}/cycles/{cycle_id}", response_model=None)
def save_counts(request: Request, org_id: Id, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                form: FormDep) -> Response:
    org = access.get_composition_organization(db, principal, org_id, "change")
    cycle = next((c for c in service.cycles_of(db, org) if c.id == cycle_id), None)
    if cycle is None:
        return _overview(request, db, principal, catalogue, org, {"error": _("Your organization takes no part in this cycle.")}, 404)
    race = service.race_of(catalogue, cycle)
    labels = service.labels(catalogue, cycle, i18n.get_locale())
    counts, errors = service.parse(form, race, labels)
    asked = {k: str(v)[:40] for k, v in form.items() if k.startswith("c-")}
    as_of, source = str(form.get("as_of") or "")[:40], str(form.get("source") or "")[:400]
    if not errors:
        try:
            service.save(db, org, cycle, counts, as_of, source, principal.user_id)
        except (Invalid, Conflict) as exc:
            db.rollback()
            errors = {str(exc.details.get("field") or "form"): exc.message}
    if errors:
        return _cycle_page(request, db, principal, catalogue, org, cycle.id, {"errors": errors, "values": asked, "as_of": as_of,
                                                                             "source": source}, 409 if "form" in errors else 422)
    db.commit()
    return RedirectResponse(f"/composition/{org.id}/cycles/{cycle.id}?flash=saved", status_code=303)


@router.post("/composition/{org_id}/benchmark", response_model=None)
def save_benchmark(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    """The partner's own service area (its clients', its students'), read in place of the partnership's."""
    org = access.get_composition_organization(db, principal, org_id, "change")
    cycles = service.cycles_of(db, org)
    race = service.race_of(catalogue, cycles[-1]) if cycles else parity.DEFAULT_RACE
    shares, errors = service.parse_shares(form, parity.benchmark_categories(race))
    asked = {k: str(v)[:300] for k, v in form.items()}
    if not errors and org.backbone_id is not None:
        try:
            service.save_benchmark(db, org.backbone_id, org.id, str(form.get("name") or ""), str(form.get("source") or ""), shares,
                                   principal.user_id)
        except Invalid as exc:
            db.rollback()
            errors = {str(exc.details.get("field") or "name"): exc.message}
    if errors:
        return _overview(request, db, principal, catalogue, org, {"errors": errors, "asked": asked}, 422)
    db.commit()
    return RedirectResponse(f"/composition/{org.id}?flash=benchmark-saved#benchmark", status_code=303)


@router.post("/composition/{org_id}/benchmark/remove", response_model=None)
def remove_benchmark(org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_composition_organization(db, principal, org_id, "change")
    if org.backbone_id is not None:
        service.remove_benchmark(db, org.backbone_id, org.id, principal.user_id)
    db.commit()
    return RedirectResponse(f"/composition/{org.id}?flash=benchmark-removed#benchmark", status_code=303)


@router.post("/composition/{org_id}/helpers", response_model=None)
def invite_helper(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep,
                  form: FormDep) -> Response:
    """The lead names someone (e.g. HR) to enter the counts: a seat that reaches them and nothing else."""
    org = access.get_composition_organization(db, principal, org_id, "name")
    try:
        links, by_others = helpers.invite(db, settings, principal, org, str(form.get("email") or ""),
                                          str(form.get("language") or i18n.get_locale()), InvitationPurpose.composition_editor)
    except Invalid as exc:
        return _overview(request, db, principal, catalogue, org, {"helper_error": exc.message}, 422)
    db.commit()
    return _overview(request, db, principal, catalogue, org, {"invited_links": links, "invited_by_others": by_others, "flash": "helper-invited"})


@router.post("/composition/{org_id}/helpers/{user_id}/remove", response_model=None)
def remove_helper(org_id: Id, user_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_composition_organization(db, principal, org_id, "name")
    helpers.remove(db, org, user_id, Role.composition_editor, principal.user_id, "composition.helper_removed")
    db.commit()
    return RedirectResponse(f"/composition/{org.id}?flash=helper-removed#helpers", status_code=303)
