"""What `reassess serve` does on its own, on a schedule: announcing a cycle to the partner leads on its opening day
(app/assessments/announce.py), the cycles' reminders to everyone who has not finished (app/assessments/reminders.py),
the check-in reminders to partner leads (app/plans/checkins.py) and the webhook deliveries (app/webhooks/service.py,
every ``REASSESS_WEBHOOK_INTERVAL_S`` seconds, 15 by default).

Each web process runs one thread (`start`) that, every ``REASSESS_SCHEDULER_INTERVAL_S`` seconds (300 by default; 0
turns it off), runs every job once. A job claims each piece of work with one conditional update in the database before
doing it (a row of `cycle_reminders`, `app.plans.checkins.claim_reminder`), so that with several web processes, or several machines sharing the
database, each reminder is sent once: no other daemon, no lock file. A job that fails is logged and tried again at the
next run; the others go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from app.assessments import announce, reminders
from app.config import Settings
from app.instruments.loader import Catalogue
from app.plans import checkins
from app.webhooks import service as webhooks

log = logging.getLogger("reassess")

Job = Callable[[Session, Settings, Catalogue], int]

# name -> job(session, settings, catalogue) -> how many things it did
JOBS: dict[str, Job] = {
    "cycle announcements": lambda db, settings, catalogue: announce.send_due(db, settings, catalogue),
    "cycle reminders": lambda db, settings, catalogue: reminders.send_due(db, settings, reminders.minutes_by_cycle(db, catalogue)),
    "check-in reminders": lambda db, settings, catalogue: checkins.send_due_reminders(db, settings),
    "webhook deliveries": lambda db, settings, _catalogue: webhooks.deliver_due(db, settings),
}
# A job that runs more often than the others: the setting that gives its interval (the others: scheduler_interval_s).
INTERVALS = {"webhook deliveries": "webhook_interval_s"}


def interval_of(name: str, settings: Settings) -> int:
    return int(getattr(settings, INTERVALS.get(name, "scheduler_interval_s")))


def run_due(factory: sessionmaker[Session], settings: Settings, catalogue: Catalogue, names: list[str] | None = None) -> dict[str, int]:
    """Run every job (or those named) once, each in its own session; returns what each did (a failed job: -1)."""
    done: dict[str, int] = {}
    for name, job in JOBS.items():
        if names is not None and name not in names:
            continue
        try:
            with factory() as db:
                done[name] = job(db, settings, catalogue)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others, nor the thread
            log.exception("scheduled job %r failed; it runs again at the next interval", name)
            done[name] = -1
        if done[name] > 0:
            log.info("scheduled job %r: %s done", name, done[name])
    return done


class Scheduler:
    """The thread of one web process that runs the jobs every interval, until `stop`."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, catalogue: Catalogue):
        self.factory = factory
        self.settings = settings
        self.catalogue = catalogue
        self._stop = threading.Event()
        self.runs = 0
        self._thread = threading.Thread(target=self._loop, name="reassess-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        last: dict[str, float] = {}
        tick = min(interval_of(name, self.settings) for name in JOBS)
        while not self._stop.is_set():
            now = time.monotonic()
            due = [name for name in JOBS if now - last.get(name, -1e18) >= interval_of(name, self.settings)]
            run_due(self.factory, self.settings, self.catalogue, due)
            last.update(dict.fromkeys(due, now))
            self.runs += 1
            self._stop.wait(tick)


def start(factory: sessionmaker[Session], settings: Settings, catalogue: Catalogue) -> Scheduler | None:
    """Start this process's scheduler thread, unless the interval is 0."""
    if settings.scheduler_interval_s <= 0:
        return None
    return Scheduler(factory, settings, catalogue).start()
