"""The partnership's own resources (app.organizations.models.LocalResource): listed by the backbone's administrators,
shown to every reader of a result page or a report beside the instrument's, per domain and language."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import audit
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.organizations.models import LocalResource
from app.text import clean_text


def resources_of(db: Session, backbone_id: int | None, lang: str | None = None) -> list[LocalResource]:
    """The partnership's resources (for readers of ``lang``: those in that language or in every language), by domain."""
    if backbone_id is None:
        return []
    q = select(LocalResource).where(LocalResource.backbone_id == backbone_id)
    if lang is not None:
        q = q.where(or_(LocalResource.language.is_(None), LocalResource.language == lang))
    return list(db.scalars(q.order_by(LocalResource.domain_id.is_not(None), LocalResource.domain_id, LocalResource.id)))


def by_domain(resources: list[LocalResource], domain_ids: list[str]) -> dict[str, list[LocalResource]]:
    """Per domain, its own resources and then those for every domain."""
    common = [r for r in resources if r.domain_id is None]
    return {d: [r for r in resources if r.domain_id == d] + common for d in domain_ids}


def digest(resources: list[LocalResource]) -> list[list[object]]:
    """What of them a cached report depends on."""
    return [[r.id, r.domain_id, r.title, r.url, r.note] for r in resources]


def add(db: Session, backbone_id: int, actor_id: int | None, *, title: str, url: str, note: str, domain_id: str, language: str,
        domains: set[str], languages: list[str]) -> LocalResource:
    title, url, note = clean_text(title).strip(), url.strip(), clean_text(note).strip()
    if not title or "\n" in title or len(title) > 300:
        raise Invalid(_("Give the resource a name of one line (at most 300 characters)."), field="title")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in url) or len(url) > 2000:
            raise Invalid(_("Enter the full web address, starting with https://, or leave it empty."), field="url")
    if len(note) > 2000:
        raise Invalid(_("Keep the description under 2,000 characters."), field="note")
    if domain_id and domain_id not in domains:
        raise Invalid(_("Choose a domain from the list."), field="domain_id")
    if language and language not in languages:
        raise Invalid(_("Choose a language from the list."), field="language")
    resource = LocalResource(backbone_id=backbone_id, title=title, url=url or None, note=note, domain_id=domain_id or None,
                             language=language or None, created_by_id=actor_id)
    db.add(resource)
    db.flush()
    audit.record(db, actor_id, "resource.added", "organization", backbone_id, backbone_id, title=title)
    return resource


def remove(db: Session, backbone_id: int, resource_id: int, actor_id: int | None) -> None:
    resource = db.get(LocalResource, resource_id)
    if resource is None or resource.backbone_id != backbone_id:
        raise NotFound()
    audit.record(db, actor_id, "resource.removed", "organization", backbone_id, backbone_id, title=resource.title)
    db.delete(resource)
