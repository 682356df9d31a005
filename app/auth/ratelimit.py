"""Rate limits on the doors an attacker would knock on: sign-in, invitation links and API tokens.

Failures are counted per client address (and, for sign-in, per email address too) in a sliding
window; once a key reaches its limit, further attempts are refused with 429 and a message saying
how long to wait, until old failures leave the window. The counts live in the process: behind a
load balancer each app process counts on its own, which still caps guessing at limit x processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from app.config import Settings
from app.errors import RateLimited
from app.i18n import ngettext

MAX_KEYS = 100_000  # the oldest keys are forgotten beyond this, so memory stays bounded


@dataclass(frozen=True)
class Rule:
    bucket: str
    limit: int
    window: float  # seconds


def rules(settings: Settings) -> dict[str, Rule]:
    """The limits, by name: failed sign-ins per email and (five times as many) per address, unknown invitation
    links and bad API tokens per address, all within the same window."""
    window = settings.rate_window_seconds
    return {"login-email": Rule("login-email", settings.login_attempts, window),
            "login-address": Rule("login-address", settings.login_attempts * 5, window),
            "link": Rule("link", settings.link_attempts, window),
            "token": Rule("token", settings.token_failures, window)}


class Limiter:
    def __init__(self, rules: dict[str, Rule], clock: Callable[[], float] = time.monotonic):
        self.rules = rules
        self._clock = clock
        self._hits: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, rule: Rule, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get((rule.bucket, key))
        while hits and hits[0] <= now - rule.window:
            hits.popleft()
        return hits

    def retry_after(self, rule: Rule, key: str) -> float | None:
        """Seconds to wait when ``key`` has used up its failures in the window; None when it may try."""
        with self._lock:
            now = self._clock()
            hits = self._recent(rule, key, now)
            if hits is None or len(hits) < rule.limit:
                return None
            return max(1.0, hits[0] + rule.window - now)

    def fail(self, rule: Rule, key: str) -> None:
        with self._lock:
            now = self._clock()
            hits = self._recent(rule, key, now)
            if hits is None:
                hits = self._hits[(rule.bucket, key)] = deque()
                while len(self._hits) > MAX_KEYS:
                    self._hits.popitem(last=False)
            hits.append(now)

    def check(self, name: str, key: str) -> None:
        """Raise RateLimited (429, translated, with Retry-After) when ``key`` is over the named limit."""
        wait = self.retry_after(self.rules[name], key)
        if wait is not None:
            raise too_many(wait)

    def failed(self, name: str, key: str) -> None:
        self.fail(self.rules[name], key)


def too_many(seconds: float) -> RateLimited:
    minutes = max(1, math.ceil(seconds / 60))
    return RateLimited(ngettext("Too many attempts. Please wait %(num)d minute and try again.",
                                "Too many attempts. Please wait %(num)d minutes and try again.", minutes),
                       retry_after=math.ceil(seconds))


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limiter(request: Request) -> Limiter:
    return request.app.state.limiter
