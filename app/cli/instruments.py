"""`reassess instruments`: check files, export and import translators' strings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import CliError, write_out
from app.config import ROOT
from app.i18n import gettext as _


def cmd_instruments_check(args: argparse.Namespace) -> int:
    from app.instruments.loader import CORRECTIONS, load_catalogue

    settings_dir = _surveys_dir(args)
    files = None
    if args.paths:
        files = []
        for f in map(Path, args.paths):
            if f.is_dir():  # surveys/ or one instrument's folder
                found = [p for p in sorted(f.glob("*.yaml")) + sorted(f.glob("*/*.yaml")) if p.parent.name != CORRECTIONS]
                if not found:
                    raise CliError(_("%(path)s: no instrument files (*.yaml) in this folder", path=str(f)))
                files += found
            elif f.is_file() and f.parent.name == CORRECTIONS:  # a version's corrections: check the version with them
                files.append(f.parent.parent / f.name)
            elif f.is_file():
                files.append(f)
            else:
                raise CliError(_("%(path)s: no such file or folder", path=str(f)))
    catalogue = load_catalogue(settings_dir, files=list(dict.fromkeys(f.resolve() for f in files)) if files is not None else None)
    for inst in catalogue.all():
        rated = sum(1 for i in inst.items if i.is_rated)
        fixed = len(catalogue.loaded(inst.id, inst.version).corrections)
        print(f"ok  {inst.id} {inst.version}: {len(inst.domains)} domains, {len(inst.items)} items ({rated} rated), "
              f"languages {', '.join(inst.languages)}" + (f", {fixed} spelling correction{'s' if fixed > 1 else ''}" if fixed else ""))
    return 0


def cmd_export_strings(args: argparse.Namespace) -> int:
    from app.instruments.loader import load_catalogue
    from app.instruments.strings import StringsError, export_strings

    instrument = _instrument(load_catalogue(_surveys_dir(args)), args.id, args.version)
    try:
        data = export_strings(instrument, args.lang)
    except StringsError as exc:
        raise CliError(str(exc)) from None
    write_out(args.output, data)
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
    loaded = catalogue.loaded(instrument.id, instrument.version)
    try:
        text = import_strings(instrument, loaded.path.read_text(encoding="utf-8"), po, args.lang, args.new_version, label=target,
                              corrections=loaded.corrections)
    except StringsError as exc:
        raise CliError(str(exc)) from None
    write_out(target, text.encode("utf-8"))
    if target != "-":
        print(f"wrote {target}; check it with: reassess instruments check {target}", file=sys.stderr)
    return 0


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from app.instruments.loader import load_catalogue
    from app.instruments.workbook import to_workbook

    write_out(args.output, to_workbook(_instrument(load_catalogue(_surveys_dir(args)), args.id, args.version)))
    return 0


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from app.instruments.loader import InstrumentError, load_catalogue, load_text
    from app.instruments.workbook import from_workbook, to_yaml

    try:
        content = Path(args.workbook).read_bytes()
    except OSError as exc:
        raise CliError(f"{args.workbook}: {exc.strerror}") from None
    try:
        instrument = from_workbook(content, Path(args.workbook).name, version=args.version)
    except InstrumentError as exc:
        raise CliError(str(exc)) from None
    catalogue = load_catalogue(_surveys_dir(args))
    target = args.output or str(_surveys_dir(args) / instrument.id / f"{instrument.version}.yaml")
    if (target != "-" and Path(target).exists()) or catalogue.find(instrument.id, instrument.version) is not None:
        raise CliError(f"{target} exists already: a published version never changes; choose another --version")
    text = to_yaml(instrument)
    try:
        load_text(text, target)  # what is written loads as it was read
    except InstrumentError as exc:
        raise CliError(str(exc)) from None
    if target != "-":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    write_out(target, text.encode("utf-8"))
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    p = inst.add_parser("export-xlsx", help="write a version as a workbook to edit in a spreadsheet (XLSForm-style)")
    p.add_argument("id")
    p.add_argument("version")
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.add_argument("--surveys-dir", default=None, help="the folder of instrument files (default: surveys/)")
    p.set_defaults(handler=cmd_export_xlsx)
    p = inst.add_parser("import-xlsx", help="make a new version file from a workbook (checked as instrument files are)")
    p.add_argument("workbook")
    p.add_argument("--version", required=True, help="the new version's number, e.g. 1.2")
    p.add_argument("-o", "--output", default=None, help="default: surveys/ID/VERSION.yaml")
    p.add_argument("--surveys-dir", default=None, help="the folder of instrument files (default: surveys/)")
    p.set_defaults(handler=cmd_import_xlsx)
