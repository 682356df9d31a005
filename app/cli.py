"""The `reassess` command: serve, migrate, users, tokens, instruments (and more as features land)."""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import ROOT, ConfigError, Settings, get_settings
from app.i18n import gettext as _
from app.instruments.loader import InstrumentError

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A usage problem: printed as one line, exit code 2."""


def migrate_database(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from app.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            cfg = Config(str(ROOT / "alembic.ini"))
            cfg.set_main_option("script_location", str(ROOT / "migrations"))
            cfg.attributes["connection"] = conn
            cfg.attributes["skip_logging"] = True
            command.upgrade(cfg, "head")
    except Exception as exc:  # noqa: BLE001 - turned into one clear line
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0]
            raise ConfigError(f"REASSESS_DATABASE_URL: cannot connect to {engine.url.render_as_string(hide_password=True)} ({reason})") from None
        raise
    finally:
        engine.dispose()


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    migrate_database(settings)
    print(f"Database is up to date: {_safe_url(settings.database_url)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = get_settings()
    migrate_database(settings)
    app = create_app(settings)  # also checks the database and records the instrument versions, once, before any worker
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/"
    workers = f"{args.workers} worker processes, " if args.workers > 1 else ""
    print(f"reassess is running at {url}  ({workers}database: {_safe_url(settings.database_url)}; stop with Ctrl+C)", flush=True)
    options = server_options(args, settings)
    if args.workers > 1:
        app.state.engine.dispose()
        uvicorn.run("app.cli:worker_app", factory=True, workers=args.workers, **options)
    else:
        _web_process(settings)
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
    _web_process(settings)
    return app


def _web_process(settings: Settings) -> None:
    """What a web process of `reassess serve` does besides building the app: start its report renderer processes, and
    keep the garbage collector off the objects that live as long as the process."""
    from app.reports import renderer

    renderer.warm_up(settings.report_processes)
    tune_garbage_collector()


def tune_garbage_collector() -> None:
    """The app's long-lived objects (instrument catalogue, templates, routes: about 130,000) are moved out of the
    collector's reach (gc.freeze), and young objects are collected every 10,000 allocations rather than 700. Under load
    the collector had taken about 8 % of each web process's time, mostly re-scanning those objects (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _session():  # type: ignore[no-untyped-def]
    from app.db import make_engine, make_sessionmaker

    settings = get_settings()
    return make_sessionmaker(make_engine(settings.database_url))()


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for a password: pass it on standard input with --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CliError("the two passwords differ")
    return first


def cmd_user_create(args: argparse.Namespace) -> int:
    from app.auth import service as auth
    from app.auth.security import password_problem
    from app.organizations import service as orgs
    from app.organizations.models import Role

    role = Role(args.role)
    settings = get_settings()
    args.lang = args.lang or settings.default_locale
    if args.lang not in settings.locales:
        raise CliError(f"--lang {args.lang}: not one of REASSESS_LOCALES ({', '.join(settings.locales)})")
    password = None if args.no_password else _read_password(args)
    if password is not None and (problem := password_problem(password, args.email)):
        raise CliError(f"password too weak: {problem}")
    with _session() as db:
        try:
            org = orgs.find_or_create_for_role(db, args.org, role, backbone_name=args.backbone)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        user = auth.get_user_by_email(db, args.email)
        if user is None:
            user = auth.create_user(db, args.email, name=args.name or "", password=password, language=args.lang)
        elif password is not None:
            auth.set_password(user, password)
        orgs.add_member(db, user, org, role)
        db.commit()
        print(f"{user.email}: {role.value} of {org.name} (organization {org.id})")
    return 0


def _existing_user(db, email: str):  # type: ignore[no-untyped-def]
    from app.auth import service as auth

    user = auth.get_user_by_email(db, email)
    if user is None:
        raise CliError(f"no user with the email {email}")
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with _session() as db:
        user = _existing_user(db, args.email)
        token = auth.create_api_token(db, user, args.name or "")
        db.commit()
    print(token)
    print("Keep this token secret; it is shown only once. Send it as: Authorization: Bearer <token>", file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with _session() as db:
        user = _existing_user(db, args.email)
        for t in auth.api_tokens(db, user):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"last used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            print(f"{t.id}\t{t.name or '-'}\tcreated {t.created_at:%Y-%m-%d}\t{used}\t{state}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with _session() as db:
        row = auth.revoke_api_token(db, args.id)
        if row is None:
            raise CliError(f"no API token with the id {args.id} (see `reassess token list --email ...`)")
        db.commit()
    print(f"API token {args.id} is revoked; requests with it are refused from now on.")
    return 0


def cmd_instruments_check(args: argparse.Namespace) -> int:
    from app.instruments.loader import load_catalogue

    settings_dir = _surveys_dir(args)
    files = None
    if args.paths:
        files = []
        for f in map(Path, args.paths):
            if f.is_dir():  # surveys/ or one instrument's folder
                found = sorted(f.glob("*.yaml")) + sorted(f.glob("*/*.yaml"))
                if not found:
                    raise CliError(_("%(path)s: no instrument files (*.yaml) in this folder", path=str(f)))
                files += found
            elif f.is_file():
                files.append(f)
            else:
                raise CliError(_("%(path)s: no such file or folder", path=str(f)))
    catalogue = load_catalogue(settings_dir, files=files)
    for inst in catalogue.all():
        rated = sum(1 for i in inst.items if i.is_rated)
        print(f"ok  {inst.id} {inst.version}: {len(inst.domains)} domains, {len(inst.items)} items ({rated} rated), "
              f"languages {', '.join(inst.languages)}")
    return 0


def cmd_export_strings(args: argparse.Namespace) -> int:
    from app.instruments.loader import load_catalogue
    from app.instruments.strings import StringsError, export_strings

    instrument = _instrument(load_catalogue(_surveys_dir(args)), args.id, args.version)
    try:
        data = export_strings(instrument, args.lang)
    except StringsError as exc:
        raise CliError(str(exc)) from None
    _write_out(args.output, data)
    return 0


def cmd_import_strings(args: argparse.Namespace) -> int:
    from app.instruments.loader import load_catalogue
    from app.instruments.strings import StringsError, import_strings

    catalogue = load_catalogue(_surveys_dir(args))
    instrument = _instrument(catalogue, args.id, args.version)
    target = args.output or str(_surveys_dir(args) / instrument.id / f"{args.new_version}.yaml")
    if (target != "-" and Path(target).exists()) or catalogue.find(instrument.id, args.new_version) is not None:
        raise CliError(f"{target} exists already: a published version never changes; choose another --new-version")
    try:
        po = Path(args.po).read_bytes()
    except OSError as exc:
        raise CliError(f"{args.po}: {exc.strerror}") from None
    source = catalogue.loaded(instrument.id, instrument.version).path.read_text(encoding="utf-8")
    try:
        text = import_strings(instrument, source, po, args.lang, args.new_version, label=target)
    except StringsError as exc:
        raise CliError(str(exc)) from None
    _write_out(target, text.encode("utf-8"))
    if target != "-":
        print(f"wrote {target}; check it with: reassess instruments check {target}", file=sys.stderr)
    return 0


def _surveys_dir(args: argparse.Namespace) -> Path:
    return Path(args.surveys_dir) if args.surveys_dir else ROOT / "surveys"


def _instrument(catalogue, instrument_id: str, version: str):  # type: ignore[no-untyped-def]
    inst = catalogue.find(instrument_id, version)
    if inst is None:
        known = ", ".join(f"{i.id} {i.version}" for i in catalogue.all())
        raise CliError(f"no instrument {instrument_id} {version} (published: {known})")
    return inst


def _write_out(target: str | None, data: bytes) -> None:
    if not target or target == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(target).write_bytes(data)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reassess", description="Organizational racial-equity self-assessments.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="migrate the database, then run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.add_argument("--workers", type=_workers, default=os.environ.get("REASSESS_WORKERS") or "1",
                   help="web processes (default 1, or REASSESS_WORKERS); one per core uses them all")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(handler=cmd_migrate)

    users = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    p = users.add_parser("create", help="create a user (or add a role to one) in an organization")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["backbone_admin", "backbone_analyst", "partner_lead", "respondent"])
    p.add_argument("--org", required=True, help="organization name or id; created if it does not exist")
    p.add_argument("--backbone", help="for a new partner organization: the backbone it belongs to (name or id)")
    p.add_argument("--name", default="")
    p.add_argument("--lang", help="the user's language, one of REASSESS_LOCALES (default: REASSESS_DEFAULT_LOCALE)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--no-password", action="store_true", help="a link-only respondent: no password")
    p.set_defaults(handler=cmd_user_create)

    tokens = sub.add_parser("token", help="personal API tokens").add_subparsers(dest="action", required=True)
    p = tokens.add_parser("create", help="create an API token and print it once")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.set_defaults(handler=cmd_token_create)
    p = tokens.add_parser("list", help="a user's API tokens (id, name, last use, state)")
    p.add_argument("--email", required=True)
    p.set_defaults(handler=cmd_token_list)
    p = tokens.add_parser("revoke", help="revoke an API token at once")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_token_revoke)

    inst = sub.add_parser("instruments", help="instrument files").add_subparsers(dest="action", required=True)
    p = inst.add_parser("check", help="validate instrument files (all of surveys/ by default)")
    p.add_argument("paths", nargs="*")
    p.add_argument("--surveys-dir", default=None)
    p.set_defaults(handler=cmd_instruments_check)
    p = inst.add_parser("export-strings", help="write a version's strings as a gettext .po for translators")
    p.add_argument("id")
    p.add_argument("version")
    p.add_argument("--lang", required=True)
    p.add_argument("-o", "--output", default="-")
    p.add_argument("--surveys-dir", default=None, help="the folder of instrument files (default: surveys/)")
    p.set_defaults(handler=cmd_export_strings)
    p = inst.add_parser("import-strings", help="make a new version file from a translated .po")
    p.add_argument("id")
    p.add_argument("version")
    p.add_argument("--lang", required=True)
    p.add_argument("--po", required=True)
    p.add_argument("--new-version", required=True)
    p.add_argument("-o", "--output", default=None)
    p.add_argument("--surveys-dir", default=None, help="the folder of instrument files (default: surveys/)")
    p.set_defaults(handler=cmd_import_strings)

    from app import cli_more

    cli_more.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, CliError) as exc:
        print(f"reassess: error: {exc}", file=sys.stderr)
        return 2
    except InstrumentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"reassess: {len(exc.problems)} problem(s) in instrument files", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
