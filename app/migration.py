"""Bringing a database's schema up to date with the Alembic migrations in migrations/ (by `reassess serve`,
`reassess migrate`, `reassess demo`, and the tests)."""

from __future__ import annotations

from app.config import ROOT, ConfigError, Settings


def migrate_database(settings: Settings) -> None:
    """Upgrade the database of ``settings`` to the newest revision; ConfigError with one clear line when it cannot connect."""
    from alembic import command
    from alembic.config import Config

    from app.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # A batch migration on SQLite copies a table, drops the old one and renames the copy: with foreign keys
                # on, dropping `cycles` would first delete every assessment, response and answer that cascades from it.
                # The pragma only takes effect outside a transaction: on the driver's connection, before any BEGIN.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            with conn.begin():
                cfg = Config(str(ROOT / "alembic.ini"))
                cfg.set_main_option("script_location", str(ROOT / "migrations"))
                cfg.attributes["connection"] = conn
                cfg.attributes["skip_logging"] = True
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migrated database has rows whose references are gone: {broken[:5]}")
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    except Exception as exc:  # noqa: BLE001 - turned into one clear line
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0]
            raise ConfigError(f"REASSESS_DATABASE_URL: cannot connect to {engine.url.render_as_string(hide_password=True)} ({reason})") from None
        raise
    finally:
        engine.dispose()


