"""The JSON API, version 1, under /api/v1 (described at /openapi.json): its routers, included by app.routing."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import assessments, backbone, instruments, me
from app.api.deps import ERRORS
from app.reports.routes import api as reports_api

PREFIX = "/api/v1"


def _documented(router: APIRouter) -> APIRouter:
    """The router's routes, with the error answers every API route can give in the OpenAPI document."""
    documented = APIRouter()
    documented.include_router(router, responses=ERRORS)
    return documented


ROUTERS: list[APIRouter] = [_documented(r) for r in (me.router, instruments.router, assessments.router, backbone.router, reports_api)]
