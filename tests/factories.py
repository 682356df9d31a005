"""Small builders for test data: organizations, users in roles, signed-in clients."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth import service as auth
from app.auth.models import User
from app.organizations.models import Organization, OrgKind, Role
from app.organizations.service import add_member

_n = itertools.count(1)
PASSWORD = "correct horse battery staple"


def backbone(db: Session, name: str | None = None) -> Organization:
    org = Organization(kind=OrgKind.backbone, name=name or f"Backbone {next(_n)}")
    db.add(org)
    db.flush()
    return org


def partner(db: Session, backbone_org: Organization, name: str | None = None, **fields: object) -> Organization:
    org = Organization(kind=OrgKind.partner, backbone_id=backbone_org.id, name=name or f"Partner {next(_n)}", **fields)
    db.add(org)
    db.flush()
    return org


def user(db: Session, org: Organization | None = None, role: Role | None = None, *, email: str | None = None,
         password: str | None = PASSWORD, language: str = "en", name: str = "") -> User:
    u = auth.create_user(db, email or f"user{next(_n)}@example.org", name=name, password=password, language=language)
    if org is not None and role is not None:
        add_member(db, u, org, role)
    db.flush()
    return u


def sign_in(client: TestClient, db: Session, u: User, days: int = 1) -> TestClient:
    token = auth.start_session(db, u, days)
    db.commit()
    for cookie in list(client.cookies.jar):  # drop a session the server set earlier (e.g. from an invitation link)
        if cookie.name == "reassess_session":
            client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
    client.cookies.set("reassess_session", token)
    return client


def api_token(db: Session, u: User) -> dict[str, str]:
    token = auth.create_api_token(db, u)
    db.commit()
    return {"Authorization": f"Bearer {token}"}
