"""Importing partners from a CSV or XLSX file: upload, a preview with each row's problems, then all or nothing
(app/organizations/importing.py)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app import access
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.organizations import importing
from app.organizations.labels import sector_label, size_label
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
COLUMNS = ("name", "sector", "size_band", "preferred_language", "contact_name", "lead_email")


def _page(request: Request, rows: list[importing.Row] | None = None, error: str | None = None, status: int = 200) -> Response:
    bad = sum(1 for r in rows or [] if r.errors)
    table = [[r.values["name"], r.values["sector"], r.values["size_band"], r.values["preferred_language"], r.values["contact_name"],
              r.values["contact_email"]] for r in rows or []]
    return render(request, "backbone/partners_import.html", {
        "rows": rows, "bad": bad, "error": error, "payload": json.dumps([list(COLUMNS), *table], ensure_ascii=False),
        "sector_label": sector_label, "size_label": size_label, "page_title": _("Import partners")}, status_code=status)


@router.get("/backbone/partners/import", response_class=HTMLResponse)
def import_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    access.get_backbone(db, principal, "admin")
    return _page(request)


@router.post("/backbone/partners/import")
async def upload(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> Response:
    """Read the file and show what would be imported, with each row's problems; nothing is saved yet."""
    backbone = access.get_backbone(db, principal, "admin")
    form = await request.form()
    file: Any = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, error=_("Choose a CSV or XLSX file."), status=422)
    content = await file.read(importing.MAX_BYTES + 1)
    try:
        rows = importing.parse(db, importing.read_table(content, file.filename), backbone, list(settings.locales), settings.default_locale)
    except Invalid as exc:
        return _page(request, error=exc.message, status=422)
    db.rollback()
    return _page(request, rows, status=422 if any(r.errors for r in rows) else 200)


@router.post("/backbone/partners/import/confirm")
def confirm(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    """Create every partner of the preview, or none: each row is checked again first."""
    backbone = access.get_backbone(db, principal, "admin")
    try:
        table = json.loads(str(form.get("rows") or "[]"))
        if not isinstance(table, list) or not all(isinstance(r, list) for r in table):
            raise ValueError("not a table")
        rows = importing.parse(db, [[str(c) for c in r] for r in table], backbone, list(settings.locales), settings.default_locale)
    except (ValueError, Invalid):
        return _page(request, error=_("The preview could not be read again: upload the file once more."), status=422)
    if any(r.errors for r in rows):
        db.rollback()
        return _page(request, rows, error=_("Nothing was imported: correct the rows marked below, then upload the file again."), status=422)
    created = importing.create_all(db, backbone, rows, principal.user_id)
    invited = 0
    if form.get("invite_leads") == "yes":
        for org in created:
            if org.contact_email:
                issued = invitations.issue(db, settings, email=org.contact_email, language=org.preferred_language, organization=org,
                                           purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=principal.user_id)
                invitations.send(db, settings, issued, org, None, 0)
                invited += 1
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=imported&n={len(created)}&leads={invited}", status_code=303)
