"""Every router of the application, in one place: the app includes this table and the permission matrix
test walks it (``route_table``), so a route added here without an expected outcome per role fails the tests."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI, Security
from fastapi.routing import APIRoute

from app.web.csrf import csrf_protect


@dataclass(frozen=True)
class Route:
    method: str
    path: str


def routers() -> list[tuple[APIRouter, str]]:
    """(router, prefix) pairs; the HTML routers carry their own CSRF dependency, the API ones get it here."""
    from app.api.routes import PREFIX as API_PREFIX
    from app.api.routes import ROUTERS as API_ROUTERS
    from app.assessments.routes import router as assessment_router
    from app.auth.reset_routes import router as reset_router
    from app.auth.routes import router as auth_router
    from app.composition.backbone_routes import router as composition_backbone_router
    from app.composition.routes import router as composition_router
    from app.dashboard.cycle_routes import router as cycles_router
    from app.dashboard.edit_routes import router as cycle_edit_router
    from app.dashboard.language_routes import router as languages_router
    from app.dashboard.lifecycle_routes import router as lifecycle_router
    from app.dashboard.people_routes import router as people_router
    from app.dashboard.reminder_routes import router as reminders_router
    from app.dashboard.routes import router as dashboard_router
    from app.organizations.import_routes import router as partners_import_router
    from app.organizations.resource_routes import router as resources_router
    from app.organizations.routes import router as partners_router
    from app.partner.routes import router as partner_router
    from app.plans.checkin_routes import router as check_ins_router
    from app.plans.editor_routes import router as plan_editors_router
    from app.plans.routes import router as plans_router
    from app.plans.target_routes import router as targets_router
    from app.reports.routes import router as reports_router
    from app.respond.entry import router as entry_router
    from app.respond.lead_entry import router as lead_entry_router
    from app.respond.review_routes import router as review_router
    from app.respond.routes import router as respond_router
    from app.web.catalogue import router as instruments_router
    from app.web.routes import health_router
    from app.web.routes import router as web_router
    from app.webhooks.routes import router as webhooks_router

    html = [health_router, web_router, auth_router, reset_router, instruments_router, assessment_router, entry_router, lead_entry_router,
            review_router, respond_router,
            partner_router, plans_router, plan_editors_router, check_ins_router, targets_router, dashboard_router, partners_import_router, partners_router,
            cycles_router, cycle_edit_router, lifecycle_router, reminders_router, people_router, reports_router, webhooks_router,
            resources_router, languages_router, composition_router, composition_backbone_router]
    return [(r, "") for r in html] + [(r, API_PREFIX) for r in API_ROUTERS]


def include_routers(app: FastAPI) -> None:
    from app.api.deps import ERRORS, bearer

    limit = app.state.settings.max_body_bytes  # bodies sent without a length; the middleware refuses the others first
    for router, prefix in routers():
        if prefix:
            app.include_router(router, prefix=prefix, dependencies=[Depends(csrf_protect), Security(bearer)], responses=ERRORS,
                               max_body_size=limit)
        else:
            app.include_router(router, max_body_size=limit)


def route_table() -> list[Route]:
    """Every (method, path) the application answers, HEAD aside."""
    table = []
    for router, prefix in routers():
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"{route!r}: nested routers are not walked; include it in app.routing.routers()")
            for method in sorted(route.methods - {"HEAD"}):
                table.append(Route(method, prefix + route.path))
    return table
