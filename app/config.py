"""Settings, read from the environment with the prefix REASSESS_ (or a .env file)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from app import i18n
from app.i18n import SOURCE_LANGUAGE

# Where surveys/, locales/, migrations/ and var/ live: the checkout, or REASSESS_HOME for an installed package.
ROOT = Path(os.environ.get("REASSESS_HOME") or Path(__file__).resolve().parent.parent)


class ConfigError(Exception):
    """A setting that stops start-up; the message says what to fix, in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REASSESS_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    locales: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [SOURCE_LANGUAGE, "es"])
    default_locale: str = SOURCE_LANGUAGE
    # Where the catalogs are: one folder per language, <code>/LC_MESSAGES/messages.po, and messages.pot.
    locales_dir: Path = ROOT / "locales"
    min_group_size: int = Field(default=5, ge=2)
    base_url: str = "http://127.0.0.1:8000"
    surveys_dir: Path = ROOT / "surveys"
    session_days: int = Field(default=14, ge=1)
    invitation_days: int = Field(default=30, ge=1)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = "reassess <no-reply@localhost>"
    # The largest request body accepted (413 above): a page of long answers is far below 2 MB.
    max_body_bytes: int = Field(default=2_000_000, ge=10_000)
    # Rate limits: failures allowed per window before a 429 (sign-in: per address and account; per address five times
    # as many), counted in the database by every web process alike.
    rate_window_seconds: int = Field(default=900, ge=1)
    login_attempts: int = Field(default=10, ge=1)
    link_attempts: int = Field(default=20, ge=1)
    token_failures: int = Field(default=20, ge=1)
    # The reverse proxies (addresses or networks, comma-separated; "*" for any) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. Empty: none, the peer's address is the client's (what the limits count).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Report PDFs are rendered in separate, lower-priority processes (app/reports/renderer.py); 0: in the request.
    report_processes: int = Field(default=1, ge=0, le=16)
    # Opening a result page renders its report in the background, so that its download comes from the cache
    # (app/reports/prefetch.py).
    report_prefetch: bool = True
    # Threads per web process that run pages and database work. A few keep the cores busy: more only contend for the
    # interpreter lock and, on SQLite, for the write lock (bench/RESULTS.md: 40 threads, 177 answer saves/s; 4: 330/s).
    threads: int = Field(default=4, ge=1, le=400)
    # The partnership's time zone: a cycle's dates are calendar dates there (app/clock.py).
    time_zone: str = "UTC"
    # `reassess serve` runs what is due (e.g. check-in reminders) every this many seconds; 0 turns it off (app/scheduler.py).
    scheduler_interval_s: int = Field(default=300, ge=0)
    # A check-in's reminder goes to the partner leads this many days before its date (0: on the day).
    check_in_reminder_days: int = Field(default=7, ge=0, le=90)
    # Webhook deliveries are sent (and failed ones retried) every this many seconds by `reassess serve` (app/webhooks).
    webhook_interval_s: int = Field(default=15, ge=1, le=3600)
    # Webhooks may point at private, loopback or link-local addresses (an intranet service): off, so that a webhook
    # cannot be aimed at the server's own network.
    webhook_allow_private: bool = False

    @field_validator("locales", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str) and not value.startswith("["):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        """Addresses and networks as uvicorn reads them (10.1.2.3/8 becomes 10.0.0.0/8: it would ignore the former)."""
        out = []
        for entry in value:
            try:
                out.append(entry if entry == "*" else str(ipaddress.ip_network(entry, strict=False)) if "/" in entry
                           else str(ipaddress.ip_address(entry)))
            except ValueError:
                raise ValueError(f"REASSESS_TRUSTED_PROXIES: '{entry}' is not an IP address or network; give the proxies'"
                                 " addresses separated by commas, like 127.0.0.1,10.0.0.0/8") from None
        return out

    @model_validator(mode="after")
    def _check(self) -> Settings:
        for loc in self.locales:
            if not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", loc) or len(loc) > 8:
                raise ValueError(f"REASSESS_LOCALES: '{loc}' is not a language code (such as vi, zh_Hant, es-US)")
            catalog = self.locales_dir / loc / "LC_MESSAGES" / "messages.po"
            if loc != SOURCE_LANGUAGE and not catalog.is_file():
                raise ValueError(f"REASSESS_LOCALES: '{loc}' has no catalog: {catalog} is missing (`reassess i18n export"
                                 f" --lang {loc}` writes one to translate; docs/translating.md)")
        from app.clock import zone_named

        zone_named(self.time_zone)  # an unknown zone stops start-up with what to write
        if self.default_locale not in self.locales:
            raise ValueError(f"REASSESS_DEFAULT_LOCALE: '{self.default_locale}' is not one of REASSESS_LOCALES ({', '.join(self.locales)})")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"


def prepare(settings: Settings) -> Settings:
    """Create the var dir, fill the database URL and secret key defaults; ConfigError if impossible."""
    var = settings.var_dir
    try:
        var.mkdir(parents=True, exist_ok=True)
        probe = var / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"REASSESS_VAR_DIR: cannot write to {var.resolve()} ({exc.strerror}); choose a writable folder") from None
    if not settings.database_url:
        settings.database_url = f"sqlite:///{(var / 'reassess.db').resolve()}"
    if not settings.secret_key:
        if settings.env == "production":
            raise ConfigError("REASSESS_SECRET_KEY must be set in production (at least 32 random characters)")
        key_file = var / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        settings.secret_key = key_file.read_text().strip()
    if settings.env == "production" and _weak(settings.secret_key):
        raise ConfigError("REASSESS_SECRET_KEY is too weak for production: use at least 32 random characters")
    from app import clock

    clock.set_zone(settings.time_zone)
    i18n.configure(settings.locales_dir, settings.locales, settings.default_locale)
    return settings


def _weak(key: str) -> bool:
    return len(key) < 32 or len(set(key)) < 10 or key.lower() in {"changeme" * 4, "secret" * 6}


def follow_port(host: str, port: int) -> None:
    """Links in emails and on screen name the address the service listens on, unless REASSESS_BASE_URL (or a .env file)
    says otherwise (behind a proxy, say): `reassess serve --port 9000` writes links with port 9000. Set in the
    environment, so that worker processes and `get_settings` agree."""
    settings = get_settings()
    if "base_url" in settings.model_fields_set:
        return
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    os.environ["REASSESS_BASE_URL"] = f"http://{shown}:{port}"
    get_settings.cache_clear()


@lru_cache
def get_settings() -> Settings:
    try:
        return prepare(Settings())
    except (ValueError, SettingsError) as exc:
        raise ConfigError(_first_line(exc)) from None


def _first_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        return msg if msg.startswith("REASSESS_") else f"REASSESS_{loc.upper()}: {msg}"
    return str(exc).splitlines()[0]
