"""The shared fixtures keep tests apart: the world is built once per module, and what a test changes is rolled back."""

from __future__ import annotations

from sqlalchemy import func, select

from app.organizations.models import Organization
from tests import factories as f

seen: list[object] = []


def test_a_test_may_change_the_world_and_commit(world, world_rows, db):
    seen.append(world_rows)
    world["a"].name = "Renamed by a test"
    f.partner(db, world["backbone"], "Added by a test")
    db.commit()
    assert db.scalar(select(Organization.name).where(Organization.id == world["a"].id)) == "Renamed by a test"


def test_the_next_test_gets_the_world_as_built_and_not_built_again(world, world_rows, db):
    assert world_rows is seen[0]  # built once for the module
    assert world["a"].name == "Alder School District"
    assert db.scalar(select(func.count()).select_from(Organization).where(Organization.name == "Added by a test")) == 0


def test_a_test_without_the_world_in_a_module_that_shares_it_sees_it_too(db):
    assert db.scalar(select(func.count()).select_from(Organization).where(Organization.name == "Alder School District")) == 1
