"""Load: respondents completing the instrument with autosave against a real `reassess serve`, with and without backbone load.

Run:  .venv/bin/python bench/bench_load.py [--respondents 200] [--db sqlite|postgresql|both] [--write-results] [--quick] [--profile]

For each database (SQLite, and PostgreSQL on a throwaway cluster started with initdb + pg_ctl in a temp dir), the script
builds in a fresh database, through the app's own services, the 500-partner partnership of bench_dashboard.py (baseline
and follow-up, every partner scored) plus an open "load" cycle in which respondents are invited (real invitation links,
`invitations.issue`). Then it starts `reassess serve` as a subprocess (own REASSESS_VAR_DIR and REASSESS_DATABASE_URL;
it migrates on start) and drives it over HTTP with asyncio and a small keep-alive client (bench/lite_http.py: httpx
took 0.6-0.9 of a core from the server on this 2-core machine). Every simulated respondent does what a browser does:

  GET /invite/TOKEN -> welcome page; POST the welcome form (role group); then for every page of the full instrument:
  GET the page, POST /respond/ID/answer for each rated item exactly as app/web/static/respond.js sends it (JSON body
  {item_id, choices: [], value, comment}, X-CSRF-Token header = the page's csrf_token, the CSRF and session cookies),
  POST the page form with nav=next ("Save and continue"); finally the review page and POST submit.

Phases, each with fresh respondents (a submitted response cannot be answered again):

  capacity   all respondents at once, no think time (closed loop): the throughput the server sustains, in answer saves/s
  goal-rate  the same flow with think time, offering --rate answer saves/s in total (default 300 for 200 respondents:
             the throughput goal; 1.5 saves/s per respondent). Saves are fired the way respond.js fires them (not
             waiting for the previous one), so an overloaded server sees the load pile up as it would in production.
             The latency goal is judged here
  steady     the same, at --steady-rate (default: half the throughput the capacity phase measured), a load the server
             carries with room to spare
  backbone   the steady load again while --staff backbone admins, signed in, loop over the 500-partner comparison page
             and cold (never cached) partner report PDFs: its p95 against the steady phase's is the backbone goal

In the paced phases the respondents open their links and send the welcome form first (a few seconds apart), and
start answering when all are in: the answer saves are measured at the rate offered, not mixed with the arrival of the
last respondents (the entry pages are timed as pages and forms all the same).

A failed request (network error or 5xx) is tried again as a person or respond.js would (saves up to 5 times with the
script's back-off, pages 3 times); every failed attempt counts as an error. A phase is stopped after --phase-timeout s.

During every phase a probe requests the no-op health endpoint (/healthz) ten times a second; the ratio of the answer
save's median to the health check's median is printed, so that the figures can be read on a noisy machine. With
--profile the server runs under a small sampling profiler (all threads, every 10 ms) and the script prints, per
phase, where the server's busy threads were; profiled figures are slower and are not written to RESULTS.md.

Goals (load issue): no error; answer save p95 < 100 ms; >= 300 answer saves/s on SQLite; the respondents' p95 must not
double while reports render. The server is `reassess serve --workers 2` (one web process per core, --workers to
change it); the client, the server and PostgreSQL share the machine's cores (their CPU use is printed per phase, with
what other processes used).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lite_http  # noqa: E402 - bench/ is on the path only from here

GOAL_P95_MS = 100.0
GOAL_SAVES_PER_S = 300.0
GOAL_BACKBONE_FACTOR = 2.0
RESULTS = ROOT / "bench" / "RESULTS.md"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN = ("bench-admin@example.org", "bench-password-2026")  # created by bench_dashboard.build
PHASES = ("capacity", "goal-rate", "steady", "backbone")


# -- figures ------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks; nan for no values."""
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def fmt(ms: float, digits: int = 1) -> str:
    return "-" if math.isnan(ms) else f"{ms:.{digits}f}"


@dataclass
class Stats:
    """Latencies (ms) per kind of request, errors, and when the answer saves happened (for the throughput)."""

    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    first_save: float = math.inf
    last_save: float = 0.0
    cache: Counter[str] = field(default_factory=Counter)
    saved: int = 0  # answer saves that succeeded
    stopped_after: float = 0.0  # the phase was stopped after this many seconds (respondents had not finished)
    finished: int = 0  # respondents who reached the thank-you page
    started: int = 0

    def add(self, kind: str, ms: float) -> None:
        self.lat.setdefault(kind, []).append(ms)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 8:
            self.error_examples.append(f"{kind}: {what}"[:300])


# -- machine and process accounting (from /proc: no psutil here) ---------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds (user + system) of a process, with its waited-for children when asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICK


def tree_cpu(root_pid: int) -> float:
    """CPU seconds of a process and all its live descendants (PostgreSQL's backends; reassess serve's web workers and
    their report renderers), plus the children they waited for."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(int(stat[1]), []).append(pid)
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        stat = stats.get(pid)
        if stat is not None:
            total += sum(int(x) for x in stat[11:15]) / TICK
        todo.extend(children.get(pid, []))
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    parts = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class CpuMeter:
    """CPU use of the server (with its worker processes), the database server, this client, and the whole machine over one phase."""

    def __init__(self, server_pid: int, pg_pid: int | None):
        self.server_pid, self.pg_pid = server_pid, pg_pid

    def __enter__(self) -> CpuMeter:
        self.t0 = time.perf_counter()
        self.s0, self.c0 = tree_cpu(self.server_pid), self_cpu()
        self.p0 = tree_cpu(self.pg_pid) if self.pg_pid else 0.0
        self.m0 = machine_busy()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        m1 = machine_busy()
        self.server = (tree_cpu(self.server_pid) - self.s0) / wall
        self.client = (self_cpu() - self.c0) / wall
        self.pg = ((tree_cpu(self.pg_pid) - self.p0) / wall) if self.pg_pid else math.nan
        self.machine = (m1[0] - self.m0[0]) / max(1, m1[1] - self.m0[1])
        # What the machine did besides this benchmark (other people's test runs, ...), in cores.
        self.others = max(0.0, self.machine * (os.cpu_count() or 1) - self.server - self.client - (0 if math.isnan(self.pg) else self.pg))
        self.wall = wall


# -- a throwaway PostgreSQL cluster, as scripts/test starts it ------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bindir: Path, base: Path):
        self.bindir, self.dir, self.port = bindir, base, free_port()
        self.started = False

    @staticmethod
    def find() -> Path | None:
        def version(p: Path) -> tuple[int, ...]:
            return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

        found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()]
        return max(found, key=version) if found else None

    def _run(self, cmd: str) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres", str(self.dir)], check=True)
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
        else:
            subprocess.run(["sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        data, q = self.dir / "data", shlex.quote
        self._run(f"{q(str(self.bindir / 'initdb'))} -D {q(str(data))} -U postgres -A trust -E UTF8 --locale=C.UTF-8 >{q(str(self.dir / 'initdb.log'))}")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.started = True
        self._run(f"{q(str(self.bindir / 'pg_ctl'))} -D {q(str(data))} -o {q(opts)} -l {q(str(self.dir / 'server.log'))} -w start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        try:
            return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if self.started:
            self.started = False
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(f"{shlex.quote(str(self.bindir / 'pg_ctl'))} -D {shlex.quote(str(self.dir / 'data'))} -m immediate -w stop")


# -- the data, through the app's own services ------------------------------------------------------

@dataclass
class World:
    url: str
    follow_id: int
    report_ids: list[int]
    pages: list[tuple[str, list[str]]]  # page key, its rated items in order
    choices: dict[str, list[str]]  # per rated item: the values a respondent may pick
    roles: list[str]
    tokens: dict[str, list[str]]  # per phase: invitation tokens


def build_world(url: str, var: Path, partners: int, respondents: int, groups: dict[str, int]) -> World:
    from bench_dashboard import build
    from sqlalchemy import select

    from app.assessments import service
    from app.assessments.models import Assessment
    from app.auth import invitations
    from app.auth import service as auth
    from app.auth.models import InvitationPurpose
    from app.config import Settings
    from app.db import make_sessionmaker
    from app.instruments.loader import load_catalogue
    from app.organizations.models import Organization, OrgKind
    from app.respond.service import plan_pages

    client, follow_id, _first, engine = build(url, var, partners, 10)
    client.close()
    settings = Settings(env="test", var_dir=var, database_url=url, secret_key="bench-" + "x" * 40, _env_file=None)
    instrument = load_catalogue(ROOT / "surveys").get("equity-self-assessment", "1.0")
    rng = random.Random(20261124)
    try:
        with make_sessionmaker(engine)() as db:
            backbone = db.scalar(select(Organization).where(Organization.kind == OrgKind.backbone))
            admin = auth.get_user_by_email(db, ADMIN[0])
            assert backbone is not None and admin is not None
            orgs = db.scalars(select(Organization).where(Organization.kind == OrgKind.partner).order_by(Organization.id)).all()
            load_orgs = orgs[: max(1, min(len(orgs), math.ceil(respondents / 10)))]
            today = dt.date.today()
            cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Load", instrument=instrument,
                                         opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=30),
                                         partner_ids=[o.id for o in load_orgs])
            assessments = db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id).order_by(Assessment.id)).all()
            tokens: dict[str, list[str]] = {}
            for group, n in groups.items():
                tokens[group] = []
                for k in range(n):
                    assessment = assessments[k % len(assessments)]
                    issued = invitations.issue(db, settings, email=f"{group}-{k:04}@respondents.example.org", language="es" if k % 3 == 2 else "en",
                                               organization=assessment.organization, purpose=InvitationPurpose.respond,
                                               assessment_id=assessment.id, created_by_id=admin.id)
                    tokens[group].append(issued.token)
            report_ids = list(db.scalars(select(Assessment.id).where(Assessment.cycle_id == follow_id).order_by(Assessment.id)))
            rng.shuffle(report_ids)
            pages = [(p.key, [q for q in p.question_ids if instrument.has_item(q) and instrument.item(q).is_rated])
                     for p in plan_pages(instrument, cycle.depth, cycle.order)]
            db.commit()
    finally:
        engine.dispose()
    choices = {}
    for item in instrument.items:
        if item.is_rated:
            scale = instrument.scale(item.scale)
            choices[item.id] = [str(v) for v in scale.values] * 4 + (["dont_know"] if scale.dont_know else [])
    roles = [o.id for o in instrument.respondent.role_group.options or []]
    return World(url, follow_id, report_ids, pages, choices, roles, tokens)


# -- the server ------------------------------------------------------------------------------------

class Server:
    """`reassess serve` in a subprocess, with its own var dir and database."""

    def __init__(self, var: Path, url: str, profile_dir: Path | None, workers: int = 1, threads: int | None = None):
        self.var, self.url, self.port, self.profile_dir, self.workers = var, url, free_port(), profile_dir, workers
        self.threads = threads
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = var / "server.log"

    def start(self) -> None:
        reassess = Path(sys.executable).parent / "reassess"
        cmd = [str(reassess)] if reassess.exists() else [sys.executable, "-m", "app.cli"]
        serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)]
        if self.profile_dir:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-sampled", str(self.profile_dir), "--"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("REASSESS_")}
        env.update(REASSESS_VAR_DIR=str(self.var), REASSESS_DATABASE_URL=self.url, REASSESS_BASE_URL=self.base, PYTHONUNBUFFERED="1")
        if self.threads is not None:  # a value the app refuses gets its own message in the server log
            env["REASSESS_THREADS"] = str(self.threads)
        with open(self.log, "wb") as log:
            # Its own process group: a Ctrl-C in the terminal reaches only this script, which stops the server itself.
            self.proc = subprocess.Popen(cmd + serve, cwd=self.var, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"reassess serve exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"reassess serve did not answer /healthz within 180 s:\n{self.log.read_text()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def profile_mark(self, name: str) -> dict[str, Any] | None:
        """Ask the sampler for what it saw since the last mark (and to start afresh)."""
        if not self.profile_dir:
            return None
        ctrl = self.profile_dir / "dump"
        ctrl.write_text(name)
        deadline = time.monotonic() + 10
        while ctrl.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        out = self.profile_dir / f"{name}.json"
        return json.loads(out.read_text()) if out.exists() else None


def _die_with_parent() -> None:
    """In the server's process before exec: SIGTERM when this script dies, even of SIGKILL (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


# -- the clients ----------------------------------------------------------------------------------

class Load:
    """Shared by every simulated person during one phase."""

    def __init__(self, base: str, world: World, stats: Stats, transport: Any, expected: int = 0):
        """`transport`: a lite_http.Pool (over the network), or an httpx transport (the in-process profile);
        `expected`: the respondents to wait for before anyone answers (0: nobody waits)."""
        self.base, self.world, self.stats, self.transport = base, world, stats, transport
        self.done = asyncio.Event()
        self.expected = expected
        self.entered = 0
        self.all_in = asyncio.Event()

    def arrived(self) -> None:
        """One respondent is past the welcome form (or gave up on the way)."""
        self.entered += 1
        if self.entered >= self.expected:
            self.all_in.set()

    @contextlib.asynccontextmanager
    async def client(self) -> Any:
        """One person's browser: its own cookies, over the phase's shared connection pool. Not closed on leaving: closing a
        client closes its transport, under everyone else's requests; the pool is closed at the end of the phase."""
        if isinstance(self.transport, lite_http.Pool):
            yield lite_http.Client(self.transport, timeout=120.0)
            return
        import httpx

        yield httpx.AsyncClient(base_url=self.base, transport=self.transport, timeout=httpx.Timeout(120.0), follow_redirects=False)

    async def request(self, client: Any, kind: str, method: str, path: str, expect: int, **kw: Any) -> Any:
        """One timed request; a 303 is followed (timed as `page`). After a network error or a 5xx it is tried again as a
        person (or, for a save, respond.js) would: saves up to 5 times with respond.js's back-off, pages 3 times a second
        apart. Every failed attempt is counted as an error; None when it never succeeded or got an unexpected status."""
        tries = 6 if kind == "save" else 4
        for attempt in range(tries):
            if attempt:
                await asyncio.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) if kind == "save" else 1.0)
            t0 = time.perf_counter()
            try:
                r = await client.request(method, path, **kw)
            except Exception as exc:  # noqa: BLE001 - every failure is an error of the run, counted and shown
                self.stats.add(kind, (time.perf_counter() - t0) * 1000)
                self.stats.error(kind, f"{method} {path}: {type(exc).__name__} {exc}")
                continue
            t1 = time.perf_counter()
            self.stats.add(kind, (t1 - t0) * 1000)
            if kind == "save":
                self.stats.first_save = min(self.stats.first_save, t0)
                self.stats.last_save = max(self.stats.last_save, t1)
            if r.status_code >= 500:
                self.stats.error(kind, f"{method} {path}: HTTP {r.status_code} after {(t1 - t0):.1f} s {r.text[:120]!r}")
                continue
            if r.status_code != expect:
                self.stats.error(kind, f"{method} {path}: HTTP {r.status_code} {r.text[:160]!r}")
                return None
            if kind == "save":
                self.stats.saved += 1
            if r.status_code == 303:
                return await self.request(client, "page", "GET", r.headers["location"], 200)
            return r
        return None


async def respondent(load: Load, token: str, k: int, interval: float | None, start_delay: float) -> None:
    """One person through the whole instrument; with `interval`, saves are fired every ~interval s without waiting.

    With `load.expected`, the respondents first open their links and send the welcome form (entering `start_delay`
    apart), wait until all are in, and then start answering, `start_delay` apart again: the answer saves are measured
    at the rate offered, not mixed with the arrival of the last respondents (entering costs the server about 17 ms of
    CPU per person, 6 times an answer save; 200 people opening their links within 3 s overloaded it for 5 s)."""
    world, rng = load.world, random.Random(k)
    await asyncio.sleep(start_delay)
    async with load.client() as c:
        load.stats.started += 1
        try:
            r = await load.request(c, "page", "GET", f"/invite/{token}", 303)
            if r is None:
                return
            rid = int(str(r.url.path).split("/")[2])
            csrf = CSRF_RE.search(r.text).group(1)  # type: ignore[union-attr]
            r = await load.request(c, "form", "POST", f"/respond/{rid}/welcome", 303,
                                   data={"csrf_token": csrf, "role_group": rng.choice(world.roles)})
            if r is None:
                return
        finally:
            load.arrived()
        if load.expected:
            await load.all_in.wait()
            await asyncio.sleep(start_delay)
        headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json"}
        next_at = time.perf_counter()
        for index, (key, items) in enumerate(world.pages):
            pending: list[asyncio.Task[None]] = []
            form: dict[str, str] = {"csrf_token": csrf, "nav": "next" if index + 1 < len(world.pages) else "review"}
            for item in items:
                value = rng.choice(world.choices[item])
                form.update({item: value, f"orig-{item}": value, f"{item}-comment": "", f"orig-{item}-comment": ""})
                body = json.dumps({"item_id": item, "choices": [], "value": value, "comment": ""})
                if interval is None:
                    await save(load, c, rid, item, body, headers)
                    continue
                next_at = max(next_at + interval * rng.uniform(0.5, 1.5), time.perf_counter() - interval)
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                pending.append(asyncio.create_task(save(load, c, rid, item, body, headers)))  # respond.js does not wait either
            if pending:
                await asyncio.gather(*pending)
            # "Save and continue": the form carries the autosaved answers (orig-* updated by the script): nothing to save again.
            r = await load.request(c, "form", "POST", f"/respond/{rid}/page/{key}", 303, data=form)
            if r is None:
                return
        r = await load.request(c, "form", "POST", f"/respond/{rid}/submit", 303, data={"csrf_token": csrf, "confirm": "yes"})
        if r is not None and not str(r.url.path).endswith("/done"):
            load.stats.error("form", f"submit ended at {r.url.path}")
        elif r is not None:
            load.stats.finished += 1


async def save(load: Load, c: Any, rid: int, item: str, body: str, headers: dict[str, str]) -> None:
    r = await load.request(c, "save", "POST", f"/respond/{rid}/answer", 200, content=body, headers=headers)
    if r is not None and not (r.json().get("ok") and r.json().get("item_id") == item):
        load.stats.error("save", f"unexpected body {r.text[:160]!r}")


async def staff(load: Load, k: int, reports: list[int], rounds: int | None = None) -> None:
    """A backbone admin: the 500-partner comparison page, then a partner report never rendered before, again and again
    (until the respondents are done, or `rounds` times)."""
    async with load.client() as c:
        r = await load.request(c, "staff-login", "GET", "/login", 200)
        if r is None:
            return
        csrf = CSRF_RE.search(r.text).group(1)  # type: ignore[union-attr]
        if await load.request(c, "staff-login", "POST", "/login", 303, data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf}) is None:
            return
        n = 0
        while (not load.done.is_set()) if rounds is None else n < rounds:
            await load.request(c, "compare", "GET", f"/backbone/cycles/{load.world.follow_id}/compare?sort=leadership&dir=desc", 200)
            if not reports:
                break
            lang = "es" if (n + k) % 2 else "en"
            r = await load.request(c, "report", "GET", f"/assessments/{reports.pop()}/report.pdf?lang={lang}", 200)
            if r is not None:
                load.stats.cache[r.headers.get("x-report-cache", "?")] += 1
                if not r.content.startswith(b"%PDF"):
                    load.stats.error("report", "not a PDF")
            n += 1


async def probe_health(load: Load, every: float = 0.1) -> None:
    async with load.client() as c:
        while not load.done.is_set():
            t0 = time.perf_counter()
            await load.request(c, "healthz", "GET", "/healthz", 200)
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - t0)))


async def loop_lag(load: Load, every: float = 0.01) -> None:
    """How late this client's event loop wakes up: the part of the latencies that is the client's own."""
    while not load.done.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(every)
        load.stats.add("client-lag", (time.perf_counter() - t0 - every) * 1000)


async def run_phase(base: str, world: World, tokens: list[str], *, interval: float | None, staff_count: int, reports: list[int],
                    health: bool = True, staff_rounds: int | None = None, timeout: float = 600.0, sequential: bool = False) -> Stats:
    stats = Stats()
    # Idle connections are dropped after 2 s, before uvicorn's 5 s keep-alive timeout closes them under a request
    # (a browser retries such a request on its own; the client would report it as an error of the server).
    transport = lite_http.Pool(base, keepalive_expiry=2.0)
    load = Load(base, world, stats, transport, expected=0 if sequential else len(tokens))
    extra = [asyncio.create_task(loop_lag(load))]
    if health:
        extra.append(asyncio.create_task(probe_health(load)))
    staffers = [asyncio.create_task(staff(load, k, reports, staff_rounds)) for k in range(staff_count)]
    if staff_count:
        await asyncio.sleep(1.0)  # the staff are at work when the respondents arrive
    # Paced: arrivals (and, once all are in, the first answers) spread over a few save intervals; capacity: everyone at once.
    spread = 0.0 if interval is None else min(5.0, 4 * interval)
    people = [respondent(load, t, k, interval, random.Random(k).uniform(0, spread)) for k, t in enumerate(tokens)]

    async def one_by_one() -> None:
        for person in people:
            await person

    try:
        try:
            await asyncio.wait_for(one_by_one() if sequential else asyncio.gather(*people), timeout)
        except TimeoutError:
            for person in people:  # the ones never started (one by one) must not warn that they were never awaited
                person.close()
            stats.stopped_after = timeout
        if staff_rounds is not None:
            await asyncio.gather(*staffers)
    finally:
        load.done.set()
        for task in [*staffers, *extra]:  # a report still being rendered, a probe still waiting: abandoned, the respondents are done
            task.cancel()
        await asyncio.gather(*extra, *staffers, return_exceptions=True)
        await transport.aclose()
    return stats


def run_async(coro: Any) -> Any:
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


# -- one database ----------------------------------------------------------------------------------

@dataclass
class PhaseResult:
    name: str
    stats: Stats
    cpu: CpuMeter
    profile: dict[str, Any] | None = None

    @property
    def saves(self) -> list[float]:
        return self.stats.lat.get("save", [])

    @property
    def throughput(self) -> float:
        span = self.stats.last_save - self.stats.first_save
        return self.stats.saved / span if span > 0 else math.nan

    def p(self, kind: str, q: float) -> float:
        return pct(self.stats.lat.get(kind, []), q)

    @property
    def cpu_per_save(self) -> float:
        """Server CPU (ms) per successful answer save, the pages of the flow included."""
        return self.cpu.server * self.cpu.wall * 1000 / self.stats.saved if self.stats.saved else math.nan

    @property
    def ratio(self) -> float:
        return self.p("save", 50) / self.p("healthz", 50)


@dataclass
class DbResult:
    db: str
    setup: str
    phases: dict[str, PhaseResult]
    idle_health_p50: float
    rates: dict[str, float]  # answer saves/s offered per paced phase
    staff: int
    partners: int
    cpu_profile: list[str] = field(default_factory=list)


def run_database(db: str, args: argparse.Namespace, stack: contextlib.ExitStack) -> DbResult | None:
    tmp = Path(tempfile.mkdtemp(prefix=f"reassess-load-{db}-"))
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    var = tmp / "var"
    var.mkdir()
    pg: PgCluster | None = None
    if db == "postgresql":
        bindir = PgCluster.find()
        if bindir is None:
            print("PostgreSQL: no binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql): skipped.")
            return None
        pgdir = Path(tempfile.mkdtemp(prefix="reassess-load-pg-"))  # its own: the postgres user cannot enter `tmp`
        stack.callback(shutil.rmtree, pgdir, ignore_errors=True)
        pg = PgCluster(bindir, pgdir)
        stack.callback(pg.stop)
        url = pg.start()
        setup = f"PostgreSQL {bindir.parent.name} (throwaway cluster, default settings but max_connections=200), psycopg 3"
    else:
        url = f"sqlite:///{var / 'reassess.db'}"
        setup = "SQLite (WAL, synchronous=NORMAL, as app/db.py sets it)"
    setup += f"; `reassess serve --workers {args.workers}`, report renderer processes: {os.environ.get('REASSESS_REPORT_PROCESSES', '1')}"
    groups = {"warmup": min(5, args.respondents), **{p: args.respondents for p in PHASES}, **({"solo": 10, "cpu": 6} if args.profile else {})}
    t0 = time.perf_counter()
    world = build_world(url, var, args.partners, args.respondents, groups)
    print(f"\n== {db}: {setup}")
    print(f"   {args.partners} partners scored (baseline + follow-up), {sum(groups.values())} invitations, "
          f"{sum(len(i) for _, i in world.pages)} rated items on {len(world.pages)} pages: built in {time.perf_counter() - t0:.0f} s")

    profile_dir = None
    if args.profile:
        profile_dir = tmp / "profile"
        profile_dir.mkdir()
    server = Server(var, url, profile_dir, args.workers, args.threads)
    stack.callback(server.stop)
    server.start()
    print(f"   reassess serve (pid {server.pid}) at {server.base}")

    # Warm-up, not measured: templates, SQLAlchemy's statement caches, WeasyPrint's start-up (the first report).
    reports = list(world.report_ids)
    warm = run_async(run_phase(server.base, world, world.tokens["warmup"], interval=None, staff_count=1 if args.staff else 0,
                               reports=reports[-1:], health=False, staff_rounds=1, timeout=args.phase_timeout or 600.0))
    del reports[-1:]
    if sum(warm.errors.values()):
        print(f"   warm-up errors: {dict(warm.errors)} {warm.error_examples[:3]}")
    idle = run_async(idle_health(server.base, world))
    server.profile_mark("warmup")

    results: dict[str, PhaseResult] = {}
    if args.profile:  # one respondent after the other: where one request's time goes, without contention
        with CpuMeter(server.pid, pg.pid if pg else None) as cpu:
            stats = run_async(run_phase(server.base, world, world.tokens["solo"], interval=None, staff_count=0, reports=[], sequential=True))
        results["solo"] = PhaseResult("solo", stats, cpu, server.profile_mark("solo"))
        print_phase(results["solo"])
    rates: dict[str, float] = {"goal-rate": args.rate or GOAL_SAVES_PER_S * args.respondents / 200}
    for name in PHASES:
        if name not in args.only:
            continue
        if name == "steady" and "capacity" not in results and not args.steady_rate:
            print("   steady needs the capacity phase or --steady-rate: skipped")
            continue
        if name == "backbone" and "steady" not in rates:
            rates["backbone"] = args.steady_rate or 1.0
        if name == "steady":  # what the server sustains with room to spare: half of what it did flat out, unless given
            cap = results["capacity"].throughput if "capacity" in results else math.nan
            rates["steady"] = rates["backbone"] = args.steady_rate or max(1.0, round(cap / 2 if not math.isnan(cap) else 1.0))
        interval = args.respondents / rates[name] if name in rates else None
        # Long enough for the whole flow at the offered rate, twice over (a phase is stopped only when something is stuck).
        items = sum(len(i) for _, i in world.pages)
        timeout = args.phase_timeout or max(600.0, 2 * args.respondents * items / rates[name] if name in rates else 0.0)
        with CpuMeter(server.pid, pg.pid if pg else None) as cpu:
            stats = run_async(run_phase(server.base, world, world.tokens[name], interval=interval,
                                        staff_count=args.staff if name == "backbone" else 0, reports=reports, timeout=timeout))
        results[name] = PhaseResult(name, stats, cpu, server.profile_mark(name))
        print_phase(results[name])
    server.stop()
    cpu_lines = cpu_profile(url, var, world, world.tokens["cpu"]) if args.profile else []
    for line in cpu_lines:
        print("   " + line)
    log = [line for line in server.log.read_text(errors="replace").splitlines() if line.strip()]
    if log:
        warnings = Counter(line[:150] for line in log if not line.startswith((" ", "Traceback")))
        print(f"   the server logged {len(log)} lines; most frequent first lines:")
        for line, n in warnings.most_common(6):
            print(f"      {n:5d} x {line}")
    return DbResult(db, setup, results, idle, rates, args.staff, args.partners, cpu_lines)


async def idle_health(base: str, world: World, n: int = 50) -> float:
    stats = Stats()
    transport = lite_http.Pool(base)
    load = Load(base, world, stats, transport)
    async with load.client() as c:
        for _ in range(n):
            await load.request(c, "healthz", "GET", "/healthz", 200)
            await asyncio.sleep(0.02)
    await transport.aclose()
    return pct(stats.lat.get("healthz", []), 50)


# -- printing and RESULTS.md ---------------------------------------------------------------------------

def print_phase(r: PhaseResult) -> None:
    s, errors = r.stats, sum(r.stats.errors.values())
    print(f"   {r.name:<9} {s.saved:6d} saves ({s.finished}/{s.started} respondents finished) in {r.cpu.wall:5.1f} s: "
          f"{r.throughput:6.1f} saves/s; save p50 {fmt(r.p('save', 50))} p95 {fmt(r.p('save', 95))} p99 {fmt(r.p('save', 99))} ms; "
          f"healthz p50 {fmt(r.p('healthz', 50))} ms; errors {errors}; server CPU {r.cpu.server:.0%} ({fmt(r.cpu_per_save)} ms/save), "
          f"client CPU {r.cpu.client:.0%}" + (f"; STOPPED after {s.stopped_after:.0f} s" if s.stopped_after else ""))
    if errors:
        for example in s.error_examples:
            print(f"      ! {example}")


def row(r: PhaseResult, label: str) -> list[str]:
    return [label, f"{r.stats.finished}/{r.stats.started}", f"{r.stats.saved:,}", str(sum(r.stats.errors.values())), f"{r.throughput:.0f}",
            fmt(r.p("save", 50)), fmt(r.p("save", 95)), fmt(r.p("save", 99)), fmt(pct(r.saves, 100), 0),
            f"{fmt(r.p('page', 50), 0)} / {fmt(r.p('page', 95), 0)}", f"{fmt(r.p('healthz', 50))} / {fmt(r.p('healthz', 95))}",
            fmt(r.ratio, 2), f"{r.cpu.server:.0%}" + ("" if math.isnan(r.cpu.pg) else f" + pg {r.cpu.pg:.0%}"), fmt(r.cpu_per_save),
            f"{r.cpu.client:.0%}", f"{r.cpu.machine:.0%}", f"{r.cpu.others:.0%}", fmt(r.p("client-lag", 95), 0)]


HEADERS = ["phase", "respondents finished", "saves", "errors", "saves/s", "save p50 ms", "p95", "p99", "max", "page GET p50 / p95 ms",
           "healthz p50 / p95 ms", "save p50 / healthz p50", "server CPU (of 1 core)",
           "server CPU ms per save (pages included)", "client CPU", "machine busy (of all cores)",
           "rest of the machine: other processes, kernel (of 1 core)", "client loop lag p95 ms"]


def table(res: DbResult) -> str:
    labels = {"capacity": "capacity: all at once, no think time",
              "goal-rate": f"goal rate: {res.rates['goal-rate']:.0f} saves/s offered",
              "steady": f"steady: {res.rates['steady']:.0f} saves/s offered",
              "backbone": f"steady {res.rates['backbone']:.0f}/s + backbone ({res.staff} staff)"}
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(row(res.phases[n], labels[n])) + " |" for n in PHASES]
    return "\n".join(lines)


def staff_line(res: DbResult) -> str:
    b = res.phases["backbone"]
    return (f"backbone staff during the last phase: comparison page ({res.partners} partners) p50 {fmt(b.p('compare', 50), 0)} ms, "
            f"max {fmt(pct(b.stats.lat.get('compare', []), 100), 0)} ms ({len(b.stats.lat.get('compare', []))} loads); "
            f"partner report PDF p50 {fmt(b.p('report', 50), 0)} ms, max {fmt(pct(b.stats.lat.get('report', []), 100), 0)} ms "
            f"({len(b.stats.lat.get('report', []))} rendered, cache {dict(b.stats.cache) or '-'})")


def verdicts(res: DbResult) -> list[str]:
    cap, goal, steady, back = (res.phases[n] for n in PHASES)
    errors = sum(sum(p.stats.errors.values()) for p in res.phases.values())
    per_phase = ", ".join(f"{n} {sum(p.stats.errors.values())}" for n, p in res.phases.items() if sum(p.stats.errors.values()))
    factor = back.p("save", 95) / steady.p("save", 95)
    rate = res.rates["goal-rate"]
    unfinished = ", ".join(f"{n} {p.stats.started - p.stats.finished} (stopped after {p.stats.stopped_after:.0f} s)"
                           for n, p in res.phases.items() if p.stats.started - p.stats.finished)
    out = [f"no error: {'met' if errors == 0 else f'**MISSED** ({errors} failed requests, each retried: {per_phase})'}"
           + (f"; respondents who had not finished: {unfinished}" if unfinished else ""),
           f"answer save p95 < {GOAL_P95_MS:.0f} ms at {rate:.0f} saves/s offered: "
           f"{fmt(goal.p('save', 95))} ms, {'met' if goal.p('save', 95) < GOAL_P95_MS else '**MISSED**'}"
           + ("" if rate >= GOAL_SAVES_PER_S else f" (offered rate below the {GOAL_SAVES_PER_S:.0f}/s goal: not a full test)")
           + f"; at the steady {res.rates['steady']:.0f}/s: {fmt(steady.p('save', 95))} ms",
           f"throughput >= {GOAL_SAVES_PER_S:.0f} answer saves/s: {cap.throughput:.0f}/s, "
           + (('met' if cap.throughput >= GOAL_SAVES_PER_S else '**MISSED**') if res.db == "sqlite"
              else "not judged (the issue sets this goal for SQLite only; the figure is reported)"),
           f"p95 with backbone load < {GOAL_BACKBONE_FACTOR:.0f} x without (steady rate): {fmt(back.p('save', 95))} vs {fmt(steady.p('save', 95))} ms "
           f"(x{factor:.1f}), {'met' if factor < GOAL_BACKBONE_FACTOR else '**MISSED**'}"]
    return out


def profile_lines(res: DbResult) -> list[str]:
    out = []
    for name in ("solo", *PHASES):
        if name not in res.phases:
            continue
        prof = res.phases[name].profile
        if not prof or not prof.get("busy"):
            continue
        busy = prof["busy"]
        areas = ", ".join(f"{k} {v / busy:.0%}" for k, v in Counter(prof["areas"]).most_common(7))
        funcs = ", ".join(f"{k} {v / busy:.0%}" for k, v in Counter(prof["app"]).most_common(6))
        loop = ", ".join(f"{k} {v / max(1, prof['samples']):.0%}" for k, v in Counter(prof.get("loop", {})).most_common(5))
        loop_app = ", ".join(f"{k} {v / max(1, prof['samples']):.0%}" for k, v in Counter(prof.get("loop_app", {})).most_common(4))

        if name == "solo":
            solo = res.phases["solo"]
            out.append(f"solo (one respondent at a time, {solo.stats.saved} saves, save p50 {fmt(solo.p('save', 50))} ms, "
                       f"server CPU {solo.cpu_per_save:.1f} ms per save in the flow): where the time of one request goes, without contention")
        out.append(f"{name}: {prof['samples']} samples, {busy / prof['samples']:.1f} busy worker threads on average. Where they were: {areas}. "
                   f"Innermost app function: {funcs}. "
                   f"The event loop thread: {loop}; in app code: {loop_app or '-'}")
    return out


def print_summary(results: list[DbResult]) -> None:
    for res in results:
        print(f"\n{res.db}: {res.setup}")
        print(table(res))
        print(staff_line(res))
        print(f"healthz p50 with no load: {fmt(res.idle_health_p50)} ms")
        for v in verdicts(res):
            print("goal: " + v.replace("**", ""))
        for line in profile_lines(res):
            print("profile " + line)
        for line in res.cpu_profile:
            print("cpu profile: " + line)


def markdown_block(res: DbResult, command: str) -> str:
    today = dt.date.today().isoformat()
    lines = [f"### {res.db} — measured {today}", "",
             f"`{command}` on {machine()}; {revision()}; database: {res.setup}.", "", table(res), "",
             f"- {staff_line(res)}",
             f"- healthz p50 with no load: {fmt(res.idle_health_p50)} ms",
             *[f"- goal: {v}" for v in verdicts(res)]]
    prof = profile_lines(res)
    if prof:
        lines += ["", "Sampled profile of the server (this run was profiled: its figures are slower than unprofiled ones):", "",
                  *[f"- {p}" for p in prof]]
    return "\n".join(lines)


def revision() -> str:
    """The commit measured (read-only git), and whether app/ had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "app", "migrations", "surveys"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return f"commit {head}" + (" with uncommitted changes in app/" if dirty else "")


def machine() -> str:
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {platform.processor() or platform.machine()}, Python {platform.python_version()}"


def write_results(results: list[DbResult], command: str) -> None:
    """Replace each measured database's block between its markers; everything else in RESULTS.md is kept."""
    text = RESULTS.read_text() if RESULTS.exists() else (
        "# Load benchmark results\n\nWritten by `bench/bench_load.py --write-results`; the text outside the marked blocks is written by hand.\n\n"
        "<!-- bench_load:sqlite:start -->\n<!-- bench_load:sqlite:end -->\n\n<!-- bench_load:postgresql:start -->\n<!-- bench_load:postgresql:end -->\n")
    for res in results:
        start, end = f"<!-- bench_load:{res.db}:start -->", f"<!-- bench_load:{res.db}:end -->"
        block = f"{start}\n{markdown_block(res, command)}\n{end}"
        if start in text and end in text:
            text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
    print(f"\nwrote {RESULTS}")


# -- profiles (--profile) ---------------------------------------------------------------------------------

APP_DIR = str(ROOT / "app") + os.sep
_S = os.sep
AREAS = [  # the first frame from the innermost outwards that matches one of these names its area
    (lambda f, n: f"{_S}psycopg{_S}" in f or "psycopg" in n, "PostgreSQL round trips (psycopg)"),
    (lambda f, n: f"sqlalchemy{_S}pool{_S}" in f, "connection pool (checkout, waiting for a free connection)"),
    (lambda f, n: (f"sqlalchemy{_S}engine{_S}default.py" in f and n.startswith("do_")) or "sqlite3" in n, "SQLite calls (execute, commit, rollback)"),
    (lambda f, n: f"{_S}weasyprint{_S}" in f or f"{_S}tinycss2{_S}" in f or f"{_S}pydyf{_S}" in f, "WeasyPrint"),
    (lambda f, n: f"{_S}jinja2{_S}" in f or f.endswith(".html"), "Jinja2 templates"),
    (lambda f, n: f"{_S}sqlalchemy{_S}" in f, "SQLAlchemy (ORM, SQL compilation, rows)"),
    (lambda f, n: f"{_S}pydantic" in f, "pydantic"),
    (lambda f, n: f.startswith(APP_DIR), "app code"),
    (lambda f, n: f"{_S}httpx{_S}" in f or f"{_S}httpcore{_S}" in f, "the test client (httpx), not the server"),
]


def area(stack: list[tuple[str, str]]) -> str:
    """What a thread is doing, from its stack (innermost frame first)."""
    if any(n == "_sqlite_begin" for _, n in stack):
        return "BEGIN IMMEDIATE (waiting for the SQLite write lock)"
    for f, n in stack:
        for match, name in AREAS:
            if match(f, n):
                return name
    return "FastAPI, Starlette, anyio, uvicorn, asyncio, builtins, other"


def cpu_profile(url: str, var: Path, world: World, tokens: list[str]) -> list[str]:
    """Where one answer save's CPU goes: cProfile over whole respondents' flows, one at a time, through the ASGI app in this
    process (thread pool calls made inline, so one thread does everything; the first flow warms up and is not counted).
    cProfile inflates Python calls against C calls; the shares are indicative."""
    import cProfile
    import pstats

    import anyio.to_thread
    import httpx

    from app.config import Settings, prepare
    from app.main import create_app

    app = create_app(prepare(Settings(env="test", var_dir=var, database_url=url, _env_file=None)))

    async def inline(func: Any, *args: Any, **_: Any) -> Any:
        return func(*args)

    async def flows(load: Load) -> None:
        for k, token in enumerate(tokens):
            if k == 1:
                prof.enable()
            await respondent(load, token, k, None, 0.0)
        prof.disable()

    original, anyio.to_thread.run_sync = anyio.to_thread.run_sync, inline
    prof = cProfile.Profile()
    stats = Stats()
    try:
        run_async(flows(Load("http://127.0.0.1", world, stats, httpx.ASGITransport(app=app))))
    finally:
        anyio.to_thread.run_sync = original
        app.state.engine.dispose()
    saves = stats.saved * (len(tokens) - 1) / len(tokens)
    table = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in table.values())
    by_area: Counter[str] = Counter()
    by_func: Counter[str] = Counter()
    cum_app: Counter[str] = Counter()
    for (file, _line, func), (_cc, _nc, tt, ct, _callers) in table.items():
        by_area[area([(file, func)])] += tt
        short = file.split("site-packages" + os.sep)[-1].replace(str(ROOT) + os.sep, "")
        by_func[f"{short}:{func}" if file != "~" else func] += tt
        if file.startswith(APP_DIR) and func in ("autosave", "principal_from_session", "principal_for", "get_own_response", "save_answer",
                                                  "ensure_writable", "_upsert_answer", "question_page", "render", "csrf_protect", "_resolve"):
            cum_app[f"{short}:{func}"] += ct

    def top(c: Counter[str], n: int) -> str:
        return ", ".join(f"{k} {v * 1000 / saves:.2f}" for k, v in c.most_common(n))

    return [f"cProfile of {len(tokens) - 1} whole flows in one thread ({saves:.0f} saves, pages included): {total * 1000 / saves:.1f} ms "
            f"per answer save under the profiler. Own time by area (ms per save): {top(by_area, 9)}",
            f"own time by function (ms per save): {top(by_func, 14)}",
            f"cumulative time of app functions (ms per save, nested ones overlap): {top(cum_app, 11)}"]


# -- the sampling profiler, run inside the server process with --profile ---------------------------------

def serve_sampled(out_dir: Path, argv: list[str]) -> int:
    """Run `reassess serve` with a thread that samples every thread's stack every 10 ms; dumps on request (see Server.profile_mark)."""
    import threading

    app_dir = APP_DIR
    idle_leaf = {"wait", "get", "select", "_worker", "run", "run_forever", "_run_once", "serve", "main_loop", "acquire", "poll"}
    names = ("areas", "app", "loop", "loop_app")
    counts: dict[str, Any] = {"samples": 0, "busy": 0, **{n: Counter() for n in names}}
    main_ident = threading.main_thread().ident
    lock = threading.Lock()

    def sampler() -> None:
        me = threading.get_ident()
        while True:
            time.sleep(0.01)
            ctrl = out_dir / "dump"
            if ctrl.exists():
                with lock:
                    data = {k: (dict(v) if isinstance(v, Counter) else v) for k, v in counts.items()}
                    counts.update(samples=0, busy=0, **{n: Counter() for n in names})
                (out_dir / f"{ctrl.read_text().strip()}.json").write_text(json.dumps(data))
                ctrl.unlink()
            frames = sys._current_frames()
            with lock:
                counts["samples"] += 1
                for tid, frame in frames.items():
                    if tid == me:
                        continue
                    stack: list[tuple[str, str]] = []
                    f: Any = frame
                    while f is not None:
                        stack.append((f.f_code.co_filename, f.f_code.co_name))
                        f = f.f_back
                    leaf_file, leaf_name = stack[0]
                    idle = len(stack) < 4 or (leaf_name in idle_leaf and any(m in leaf_file for m in ("threading", "queue", "asyncio", "selectors",
                                                                                                           "uvicorn", "thread.py")))
                    inner = next(((f2, n) for f2, n in stack if f2.startswith(app_dir)), None)
                    where = f"{inner[0][len(str(ROOT)) + 1:]}:{inner[1]}" if inner else None
                    if tid == main_ident:  # the event loop: anything but waiting for events holds up every request
                        counts["loop"]["idle (waiting for events)" if idle else area(stack)] += 1
                        if where and not idle:
                            counts["loop_app"][where] += 1
                        continue
                    if idle:
                        continue
                    counts["busy"] += 1
                    counts["areas"][area(stack)] += 1
                    if where:
                        counts["app"][where] += 1

    threading.Thread(target=sampler, name="bench-sampler", daemon=True).start()
    from app.cli import main as cli_main

    return cli_main(argv)


# -- main ---------------------------------------------------------------------------------------------

def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve-sampled":
        return serve_sampled(Path(sys.argv[2]), sys.argv[4:] if sys.argv[3] == "--" else sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=None, help="per phase (default 200; 20 with --quick)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=None, help="answer saves/s offered in the goal-rate phase (default 300 x respondents / 200)")
    parser.add_argument("--steady-rate", type=float, default=None,
                        help="answer saves/s offered in the steady phases, with and without backbone load (default half the capacity measured)")
    parser.add_argument("--staff", type=int, default=None, help="backbone admins loading the comparison page and reports (default 2; 1 with --quick)")
    parser.add_argument("--partners", type=int, default=None, help="partners in the compared cycle (default 500; 50 with --quick)")
    parser.add_argument("--phase-timeout", type=float, default=None,
                        help="stop a phase after this many seconds (default: twice the flow's length at the offered rate, at least 600)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run: 20 respondents, 50 partners, 1 staff")
    parser.add_argument("--workers", type=int, default=2, help="reassess serve --workers (default 2: one per core of this machine)")
    parser.add_argument("--threads", type=int, default=None, help="REASSESS_THREADS of the server (default: the app's own default)")
    parser.add_argument("--only", default=None, help="comma-separated phases to run (e.g. capacity), to try a change quickly; "
                        "prints the phases, writes nothing")
    parser.add_argument("--profile", action="store_true", help="sample the server's threads and print where they spend their time")
    parser.add_argument("--write-results", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    args.respondents = args.respondents or (20 if args.quick else 200)
    args.staff = args.staff if args.staff is not None else (1 if args.quick else 2)
    args.partners = args.partners or (50 if args.quick else 500)
    if args.profile and args.workers != 1:
        args.workers = 1  # the sampler watches one process
    if args.write_results and args.profile:
        parser.error("--profile slows the server down: its figures are not written to RESULTS.md")
    args.only = [p.strip() for p in args.only.split(",")] if args.only else list(PHASES)
    if unknown := set(args.only) - set(PHASES):
        parser.error(f"--only: unknown phases {sorted(unknown)}; the phases are {', '.join(PHASES)}")
    if args.write_results and args.only != list(PHASES):
        parser.error("--write-results needs every phase (no --only)")
    command = " ".join([".venv/bin/python", "bench/bench_load.py", *sys.argv[1:]])

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM is cleaned up like Ctrl-C (a BaseException: it gets out of the event loop too)

    signal.signal(signal.SIGTERM, on_term)
    print(f"{command}\n{machine()}; {revision()}; {args.respondents} respondents per phase, {args.partners} partners, {args.staff} backbone staff")
    results: list[DbResult] = []
    try:
        for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
            with contextlib.ExitStack() as stack:  # the server, the cluster, the temp dir: gone before the next database
                res = run_database(db, args, stack)
            if res is not None:
                results.append(res)
    except KeyboardInterrupt:
        print("\ninterrupted: the server, the database cluster and the temp dirs are removed", file=sys.stderr)
        return 130
    if args.only == list(PHASES):
        print_summary(results)
    if args.write_results and results:
        write_results(results, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
