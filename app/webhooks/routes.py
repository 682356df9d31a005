"""The backbone's webhooks page (administrators): register a URL for events, see each delivery's outcome, send a test
event, remove a webhook. The signing secret is shown once, to the admin who registers it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import access
from app.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Invalid
from app.i18n import gettext as _
from app.web.csrf import csrf_protect
from app.web.templating import render
from app.webhooks import service
from app.webhooks.models import EVENTS

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(request: Request, db: SessionDep, principal: CurrentUser, extra: dict | None = None, status: int = 200) -> Response:  # type: ignore[type-arg]
    backbone = access.get_backbone(db, principal, "admin")
    hooks = service.hooks_of(db, backbone.id)
    return render(request, "webhooks/webhooks.html", {
        "hooks": hooks, "deliveries": {h.id: service.deliveries_of(db, h, limit=20) for h in hooks}, "events": EVENTS,
        "labels": service.event_labels(), "zone": request.app.state.settings.time_zone, "page_title": _("Webhooks"), **(extra or {})},
        status_code=status)


@router.get("/backbone/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    return _page(request, db, principal, {"sent": request.query_params.get("sent") == "1", "removed": request.query_params.get("removed") == "1"})


@router.post("/backbone/webhooks")
def add_webhook(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    url = str(form.get("url") or "")[:2100]
    events = [str(e) for e in form.getlist("events")]
    try:
        hook = service.register(db, backbone.id, url, events, principal.user_id, settings)
    except Invalid as exc:
        db.rollback()
        return _page(request, db, principal, {"error": exc.message, "field": exc.details.get("field"), "asked_url": url,
                                              "asked_events": events}, 422)
    db.commit()
    return _page(request, db, principal, {"created": hook, "secret": hook.secret})


@router.post("/backbone/webhooks/{hook_id}/ping")
def ping_webhook(hook_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    hook = service.get_hook(db, access.get_backbone(db, principal, "admin").id, hook_id)
    service.ping(db, hook)
    db.commit()
    return RedirectResponse("/backbone/webhooks?sent=1", status_code=303)


@router.post("/backbone/webhooks/{hook_id}/remove")
def remove_webhook(hook_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    hook = service.get_hook(db, access.get_backbone(db, principal, "admin").id, hook_id)
    service.remove(db, hook, principal.user_id)
    db.commit()
    return RedirectResponse("/backbone/webhooks?removed=1", status_code=303)
