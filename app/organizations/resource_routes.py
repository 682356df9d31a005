"""The partnership's own resources page: backbone staff read it, administrators add and remove (app.organizations.resources)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access, i18n
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep
from app.errors import Invalid
from app.i18n import SOURCE_LANGUAGE
from app.i18n import gettext as _
from app.organizations import resources
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def domain_titles(catalogue: CatalogueDep, lang: str) -> dict[str, str]:
    """Every domain of the published instruments (domains keep their ids from version to version), newest title first."""
    out: dict[str, str] = {}
    for inst in reversed(catalogue.all()):
        for d in inst.domains:
            out.setdefault(d.id, d.title.get(lang))
    return out


def _page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, extra: dict | None = None,  # type: ignore[type-arg]
          status: int = 200) -> Response:
    backbone = access.get_backbone(db, principal)
    return render(request, "organizations/resources.html", {
        "resources": resources.resources_of(db, backbone.id), "domains": domain_titles(catalogue, i18n.get_locale()),
        "languages": request.app.state.settings.locales, "is_admin": access.is_backbone_admin(principal),
        "page_title": _("Local resources"), **(extra or {})}, status_code=status)


@router.get("/backbone/resources", response_class=HTMLResponse)
def resources_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    return _page(request, db, principal, catalogue, {"flash": request.query_params.get("flash")})


@router.post("/backbone/resources")
def add_resource(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    asked = {k: str(form.get(k) or "")[:4000] for k in ("title", "url", "note", "domain_id", "language")}
    try:
        resources.add(db, backbone.id, principal.user_id, **asked, domains=set(domain_titles(catalogue, SOURCE_LANGUAGE)),
                      languages=request.app.state.settings.locales)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, catalogue, {"error": exc.message, "field": exc.details.get("field"), "asked": asked}, 422)
    db.commit()
    return RedirectResponse("/backbone/resources?flash=added", status_code=303)


@router.post("/backbone/resources/{resource_id}/remove")
def remove_resource(resource_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    resources.remove(db, backbone.id, resource_id, principal.user_id)
    db.commit()
    return RedirectResponse("/backbone/resources?flash=removed", status_code=303)
