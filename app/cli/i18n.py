"""`reassess i18n`: the application's catalogs for translators (docs/translating.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import CliError, write_out


def cmd_export(args: argparse.Namespace) -> int:
    from app import catalogs

    folder = Path(args.locales_dir) if args.locales_dir else None
    try:
        data = catalogs.export_catalog(args.lang, folder)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    write_out(args.output, data)
    if args.output != "-":
        print(f"wrote {args.output}: translate it, save it as locales/{args.lang}/LC_MESSAGES/messages.po and add {args.lang} "
              "to REASSESS_LOCALES", file=sys.stderr)
    return 0


def cmd_pseudo(args: argparse.Namespace) -> int:
    from app import catalogs

    path = catalogs.write_pseudo(args.lang, Path(args.output), Path(args.locales_dir) if args.locales_dir else None)
    print(f"wrote {path}; try it with REASSESS_LOCALES_DIR={args.output} REASSESS_LOCALES=en,{args.lang}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = sub.add_parser("i18n", help="the application's catalogs, for translators").add_subparsers(dest="action", required=True)
    p = group.add_parser("export", help="write one language's .po to translate (its catalog brought up to date, or a new one)")
    p.add_argument("--lang", required=True, help="the language code, such as vi, zh_Hant, es-US")
    p.add_argument("-o", "--output", default="-", help="the .po to write (default: standard output)")
    p.add_argument("--locales-dir", default=None, help="the catalogs' folder (default: locales/)")
    p.set_defaults(handler=cmd_export)
    p = group.add_parser("pseudo", help="write a pseudo-locale (accented, longer, bracketed) for testing layouts and coverage")
    p.add_argument("--lang", default="en-XA")
    p.add_argument("-o", "--output", required=True, help="the folder to write (a copy of locales/ with the pseudo-locale)")
    p.add_argument("--locales-dir", default=None, help="the catalogs' folder to start from (default: locales/)")
    p.set_defaults(handler=cmd_pseudo)
