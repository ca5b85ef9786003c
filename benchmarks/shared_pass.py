"""A stage shared by several instances: the due pass for W councils run by 1, 2 and 4 instances at once.

For each number of instances N, a fresh PostgreSQL database holds the councils of ``reconcile_scale`` (W
workspaces, 10 owners each, never updated), whose first pass has set each workspace's next look. Then N
processes (``python -m benchmarks.shared_pass instance``), each the project's own reconciler with its own
holder, senders and engine, start the 1 Dec 2026 09:30 stage at the same moment. The time is from their
start to the last one's end; each reports what it sent and its CPU time. Reminders go through the bot's
``SlackDelivery`` to the Slack stand-in (a process of its own), each council at ``--rate`` calls a second.
Every owner must get exactly one message: the run exits non-zero on a duplicate or a lost reminder, never
because of time. On a 2-core machine the instances share two cores with PostgreSQL and the stand-in.

Run: ``python -m benchmarks.shared_pass --database postgresql://… [--workspaces 1000] [--instances 1,2,4]
[--rate 1]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from benchmarks.load_servers import REPO, StandIn, compiled_as_installed, standin_process
from benchmarks.reconcile_scale import DUE_AT, PASSES, PROJECTS, TOKEN, CouncilTokens, owner_id, populate
from benchmarks.reminder_fanout import Clock, _is_postgres, bench_runtime, scratch_database
from bot.runtime import Runtime
from bot.scheduling.pace import claim_ahead_for, workers_for
from bot.scheduling.reconciler import Reconciler
from bot.settings import Settings
from bot.wiring import MOST_WORKERS
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import make_engine, make_sessionmaker


@dataclass(frozen=True, slots=True)
class Instance:
    holder: str
    sent: int
    cpu_s: float
    held_lease: bool


@dataclass
class Run:
    instances: list[Instance]
    seconds: float
    messages: int
    duplicates: int
    lost: int


def instance(url: str, api_url: str, holder: str, rate: float | None, start_at: float) -> None:
    """One instance's due pass, on the clock of the stage; prints what it did as one JSON line."""
    engine = make_engine(url)
    settings = Settings(DATABASE_URL=url, SLACK_API_URL=api_url, ICTBOT_ADMINS="")
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=Clock(DUE_AT))
    slack = SlackDelivery(web_client(TOKEN, api_url), rate=rate, tokens=CouncilTokens())
    ahead = claim_ahead_for(rate, MOST_WORKERS)
    reconciler = Reconciler(
        runtime, slack, holder=holder, workers=workers_for(rate), most_workers=MOST_WORKERS, claim_ahead=ahead
    )
    time.sleep(max(0.0, start_at - time.time()))  # every instance starts the pass at the same moment
    cpu = time.process_time()
    report = reconciler.tick()
    done = {"holder": holder, "sent": report.sent, "cpu_s": time.process_time() - cpu, "held": report.held_lease}
    print(json.dumps(done), flush=True)
    engine.dispose()


def measure(database: str, workspaces: int, count: int, standin: StandIn, rate: float | None) -> Run:
    with scratch_database(database) as url, bench_runtime(url, standin.api_url, PASSES[0][1]) as (runtime, _clock):
        populate(runtime, workspaces)
        reconciler = Reconciler(runtime, SlackDelivery(web_client(TOKEN, standin.api_url)), holder="setup")
        reconciler.tick()  # the first pass: each workspace's next look set
        before = len(standin.posts())
        start_at = time.time() + 1.0 + 0.3 * count  # time enough for every process to import and connect
        argv = [sys.executable, "-m", "benchmarks.shared_pass", "instance", url, standin.api_url]
        procs = [
            subprocess.Popen(  # noqa: S603  (our own module)
                [*argv, f"i{n}", str(rate or 0), repr(start_at)], stdout=subprocess.PIPE, text=True, cwd=REPO
            )
            for n in range(count)
        ]
        outputs = [proc.communicate()[0] for proc in procs]
        seconds = time.time() - start_at
        if any(proc.returncode for proc in procs):
            raise RuntimeError(f"an instance failed: {[proc.returncode for proc in procs]}")
        done = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
        posted = Counter("U" + channel.removeprefix("D") for channel in standin.posts()[before:])
        expected = {owner_id(w, i) for w in range(workspaces) for i in range(PROJECTS)}
        return Run(
            instances=[Instance(d["holder"], d["sent"], d["cpu_s"], d["held"]) for d in done],
            seconds=seconds,
            messages=sum(posted.values()),
            duplicates=sum(1 for n in posted.values() if n > 1),
            lost=sum(1 for user in expected if posted[user] == 0) + sum(1 for u in posted if u not in expected),
        )


def report(runs: dict[int, Run], workspaces: int, rate: float | None, console: Console) -> None:
    table = Table(title=f"the due pass for W = {workspaces:,} ({workspaces * PROJECTS:,} reminders), PostgreSQL")
    for column in ("instances", "s", "÷ one instance", "sent by each", "CPU s by each", "duplicates", "lost"):
        table.add_column(column, justify="right")
    one = runs[min(runs)].seconds
    for count, run in runs.items():
        sent = " / ".join(f"{i.sent:,}" for i in run.instances)
        cpu = " / ".join(f"{i.cpu_s:.1f}" for i in run.instances)
        row = (f"{run.seconds:.1f}", f"{run.seconds / one:.2f}", sent, cpu, str(run.duplicates), str(run.lost))
        table.add_row(str(count), *row)
    console.print(table)
    if rate:
        console.print(f"each council paced at {rate:g} calls a second per method")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["instance"]:
        url, api_url, holder, rate, start_at = args[1:6]
        instance(url, api_url, holder, float(rate) or None, float(start_at))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shared_pass", description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL to make scratch databases on")
    parser.add_argument("--workspaces", type=int, default=1000, help="the number of councils (default 1000)")
    parser.add_argument("--instances", default="1,2,4", help="the numbers of instances, comma-separated")
    parser.add_argument("--rate", type=float, default=1.0, help="each council's calls a second per method (0: none)")
    parsed = parser.parse_args(args)
    if not _is_postgres(parsed.database):
        parser.error("--database takes a PostgreSQL URL: on SQLite one pass runs at a time")
    try:
        counts = sorted({int(n) for n in parsed.instances.split(",")})
    except ValueError:
        parser.error("--instances takes whole numbers separated by commas, e.g. 1,2,4")
    if not counts or counts[0] < 1 or parsed.workspaces < 1 or parsed.rate < 0:
        parser.error("--instances and --workspaces take numbers of 1 or more, --rate 0 or more")
    console = Console()
    compiled_as_installed()
    runs: dict[int, Run] = {}
    with standin_process() as standin:
        for count in counts:
            runs[count] = measure(parsed.database, parsed.workspaces, count, standin, parsed.rate or None)
            console.print(f"[dim]{count} instance(s): measured[/dim]")
    report(runs, parsed.workspaces, parsed.rate or None, console)
    last = runs[counts[-1]]
    print(
        f"RESULT W={parsed.workspaces} instances={counts[-1]} seconds={last.seconds:.1f} "
        f"ratio_to_one={last.seconds / runs[counts[0]].seconds:.2f} "
        f"each_sent={min(i.sent for i in last.instances) > 0} "
        f"duplicates={sum(r.duplicates for r in runs.values())} lost={sum(r.lost for r in runs.values())}",
        flush=True,
    )
    return 0 if all(r.duplicates == 0 and r.lost == 0 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
