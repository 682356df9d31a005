"""Every router of the application, in one place (the permission matrix test walks this table)."""

from __future__ import annotations

from fastapi import FastAPI


def include_routers(app: FastAPI) -> None:
    from app.api.routes import router as api_router
    from app.assessments.routes import router as assessment_router
    from app.auth.routes import router as auth_router
    from app.dashboard.routes import router as dashboard_router
    from app.partner.routes import router as partner_router
    from app.reports.routes import router as reports_router
    from app.respond.routes import router as respond_router
    from app.web.catalogue import router as instruments_router
    from app.web.routes import health_router
    from app.web.routes import router as web_router

    app.include_router(health_router)
    app.include_router(web_router)
    app.include_router(auth_router)
    app.include_router(instruments_router)
    app.include_router(assessment_router)
    app.include_router(respond_router)
    app.include_router(partner_router)
    app.include_router(dashboard_router)
    app.include_router(reports_router)
    app.include_router(api_router)
