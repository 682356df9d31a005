"""`reassess demo`, `results recompute`, `export --all`, `import`, `report`. Only `demo` migrates the database: the
others work on a database that `reassess migrate` (or `serve`) has brought up to date, and say so when it has not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import CliError, catalogue_and_session, session
from app.config import follow_port, get_settings
from app.migration import migrate_database


def cmd_demo(args: argparse.Namespace) -> int:
    from app.assessments.catalogue import record_versions
    from app.demo import load_demo

    follow_port(args.host, args.port)
    settings = get_settings()
    migrate_database(settings)
    with catalogue_and_session(settings) as (catalogue, db):
        record_versions(db, catalogue)
        report = load_demo(db, catalogue, settings.min_group_size)
        db.commit()
    print("Demo partnership " + ("created" if report.created else "already loaded (nothing changed)") + ": " + ", ".join(report.cycles))
    print(f"Open {settings.base_url}/login and sign in as:")
    for who, email, password in report.logins:
        print(f"  {who:<50} {email:<40} password: {password}")
    return 0


def cmd_results_recompute(args: argparse.Namespace) -> int:
    from app.assessments.service import recompute_results, withdraw_small_results
    from app.scoring import ENGINE_VERSION

    settings = get_settings()
    with catalogue_and_session(settings) as (catalogue, db):
        withdrawn = withdraw_small_results(db, settings.min_group_size, cycle_id=args.cycle)
        n = recompute_results(db, catalogue, settings.min_group_size, cycle_id=args.cycle)
        db.commit()
    if withdrawn:
        print(f"Withdrew {withdrawn} result(s) of anonymous cycles resting on fewer than {settings.min_group_size} people besides "
              "the leads; those assessments are reopened.", file=sys.stderr)
    print(f"Recomputed {n} result(s) with scoring engine {ENGINE_VERSION}; earlier results are kept in history.", file=sys.stderr)
    return 0


def cmd_export_all(args: argparse.Namespace) -> int:
    from app.backup import export_all

    settings = get_settings()
    with session(settings) as db:
        counts = export_all(db.connection(), Path(args.output), settings.surveys_dir)
    print(f"Wrote {args.output}: {sum(counts.values())} rows in {len(counts)} tables, with the instrument files.", file=sys.stderr)
    return 0


def cmd_import_all(args: argparse.Namespace) -> int:
    from app.backup import BackupError, import_all

    with session() as db:
        try:
            counts = import_all(db.connection(), Path(args.archive))
        except BackupError as exc:
            raise CliError(str(exc)) from None
        db.commit()
    print(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {args.archive}.", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from app.assessments.models import Assessment, Cycle
    from app.errors import NotFound
    from app.reports import service

    settings = get_settings()
    args.lang = args.lang or settings.default_locale
    if args.lang not in settings.locales:
        raise CliError(f"--lang {args.lang}: not one of REASSESS_LOCALES ({', '.join(settings.locales)})")
    with catalogue_and_session(settings) as (catalogue, db):
        try:
            if args.cycle:
                cycle = db.get(Cycle, args.id)
                if cycle is None:
                    raise CliError(f"no cycle {args.id}")
                pdf = service.cycle_summary(db, catalogue, settings, cycle, args.lang, args.paper)
            else:
                assessment = db.get(Assessment, args.id)
                if assessment is None:
                    raise CliError(f"no assessment {args.id}")
                pdf = service.partner_report(db, catalogue, settings, assessment, args.lang, args.paper)
        except NotFound as exc:
            raise CliError(exc.message or "not found") from None
    out = Path(args.output or pdf.filename)
    out.write_bytes(pdf.content)
    print(f"Wrote {out} ({len(pdf.content) // 1024} KiB, {'from the cache' if pdf.cached else 'rendered'}).", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="load the demo partnership (once; running it again changes nothing)")
    p.add_argument("--host", default="127.0.0.1", help="the address `reassess serve` will listen on (for the printed links)")
    p.add_argument("--port", type=int, default=8000, help="the port `reassess serve` will listen on (for the printed links)")
    p.set_defaults(handler=cmd_demo)

    results = sub.add_parser("results", help="stored results").add_subparsers(dest="results_command", required=True)
    p = results.add_parser("recompute", help="recompute submitted assessments' results (after a scoring engine change)")
    p.add_argument("--cycle", type=int, help="only this cycle's assessments")
    p.set_defaults(handler=cmd_results_recompute)

    p = sub.add_parser("export", help="export data; --all writes a complete backup archive")
    p.add_argument("--all", action="store_true", required=True, help="every table and the instrument files, as one zip archive")
    p.add_argument("-o", "--output", required=True, help="the archive to write (.zip)")
    p.set_defaults(handler=cmd_export_all)

    p = sub.add_parser("report", help="write a partner's growth-opportunity report (or, with --cycle, a cycle's summary) as PDF")
    p.add_argument("id", type=int, help="the assessment id (with --cycle: the cycle id)")
    p.add_argument("--cycle", action="store_true", help="the partnership summary of cycle ID")
    p.add_argument("--lang", help="one of REASSESS_LOCALES (default: REASSESS_DEFAULT_LOCALE)")
    p.add_argument("--paper", choices=["a4", "letter"], help="default: Letter for English, A4 for Spanish")
    p.add_argument("-o", "--output", help="the file to write (default: a name from the organization and cycle)")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("import", help="restore a backup archive into an empty database")
    p.add_argument("archive")
    p.set_defaults(handler=cmd_import_all)
