"""A cycle's dates are the partnership's calendar dates: pages, saves and submissions agree on whether it is open,
whatever the server's own clock zone (issue: with TZ=America/Los_Angeles a page said "open" while every save was
refused as "closed")."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from app import clock
from app.assessments import service
from app.organizations.models import Role
from tests import factories as f
from tests.service.test_assessments import INSTRUMENT, cycle_assessment


def far_zone() -> str:
    """A fixed-offset zone whose date differs from UTC's right now (UTC+14 after 10:00 UTC, UTC-12 before 12:00)."""
    return "Etc/GMT-14" if dt.datetime.now(dt.UTC).hour >= 10 else "Etc/GMT+12"


@pytest.fixture
def server_zone():
    """The server's own clock in a zone whose date is not UTC's."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = far_zone()
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def partnership_zone():
    def use(name: str) -> None:
        clock.set_zone(name)

    yield use
    clock.set_zone("UTC")


def closing_today(db, catalogue, today: dt.date):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone)
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Closes today", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today - dt.timedelta(days=30), closes_on=today, partner_ids=[org.id], anonymous=False)
    person = f.user(db, org, Role.respondent)
    response = service.get_or_start_response(db, cycle_assessment(db, cycle), person.id, "en")
    db.commit()
    return cycle, person, response


def test_the_servers_clock_zone_changes_nothing(client, db, catalogue, csrf, server_zone):
    assert dt.date.today() != dt.datetime.now(dt.UTC).date()  # the server's local date is not the partnership's (UTC)
    cycle, person, response = closing_today(db, catalogue, dt.datetime.now(dt.UTC).date())
    assert service.cycle_state(cycle) == "open"
    f.sign_in(client, db, person)
    saved = client.post(f"/respond/{response.id}/answer", json={"item_id": "leadership-01", "value": "2"}, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200 and saved.json()["ok"]


def test_the_partnerships_time_zone_decides_for_pages_and_saves_alike(client, db, catalogue, csrf, partnership_zone):
    partnership_zone(far_zone())
    local_today = clock.today()
    assert local_today != dt.datetime.now(dt.UTC).date()
    cycle, person, response = closing_today(db, catalogue, local_today)
    f.sign_in(client, db, person)
    assert service.cycle_state(cycle) == "open"
    assert client.get(f"/respond/{response.id}/welcome").status_code == 200
    saved = client.post(f"/respond/{response.id}/answer", json={"item_id": "leadership-01", "value": "2"}, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200 and saved.json()["ok"]
    cycle.closes_on = local_today - dt.timedelta(days=1)  # closed yesterday, there: closed on the page and in the save
    db.commit()
    assert service.cycle_state(cycle) == "closed"
    refused = client.post(f"/respond/{response.id}/answer", json={"item_id": "leadership-02", "value": "2"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409


def test_an_unknown_time_zone_stops_start_up_with_what_to_write():
    from app.config import Settings

    with pytest.raises(ValueError, match="REASSESS_TIME_ZONE: unknown time zone 'Mars/Olympus'"):
        Settings(time_zone="Mars/Olympus", _env_file=None)
