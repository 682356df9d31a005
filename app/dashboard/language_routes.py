"""The partnership's languages, for its administrators: each language offered (REASSESS_LOCALES), how much of the
application its catalog translates, which instrument versions have it, and the strings this process has shown in the
source language for want of a translation since it started (app.i18n.fallbacks)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app import access, i18n
from app.deps import CatalogueDep, CurrentUser, SessionDep
from app.i18n import SOURCE_LANGUAGE
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
SHOWN = 15  # the most often shown untranslated strings listed per language


@router.get("/backbone/languages", response_class=HTMLResponse)
def languages_page(request: Request, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> Response:
    access.get_backbone(db, principal, "admin")
    fallbacks = i18n.fallbacks()
    rows = []
    for code in request.app.state.settings.locales:
        done, total = i18n.catalog_counts(code)
        missed = fallbacks.get(code)
        rows.append({"code": code, "name": i18n.language_name(code), "direction": i18n.text_direction(code),
                     "paper": i18n.paper_for(code), "done": done, "total": total, "share": done / total if total else None,
                     "source": code == SOURCE_LANGUAGE, "strings": len(missed or ()), "times": sum((missed or {}).values()),
                     "most": (missed.most_common(SHOWN) if missed else []),
                     "without": [f"{i.id} {i.version}" for i in catalogue.all() if code not in i.languages]})
    return render(request, "backbone/languages.html", {"rows": rows, "source": SOURCE_LANGUAGE, "page_title": _("Languages")})
