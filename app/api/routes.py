"""The JSON API, version 1, under /api/v1 (described at /openapi.json): its routers, included by app.routing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api import assessments, backbone, instruments, me
from app.api.deps import ERRORS
from app.reports.routes import api as reports_api

PREFIX = "/api/v1"
ROUTERS: list[APIRouter] = [me.router, instruments.router, assessments.router, backbone.router, reports_api]
# The error answers every API route can give, documented in the OpenAPI document for clients and schema-driven tests.
RESPONSES: dict[int | str, dict[str, Any]] = ERRORS
