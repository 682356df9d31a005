"""Every ORM model, imported in one place so metadata and Alembic see them all."""

from app.assessments.models import Answer, Assessment, Cycle, InstrumentRecord, Response, Result, TextMark
from app.audit import AuditEvent
from app.auth.models import ApiToken, Invitation, User, UserSession
from app.auth.ratelimit import RateLimitFailure
from app.composition.models import Benchmark, Composition, CompositionCount
from app.db import Base
from app.organizations.models import LocalResource, Membership, Organization
from app.plans.models import Action, ActionNote, CheckIn, Target
from app.reports.models import ReportCacheEntry
from app.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Action", "ActionNote", "Answer", "ApiToken", "Assessment", "AuditEvent", "Base", "Benchmark", "CheckIn", "Composition", "CompositionCount",
    "Cycle", "InstrumentRecord", "Invitation",
    "LocalResource", "Membership", "Organization", "RateLimitFailure", "ReportCacheEntry", "Response", "Result", "Target", "TextMark", "User", "UserSession",
    "Webhook", "WebhookDelivery",
]
