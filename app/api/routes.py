"""The JSON API, version 1, under /api/v1 (described at /openapi.json)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api import assessments, backbone, instruments, me
from app.reports.routes import api as reports_api
from app.web.csrf import csrf_protect

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)])
router.include_router(me.router)
router.include_router(instruments.router)
router.include_router(assessments.router)
router.include_router(backbone.router)
router.include_router(reports_api)
