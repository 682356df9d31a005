"""The `reassess` command: one module per group of commands (serve, users, instruments, data), one session helper
(app.cli.common). Only `serve`, `migrate` and `demo` bring the database's schema up to date (app.migration)."""

from __future__ import annotations

import argparse
import sys

from app.cli import data, i18n, instruments, serve, users
from app.cli.common import CliError
from app.cli.serve import worker_app
from app.config import ConfigError
from app.instruments.loader import InstrumentError

__all__ = ["CliError", "build_parser", "main", "worker_app"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reassess", description="Organizational racial-equity self-assessments.")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (serve, users, instruments, i18n, data):
        group.register(sub)
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
