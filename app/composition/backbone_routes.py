"""The backbone's composition pages: the partnership's benchmark (administrators set it) and, per cycle, every partner's
composition against it (partners x levels), filterable by sector and size, with the partnership's pooled figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments.cycles import cycle_state
from app.auth.service import Principal
from app.composition import parity, present, service
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import SIZE_BANDS
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _benchmark_page(request: Request, db: Session, principal: Principal, catalogue: Catalogue, extra: dict[str, Any] | None = None,
                    status: int = 200) -> Response:
    backbone = access.get_backbone(db, principal)
    latest = catalogue.all()[-1]
    question = latest.respondent.race_ethnicity
    race = parity.race_categories([o.id for o in question.options or []] if question else None)
    return render(request, "composition/benchmark.html", {
        "backbone": backbone, "benchmark": service.benchmark_of(db, backbone.id), "categories": parity.benchmark_categories(race),
        "labels": service.labels(catalogue, None, i18n.get_locale()), "is_admin": access.is_backbone_admin(principal),
        "cycles": access.backbone_cycles(db, principal), "errors": {}, "asked": {}, "page_title": _("The community the partnership serves"),
        **(extra or {})}, status_code=status)


@router.get("/backbone/composition", response_class=HTMLResponse)
def benchmark_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    return _benchmark_page(request, db, principal, catalogue)


@router.post("/backbone/composition", response_model=None)
def save_benchmark(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    latest = catalogue.all()[-1]
    question = latest.respondent.race_ethnicity
    race = parity.race_categories([o.id for o in question.options or []] if question else None)
    shares, errors = service.parse_shares(form, parity.benchmark_categories(race))
    if not errors:
        try:
            service.save_benchmark(db, backbone.id, None, str(form.get("name") or ""), str(form.get("source") or ""), shares, principal.user_id)
        except Invalid as exc:
            db.rollback()
            errors = {str(exc.details.get("field") or "name"): exc.message}
    if errors:
        return _benchmark_page(request, db, principal, catalogue, {"errors": errors, "asked": {k: str(v)[:300] for k, v in form.items()}}, 422)
    db.commit()
    return RedirectResponse("/backbone/composition?flash=saved", status_code=303)


@router.get("/backbone/cycles/{cycle_id}/composition", response_class=HTMLResponse)
def compare_page(request: Request, cycle_id: Id, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                 sector: Annotated[str, Query(max_length=40)] = "", size: Annotated[str, Query(max_length=20)] = "",
                 group: Annotated[str, Query(max_length=64)] = parity.POC) -> Response:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    lang, minimum = i18n.get_locale(), int(request.app.state.settings.min_group_size)
    partners = access.cycle_partners(db, principal, cycle)
    race = service.race_of(catalogue, cycle)
    groups = [parity.POC, *parity.color_categories(race), parity.WHITE]
    group = group if group in groups else parity.POC
    sectors = sorted({o.sector for o in partners})
    sizes = [b for b in SIZE_BANDS if b in {o.size_band for o in partners}]
    kept = [o for o in partners if (not sector or o.sector == sector) and (not size or o.size_band == size)]
    rows = service.compare_rows(db, catalogue, cycle, kept, minimum)
    labels = service.labels(catalogue, cycle, lang)
    bench = service.benchmark_of(db, cycle.backbone_id)
    return render(request, "composition/compare.html", {
        "cycle": cycle, "state": cycle_state(cycle), "rows": rows, "labels": labels, "minimum": minimum, "levels": parity.PIPELINE,
        "group": group, "groups": groups, "benchmark": bench, "sector": sector, "size": size, "sectors": sectors, "sizes": sizes,
        "total": len(partners), "reported": sum(1 for r in rows if r.reported),
        "pooled": service.pooled(db, catalogue, cycle, minimum), "shown_share": present.shown_share,
        "short": [(r, lv) for r in rows for lv in parity.PIPELINE if _short(r.levels[lv], group)],
        "page_title": _("Who holds the seats: %(cycle)s", cycle=cycle.name_in(lang))})


def _short(level: parity.LevelView, group: str) -> bool:
    """A level where the group's representation index is below 0.8 (the four-fifths rule of thumb), or where a hidden
    count ("fewer than 5 of 30") bounds it below that."""
    cell = level.poc if group == parity.POC else level.race.get(group)
    if cell is None:
        return False
    return (cell.index is not None and cell.index < 0.8) or (cell.index_below is not None and cell.index_below <= 0.8)
