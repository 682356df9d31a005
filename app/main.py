"""create_app(): settings, catalogue, database, routers, middleware, templates, static files."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app import i18n
from app.auth.ratelimit import Limiter, rules
from app.config import ConfigError, Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.instruments.loader import Catalogue, load_catalogue
from app.web import errors
from app.web.middleware import LocaleAndSecurityMiddleware
from app.web.templating import WEB_DIR

API_DESCRIPTION = """The JSON API of reassess, version 1, under `/api/v1`.

**Authentication**: a bearer token, `Authorization: Bearer rsk_...`, made with `reassess token create --email EMAIL`
(revoked with `reassess token revoke`). A token acts as its user: it reads and changes what that person may in the
browser. Press *Authorize* to try the operations here with one.

**Languages**: labels and messages come in the language of `?lang=` or of the `Accept-Language` header.

**Paging**: every list takes `limit` (at most 500, default 100) and `cursor`; the next page's cursor is in the
`X-Next-Cursor` header and in `Link: <...>; rel="next"`. The last page has neither.

**Errors**: every error is `{"detail": "...", "errors": [...]}`: a message in the request's language, and for a 422
each field at fault with its own message.

**Privacy**: answers leave the server only after their organization has submitted, under the rules of
`docs/privacy.md` (codes new in every call in an anonymous cycle; no group field shared by fewer than the minimum).
"""

log = logging.getLogger("reassess")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, catalogue: Catalogue | None = None,
               check_database: bool = True) -> FastAPI:
    """Build the application; raises ConfigError or InstrumentError with a clear message when it cannot start."""
    settings = settings or get_settings()
    try:
        i18n.check_catalogs(settings.locales)
    except i18n.CatalogError as exc:
        raise ConfigError(str(exc)) from None
    catalogue = catalogue if catalogue is not None else load_catalogue(settings.surveys_dir)
    engine = engine or make_engine(settings.database_url)
    if check_database:
        check_database_ready(engine, settings)
        from app import clock
        from app.assessments.catalogue import check_languages, record_versions

        with make_sessionmaker(engine)() as session:
            record_versions(session, catalogue)
            session.commit()
            check_languages(session, catalogue, settings.locales, clock.today())

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = _app.state.settings.threads
        yield

    # The docs pages (Swagger UI at /docs, ReDoc at /redoc) are served from the app's own files (fastapi-offline): no
    # CDN, which the CSP refuses and an offline deployment cannot reach.
    app = FastAPIOffline(lifespan=lifespan, title="reassess", version="1.0", summary="Organizational racial-equity self-assessments",
                         description=API_DESCRIPTION, openapi_url="/openapi.json", docs_url="/docs", redoc_url="/redoc",
                         static_url="/static-docs",
                         swagger_ui_parameters={"persistAuthorization": False, "tryItOutEnabled": False})
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.limiter = Limiter(rules(settings))
    app.add_middleware(LocaleAndSecurityMiddleware, settings=settings)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    from app.routing import include_routers

    include_routers(app)
    wire_templates()
    return app


def wire_templates() -> None:
    """The domain's helpers that templates call, given to the shared template environment here (the composition root), so
    that app.web imports no service and no permission code."""
    from app import access
    from app.assessments.cycles import cycle_state
    from app.web.templating import env

    env.globals.update(cycle_state=cycle_state, is_backbone_admin=access.is_backbone_admin)


def check_database_ready(engine: Engine, settings: Settings) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            has_schema = engine.dialect.has_table(conn, "alembic_version")
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        raise ConfigError(f"REASSESS_DATABASE_URL: cannot connect to {engine.url.render_as_string(hide_password=True)} ({reason})") from None
    if not has_schema:
        raise ConfigError("the database has no tables yet: run `reassess migrate` first (`reassess serve` does it for you)")
