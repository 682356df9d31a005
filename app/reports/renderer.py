"""HTML to PDF (WeasyPrint) in a separate process at a lower CPU priority.

A report takes WeasyPrint one to several seconds of CPU. Rendered in a thread of the web process, it held the
interpreter lock for that long, and respondents' answer saves queued behind it (their p95 went from 29 ms to 4.4 s on
SQLite while reports rendered). In a process of its own, at idle priority (`lower_priority`), the operating system
gives the web process the CPU first, and the web process only waits for the finished bytes.

`REASSESS_REPORT_PROCESSES` sets how many renderer processes a web process may start (default 1; 0 renders in the
calling thread, as the command line does for one-off renders). The processes start on the first report and warm up
(fonts, text shaping) before taking work.

A report fetches nothing from the network or the file system beyond the app's own packaged assets (`ASSET_DIRS`): its
HTML holds names people typed, and WeasyPrint would otherwise request any URL a stylesheet or an image in it named
(http, https, file). The report templates reference no asset today (fonts come from fontconfig, charts are inline SVG),
so a report fetches nothing at all; whatever else is asked for is refused, logged and left out of the PDF.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

log = logging.getLogger("reassess")

NICENESS = 10  # where SCHED_IDLE is not to be had: a niced renderer gets about a tenth of a busy core's share
MAX_TASKS_PER_PROCESS = 50  # a renderer is replaced after this many reports: WeasyPrint's caches never shrink

PARENT_CHECK_S = 1.0

# Garbage collection in a renderer process (`collect_between_renderings`). A rendering builds a few hundred thousand
# objects (boxes, styles, text layouts) that all live until it ends. Python's automatic full collections traverse every
# one of them: two or three times in a report, 90 to 350 ms together, about a tenth of a report's time. In a renderer
# they run between renderings instead.
FULL_COLLECTION_THRESHOLD = 1_000_000  # generation 2's threshold: out of reach, no automatic full collection
COLLECT_AFTER_S = 0.2  # a rendering's garbage is collected this long after it ends (its PDF has usually left by then)

# The folders whose files a report may load (stylesheets, fonts, images of the app's own package).
ASSET_DIRS = (Path(__file__).resolve().parent.parent / "web" / "static",)

_lock = threading.Lock()
_pools: dict[int, ProcessPoolExecutor] = {}
_garbage = threading.Event()  # set: a rendering has ended since the last full collection
_collect_lock = threading.Lock()


class RefusedURL(ValueError):
    """A report asked for a URL that is not one of the app's own assets."""


def asset_path(url: str) -> Path | None:
    """The file a `file:` URL names, when it is a file under one of `ASSET_DIRS` (after symbolic links and `..`)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if path.is_file() and any(path.is_relative_to(folder.resolve()) for folder in ASSET_DIRS):
        return path
    return None


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class AssetFetcher(URLFetcher):
        """WeasyPrint's URL fetcher, serving the app's own assets and refusing every other URL (WeasyPrint logs the
        refusal and renders without the resource)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = asset_path(url)
            if path is None:
                log.warning("a report asked for %r, which is not one of the app's assets: not fetched", url[:300])
                raise RefusedURL(f"not one of the app's assets: {url[:300]}")
            return super().fetch(path.as_uri(), headers)

    return AssetFetcher


def asset_fetcher() -> Any:
    """A WeasyPrint URL fetcher (`url_fetcher=`) that serves only files under `ASSET_DIRS`."""
    return _fetcher_class()()


def write_pdf(html: str, base_url: str) -> bytes:
    """The PDF of `html` (PDF/UA-1, tagged), with nothing fetched but the app's own assets."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=asset_fetcher()).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def collect_between_renderings() -> None:
    """In this (renderer) process, full garbage collections run between renderings, never during one.

    What start-up left (modules, fonts, the warm-up's caches) is collected once and frozen: no collection traverses it
    again. Generation 2 no longer collects on its own; a thread collects the garbage of a rendering COLLECT_AFTER_S
    after it ends (its PDF has usually left by then; if not, it waits that long), or the next rendering does first
    (`_render_here`), whichever comes sooner. The young
    generations collect as before, so the garbage a rendering leaves lives until the next full collection only."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)
    threading.Thread(target=_collector, name="renderer-collector", daemon=True).start()


def _collect() -> None:
    """A full collection, if a rendering has ended since the last one."""
    with _collect_lock:
        if _garbage.is_set():
            _garbage.clear()
            try:
                gc.collect()
            except Exception:  # noqa: BLE001 - out of memory, most likely: the rendering still goes on
                log.exception("a renderer's garbage collection failed")


def _collector() -> None:
    while True:
        _garbage.wait()
        time.sleep(COLLECT_AFTER_S)
        _collect()


def _render_here(html: str, base_url: str) -> bytes:
    """A renderer process's task: `write_pdf`, after the previous rendering's garbage is collected."""
    _collect()
    try:
        return write_pdf(html, base_url)
    finally:
        _garbage.set()


def render(html: str, base_url: str, processes: int) -> bytes:
    """The PDF of `html`, rendered by a renderer process (or in this thread when `processes` is 0)."""
    if processes <= 0:
        return write_pdf(html, base_url)
    try:
        return _pool(processes).submit(_render_here, html, base_url).result()
    except BrokenProcessPool:  # a renderer died (killed, out of memory): start afresh once
        log.warning("a report renderer process died; starting a new one")
        _discard()
        return _pool(processes).submit(_render_here, html, base_url).result()


def lower_priority() -> None:
    """This process runs only on CPU time that nothing else wants (Linux's SCHED_IDLE), and is niced besides.

    Niced alone (nice 10) the renderer still took a share of a busy core, and a web thread waking for a respondent's
    save waited for the renderer's time slice to end: respondents' p95 rose x2.4 while reports rendered. Under
    SCHED_IDLE a waking web thread takes the core at once. Where it is refused (another system), nice alone stays."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _start() -> None:
    """In a new renderer process: lower priority, a watch on its web process, the WeasyPrint start-up, then full
    collections only between renderings."""
    lower_priority()
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), name="renderer-parent-watch", daemon=True).start()
    try:
        render_sample()
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first report its start-up time
        log.exception("report warm-up failed")
    collect_between_renderings()


def _exit_with(parent: int) -> None:
    """A renderer ends when its web process is gone (stopped, or killed without a chance to stop it): it is adopted by
    another process then, and would otherwise wait for work forever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _pool(processes: int) -> ProcessPoolExecutor:
    with _lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            # spawn, not fork: the web process has threads (a forked child could inherit a lock held by one of them).
            pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                                       max_tasks_per_child=MAX_TASKS_PER_PROCESS)
            _pools[os.getpid()] = pool
        return pool


def _discard() -> None:
    with _lock:
        pool = _pools.pop(os.getpid(), None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def warm_up(processes: int) -> list[Future[int]]:
    """Start the renderer processes now (they warm up on their own), so that the first report does not wait for them.
    Each future is done once a renderer has warmed up (`reassess serve` does not wait; the benchmark does)."""
    if processes <= 0:
        return []
    pool = _pool(processes)
    return [pool.submit(int) for _ in range(processes)]


@atexit.register
def _shutdown() -> None:
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)


def render_sample() -> float:
    """Render a one-page document with the reports' fonts and Spanish text, so that WeasyPrint's start-up
    (imports, fontconfig, text shaping caches) is paid when the service starts, not by the first report's reader.
    Returns the seconds it took."""
    import time

    start = time.perf_counter()
    sample = ('<html><body style="font-family: \'Noto Sans\', \'DejaVu Sans\'"><h1>Informe · Report</h1>'
              "<p>Señal, acción, evaluación — 72 % <b>Página 1 de 1</b></p><table><tr><td>1</td></tr></table></body></html>")
    write_pdf(sample, str(Path(__file__).resolve().parent))
    return time.perf_counter() - start
