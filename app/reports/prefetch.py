"""Reports made ready before they are asked for.

When someone who may download a partner's report opens its result page, the report in the page's language is rendered
in the background (one at a time per web process, by the idle-priority renderer processes), so that the download a
moment later comes from the cache. A download that arrives while that rendering is under way waits for it rather than
starting a second one (one not begun yet, behind others, it does not wait for). At most MAX_QUEUED wait their turn.
Nothing is recorded: only a download is (app.reports.routes). Whether a download came from the cache is not told
outside tests, or a lead could learn that someone opened their result page. ``REASSESS_REPORT_PREFETCH`` turns it off.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session

from app.config import Settings
from app.instruments.loader import Catalogue

log = logging.getLogger("reassess")

Key = tuple[int, str, str | None]
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-prefetch")
_inflight: dict[Key, Future[bool]] = {}
_started: set[Key] = set()
_lock = threading.Lock()
WAIT_S = 300  # a download waits at most this long for a rendering under way, then renders on its own
MAX_QUEUED = 8  # more result pages opened at once than this: the others' reports are rendered when downloaded


def warm(sessions: Callable[[], Session], catalogue: Catalogue, settings: Settings, assessment_id: int, lang: str,
         paper: str | None = None) -> Future[bool] | None:
    """Render this report in the background unless it is being rendered already (or prefetching is off)."""
    if not settings.report_prefetch:
        return None
    key = (assessment_id, lang, paper)
    with _lock:
        running = _inflight.get(key)
        if running is not None and not running.done():
            return running
        if len(_inflight) >= MAX_QUEUED:
            return None
        future = _executor.submit(_render, sessions, catalogue, settings, assessment_id, lang, paper, key)
        _inflight[key] = future
    future.add_done_callback(lambda done, k=key: _forget(k, done))
    return future


def wait_for(assessment_id: int, lang: str, paper: str | None = None) -> bool:
    """If this report is being rendered in the background, wait until it is done (its PDF is then in the cache); whether
    it waited (the caller's transaction then ends, to read what the rendering stored: a database snapshot taken before
    would not show it)."""
    key = (assessment_id, lang, paper)
    with _lock:
        running = _inflight.get(key)
        if running is None or key not in _started:  # not begun yet (others are ahead): the download renders it itself
            return False
    with contextlib.suppress(Exception):
        running.result(timeout=WAIT_S)
    return True


def _forget(key: Key, done: Future[bool]) -> None:
    with _lock:
        if _inflight.get(key) is done:
            del _inflight[key]
            _started.discard(key)


def _render(sessions: Callable[[], Session], catalogue: Catalogue, settings: Settings, assessment_id: int, lang: str,
            paper: str | None, key: Key) -> bool:
    from app.assessments.models import Assessment
    from app.reports import service

    with _lock:
        _started.add(key)

    try:
        with sessions() as db:
            assessment = db.get(Assessment, assessment_id)
            if assessment is None:
                return False
            service.partner_report(db, catalogue, settings, assessment, lang, paper)  # type: ignore[arg-type]
            return True
    except Exception:  # noqa: BLE001 - a failed prefetch only costs the download its rendering time
        log.exception("report prefetch of assessment %s (%s) failed", assessment_id, lang)
        return False
