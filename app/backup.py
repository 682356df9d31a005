"""`reassess export --all` and `reassess import`: a complete, versioned archive of the database.

The archive is a zip file: ``manifest.json`` (format version, schema revision, row counts and a
SHA-256 per table file), ``tables/<name>.json`` (every row of every table, in dependency order)
and ``surveys/<id>/<version>.yaml`` (the instrument files the data was made with). Import goes
into an empty database at the same schema revision, in one transaction: it loads all or nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from app.db import Base, UTCDateTime

FORMAT = "reassess-backup"
FORMAT_VERSION = 1
SKIP = {"alembic_version", "rate_limit_failures"}  # the schema's own record; failures counted for 15 minutes


class BackupError(Exception):
    """A problem with an archive or the target database; the message says what to do."""


def _tables() -> list[Table]:
    import app.models  # noqa: F401 - every model registered on Base.metadata

    return [t for t in Base.metadata.sorted_tables if t.name not in SKIP]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value  # enums
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in row.items():
        column = table.columns[name]
        if value is not None:
            if isinstance(column.type, DateTime | UTCDateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(column.type, LargeBinary):
                value = base64.b64decode(value)
            elif getattr(column.type, "enum_class", None) is not None:
                value = column.type.enum_class(value)
        out[name] = value
    return out


def schema_revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no table yet
        return None


def export_all(conn: Connection, target: Path, surveys_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            order = [c for c in table.primary_key.columns] or list(table.columns)
            rows = [{k: _encode(v) for k, v in r._mapping.items()} for r in conn.execute(select(table).order_by(*order))]
            payload = json.dumps(rows, ensure_ascii=False, sort_keys=True, indent=0).encode()
            archive.writestr(f"tables/{table.name}.json", payload)
            counts[table.name] = len(rows)
            digests[table.name] = hashlib.sha256(payload).hexdigest()
        versions = set(conn.execute(text("SELECT instrument_id, version FROM instrument_versions")).all())
        versions |= set(conn.execute(text("SELECT instrument_id, instrument_version FROM cycles")).all())
        for instrument_id, version in sorted(versions):
            path = surveys_dir / instrument_id / f"{version}.yaml"
            if path.exists():
                archive.write(path, f"surveys/{instrument_id}/{version}.yaml")
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": schema_revision(conn),
                    "created_at": dt.datetime.now(dt.UTC).isoformat(), "tables": counts, "sha256": digests}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return counts


def import_all(conn: Connection, source: Path) -> dict[str, int]:
    """Load an archive into an empty database (in the caller's transaction)."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{source}: not a reassess archive ({exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise BackupError(f"{source}: manifest.json is missing or unreadable") from None
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"{source}: unknown archive format {manifest.get('format')} {manifest.get('format_version')}")
        revision = schema_revision(conn)
        if manifest.get("schema_revision") != revision:
            raise BackupError(f"{source} was made at schema revision {manifest.get('schema_revision')} and this database is at "
                              f"{revision}: run `reassess migrate` on a database of the archive's revision, or upgrade both")
        tables = _tables()
        for table in tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(f"the database is not empty (table {table.name} has rows): import into a new, migrated database")
        counts = {}
        for table in tables:
            name = f"tables/{table.name}.json"
            payload = archive.read(name)
            if hashlib.sha256(payload).hexdigest() != manifest["sha256"].get(table.name):
                raise BackupError(f"{source}: {name} does not match its checksum; the archive is damaged")
            rows = [_decode(table, r) for r in json.loads(payload)]
            if rows:
                conn.execute(insert(table), rows)
            counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, tables)
    return counts


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                  f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))


def snapshot(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, comparable across databases (used by the round-trip test)."""
    out = {}
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        out[table.name] = [{k: _encode(v) for k, v in r._mapping.items()} for r in conn.execute(select(table).order_by(*order))]
    return out

