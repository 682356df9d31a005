"""Published instrument versions are immutable: their content hash is recorded on first load."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.models import InstrumentRecord
from app.instruments.loader import Catalogue, InstrumentError, corrections_path
from app.instruments.schema import Instrument


def record_versions(session: Session, catalogue: Catalogue) -> None:
    """Record new versions' hashes and new spelling corrections; refuse to start if a recorded version's file has
    changed, or a correction recorded before has been changed or taken out (answers were given to its wording)."""
    known = {(r.instrument_id, r.version): r for r in session.scalars(select(InstrumentRecord))}
    problems = []
    for (instrument_id, version), entry in catalogue.entries.items():
        record = known.get((instrument_id, version))
        corrections = [[c.at, c.was, c.now] for c in entry.corrections]
        if record is None:
            session.add(InstrumentRecord(instrument_id=instrument_id, version=version, sha256=entry.sha256, corrections=corrections))
            continue
        gone = [c for c in record.corrections if c not in corrections]
        if gone:
            problems.append(
                f"{corrections_path(entry.path)}: the correction of {gone[0][0]} ({gone[0][1]!r} to {gone[0][2]!r}) was loaded "
                f"before and has been changed or taken out. A correction, once loaded, stays: restore it, and publish a new "
                f"version for another wording.")
        elif corrections != record.corrections:
            record.corrections = [*record.corrections, *(c for c in corrections if c not in record.corrections)]
        if record.sha256 != entry.sha256:
            problems.append(
                f"{entry.path}: {instrument_id} {version} was published on {record.first_loaded_at:%Y-%m-%d} and this file "
                f"has changed since (sha256 {record.sha256[:12]}… is now {entry.sha256[:12]}…). A published version never "
                f"changes: restore the file and publish your changes as a new version (a translation fix is a patch "
                f"version, such as {_next_patch(version)})."
            )
    if problems:
        session.rollback()
        raise InstrumentError(problems)
    session.flush()


def _next_patch(version: str) -> str:
    parts = version.split(".")
    if len(parts) == 2:
        return version + ".1"
    return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])


def check_languages(session: Session, catalogue: Catalogue, offered: list[str], today: dt.date) -> None:
    """Refuse to start when a cycle that is open or still to open uses an instrument version that lacks one of the
    partnership's languages (REASSESS_LOCALES): its respondents would meet questions in a language they did not choose.
    Closed cycles are read in the languages their version has (a missing one falls back to the source language)."""
    from app.assessments.models import Cycle

    used = session.execute(select(Cycle.instrument_id, Cycle.instrument_version).where(
        Cycle.closed_at.is_(None), Cycle.closes_on >= today).distinct()).all()
    problems = []
    for instrument_id, version in sorted(used):
        entry = catalogue.entries.get((instrument_id, version))
        if entry is None:
            continue  # a cycle on a version no longer shipped: the pages say so where it is opened
        missing = [lang for lang in offered if lang not in entry.instrument.languages]
        if missing:
            problems.append(f"{entry.path}: {instrument_id} {version} is used by an open or upcoming cycle and has no "
                            f"'{', '.join(missing)}' (REASSESS_LOCALES offers {', '.join(offered)}): translate it with "
                            f"`reassess instruments export-strings {instrument_id} {version} --lang {missing[0]}` and "
                            f"import-strings (docs/translating.md), or leave the language out of REASSESS_LOCALES")
    if problems:
        raise InstrumentError(problems)


def missing_languages(instrument: Instrument, offered: list[str]) -> list[str]:
    """The partnership's languages (REASSESS_LOCALES) that a version has no text in: a new cycle cannot use it."""
    return [lang for lang in offered if lang not in instrument.languages]
