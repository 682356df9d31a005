"""Rate limits on the doors an attacker would knock on: sign-in, invitation links and API tokens.

Failures are counted per client address (and, for sign-in, per address and account too) in a sliding window;
once a key reaches its limit, further attempts are refused with 429 and a message saying how long to wait, until
old failures leave the window. The failures are rows of the database (table rate_limit_failures), so every web
process and every machine on one database counts against the same budget: a check is one read, a failure one short
write, and rows older than the longest window are deleted on the way (at most once a minute per process).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Index, String, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from app.config import Settings
from app.db import Base, read_only, utcnow, writing
from app.errors import RateLimited
from app.i18n import ngettext

PRUNE_EVERY = dt.timedelta(seconds=60)


class RateLimitFailure(Base):
    """One failed attempt, kept for the length of its window."""

    __tablename__ = "rate_limit_failures"
    __table_args__ = (Index("ix_rate_limit_failures_lookup", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the key: an address, or an address and the email typed (which may be a mistyped password).
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Rule:
    bucket: str
    limit: int
    window: float  # seconds


def rules(settings: Settings) -> dict[str, Rule]:
    """The limits, by name: failed sign-ins per (address, account) and (five times as many) per address, unknown
    invitation links, bad API tokens and password-link requests per address, all within the same window."""
    window = settings.rate_window_seconds
    return {"login-account": Rule("login-account", settings.login_attempts, window),
            "login-address": Rule("login-address", settings.login_attempts * 5, window),
            "link": Rule("link", settings.link_attempts, window),
            "token": Rule("token", settings.token_failures, window),
            "reset": Rule("reset", settings.login_attempts, window)}  # password-link requests per address


class _Pruning:
    """When this process last deleted the failures that left every window (shared by a Limiter's bound copies)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        with self.lock:
            if self.next is not None and now < self.next:
                return False
            self.next = now + PRUNE_EVERY
            return True


class Limiter:
    """The rules, a clock and the database (``using(sessionmaker)``; ``limiter(request)`` binds the app's)."""

    def __init__(self, rules: dict[str, Rule], clock: Callable[[], dt.datetime] = utcnow,
                 sessions: sessionmaker[Session] | None = None):
        self.rules = rules
        self._clock = clock
        self._sessions = sessions
        self._pruning = _Pruning()
        self._request: Request | None = None

    def using(self, sessions: sessionmaker[Session], request: Request | None = None) -> Limiter:
        bound = copy.copy(self)
        bound._sessions, bound._request = sessions, request
        return bound

    def _factory(self) -> sessionmaker[Session]:
        if self._sessions is None:
            raise RuntimeError("a Limiter needs its database: use limiter(request) or Limiter.using(sessionmaker)")
        return self._sessions

    def retry_after(self, rule: Rule, key: str) -> float | None:
        """Seconds to wait when ``key`` has used up its failures in the window; None when it may try."""
        return self._retry_after([(rule, key)])

    def _retry_after(self, pairs: list[tuple[Rule, str]]) -> float | None:
        now = self._clock()
        t = RateLimitFailure
        wanted = {(rule.bucket, _digest(key)): rule for rule, key in pairs}
        where = or_(*(and_(t.bucket == bucket, t.key == digest, t.at > now - dt.timedelta(seconds=rule.window))
                      for (bucket, digest), rule in wanted.items()))
        query = select(t.bucket, t.key, func.count(), func.min(t.at)).where(where).group_by(t.bucket, t.key)
        with read_only(self._factory()) as db:
            rows = db.execute(query).all()
        waits = []
        for bucket, digest, count, oldest in rows:
            rule = wanted[(bucket, digest)]
            if count >= rule.limit:
                waits.append(max(1.0, (oldest - now).total_seconds() + rule.window))
        return max(waits) if waits else None

    def fail(self, rule: Rule, key: str) -> None:
        self._fail([(rule, key)])

    def _fail(self, pairs: list[tuple[Rule, str]]) -> None:
        """One short write. It ends the request's own transaction first: on SQLite that transaction may hold the
        write lock this write needs (the request failed anyway: what it read is of no further use)."""
        request_db = getattr(self._request.state, "db_session", None) if self._request is not None else None
        if request_db is not None and request_db.in_transaction():
            request_db.rollback()
        now = self._clock()
        with writing(self._factory()) as db:
            db.execute(insert(RateLimitFailure), [{"bucket": rule.bucket, "key": _digest(key), "at": now} for rule, key in pairs])
            if self._pruning.due(now):
                longest = max(rule.window for rule in self.rules.values())
                db.execute(delete(RateLimitFailure).where(RateLimitFailure.at <= now - dt.timedelta(seconds=longest)))
            db.commit()

    def check(self, name: str, key: str) -> None:
        """Raise RateLimited (429, translated, with Retry-After) when ``key`` is over the named limit."""
        self.check_all([(name, key)])

    def check_all(self, keys: Iterable[tuple[str, str]]) -> None:
        """check() for several (name, key) pairs in one read; the wait is the longest of those over their limit."""
        wait = self._retry_after([(self.rules[name], key) for name, key in keys])
        if wait is not None:
            raise too_many(wait)

    def failed(self, name: str, key: str) -> None:
        """Count a failure against the named limit. Call it once the request's own work is over: it rolls back the
        request's session, if any is open (see _fail)."""
        self._fail([(self.rules[name], key)])

    def failed_all(self, keys: Iterable[tuple[str, str]]) -> None:
        self._fail([(self.rules[name], key) for name, key in keys])


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def too_many(seconds: float) -> RateLimited:
    minutes = max(1, math.ceil(seconds / 60))
    return RateLimited(ngettext("Too many attempts. Please wait %(num)d minute and try again.",
                                "Too many attempts. Please wait %(num)d minutes and try again.", minutes),
                       retry_after=math.ceil(seconds))


def client_key(request: Request) -> str:
    """The client's address: the peer's, or what a proxy named in REASSESS_TRUSTED_PROXIES said (uvicorn rewrites it)."""
    return request.client.host if request.client else "unknown"


def limiter(request: Request) -> Limiter:
    """The app's limiter on the app's database, for this request."""
    return request.app.state.limiter.using(request.app.state.sessionmaker, request)
