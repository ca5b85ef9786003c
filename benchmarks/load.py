"""Load: N concurrent clients send signed /ict-update commands to `ictbot serve` and to the honest floor.

The run builds a fresh database (a SQLite file in a temporary directory, or a scratch database on the
PostgreSQL server given), migrates it and puts one workspace in it with a Work Plan of P projects,
owned five each by the users who will post. A Slack stand-in (``bot.dev.standin.SlackStandIn``) answers the
Web API and the response_urls in a process of its own: with its own interpreter and GIL it takes no
time from the server's process or the clients', and its CPU time is counted apart. Nothing of the setup
is timed.

Then both servers are started as subprocesses on loopback ports, and each gets the same load, taking
turns (``--rounds``, :func:`taking_turns`) so that both meet the machine as it is; the ack-only app alone
afterwards:

- *honest floor*: the same unavoidable work done by hand (``benchmarks.load_processes floor``): a Bolt
  app of the same slack-bolt, signing secret and request verification, served by the same Starlette
  route handing ``App.dispatch`` to a worker thread on the same uvicorn settings, whose ``/ict-update``
  listener sends one SELECT of the project and its owner and one INSERT of the update with plain DB-API
  calls, then acknowledges with an ephemeral message. Everything ictbot does beyond that is its overhead;
- *ictbot serve*: the ``ictbot serve`` command itself, configured through the environment as in
  production (``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``DATABASE_URL``, ``ICTBOT_ADMINS``, the
  reminder scheduler on as by default, logging at INFO), with ``SLACK_API_URL`` at the stand-in;
- with ``--bare``, the *bare app* too: the same Bolt app whose listener only acknowledges (what the
  framework alone costs).

N clients (asyncio in this process, one keep-alive HTTP/1.1 connection each; not httpx, see
:class:`Connection`) each send one signed, form-encoded ``/ict-update`` command at a time, every one a
valid quick-form update (``REF RAG progress | next: … | risks: …``) by a project's owner, for a warm-up
and then for a measured period (seconds, or a number of requests, shared among the turns), with this
process's heap frozen (:func:`heap_frozen`: its own full collections would stall every client at once). A
request counts as an error unless it is answered 200 with an ack: empty, or carrying an ephemeral
message (ictbot answers in the ack when its answer is ready within two seconds, as Slack allows); the
bare app's must all be empty. The serving process's resident memory is read from /proc at rest (after
start-up) and sampled under load; the CPU time of each process is read from /proc over the measured
period.

Around each turn, the updates each server stored are counted per project and author:
they must be exactly the requests it answered 200 (warm-up included; nothing lost, nothing doubled), and
every one of those must have had one reply, in its ack or through its response_url, saying its update
was saved for its project with its RAG. An error or a failed check exits 1; time never does. The goals
(with 32 clients, ictbot's throughput at least half the floor's and its p99 at most 1.5 times the
floor's; ictbot's memory at rest at most 90 MiB and its start-up, from the command to the first 200 on
``/healthz``, within a second) are printed, not enforced. Before the servers start, start-up's floor is
timed (``benchmarks.import_cost``, ``--import-runs`` turns): the CPU that importing what ``ictbot serve``
imports takes, and the libraries among them alone.

Run: ``python -m benchmarks.load [--clients 32] [--requests N | --duration S] [--rounds 4] [--bare] ...``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rich.console import Console
from sqlalchemy import func, insert, select

from benchmarks import import_cost
from benchmarks.load_client import Connection
from benchmarks.load_report import ICTBOT, report
from benchmarks.load_servers import (
    REPO,
    TEAM_ID,
    StandIn,
    compiled_as_installed,
    free_port,
    ictbot_command,
    server_env,
    serving,
    standin_process,
)
from benchmarks.meters import CpuMeter, PeakRss, reference_loop_ms, rss_kb
from benchmarks.reminder_fanout import _is_postgres as is_postgres
from benchmarks.reminder_fanout import scratch_database
from bot.dev.local import signed_headers
from bot.services import strategy as strategy_service
from bot.services import workspaces
from models import ProgressUpdate, Project, ProjectStatus, make_engine, make_sessionmaker, upgrade

TEAM_NAME = "Load council"
TOKEN = "xoxb-load-0000-token"  # noqa: S105  (the stand-in's, not a secret)
SIGNING_SECRET = "load-signing-secret-0123456789abcdef"  # noqa: S105  (made up for the run)
ADMIN = "U0LOADADM"  # ICTBOT_ADMINS, as production sets it; not one of the posters
FORM = "application/x-www-form-urlencoded"
FLOOR = "honest floor"
BARE = "bare app"
PROJECTS_PER_OWNER = 5
DRAIN_TIMEOUT = 60.0  # seconds for ictbot's listeners to finish (their replies) after the last ack
REQUEST_TIMEOUT = 30.0
ROUND_WARMUP = 0.5  # seconds of load before each turn after a server's first
RAGS = ("green", "amber", "red", "G", "A", "R")
RAG_TITLE = {"green": "Green", "amber": "Amber", "red": "Red", "g": "Green", "a": "Amber", "r": "Red"}


def owner_of(project: int) -> str:
    """The owner of project ``project`` (0-based): five projects each."""
    return f"U0LOAD{project // PROJECTS_PER_OWNER + 1:03d}"


def ref_of(project: int) -> str:
    return f"WP-{project + 1:03d}"


# -- options and figures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    clients: int = 32
    requests: int | None = None  # measured requests; when None, the measured period is `duration`
    duration: float = 10.0  # measured seconds
    warmup: float = 2.0  # seconds of load before the measured period, not counted
    database: str = "sqlite"  # or a PostgreSQL URL: a scratch database is made on that server and dropped
    projects: int = 50
    seed: int = 1
    bare: bool = False  # measure the ack-only Bolt app too
    rounds: int = 4  # turns each of the floor and ictbot take, one after the other, in the measured period
    import_runs: int = 3  # turns of benchmarks.import_cost's two children (start-up's floor); 0: none

    @property
    def owners(self) -> int:
        return math.ceil(self.projects / PROJECTS_PER_OWNER)

    @property
    def period(self) -> str:
        return f"{self.requests} requests" if self.requests is not None else f"{self.duration:g} s"


@dataclass(frozen=True, slots=True)
class Sent:
    """One request, as its client saw it."""

    key: str  # the last part of its response_url
    ref: str
    user: str
    rag: str
    latency: float  # seconds from sending to the end of the answer
    measured: bool  # sent in the measured period (not the warm-up)
    problem: str | None  # why it is an error (None: answered 200 with an ack, empty or carrying a message)
    answer: str | None = None  # the text of the message its ack carried (ictbot's answer), None for an empty ack


@dataclass
class Run:
    """One server's figures."""

    name: str
    sent: list[Sent]
    wall: float  # seconds from the end of the warm-up to the last measured answer
    rss_rest: int  # kB, after start-up and before any load
    rss_peak: int  # kB, the largest sample under load
    cpu: dict[str, float]  # CPU seconds in the measured period: "server", "clients", "stand-in", "machine"
    startup: float = math.nan  # seconds from starting the process to the first 200 on /healthz
    cpu_at_rest: float = 0.0  # CPU seconds a second the machine spent at rest before the load, this process aside
    reference_ms: float = 0.0  # reference_loop_ms() just before the load
    faults: list[str] = field(default_factory=list)  # what the checks after the run found
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def measured(self) -> list[Sent]:
        return [s for s in self.sent if s.measured]

    @property
    def answered(self) -> list[Sent]:
        """Every request answered correctly, warm-up included: each must have written one update."""
        return [s for s in self.sent if s.problem is None]

    @property
    def errors(self) -> list[Sent]:
        return [s for s in self.sent if s.problem is not None]

    @property
    def throughput(self) -> float:
        return throughput(self.sent, self.wall)

    def latency_ms(self, quantile: float) -> float:
        """Nearest-rank percentile of the measured requests' latency, in milliseconds (1.0: the maximum)."""
        times = sorted(s.latency for s in self.measured)
        if not times:
            return math.nan
        rank = max(1, math.ceil(quantile * len(times)))
        return times[rank - 1] * 1000

    @property
    def ok(self) -> bool:
        return not self.errors and not self.faults

    def share(self, what: str) -> float:
        """CPU time of ``what`` in the measured period as a share of one core (1.0: one core all the time)."""
        return self.cpu[what] / self.wall if self.wall > 0 else math.nan

    @property
    def server_ms_per_request(self) -> float:
        return 1000 * self.cpu["server"] / max(1, len(self.measured))


def throughput(sent: Sequence[Sent], wall: float) -> float:
    """The requests answered correctly in the measured period, a second of ``wall``."""
    good = sum(1 for s in sent if s.measured and s.problem is None)
    return good / wall if wall > 0 else 0.0


@dataclass
class Result:
    options: Options
    ictbot: Run
    floor: Run
    setup_seconds: float
    bare: Run | None = None
    imports: import_cost.ImportCost | None = None

    @property
    def runs(self) -> list[Run]:
        return [self.ictbot, self.floor, *([self.bare] if self.bare else [])]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)

    @property
    def throughput_ratio(self) -> float:
        """ictbot's throughput ÷ the floor's."""
        return self.ictbot.throughput / self.floor.throughput if self.floor.throughput else math.nan

    def ratio(self, quantile: float) -> float:
        """ictbot's latency at ``quantile`` ÷ the floor's."""
        return self.ictbot.latency_ms(quantile) / self.floor.latency_ms(quantile)


# -- the Work Plan -----------------------------------------------------------------------------------


def populate(url: str, projects: int) -> None:
    """One workspace (default strategy) and ``projects`` active projects, five to an owner."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            ws = workspaces.get_or_create(session, TEAM_ID, name=TEAM_NAME, now=now)
            priorities = strategy_service.active(session, ws).priorities
            rows: list[dict[str, Any]] = [
                {
                    "workspace_id": ws.id,
                    "ref": ref_of(i),
                    "title": f"Work Plan project {i + 1}",
                    "priority_id": priorities[i % len(priorities)].id,
                    "owner_user_id": owner_of(i),
                    "service_area": "ICT",
                    "status": ProjectStatus.ACTIVE,
                    "target_date": None,
                    "completed_on": None,
                    "created_at": now - timedelta(days=90),
                }
                for i in range(projects)
            ]
            session.execute(insert(Project), rows)
    finally:
        engine.dispose()


def stored_updates(url: str) -> Counter[tuple[str, str]]:
    """The updates in the database, per (project reference, author)."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(Project.ref, ProgressUpdate.author_user_id, func.count())
                .join(Project, Project.id == ProgressUpdate.project_id)
                .group_by(Project.ref, ProgressUpdate.author_user_id)
            ).all()
    finally:
        engine.dispose()
    return Counter({(str(ref), str(author)): int(n) for ref, author, n in rows})


# -- the load ----------------------------------------------------------------------------------------


def command_body(*, user: str, text: str, response_url: str, trigger: str) -> str:
    """A slash command as Slack posts it (the fields of ``bot.dev.local.LocalSlack.command_form``)."""
    return urlencode(
        {
            "token": "load-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "load-council",
            "channel_id": "C0GOVERN",
            "channel_name": "ict-governance",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/ict-update",
            "text": text,
            "api_app_id": "A0ICTBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger,
        }
    )


async def drive(
    port: int, respond_base: str, prefix: str, options: Options, on_measure: Callable[[], None]
) -> tuple[list[Sent], float]:
    """Run the clients: warm-up, then the measured period. Returns every request and the measured wall time."""
    sent: list[Sent] = []
    tickets = options.requests
    started = time.perf_counter()
    measure_from = started + options.warmup
    measure_until = measure_from + options.duration
    last_answer = measure_from

    async def mark() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        on_measure()

    async def client(n: int) -> None:
        nonlocal tickets, last_answer
        rng = random.Random(f"{options.seed}-{n}")  # noqa: S311  (the request mix, not secrets)
        connection = Connection("127.0.0.1", port)
        try:
            for seq in range(1, sys.maxsize):
                now = time.perf_counter()
                measured = now >= measure_from
                if measured:
                    if tickets is None:
                        if now >= measure_until:
                            return
                    elif tickets <= 0:
                        return
                    else:
                        tickets -= 1
                project = rng.randrange(options.projects)
                ref, user, rag = ref_of(project), owner_of(project), rng.choice(RAGS)
                text = (
                    f"{ref} {rag} Load test update {seq} from client {n}: supplier workshop held, test plan "
                    "agreed | next: sign-off at the project board | risks: staff availability in December"
                )
                key = f"{prefix}{n}-{seq}"
                body = command_body(user=user, text=text, response_url=f"{respond_base}/respond/{key}", trigger=key)
                headers = {k: str(v) for k, v in signed_headers(SIGNING_SECRET, body, content_type=FORM).items()}
                sent_at = time.perf_counter()
                problem: str | None = None
                shown: str | None = None
                try:
                    async with asyncio.timeout(REQUEST_TIMEOUT):
                        status, answer = await connection.post("/slack/events", body.encode(), headers)
                    if status != 200:
                        problem = f"HTTP {status}"
                    elif answer:
                        shown, problem = ack_message(answer)
                except (OSError, EOFError, ValueError, IndexError, TimeoutError, asyncio.LimitOverrunError) as exc:
                    problem = type(exc).__name__
                done = time.perf_counter()
                if measured:
                    last_answer = max(last_answer, done)
                sent.append(Sent(key, ref, user, rag, done - sent_at, measured, problem, shown))
        finally:
            connection.close()

    marker = asyncio.create_task(mark())
    await asyncio.gather(*(client(n) for n in range(options.clients)))
    await marker
    return sent, last_answer - measure_from


@contextmanager
def heap_frozen() -> Iterator[None]:
    """The clients' own process, out of its garbage collector's way while it measures.

    A full collection here walks everything this process imported (SQLAlchemy, rich, httpx …) and takes
    100-160 ms, during which none of the clients reads its answer: all 32 requests in flight would be
    counted that much slower, a stall of the clients and not of the server.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class AtRest:
    """A started server before any load: its memory, and how busy and how fast the machine was."""

    rss: int  # kB
    busy: float  # CPU seconds a second the machine spent at rest, the clients' process aside
    reference_ms: float  # reference_loop_ms()


def at_rest(proc: subprocess.Popen[bytes], standin: StandIn, options: Options) -> AtRest:
    """A second for start-up to settle (ictbot's scheduler makes its first pass on starting), then as long
    looking at the machine at rest (shared machines, other jobs); at a smoke size, as short as the warm-up."""
    settle = max(0.1, min(1.0, options.warmup))
    time.sleep(settle)
    meter = CpuMeter(proc.pid, standin.proc.pid)
    meter.mark()
    time.sleep(settle)
    idle = meter.since()
    return AtRest(rss_kb(proc.pid), (idle["machine"] - idle["clients"]) / settle, reference_loop_ms())


@dataclass(frozen=True, slots=True)
class Part:
    """One measured period of one server."""

    sent: list[Sent]
    wall: float
    cpu: dict[str, float]
    peak: int  # kB

    @property
    def throughput(self) -> float:
        return throughput(self.sent, self.wall)


def measure(
    proc: subprocess.Popen[bytes],
    port: int,
    standin: StandIn,
    prefix: str,
    options: Options,
    on_measure: Callable[[], None] | None = None,
) -> Part:
    """The load on one server for one warm-up and measured period, sampling its memory and CPU. ``on_measure``
    is called as the measured period begins."""
    meter = CpuMeter(proc.pid, standin.proc.pid)
    with PeakRss(proc.pid) as peak, heap_frozen():

        def measuring() -> None:
            meter.mark()
            if on_measure is not None:
                on_measure()

        sent, wall = asyncio.run(drive(port, standin.base_url, prefix, options, measuring))
        cpu = meter.since()
    return Part(sent, wall, cpu, peak.peak)


def joined(name: str, parts: Sequence[Part], startup: float, rest: AtRest) -> Run:
    """One server's figures from its measured periods."""
    cpu = {key: sum(p.cpu[key] for p in parts) for key in parts[0].cpu}
    sent = [s for p in parts for s in p.sent]
    run = Run(name, sent, sum(p.wall for p in parts), rest.rss, max(p.peak for p in parts), cpu, startup)
    run.cpu_at_rest, run.reference_ms = rest.busy, rest.reference_ms
    return run


def load(
    name: str,
    server: tuple[subprocess.Popen[bytes], float],
    port: int,
    standin: StandIn,
    prefix: str,
    options: Options,
    on_measure: Callable[[], None] | None = None,
) -> Run:
    """Measure one server alone (its process and start-up time, from :func:`serving`): at rest, then one period."""
    proc, startup = server
    rest = at_rest(proc, standin, options)
    return joined(name, [measure(proc, port, standin, prefix, options, on_measure)], startup, rest)


def in_rounds(options: Options) -> list[Options]:
    """The measured period cut into ``options.rounds`` turns, each after its own short warm-up (the first
    after the whole one): a server's caches cool while the other has its turn."""
    n = options.rounds
    requests = None if options.requests is None else max(1, math.ceil(options.requests / n))
    return [
        replace(
            options,
            duration=options.duration / n,
            requests=requests,
            warmup=options.warmup if r == 0 else min(options.warmup, ROUND_WARMUP),
        )
        for r in range(n)
    ]


# -- the checks ----------------------------------------------------------------------------------------


def ack_message(body: bytes) -> tuple[str | None, str | None]:
    """(the text of the message an ack carried, None) or (None, why the ack is not one Slack would take)."""
    try:
        message = json.loads(body)
    except ValueError:
        return None, "an ack that is neither empty nor JSON"
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or message.get("response_type", "ephemeral") != "ephemeral":
        return None, "an ack that is not an ephemeral message"
    return text, None


def wait_for_replies(standin: StandIn, expected: int) -> int:
    """Wait until the stand-in has ``expected`` response_url posts (answers too late for their ack)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        got = standin.counts()["response_url"]
        if got >= expected or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def check_replies(run: Run, replies: list[tuple[str, str]], prefix: str) -> None:
    """Each request answered 200 had one reply, in its ack or through its response_url, saying its update was
    saved for its project; no other had one."""
    by_key: dict[str, list[str]] = {}
    for key, text in replies:
        if key.startswith(prefix):
            by_key.setdefault(key, []).append(text)
    late = sum(len(texts) for texts in by_key.values())
    wrong: list[str] = []
    for s in run.answered:
        texts = by_key.pop(s.key, []) + ([s.answer] if s.answer is not None else [])
        if len(texts) != 1:
            wrong.append(f"{s.key}: {len(texts)} replies")
            continue
        # The reply's notification text: plain, the project and its RAG as in its first line.
        headline = f":white_check_mark: Update saved for {s.ref} "
        if not texts[0].startswith(headline) or not texts[0].endswith(f" {RAG_TITLE[s.rag.lower()]}"):
            wrong.append(f"{s.key}: {texts[0][:80]!r}")
    wrong.extend(f"{key}: a reply to a request that was not answered 200" for key in by_key)
    answered = len(run.answered)
    run.notes["replies"] = f"{answered - len(wrong)} of {answered} right, {late} of them through response_url"
    if wrong:
        run.faults.append(f"{len(wrong)} wrong or missing replies, e.g. {'; '.join(wrong[:3])}")


def check_floor(run: Run) -> None:
    """The floor answers every update in its ack."""
    missing = sum(1 for s in run.answered if s.answer is None)
    if missing:
        run.faults.append(f"{missing} of the floor's acks carried no answer")


def check_bare(run: Run) -> None:
    """The bare app only acknowledges: every ack is empty."""
    carried = sum(1 for s in run.answered if s.answer is not None)
    if carried:
        run.faults.append(f"{carried} of the bare app's acks carried a message")


def check_stored(run: Run, stored: Counter[tuple[str, str]]) -> None:
    """The updates stored are exactly the requests answered 200, per project and author."""
    expected = Counter((s.ref, s.user) for s in run.answered)
    total, want = sum(stored.values()), sum(expected.values())
    run.notes["updates stored"] = f"{total}; requests answered 200 (warm-up included): {want}"
    if stored != expected:
        lost = sum((expected - stored).values())
        doubled = sum((stored - expected).values())
        run.faults.append(f"stored updates do not match the requests answered: {lost} lost, {doubled} extra")


# -- the run -------------------------------------------------------------------------------------------


def run(options: Options) -> Result:
    with tempfile.TemporaryDirectory(prefix="ictbot-load-") as tmp, scratch_database(options.database) as url:
        setup_started = time.perf_counter()
        compiled_as_installed()
        upgrade(url)
        populate(url, options.projects)
        with standin_process() as standin:
            setup = time.perf_counter() - setup_started
            env = server_env(
                SLACK_BOT_TOKEN=TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=standin.api_url,
                DATABASE_URL=url,
                ICTBOT_ADMINS=ADMIN,
            )

            imports = import_cost.measure(options.import_runs, env) if options.import_runs else None
            floor_port, ictbot_port = free_port(), free_port()
            floor_argv = [sys.executable, "-m", "benchmarks.load_processes", "floor", "--port", str(floor_port)]
            ictbot_argv = [*ictbot_command(), "--host", "127.0.0.1", "--port", str(ictbot_port)]
            floor_env = {**env, "LOAD_TEAM_ID": TEAM_ID}
            with serving(floor_argv, floor_env, floor_port, Path(tmp) / "floor.log", cwd=REPO) as floor_server:
                before = standin.counts()
                with serving(ictbot_argv, env, ictbot_port, Path(tmp) / "ictbot.log", cwd=Path(tmp)) as ictbot_server:
                    servers = {FLOOR: (floor_server, floor_port, "f"), ICTBOT: (ictbot_server, ictbot_port, "i")}
                    floor, ictbot = taking_turns(servers, standin, url, options, before["response_url"])
                after = standin.counts()
            check_floor(floor)
            check_replies(floor, standin.replies(), "f")
            check_replies(ictbot, standin.replies(), "i")
            other = after - before
            del other["response_url"]
            if other:
                calls = ", ".join(f"{method} {n}" for method, n in sorted(other.items()))
                ictbot.notes["other Slack calls (start-up, scheduler)"] = calls

            bare = None
            if options.bare:
                port = free_port()
                argv = [sys.executable, "-m", "benchmarks.load_processes", "bare", "--port", str(port)]
                with serving(argv, env, port, Path(tmp) / "bare.log", cwd=REPO) as server:
                    bare = load(BARE, server, port, standin, "b", options)
                check_bare(bare)
    return Result(options, ictbot, floor, setup, bare, imports)


Server = tuple[tuple[subprocess.Popen[bytes], float], int, str]  # (the process, its start-up), port, key prefix


def taking_turns(
    servers: dict[str, Server], standin: StandIn, url: str, options: Options, replied_before: int
) -> tuple[Run, Run]:
    """The floor and ictbot, both started, take turns under the load (floor first, then ictbot first, and so
    on), so that both see the machine as it was while the other ran: a shared machine's speed drifts by half
    within minutes here. What each stored is counted around each of its turns (ictbot's late replies, and so
    its last commits, waited for), and each turn's throughput ratio is noted. Returns (floor, ictbot)."""
    rests = {name: at_rest(server[0][0], standin, options) for name, server in servers.items()}
    parts: dict[str, list[Part]] = {FLOOR: [], ICTBOT: []}
    stored: dict[str, Counter[tuple[str, str]]] = {FLOOR: Counter(), ICTBOT: Counter()}
    drained = 0.0
    counted = stored_updates(url)
    for r, turn in enumerate(in_rounds(options)):
        for name in (FLOOR, ICTBOT) if r % 2 == 0 else (ICTBOT, FLOOR):
            (proc, _startup), port, prefix = servers[name]
            parts[name].append(measure(proc, port, standin, f"{prefix}{r}.", turn))
            if name == ICTBOT:  # an answer not ready within two seconds follows its empty ack via response_url
                started = time.perf_counter()
                late = replied_before + sum(
                    1 for p in parts[ICTBOT] for s in p.sent if s.answer is None and not s.problem
                )
                if wait_for_replies(standin, late) < late:
                    drained = math.inf
                drained = max(drained, time.perf_counter() - started)
            before, counted = counted, stored_updates(url)
            stored[name] += counted - before
    floor, ictbot = (joined(name, parts[name], servers[name][0][1], rests[name]) for name in (FLOOR, ICTBOT))
    ictbot.notes["last reply"] = (
        f"not all within {DRAIN_TIMEOUT:g} s" if drained == math.inf else f"{drained:.2f} s after a turn's last answer"
    )
    turns = zip(parts[ICTBOT], parts[FLOOR], strict=True)
    ratios = (i.throughput / f.throughput if f.throughput else math.nan for i, f in turns)
    ictbot.notes["throughput ratio by turn"] = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    check_stored(floor, stored[FLOOR])
    check_stored(ictbot, stored[ICTBOT])
    return floor, ictbot


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    d = Options()
    parser.add_argument("--clients", type=int, default=d.clients, help="concurrent clients, one request at a time")
    period = parser.add_mutually_exclusive_group()
    period.add_argument("--requests", type=int, help="measured requests (all clients together)")
    period.add_argument("--duration", type=float, help=f"measured seconds (default {d.duration:g})")
    parser.add_argument("--warmup", type=float, default=d.warmup, help="seconds of load before measuring")
    parser.add_argument("--database", default=d.database, help="`sqlite` (a temporary file) or a PostgreSQL URL")
    parser.add_argument("--projects", type=int, default=d.projects, help="projects in the Work Plan, 5 per owner")
    parser.add_argument("--seed", type=int, default=d.seed, help="the request mix's seed")
    parser.add_argument("--rounds", type=int, default=d.rounds, help="turns the floor and ictbot take, in turn")
    parser.add_argument("--bare", action="store_true", help="measure the ack-only Bolt app too (the framework alone)")
    parser.add_argument("--import-runs", type=int, default=d.import_runs, help="turns timing start-up's imports")
    a = parser.parse_args(argv)
    duration = d.duration if a.duration is None else a.duration
    if a.clients < 1 or a.projects < 1 or duration <= 0 or (a.requests is not None and a.requests < 1):
        parser.error("--clients, --projects, --requests and --duration must be positive")
    if a.warmup < 0:
        parser.error("--warmup must not be negative")
    if a.database != "sqlite" and not is_postgres(a.database):
        parser.error("--database takes `sqlite` or a postgresql:// URL (a scratch database is made there)")
    if a.rounds < 1 or a.import_runs < 0:
        parser.error("--rounds must be at least 1, --import-runs at least 0")
    return Options(
        a.clients, a.requests, duration, a.warmup, a.database, a.projects, a.seed, a.bare, a.rounds, a.import_runs
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run and print; exit status 1 when a request failed or an update was lost or doubled (never for time)."""
    options = parse_args(argv)
    result = run(options)
    report(result, Console())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
