"""What partners can learn from the partnership's targets and from invitations (an attacker pass found each of these):

- a target's figure read before and after one partner submits gave that partner's level: partners see figures of
  closed cycles only, frozen at the close; plan editors see the targets' words alone;
- inviting an address someone else had invited showed their link: only whoever made an invitation is shown its link;
- a revoked link's page spoke the invitee's language, which an unknown link's page does not: both speak the browser's.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment, Result
from app.db import utcnow
from app.organizations.models import Membership, Role
from app.plans.models import Target, TargetKind
from tests import factories as f
from tests.dashboard_world import INSTRUMENT, answer_and_submit


def partnership(db, catalogue, n_partners=6):
    backbone = f.backbone(db, "Learning Backbone")
    admin = f.user(db, backbone, Role.backbone_admin)
    orgs = [f.partner(db, backbone, f"Learning Partner {k}") for k in range(n_partners)]
    leads = [f.user(db, o, Role.partner_lead) for o in orgs]
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Round", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today, closes_on=today + dt.timedelta(days=30), partner_ids=[o.id for o in orgs])
    for o, lead in zip(orgs[:-1], leads[:-1], strict=True):
        answer_and_submit(db, catalogue, cycle, o, lead, {"*": 2})
    db.add(Target(backbone_id=backbone.id, title="Established everywhere", kind=TargetKind.share_at_level, domain_id="overall",
                  level_index=2, share=80, reference_cycle_id=cycle.id))
    db.commit()
    return {"backbone": backbone, "admin": admin, "orgs": orgs, "leads": leads, "cycle": cycle}


def figures(client, headers) -> list[tuple[float, int]]:
    return [(s["value"], s["partners"]) for t in client.get("/api/v1/targets", headers=headers).json() for s in t["standings"]]


def test_a_partner_never_sees_a_target_figure_move_with_one_partners_submission(client, db, catalogue):
    p = partnership(db, catalogue)
    lead = f.api_token(db, p["leads"][0])
    admin = f.api_token(db, p["admin"])
    assert figures(client, admin) == [(100.0, 5)]  # the backbone sees the open cycle live
    assert figures(client, lead) == []  # a partner: nothing while the cycle is open
    answer_and_submit(db, catalogue, p["cycle"], p["orgs"][-1], p["leads"][-1], {"*": 1})  # the last partner, below Established
    db.commit()
    assert figures(client, lead) == []
    service.close_cycle(db, p["cycle"], p["admin"].id)
    db.commit()
    assert figures(client, lead) == [(83.3, 6)]  # at the close: six partners at once
    # After the close, a result computed later (a recomputation after an engine change, say) moves the backbone's
    # figure, never the partners'.
    first = db.scalar(select(Result).join(Assessment, Assessment.id == Result.assessment_id).where(
        Assessment.organization_id == p["orgs"][0].id, Result.is_current.is_(True)))
    first.is_current = False
    db.add(Result(assessment_id=first.assessment_id, data=first.data, engine_version=first.engine_version, is_current=True,
                  instrument_id=first.instrument_id, instrument_version=first.instrument_version,
                  computed_at=utcnow() + dt.timedelta(minutes=1),
                  summary={**first.summary, "overall": {**first.summary["overall"], "level": "developing", "shown": 40}}))
    db.commit()
    assert figures(client, admin) == [(66.7, 6)]
    assert figures(client, lead) == [(83.3, 6)]


def test_a_plan_editor_reads_the_targets_words_and_no_figure(client, db, catalogue):
    p = partnership(db, catalogue)
    service.close_cycle(db, p["cycle"], p["admin"].id)
    editor = f.user(db, email="editor@learning.example.org")
    db.add(Membership(user_id=editor.id, organization_id=p["orgs"][0].id, role=Role.plan_editor))
    db.commit()
    listed = client.get("/api/v1/targets", headers=f.api_token(db, editor)).json()
    assert [t["title"] for t in listed] == ["Established everywhere"] and all(t["standings"] == [] for t in listed)
    f.sign_in(client, db, editor)
    page = client.get(f"/plans/{p['orgs'][0].id}").text
    assert "Established everywhere" in page and "✓ Met" not in page and "Not yet" not in page


def test_only_whoever_made_an_invitation_is_shown_its_link(client, db, catalogue, csrf, new_client):
    p = partnership(db, catalogue)
    org = p["orgs"][-1]
    second_lead = f.user(db, org, Role.partner_lead)
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == p["cycle"].id, Assessment.organization_id == org.id))
    first = f.sign_in(new_client(), db, p["leads"][-1])
    made = first.post(f"/partner/assessments/{assessment.id}/invite", data={"emails": "victim@learning.example.org", "csrf_token": csrf})
    link = re.findall(r'value="http://[^"]+(/invite/[^"]+)"', made.text)
    assert len(link) == 1
    for who in (second_lead, p["admin"]):
        other = f.sign_in(new_client(), db, who)
        again = other.post(f"/partner/assessments/{assessment.id}/invite", data={"emails": "victim@learning.example.org", "csrf_token": csrf})
        assert again.status_code == 200 and link[0] not in again.text and "/invite/" not in again.text
        assert "Already invited by someone else" in again.text


def test_a_revoked_link_and_an_unknown_one_get_the_same_page_in_the_browsers_language(client, db, catalogue, csrf, new_client):
    p = partnership(db, catalogue)
    org = p["orgs"][-1]
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == p["cycle"].id, Assessment.organization_id == org.id))
    lead = f.sign_in(new_client(), db, p["leads"][-1])
    made = lead.post(f"/partner/assessments/{assessment.id}/invite", data={"emails": "es1@learning.example.org", "language": "es",
                                                                           "csrf_token": csrf})
    link = re.findall(r'value="http://[^"]+(/invite/[^"]+)"', made.text)[0]
    invitation_id = re.search(r'/partner/invitations/(\d+)/revoke', made.text).group(1)
    assert lead.post(f"/partner/invitations/{invitation_id}/revoke", data={"csrf_token": csrf}).status_code == 303
    revoked, unknown = new_client().get(link), new_client().get("/invite/inv_" + "A" * 40)
    assert revoked.status_code == unknown.status_code == 404
    strip = lambda r: re.sub(r'/invite/[^?"]+', "/invite/X", re.sub(r'name="csrf_token" value="[^"]+"', "", r.text))  # noqa: E731
    assert strip(revoked) == strip(unknown) and '<html lang="en">' in revoked.text
