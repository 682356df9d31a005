"""The people a partner's lead asks to help with the action plan (plan editors): invited by email, removable."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app import access, i18n
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Forbidden, Invalid
from app.i18n import gettext as _
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
        emails = invitations.parse_emails(str(form.get("email") or "")[:400])
        if len(emails) != 1:
            raise Invalid(_("Enter one email address."), field="email")
    except Invalid as exc:
        return pages.plan(request, db, principal, catalogue, org, {"editor_error": exc.message}, 422)
    issued = invitations.issue(db, settings, email=emails[0], language=str(form.get("language") or i18n.get_locale()), organization=org,
                               purpose=InvitationPurpose.plan_editor, assessment_id=None, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, org, None, 0)
    db.commit()
    shown = outbox and access.may_see_link(principal, issued.invitation)  # never someone else's invitation's link
    return pages.plan(request, db, principal, catalogue, org, {"invited_links": [(emails[0], issued.link(settings))] if shown else [],
                                                          "invited_by_others": [emails[0]] if outbox and not shown else [],
                                                          "flash": "editor-invited"})


@router.post("/plans/{org_id}/editors/{user_id}/remove", response_model=None)
def remove_editor(org_id: PathId, user_id: PathId, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_plan_organization(db, principal, org_id)
    if not access.may_name_plan_editors(principal, org):
        raise Forbidden()
    service.remove_plan_editor(db, org, user_id, principal.user_id)
    db.commit()
    return RedirectResponse(f"/plans/{org.id}?flash=editor-removed#editors", status_code=303)
