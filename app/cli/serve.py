"""`reassess serve` and `reassess migrate`."""

from __future__ import annotations

import argparse
import gc
import os
from typing import Any

from app.cli.common import safe_url
from app.config import Settings, follow_port, get_settings
from app.migration import migrate_database


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    migrate_database(settings)
    print(f"Database is up to date: {safe_url(settings.database_url)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    follow_port(args.host, args.port)
    settings = get_settings()
    migrate_database(settings)
    app = create_app(settings)  # also checks the database and records the instrument versions, once, before any worker
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/"
    workers = f"{args.workers} worker processes, " if args.workers > 1 else ""
    print(f"reassess is running at {url}  ({workers}database: {safe_url(settings.database_url)}; stop with Ctrl+C)", flush=True)
    options = server_options(args, settings)
    if args.workers > 1:
        app.state.engine.dispose()
        uvicorn.run("app.cli:worker_app", factory=True, workers=args.workers, **options)
    else:
        _web_process(settings, app)
        uvicorn.run(app, **options)
    return 0


def server_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """uvicorn's options. X-Forwarded-For and -Proto are believed only from REASSESS_TRUSTED_PROXIES (none by default):
    believed from anyone else, any client could name any address and escape the per-address limits."""
    options: dict[str, Any] = {"host": args.host, "port": args.port, "log_level": args.log_level,
                               "proxy_headers": bool(settings.trusted_proxies)}
    if settings.trusted_proxies:
        options["forwarded_allow_ips"] = list(settings.trusted_proxies)
    return options


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(f"the number of worker processes must be a whole number from 1 to 64, not {value!r}")
    return n


def worker_app() -> Any:
    """The application of one worker process of `reassess serve --workers N` (the parent migrated and checked the database)."""
    from app.main import create_app

    settings = get_settings()
    app = create_app(settings, check_database=False)
    _web_process(settings, app)
    return app


def _web_process(settings: Settings, app: Any) -> None:
    """What a web process of `reassess serve` does besides building the app: start its report renderer processes and
    its scheduler thread (cycle and check-in reminders: app/scheduler.py), and keep the garbage collector off the objects that
    live as long as the process."""
    from app import scheduler
    from app.reports import renderer
    from app.web import templating

    renderer.warm_up(settings.report_processes)
    templating.compile_all()  # while the renderers warm up, in their own processes
    app.state.scheduler = scheduler.start(app.state.sessionmaker, settings, app.state.catalogue)
    tune_garbage_collector()


def tune_garbage_collector() -> None:
    """The app's long-lived objects (instrument catalogue, templates, routes: about 130,000) are moved out of the
    collector's reach (gc.freeze), and young objects are collected every 10,000 allocations rather than 700. Under load
    the collector had taken about 8 % of each web process's time, mostly re-scanning those objects (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="migrate the database, then run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.add_argument("--workers", type=_workers, default=os.environ.get("REASSESS_WORKERS") or "1",
                   help="web processes (default 1, or REASSESS_WORKERS); one per core uses them all")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(handler=cmd_migrate)
