"""The JSON API, version 1, under /api/v1 (described at /openapi.json): its routers, included by app.routing."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import assessments, backbone, composition, cycles, instruments, me, plans, running, webhooks
from app.reports.routes import api as reports_api

PREFIX = "/api/v1"
ROUTERS: list[APIRouter] = [me.router, instruments.router, assessments.router, backbone.router, cycles.router, plans.router, running.router,
                            webhooks.router, composition.router, reports_api]
