"""What the plan's pages share: the instrument whose domains actions address, the form's lists, the plan page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import access, i18n
from app.assessments import texts, views
from app.assessments.models import Assessment, Cycle
from app.assessments.service import current_result, instrument_of
from app.auth.service import Principal
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.instruments.schema import Instrument
from app.organizations.models import Organization
from app.plans import service, targets
from app.plans.models import ActionSource
from app.web.templating import render

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def plan_instrument(db: Session, catalogue: Catalogue, org: Organization) -> Instrument | None:
    """The instrument of the organization's latest cycle: its domains are what actions address."""
    cycle = db.scalar(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id).where(Assessment.organization_id == org.id)
                      .order_by(Cycle.opens_on.desc(), Cycle.id.desc()).limit(1))
    return instrument_of(catalogue, cycle) if cycle is not None else None


def form_context(org: Organization, instrument: Instrument | None, lang: str) -> dict[str, Any]:
    return {"org": org, "statuses": service.status_labels(),
            "domains": [(d.id, d.title.get(lang)) for d in instrument.domains] if instrument else []}


def plan(request: Request, db: Session, principal: Principal, catalogue: Catalogue, org: Organization,
          extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    instrument = plan_instrument(db, catalogue, org)
    lang = i18n.get_locale()
    titles = {d.id: d.title.get(lang) for d in instrument.domains} if instrument else {}
    names = access.may_name_plan_editors(principal, org)
    return render(request, "plans/plan.html", {
        **form_context(org, instrument, lang), "actions": service.plan_of(db, org.id), "titles": titles,
        "may_change": org.id in access.plan_org_ids(principal), "flash": request.query_params.get("flash"),
        "editors": service.plan_editors(db, org.id) if names else None, "editor_error": None, "invited_links": [],
        "target_rows": targets.overview(db, catalogue, org.backbone_id, lang, for_partners=not access.is_backbone(principal),
                                        min_partners=request.app.state.settings.min_group_size,
                                        minimum=request.app.state.settings.min_group_size,
                                        figures=access.is_backbone(principal) or org.id in access.lead_org_ids(principal))
        if org.backbone_id else [], "min_partners": request.app.state.settings.min_group_size,
        "page_title": _("Action plan: %(org)s", org=org.name), **(extra or {})}, status_code=status)


def prefill(db: Session, principal: Principal, catalogue: Catalogue, org: Organization, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's values for a new action, and where it comes from (a growth opportunity of a result the principal may
    read, or one of the team's commitments, chosen explicitly by a lead who may read them)."""
    q = request.query_params
    values: dict[str, Any] = {"status": "planned"}
    origin: dict[str, Any] = {"source": ActionSource.scratch.value, "source_ref": "", "cycle_id": ""}
    aid = q.get("assessment", "")
    if not aid.isdigit():
        return values, origin
    try:  # a plan editor reaches no result: the form then starts empty
        assessment = access.get_assessment(db, principal, int(aid))
    except (NotFound, Forbidden):
        return values, origin
    if assessment.organization_id != org.id:
        return values, origin
    row = current_result(db, assessment.id)
    if row is None:
        return values, origin
    lang = i18n.get_locale()
    instrument = instrument_of(catalogue, assessment.cycle)
    origin["cycle_id"] = str(assessment.cycle_id)
    item = q.get("item", "")
    if item:
        found = next((o for o in views.build_view(row.data, instrument, lang).opportunities if o.item_id == item), None)
        if found is not None:
            values.update(title=found.text[:200], domain_id=found.domain_id, item_ids=[found.item_id],
                          description="\n".join(f"- {a}" for a in found.actions))
            origin.update(source=ActionSource.opportunity.value, source_ref=found.item_id)
    key = q.get("commitment", "")
    if key and access.may_mark_texts(principal, assessment):
        settings = request.app.state.settings
        for s in texts.team_texts(db, assessment, instrument, lang, settings.secret_key, "combined", question_ids={"closing-commitments"}):
            chosen = next((t for t in s.texts if t.key == key), None)
            if chosen is not None:
                values.update(title=chosen.text.splitlines()[0][:200], description=chosen.text)
                origin.update(source=ActionSource.commitment.value, source_ref=s.question_id)
    return values, origin
