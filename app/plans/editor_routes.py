"""The people a partner's lead asks to help with the action plan (plan editors): invited by email, removable."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app import access, i18n
from app.auth.models import InvitationPurpose
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Forbidden, Invalid
from app.organizations import helpers
from app.plans import pages, service
from app.plans.pages import PathId
from app.web.csrf import csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.post("/plans/{org_id}/editors", response_model=None)
def invite_editor(request: Request, org_id: PathId, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                  settings: SettingsDep, form: FormDep) -> Response:
    """The lead asks someone (e.g. HR) to help with the plan: an account's seat on the plan, and nothing else."""
    org = access.get_plan_organization(db, principal, org_id)
    if not access.may_name_plan_editors(principal, org):
        raise Forbidden()
    try:
        links, by_others = helpers.invite(db, settings, principal, org, str(form.get("email") or ""),
                                          str(form.get("language") or i18n.get_locale()), InvitationPurpose.plan_editor)
    except Invalid as exc:
        return pages.plan(request, db, principal, catalogue, org, {"editor_error": exc.message}, 422)
    db.commit()
    return pages.plan(request, db, principal, catalogue, org, {"invited_links": links, "invited_by_others": by_others, "flash": "editor-invited"})


@router.post("/plans/{org_id}/editors/{user_id}/remove", response_model=None)
def remove_editor(org_id: PathId, user_id: PathId, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_plan_organization(db, principal, org_id)
    if not access.may_name_plan_editors(principal, org):
        raise Forbidden()
    service.remove_plan_editor(db, org, user_id, principal.user_id)
    db.commit()
    return RedirectResponse(f"/plans/{org.id}?flash=editor-removed#editors", status_code=303)
