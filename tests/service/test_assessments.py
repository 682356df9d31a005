"""Answers, submission and stored results: the service layer against the real instrument and database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.assessments import service
from app.assessments.models import Answer, AssessmentStatus, Depth, Result, Special
from app.assessments.service import AnswerInput
from app.audit import AuditEvent
from app.errors import Conflict, Invalid
from app.organizations.models import Role
from app.scoring import ENGINE_VERSION, score_assessment
from tests import factories as f

INSTRUMENT = ("equity-self-assessment", "1.0")


@pytest.fixture
def setup(db, catalogue):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone)
    lead = f.user(db, org, Role.partner_lead)
    instrument = catalogue.get(*INSTRUMENT)
    today = dt.date.today()
    # Named: these tests are about storing results; the anonymity rules of submission have tests of their own below.
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", instrument=instrument, anonymous=False,
                                 opens_on=today - dt.timedelta(days=5), closes_on=today + dt.timedelta(days=5), partner_ids=[org.id])
    assessment = cycle_assessment(db, cycle)
    return {"backbone": backbone, "admin": admin, "org": org, "lead": lead, "cycle": cycle, "assessment": assessment,
            "instrument": instrument}


def cycle_assessment(db, cycle, org=None):
    from app.assessments.models import Assessment

    query = select(Assessment).where(Assessment.cycle_id == cycle.id)
    return db.scalar(query.where(Assessment.organization_id == org.id) if org is not None else query)


def respond(db, catalogue, assessment, org, values: dict[str, str], submit: bool = True):
    person = f.user(db, org, Role.respondent, password=None)
    response = service.get_or_start_response(db, assessment, person.id, "en")
    service.set_respondent_profile(db, catalogue, response, "staff", [])
    for item_id, value in values.items():
        service.save_answer(db, catalogue, response, AnswerInput(item_id, value=value))
    if submit:
        service.submit_response(db, response, person.id)
    db.flush()
    return response


def test_creating_a_cycle_gives_each_partner_one_assessment(db, setup):
    assert setup["assessment"].organization_id == setup["org"].id
    assert service.add_partners(db, setup["cycle"], [setup["org"].id]) == []  # once only


def test_answers_are_validated_against_the_item_and_its_scale(db, catalogue, setup):
    response = respond(db, catalogue, setup["assessment"], setup["org"], {}, submit=False)
    rated = next(i for i in setup["instrument"].items if i.is_rated)
    with pytest.raises(Invalid, match="Choose one of the answers offered"):
        service.save_answer(db, catalogue, response, AnswerInput(rated.id, value="7"))
    with pytest.raises(Invalid, match="Unknown question"):
        service.save_answer(db, catalogue, response, AnswerInput("no-such-item", value="1"))
    with pytest.raises(Invalid, match="too long"):
        service.save_answer(db, catalogue, response, AnswerInput(rated.id, value="1", comment="x" * 5001))
    assert db.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id)) == 0
    service.save_answer(db, catalogue, response, AnswerInput(rated.id, value="dont_know", comment="  ask HR "))
    answer = service.answers_of(db, response.id)[rated.id]
    assert answer.special is Special.dont_know and answer.value is None and answer.comment == "ask HR"


def test_last_write_wins_per_item_and_other_items_are_untouched(db, catalogue, setup):
    response = respond(db, catalogue, setup["assessment"], setup["org"], {}, submit=False)
    a, b = [i.id for i in setup["instrument"].items if i.is_rated][:2]
    service.save_answer(db, catalogue, response, AnswerInput(a, value="1"))
    service.save_answer(db, catalogue, response, AnswerInput(b, value="2"))
    service.save_answer(db, catalogue, response, AnswerInput(a, value="3"))
    db.expire_all()
    stored = service.answers_of(db, response.id)
    assert (stored[a].value, stored[b].value) == (3, 2)


@pytest.mark.parametrize("change, message", [
    ("response submitted", "This response has been submitted"),
    ("assessment submitted", "Your organization has submitted this assessment"),
    ("cycle closed", "This assessment cycle is closed"),
    ("cycle ended", "This assessment cycle is closed"),
])
def test_an_answer_read_from_a_stale_snapshot_is_refused_by_the_write_itself(db, catalogue, setup, change, message):
    """The autosave reads its response without the write lock; what changed since (another request submitted or
    closed it) is caught by the upsert's own condition, and nothing is written."""
    from sqlalchemy import update

    from app.assessments.models import Assessment, Cycle, Response, ResponseStatus

    response = respond(db, catalogue, setup["assessment"], setup["org"], {}, submit=False)
    rated = next(i.id for i in setup["instrument"].items if i.is_rated)
    assessment, cycle = response.assessment, response.assessment.cycle
    statement = {
        "response submitted": update(Response).where(Response.id == response.id).values(status=ResponseStatus.submitted),
        "assessment submitted": update(Assessment).where(Assessment.id == assessment.id).values(status=AssessmentStatus.submitted),
        "cycle closed": update(Cycle).where(Cycle.id == cycle.id).values(closed_at=dt.datetime.now(dt.UTC)),
        "cycle ended": update(Cycle).where(Cycle.id == cycle.id).values(closes_on=dt.date.today() - dt.timedelta(days=1)),
    }[change]
    db.execute(statement.execution_options(synchronize_session=False))  # the objects in hand still say "open"
    assert response.status is ResponseStatus.in_progress and cycle.closed_at is None
    with pytest.raises(Conflict, match=message):
        service.save_answer(db, catalogue, response, AnswerInput(rated, value="1"))
    assert db.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id)) == 0


def test_a_core_cycle_refuses_deeper_items(db, catalogue, setup):
    setup["cycle"].depth = Depth.core
    response = respond(db, catalogue, setup["assessment"], setup["org"], {}, submit=False)
    deeper = next(i for i in setup["instrument"].items if i.step == 2)
    with pytest.raises(Invalid, match="Unknown question"):
        service.save_answer(db, catalogue, response, AnswerInput(deeper.id, value="1"))


def test_submission_stores_the_engines_result_once_and_freezes_answers(db, catalogue, setup):
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    responses = [respond(db, catalogue, setup["assessment"], setup["org"], {i: str(k % 4) for i in rated}) for k in range(3)]
    row = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    again = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert again.id == row.id
    assert db.scalar(select(func.count()).select_from(Result).where(Result.assessment_id == setup["assessment"].id)) == 1
    assert row.engine_version == ENGINE_VERSION and setup["assessment"].status is AssessmentStatus.submitted
    fresh = score_assessment(setup["instrument"], service.scoring_inputs(db, setup["assessment"].id), depth="full", min_group_size=5)
    assert row.data == fresh.model_dump(mode="json")
    assert row.data["n_responses"] == 3
    with pytest.raises(Conflict, match="submitted"):
        service.save_answer(db, catalogue, responses[0], AnswerInput(rated[0], value="1"))


def test_submission_needs_a_submitted_response_and_an_open_cycle(db, catalogue, setup):
    respond(db, catalogue, setup["assessment"], setup["org"], {}, submit=False)
    with pytest.raises(Invalid, match="No response has been submitted"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    setup["cycle"].closed_at = dt.datetime.now(dt.UTC)
    with pytest.raises(Conflict, match="closed"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)


def test_reopen_then_resubmit_keeps_the_old_result_in_history(db, catalogue, setup):
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    first = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert service.reopen_assessment(db, setup["assessment"], setup["admin"].id, "late responses")
    assert setup["assessment"].status is AssessmentStatus.reopened
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "3"))
    second = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    history = service.result_history(db, setup["assessment"].id)
    assert [r.id for r in history] == [first.id, second.id]
    assert not history[0].is_current and history[0].superseded_at is not None and history[1].is_current
    assert second.data["overall"]["score"] > first.data["overall"]["score"]
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(setup["assessment"].id))))
    assert actions.count("assessment.submitted") == 2 and "assessment.reopened" in actions


def test_recompute_supersedes_without_deleting(db, catalogue, setup):
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "2"))
    first = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert service.recompute_results(db, catalogue, 5, cycle_id=setup["cycle"].id) == 1
    history = service.result_history(db, setup["assessment"].id)
    assert len(history) == 2 and history[0].id == first.id and history[1].data == first.data


def test_an_anonymous_result_never_rests_on_fewer_than_the_minimum_alone_or_as_a_difference(db, catalogue, setup):
    """docs/privacy.md, "Small organizations": the first result needs the minimum of submitted responses; a new result
    after reopening needs none or that many more, or comparing the two results would isolate the late answers."""
    setup["cycle"].anonymous = True
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    for _k in range(4):
        respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    with pytest.raises(Invalid, match=r"at least 5 people .*so far: 4"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert service.current_result(db, setup["assessment"].id) is None
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    first = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert first.data["n_responses"] == 5
    service.reopen_assessment(db, setup["assessment"], setup["admin"].id, "one more person")
    late = respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "3"))
    with pytest.raises(Invalid, match="1 more person has submitted.*at least 5 new responses"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert service.current_result(db, setup["assessment"].id).id == first.id
    counted = service.counted_responses(db, [setup["assessment"].id])[setup["assessment"].id]
    assert late.id not in {r.id for r in counted} and len(counted) == 5  # exports and the API keep to what the result counts
    for _k in range(4):
        respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "2"))
    second = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert second.data["n_responses"] == 10


def test_the_log_says_that_someone_submitted_never_who_in_an_anonymous_cycle(db, catalogue, setup):
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    named = respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    setup["cycle"].anonymous = True
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    actors = list(db.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "response.submitted",
                                                               AuditEvent.object_id == str(setup["assessment"].id)).order_by(AuditEvent.id)))
    assert actors == [named.user_id, None]


def test_the_leads_own_answers_do_not_count_toward_the_minimum(db, catalogue, setup):
    """The lead knows their own answers: with four others, subtracting them would leave four people, not five."""
    setup["cycle"].anonymous = True
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    own = service.get_or_start_response(db, setup["assessment"], setup["lead"].id, "en")
    service.set_respondent_profile(db, catalogue, own, "executive", [])
    service.submit_response(db, own, setup["lead"].id)
    for _k in range(4):
        respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    with pytest.raises(Invalid, match=r"besides its leads .*so far: 4"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    assert service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5).data["n_responses"] == 6


def test_a_new_result_may_not_isolate_a_late_person_through_a_group(db, catalogue, setup):
    """Five staff, then one staff and five board members: the new staff group minus the old whole is one person."""
    setup["cycle"].anonymous = True
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    for _k in range(5):
        respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    first = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    service.reopen_assessment(db, setup["assessment"], setup["admin"].id, "more people")
    respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "3"))
    for _k in range(5):
        board = respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "2"), submit=False)
        service.set_respondent_profile(db, catalogue, board, "board", [])
        service.submit_response(db, board, board.user_id)
    with pytest.raises(Invalid, match="by the answers of 1 person in one of the groups"):
        service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert service.current_result(db, setup["assessment"].id).id == first.id


def test_the_backbones_coded_rows_release_no_field_that_the_results_groups_would_let_it_complete(db, catalogue, setup):
    """Five staff (one answering in English, four in Spanish), three managers and three board members: too few managers
    and board members for the roles to go out with the rows, but the result shows the staff's figures, so who is staff
    can be found by matching subsets of coded rows to them; with the language beside the rows (six in English, five in
    Spanish: enough on its own) the English-speaking staff member would be alone. The rows never carry the language."""
    from app.exports.answers import answer_rows

    setup["cycle"].anonymous = True
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    for k in range(11):
        r = respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, str(k % 4)), submit=False)
        service.set_respondent_profile(db, catalogue, r, "staff" if k < 5 else "manager" if k < 8 else "board", [])
        r.language = "es" if 0 < k < 5 or k == 10 else "en"
        service.submit_response(db, r, r.user_id)
    row = service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)
    assert set(row.data["groups"]["role_group"]) == {"staff"}
    rows = answer_rows(db, [setup["assessment"].id], "pseudonymous", 5)[setup["assessment"].id]
    assert rows and {r["language"] for r in rows} == {None} and len({r["respondent"] for r in rows}) == 11


def test_a_result_stored_before_the_minimum_rule_is_withdrawn_not_shown(db, catalogue, setup):
    """An anonymous result of three people, stored by an earlier release: `reassess results recompute` withdraws it
    (no page, export or report shows it) and reopens the assessment; a result of enough people is kept."""
    rated = [i.id for i in setup["instrument"].items if i.is_rated]
    for _k in range(3):
        respond(db, catalogue, setup["assessment"], setup["org"], dict.fromkeys(rated, "1"))
    service.submit_assessment(db, catalogue, setup["assessment"], setup["lead"].id, 5)  # named, so allowed ...
    setup["cycle"].anonymous = True  # ... and as an older release stored it for an anonymous cycle
    db.flush()
    assert service.withdraw_small_results(db, 5) == 1
    assert service.current_result(db, setup["assessment"].id) is None
    assert setup["assessment"].status is AssessmentStatus.reopened
    assert service.counted_responses(db, [setup["assessment"].id])[setup["assessment"].id] == []
    assert service.withdraw_small_results(db, 5) == 0
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(setup["assessment"].id))))
    assert "result.withdrawn" in actions
