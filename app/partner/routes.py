"""The partner lead's pages: the organization's assessments, invitations, submission; and reopening (backbone admin)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import service
from app.assessments.models import Assessment, AssessmentStatus, Cycle
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.deps import CatalogueDep, CurrentUser, FormDep, SessionDep, SettingsDep
from app.errors import Conflict, Forbidden, Invalid
from app.i18n import gettext as _
from app.i18n import ngettext
from app.instruments.loader import Catalogue
from app.respond.service import plan_pages
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _question_count(catalogue: Catalogue, cycle: Cycle) -> int:
    """How many questions a response of the cycle has (its instrument, at its depth)."""
    found = catalogue.find(cycle.instrument_id, cycle.instrument_version)
    return sum(len(page.question_ids) for page in plan_pages(found, cycle.depth, cycle.order)) if found else 0


def _progress(catalogue: Catalogue, assessment: Assessment, invites: list[Invitation], standings: dict[int, access.Standing]) -> dict[int, str]:
    """"Answering: N of M questions" per invitation whose progress the lead may see (a named cycle's, app.access)."""
    total = _question_count(catalogue, assessment.cycle)
    shown = {inv.id: standings[inv.id].answered for inv in invites if inv.id in standings}
    return {inv_id: ngettext("Answering: %(answered)s of %(num)s question", "Answering: %(answered)s of %(num)s questions", total,
                             answered=i18n.format_number(n)) for inv_id, n in shown.items() if n is not None}


def _render_home(request: Request, db: Session, principal: Any, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    assessments = access.lead_assessments(db, principal)
    counts = service.response_counts(db, [a.id for a in assessments])
    invites = access.invitations_of(db, principal, assessments)
    standings = access.invitation_standings(db, principal, assessments)
    results = service.assessments_with_results(db, [a.id for a in assessments])
    own = {r.assessment_id: r for r in access.own_responses(db, principal)} if assessments else {}
    catalogue = request.app.state.catalogue
    rows = [{"a": a, "counts": counts[a.id], "invites": invites[a.id], "open": service.assessment_is_open(a), "own": own.get(a.id),
             "has_result": a.id in results, "standings": standings, "progress": _progress(catalogue, a, invites[a.id], standings),
             "valid_until": invitations.assessment_end(a) - dt.timedelta(microseconds=1)} for a in assessments]
    return render(request, "partner/home.html", {"rows": rows, "links": [], "error": None, "emails": "", "page_title": _("Your organization"),
                                                 **(extra or {})}, status_code=status)


@router.get("/partner", response_class=HTMLResponse)
def partner_home(request: Request, db: SessionDep, principal: CurrentUser) -> Response:
    if not access.is_partner_lead(principal):
        return RedirectResponse(access.home_for(principal), status_code=303)
    return _render_home(request, db, principal)


@router.post("/partner/assessments/{assessment_id}/invite")
def invite(request: Request, assessment_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep,
                 catalogue: CatalogueDep, form: FormDep) -> Response:
    """Invite respondents; without SMTP the links are shown on this page (never put in a URL) so the lead can copy them."""
    assessment = access.get_assessment(db, principal, assessment_id, need="manage")
    if not service.assessment_is_open(assessment) or assessment.status is AssessmentStatus.submitted:
        raise Conflict(_("This assessment is not open for answers, so no one can be invited to it."))
    raw = str(form.get("emails") or "")[:20_000]
    try:
        emails = invitations.parse_emails(raw)
    except Invalid as exc:
        return _render_home(request, db, principal, {"error": {"assessment": assessment.id, "message": exc.message}, "emails": raw}, 422)
    language = str(form.get("language") or i18n.get_locale())
    instrument = service.instrument_of(catalogue, assessment.cycle)
    links, others = [], []
    for email in emails:
        issued = invitations.issue(db, settings, email=email, language=language, organization=assessment.organization,
                                   purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=principal.user_id)
        if invitations.send(db, settings, issued, assessment.organization, assessment.cycle, instrument.estimated_minutes):
            # A link is shown only to whoever made the invitation: someone else's is sent again, never shown.
            if access.may_see_link(principal, issued.invitation):
                links.append((email, issued.link(settings)))
            else:
                others.append(email)
    db.commit()
    return _render_home(request, db, principal, {"links": links, "invited": len(emails), "invited_by_others": others})


@router.post("/partner/invitations/{invitation_id}/revoke")
def revoke_invitation(invitation_id: Id, db: SessionDep, principal: CurrentUser) -> Response:
    invitation = access.get_invitation(db, principal, invitation_id)
    invitations.revoke(db, invitation, principal.user_id)
    db.commit()
    return RedirectResponse(f"/partner?flash=revoked#assessment-{invitation.assessment_id}", status_code=303)


@router.post("/partner/invitations/{invitation_id}/resend")
def resend_invitation(request: Request, invitation_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep) -> Response:
    invitation = access.get_invitation(db, principal, invitation_id)
    if invitation.revoked_at is not None:
        raise Conflict(_("This invitation was revoked; invite the person again instead."))
    assessment = db.get(Assessment, invitation.assessment_id)
    assert assessment is not None
    if not service.assessment_is_open(assessment):
        raise Conflict(_("This assessment is not open for answers, so no one can be invited to it."))
    if access.invitation_standings(db, principal, [assessment])[invitation.id].state == "submitted":
        raise Conflict(_("This person has already submitted their answers: there is nothing to send them again."))
    issued = invitations.issue(db, settings, email=invitation.email, language=invitation.language, organization=assessment.organization,
                               purpose=invitation.purpose, assessment_id=assessment.id, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, assessment.organization, assessment.cycle,
                             service.instrument_of(catalogue, assessment.cycle).estimated_minutes)
    db.commit()
    shown = [(invitation.email, issued.link(settings))] if outbox and access.may_see_link(principal, invitation) else []
    return _render_home(request, db, principal, {"links": shown, "invited": 1})


@router.post("/partner/assessments/{assessment_id}/submit")
def submit_assessment(request: Request, assessment_id: Id, db: SessionDep, principal: CurrentUser, settings: SettingsDep,
                            catalogue: CatalogueDep, form: FormDep) -> Response:
    assessment = access.get_assessment(db, principal, assessment_id, need="manage")
    if form.get("confirm") != "yes":
        return _render_home(request, db, principal, {"error": {"assessment": assessment.id,
                                                               "message": _("Tick the box to confirm that the responses are in.")}}, 422)
    try:
        service.submit_assessment(db, catalogue, assessment, principal.user_id, settings.min_group_size)
    except (Invalid, Conflict) as exc:
        db.rollback()
        return _render_home(request, db, principal, {"error": {"assessment": assessment.id, "message": exc.message}}, 422)
    db.commit()
    return RedirectResponse(f"/assessments/{assessment.id}/result?flash=submitted", status_code=303)


@router.post("/assessments/{assessment_id}/reopen")
def reopen(request: Request, assessment_id: Id, db: SessionDep, principal: CurrentUser, form: FormDep) -> Response:
    assessment = access.get_assessment(db, principal, assessment_id, need="admin")
    if assessment.status is not AssessmentStatus.submitted:
        raise Forbidden(_("Only a submitted assessment can be reopened."))
    service.reopen_assessment(db, assessment, principal.user_id, str(form.get("reason") or ""))
    db.commit()
    back = str(form.get("back") or "")
    return RedirectResponse(back if back.startswith("/backbone") else f"/assessments/{assessment.id}/result?flash=reopened", status_code=303)
