"""What `reassess serve` does on its own, on a schedule: announcing a cycle to the partner leads on its opening day
(app/assessments/announce.py), the cycles' reminders to everyone who has not finished (app/assessments/reminders.py)
and the check-in reminders to partner leads (app/plans/checkins.py).

Each web process runs one thread (`start`) that, every ``REASSESS_SCHEDULER_INTERVAL_S`` seconds (300 by default; 0
turns it off), runs every job once. A job claims each piece of work with one conditional update in the database before
doing it (a row of `cycle_reminders`, `app.plans.checkins.claim_reminder`), so that with several web processes, or several machines sharing the
database, each reminder is sent once: no other daemon, no lock file. A job that fails is logged and tried again at the
next run; the others go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from app.assessments import announce, reminders
from app.config import Settings
from app.instruments.loader import Catalogue
from app.plans import checkins

log = logging.getLogger("reassess")

Job = Callable[[Session, Settings, Catalogue], int]

# name -> job(session, settings, catalogue) -> how many things it did
JOBS: dict[str, Job] = {
    "cycle announcements": lambda db, settings, catalogue: announce.send_due(db, settings, catalogue),
    "cycle reminders": lambda db, settings, catalogue: reminders.send_due(db, settings, reminders.minutes_by_cycle(db, catalogue)),
    "check-in reminders": lambda db, settings, catalogue: checkins.send_due_reminders(db, settings),
}


def run_due(factory: sessionmaker[Session], settings: Settings, catalogue: Catalogue) -> dict[str, int]:
    """Run every job once, each in its own session; returns what each did (a failed job: -1)."""
    done: dict[str, int] = {}
    for name, job in JOBS.items():
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
        while not self._stop.is_set():
            run_due(self.factory, self.settings, self.catalogue)
            self.runs += 1
            self._stop.wait(self.settings.scheduler_interval_s)


def start(factory: sessionmaker[Session], settings: Settings, catalogue: Catalogue) -> Scheduler | None:
    """Start this process's scheduler thread, unless the interval is 0."""
    if settings.scheduler_interval_s <= 0:
        return None
    return Scheduler(factory, settings, catalogue).start()
