"""The backbone's partner organizations: list, add, change, archive and restore, invite the lead (backbone admins
change; analysts read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import access, i18n
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.auth.service import Principal
from app.config import Settings
from app.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.organizations import service as orgs
from app.organizations.labels import sector_choices, size_choices
from app.organizations.models import Membership, Organization, OrgKind, Role
from app.organizations.service import PARTNER_FIELDS
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


# -- partners ----------------------------------------------------------------------------------

@router.get("/backbone/partners", response_class=HTMLResponse)
def partners_page(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> Response:
    backbone = access.get_backbone(db, principal)
    return _partners(request, db, principal, backbone, _invited(db, principal, settings, backbone, request.query_params.get("invited", "")))


def _invited(db: Session, principal: Principal, settings: Settings, backbone: Organization, invitation_id: str) -> dict[str, Any]:
    """After inviting a lead (a redirect, so that a reload sends nothing again): the notice, and, without an email server,
    the link to pass on, shown only to the person who made the invitation (the URL holds the invitation's id, not its link)."""
    invitation = db.get(Invitation, int(invitation_id)) if invitation_id.isdigit() and len(invitation_id) < 12 else None
    if invitation is None or invitation.purpose is not InvitationPurpose.partner_lead or invitation.revoked_at is not None:
        return {}
    org = db.get(Organization, invitation.organization_id)
    if org is None or org.backbone_id != backbone.id:
        return {}
    shown = not settings.smtp_host and access.may_see_link(principal, invitation)
    return {"invited": org.name, "links": [(invitation.email, invitations.link_of(settings, invitation))] if shown else [],
            "invited_by_others": [invitation.email] if not settings.smtp_host and not shown else []}


def _partners(request: Request, db: Session, principal: Principal, backbone: Organization, extra: dict[str, Any] | None = None,
              status: int = 200) -> Response:
    orgs = db.scalars(select(Organization).where(Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner)
                      .order_by(func.lower(Organization.name))).all()
    leads = dict(db.execute(select(Invitation.organization_id, func.max(Invitation.last_sent_at)).where(
        Invitation.purpose == InvitationPurpose.partner_lead, Invitation.organization_id.in_([o.id for o in orgs]),
        Invitation.revoked_at.is_(None)).group_by(Invitation.organization_id)).all()) if orgs else {}
    seated = set(db.scalars(select(Membership.organization_id).where(
        Membership.role == Role.partner_lead, Membership.organization_id.in_([o.id for o in orgs])))) if orgs else set()
    return render(request, "backbone/partners.html", {
        "seated": seated,
        "backbone": backbone, "active": [o for o in orgs if o.archived_at is None], "archived": [o for o in orgs if o.archived_at],
        "leads": leads, "is_admin": access.is_backbone_admin(principal), "links": [], "page_title": _("Partners"), **(extra or {})},
        status_code=status)


def _partner_form(form: Any) -> dict[str, str]:
    return {k: str(form.get(k) or "").strip() for k in PARTNER_FIELDS}


def _render_partner_form(request: Request, org: Organization | None, values: dict[str, str], errors: dict[str, str],
                         status: int = 200) -> Response:
    return render(request, "backbone/partner_form.html", {
        "org": org, "values": values, "errors": errors, "sectors": sector_choices(), "sizes": size_choices(),
        "page_title": org.name if org else _("New partner")}, status_code=status)


@router.get("/backbone/partners/new", response_class=HTMLResponse)
def new_partner_page(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    access.get_backbone(db, principal, "admin")
    return _render_partner_form(request, None, {"sector": "nonprofit", "size_band": "11-50", "preferred_language": i18n.get_locale()}, {})


@router.post("/backbone/partners")
def create_partner(request: Request, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    backbone = access.get_backbone(db, principal, "admin")
    values = _partner_form(form)
    errors = orgs.partner_problems(db, values, settings.locales, backbone.id)
    if errors:
        return _render_partner_form(request, None, values, errors, 422)
    org = orgs.create_partner(db, backbone, values, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=created#partner-{org.id}", status_code=303)


@router.get("/backbone/partners/{org_id}/edit", response_class=HTMLResponse)
def edit_partner_page(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    return _render_partner_form(request, org, {k: getattr(org, k) for k in PARTNER_FIELDS}, {})


@router.post("/backbone/partners/{org_id}")
def update_partner(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    values = _partner_form(form)
    errors = orgs.partner_problems(db, values, settings.locales, org.backbone_id or 0, org.id)
    if errors:
        return _render_partner_form(request, org, values, errors, 422)
    orgs.update_partner(db, org, values, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=saved#partner-{org.id}", status_code=303)


@router.post("/backbone/partners/{org_id}/archive")
def archive_partner(org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    orgs.archive_partner(db, access.get_partner(db, principal, org_id, "admin"), principal.user_id)
    db.commit()
    return RedirectResponse("/backbone/partners?flash=archived", status_code=303)


@router.post("/backbone/partners/{org_id}/restore")
def restore_partner(org_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    org = access.get_partner(db, principal, org_id, "admin")
    orgs.restore_partner(db, org, principal.user_id)
    db.commit()
    return RedirectResponse(f"/backbone/partners?flash=restored#partner-{org.id}", status_code=303)


@router.post("/backbone/partners/{org_id}/invite-lead")
def invite_lead(request: Request, org_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, form: FormDep) -> Response:
    """Invite the partner's lead: the same invitation links as respondents, in the invitee's language."""
    org = access.get_partner(db, principal, org_id, "admin")
    if org.archived_at is not None:
        raise Conflict(_("This partner is archived; restore it before inviting its lead."))
    try:
        emails = invitations.parse_emails(str(form.get("email") or "")[:400])
        if len(emails) != 1:
            raise Invalid(_("Enter one email address."), field="email")
    except Invalid as exc:
        return _partners(request, db, principal, access.get_backbone(db, principal), {"lead_error": {"org": org.id, "message": exc.message}}, 422)
    language = str(form.get("language") or org.preferred_language)
    issued = invitations.issue(db, settings, email=emails[0], language=language, organization=org, purpose=InvitationPurpose.partner_lead,
                               assessment_id=None, created_by_id=principal.user_id)
    invitations.send(db, settings, issued, org, None, 0)
    db.commit()
    return RedirectResponse(f"/backbone/partners?invited={issued.invitation.id}#partner-{org.id}", status_code=303)


