"""Smoke runs of the benchmarks at a tiny size: they work, print their figures, and nothing is lost or doubled.

Only correctness is asserted here; time is measured and printed by the benchmarks, never asserted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections import Counter
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from benchmarks import (
    digest_build,
    home,
    import_cost,
    load,
    load_processes,
    load_report,
    reconcile_scale,
    reminder_fanout,
    serve_during_pass,
    shared_pass,
    tls_calls,
)
from benchmarks import search as search_benchmark
from bot import server
from bot.dev.local import LocalSlack
from bot.dev.standin import SlackStandIn
from bot.scheduling.reconciler import TickReport
from models import ProgressUpdate, UpdateSource
from tests.conftest import BOT_TOKEN, OWNER, POSTGRES_ENV, SIGNING_SECRET, STRANGER


def test_reminder_fanout_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # 40 owners at 200 calls/s: a floor of 0.2 s; the seed makes Slack answer a few calls 503.
    argv = ["--owners", "40", "--rate", "200", "--chaos-429", "0.02", "--chaos-503", "0.03", "--workers", "8"]
    assert reminder_fanout.main([*argv, "--seed", "2"]) == 0

    out = capsys.readouterr().out
    result = re.search(
        r"RESULT messages sent (\d+), duplicates (\d+), lost (\d+), wall [\d.]+ s, floor 0\.20 s, ratio [\d.]+ "
        r"\(bare posts [\d.]+, delivery [\d.]+\), faults (\d+), extra ticks \d+",
        out,
    )
    assert result is not None, out
    sent, duplicates, lost, faults = map(int, result.groups())
    assert (sent, duplicates, lost) == (40, 0, 0)
    assert faults > 0  # the retry paths were exercised
    for figure in ("messages sent", "duplicates (must be 0)", "lost (must be 0)", "wall time s", "ratio to floor"):
        assert figure in out
    for run in ("bare posts", "delivery", "reconciler"):
        assert run in out
    assert "reminder rows: sent 40; agree with the messages Slack received" in out


def test_reconcile_scale_smoke(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    database = "sqlite" if db_url.startswith("sqlite") else db_url  # scratch databases made beside the tests'
    assert reconcile_scale.main(["--sizes", "1,3", "--database", database]) == 0
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    found = re.fullmatch(
        r"RESULT W=3 idle_ms=[\d.]+ quiet_ms=[\d.]+ idle_statements=(\d+) due_ms_per_reminder=[\d.]+ "
        r"duplicates=(\d+) lost=(\d+)",
        last,
    )
    assert found is not None, out
    assert found.group(2, 3) == ("0", "0")
    words = " ".join(out.split())  # rich wraps its lines at the terminal's width
    assert "messages 10, duplicates 0, lost 0" in words and "messages 30, duplicates 0, lost 0" in words


@pytest.mark.postgres
def test_shared_pass_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    """Two instances share a stage for four councils: each sends, every owner once."""
    argv = ["--database", os.environ[POSTGRES_ENV], "--workspaces", "4", "--instances", "1,2", "--rate", "0"]
    assert shared_pass.main(argv) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    pattern = r"RESULT W=4 instances=2 seconds=[\d.]+ ratio_to_one=[\d.]+ each_sent=(True|False) duplicates=0 lost=0"
    assert re.fullmatch(pattern, last), last


def test_shared_pass_fails_on_a_lost_or_doubled_reminder_and_refuses_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        shared_pass.main(["--database", "sqlite"])
    for lost, duplicates, status in ((0, 0, 0), (1, 0, 1), (0, 1, 1)):
        run = shared_pass.Run([shared_pass.Instance("i0", 10, 0.1, True)], 1.0, 10, duplicates, lost)
        monkeypatch.setattr(shared_pass, "measure", lambda *_a, run=run: run)
        monkeypatch.setattr(shared_pass, "standin_process", contextlib.nullcontext)
        assert shared_pass.main(["--database", "postgresql://127.0.0.1:1/x", "--instances", "1"]) == status


def test_serve_during_pass_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    """The three runs at a smoke size: each pass reaches every owner once, and every request is answered."""
    argv = ["--workspaces", "2", "--clients", "4", "--duration", "0.5", "--warmup", "0.1"]
    assert serve_during_pass.main(argv) == 0
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    pattern = r"RESULT W=2 p99_ms=[\d.]+ p99_pass_in_server_ms=[\d.]+ p99_pass_in_worker_ms=[\d.]+ duplicates=0 lost=0"
    assert re.fullmatch(pattern, last), out
    words = " ".join(out.split())
    for run in ("pass in the server", "pass in a worker"):
        assert f"{run}: duplicates 0, lost 0" in words


def test_serve_during_pass_fails_on_a_lost_or_doubled_reminder(monkeypatch: pytest.MonkeyPatch) -> None:
    run = load.Run("x", [load.Sent("k", "WP-001", "U0LOAD001", "green", 0.01, True, None, "saved")], 1.0, 1, 1, {}, 0.1)
    for lost, duplicates, status in ((0, 0, 0), (1, 0, 1), (0, 1, 1)):
        outcome = {"lost": lost, "duplicates": duplicates}
        monkeypatch.setattr(
            serve_during_pass,
            "measure",
            lambda name, *_a, outcome=outcome: serve_during_pass.PassRun(
                name, run, **({} if name == "no pass" else outcome)
            ),
        )
        assert serve_during_pass.main(["--workspaces", "1"]) == status


def test_reconcile_scale_fails_on_a_lost_or_doubled_reminder(monkeypatch: pytest.MonkeyPatch) -> None:
    def measured(lost: int, duplicates: int) -> reconcile_scale.Size:
        size = reconcile_scale.Size(1, 0.1, messages=10 - lost + duplicates, duplicates=duplicates, lost=lost)
        for name, _ in reconcile_scale.PASSES:
            size.passes[name] = reconcile_scale.Pass(name, 1.0, 1.0, 9, 10 if name == "due" else 0, 0.5)
        return size

    for lost, duplicates, status in ((0, 0, 0), (1, 0, 1), (0, 1, 1)):
        monkeypatch.setattr(
            reconcile_scale, "measure", lambda *_a, lost=lost, duplicates=duplicates: measured(lost, duplicates)
        )
        assert reconcile_scale.main(["--sizes", "1"]) == status


def test_reminder_fanout_rejects_a_database_it_cannot_scratch() -> None:
    with pytest.raises(SystemExit):
        reminder_fanout.main(["--owners", "1", "--database", "mysql://localhost/x"])


def test_a_duplicate_or_a_lost_message_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit status is for CI: 1 when a message was doubled or lost, whatever the time."""
    expected = frozenset({"U00000001", "U00000002"})

    def figures(name: str, posted: dict[str, int]) -> reminder_fanout.Figures:
        return reminder_fanout.Figures(name, 1.0, expected, Counter(posted), Counter(), Counter())

    def fake_run(posted: dict[str, int]) -> reminder_fanout.Result:
        fine = {"U00000001": 1, "U00000002": 1}
        return reminder_fanout.Result(
            reminder_fanout.Options(owners=2),
            bare=figures("bare posts", fine),
            delivery=figures("delivery", fine),
            reconciler=figures("reconciler", posted),
            setup_seconds=0.0,
            db_statuses={"sent": 2},
            db_agrees=True,
            ticks=[TickReport()],
        )

    for posted, status in (
        ({"U00000001": 1, "U00000002": 1}, 0),
        ({"U00000001": 2, "U00000002": 1}, 1),  # a duplicate
        ({"U00000001": 1}, 1),  # one lost
    ):
        monkeypatch.setattr(reminder_fanout, "run", lambda _options, posted=posted: fake_run(posted))
        assert reminder_fanout.main(["--owners", "2"]) == status


def test_home_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # A chair's Home at 40 projects and at 3: as many statements in both.
    assert home.main(["--projects", "40", "--small", "3", "--repeat", "1"]) == 0

    out = capsys.readouterr().out
    result = re.search(
        r"RESULT projects 40, statements (\d+) \(3 projects: (\d+)\), build [\d.]+ ms, baseline [\d.]+ ms, "
        r"ratio [\d.]+ \(3 projects: [\d.]+\), blocks (\d+)",
        out,
    )
    assert result is not None, out
    large, small, blocks = map(int, result.groups())
    assert large == small > 0
    assert 0 < blocks <= 100


def test_home_fails_on_a_growing_statement_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit status is for CI: 1 when the Home's statements grow with the projects."""
    times = {"baseline": 0.001, "build": 0.002, "render (slack)": 0.001, "render (teams)": 0.001}
    grown = home.Result(
        home.Options(projects=40, small=3),
        "sqlite",
        large=home.Run("40 projects", 40, 14, times, 20, 40),
        small=home.Run("3 projects", 3, 13, times, 12, 3),
    )
    monkeypatch.setattr(home, "run", lambda options: grown)
    assert home.main(["--projects", "40", "--small", "3"]) == 1


def test_digest_build_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # 30 projects and 600 updates (and a workspace of 3 projects and 60 updates for the statement count).
    assert digest_build.main(["--projects", "30", "--updates", "600", "--repeat", "1"]) == 0

    out = capsys.readouterr().out
    result = re.search(
        r"RESULT projects 30, updates 600, statements (\d+) \(3 projects: (\d+)\), build [\d.]+ ms, "
        r"render [\d.]+ ms, baseline [\d.]+ ms, ratio [\d.]+ \(build\+render [\d.]+\), sanity (\w+)",
        out,
    )
    assert result is not None, out
    large, small, sanity = result.groups()
    assert large == small  # the statements build issues do not grow with the number of projects
    assert int(large) > 0
    assert sanity == "ok"
    for figure in ("SQL statements: build", "baseline ms", "build ms", "build ÷ baseline (goal < 3)", "render (slack)"):
        assert figure in out
    assert "30 projects: sanity: the digest agrees with the generated data and the baseline query" in out
    assert "3 projects: sanity: the digest agrees" in out


def test_digest_build_fails_on_a_growing_statement_count_or_a_wrong_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit status is for CI: 1 when build's statements grow with the projects or the digest is wrong."""

    def fake_run(statements: int, faults: list[str]) -> digest_build.Result:
        def figures(name: str, n: int, faults: list[str]) -> digest_build.Run:
            times = dict.fromkeys(("baseline", "build", *digest_build.RENDERS), 0.001)
            return digest_build.Run(name, 10, 100, 5, times=times, statements=n, faults=faults)

        return digest_build.Result(
            digest_build.Options(projects=10, updates=100),
            "sqlite",
            large=figures("10 projects", statements, faults),
            small=figures("1 projects", 5, []),
            setup_seconds=0.0,
        )

    for statements, faults, status in (
        (5, [], 0),
        (6, [], 1),  # one more statement for the larger workspace
        (5, ["P-00001: latest update"], 1),  # a wrong digest
    ):
        monkeypatch.setattr(digest_build, "run", lambda _o, s=statements, f=faults: fake_run(s, f))
        assert digest_build.main(["--projects", "10", "--updates", "100"]) == status


def test_digest_build_sanity_check_finds_a_wrong_digest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check compares the digest with the generated data: a project with a wrong flag fails the run."""
    real_build = digest_build.digest_service.build

    def wrong_build(*args: Any, **kwargs: Any) -> digest_build.digest_service.Digest:
        d = real_build(*args, **kwargs)
        group = next(g for g in d.priorities if g.projects)
        first, *rest = group.projects
        group = dataclasses.replace(group, projects=(dataclasses.replace(first, missing=not first.missing), *rest))
        return dataclasses.replace(d, priorities=tuple(group if g.name == group.name else g for g in d.priorities))

    monkeypatch.setattr(digest_build.digest_service, "build", wrong_build)
    assert digest_build.main(["--projects", "30", "--updates", "600", "--repeat", "1"]) == 1
    out = capsys.readouterr().out
    assert "sanity FAILED" in out
    assert re.search(r"30 projects: sanity: P-\d{5}: missing", out), out


def test_search_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # 300 updates on SQLite (and on PostgreSQL when ICTBOT_TEST_POSTGRES_URL names a server): every query
    # answers, and its hits are right.
    argv = ["--size", "300", "--projects", "20", "--repeat", "1"]
    assert search_benchmark.main(argv) == 0

    out = capsys.readouterr().out
    result = re.search(
        r"RESULT updates 300; sqlite slowest [\d.]+ ms, ratios [\d., ]+, within 3 s (\w+); .*sanity (\w+)", out
    )
    assert result is not None, out
    assert result.groups() == ("yes", "ok")
    for figure in ("search ms", "baseline ms", "baseline ÷ search", "within 3 s", "rare word", "common word in REF"):
        assert figure in out
    assert "sqlite: sanity: every hit has the words, in the project and days asked" in out


def test_a_wrong_search_fails_the_search_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit status is for CI: 1 when a search answered wrongly, whatever the time."""
    real = search_benchmark.search_service.search

    def everywhere(session: Any, workspace_id: int, query: str, **kwargs: Any) -> Any:
        return real(session, workspace_id, query, **{**kwargs, "ref": None, "start": None, "end": None})

    monkeypatch.delenv("ICTBOT_TEST_POSTGRES_URL", raising=False)
    monkeypatch.setattr(search_benchmark.search_service, "search", everywhere)  # ignores `in REF` and the dates
    assert search_benchmark.main(["--size", "300", "--projects", "20", "--repeat", "1"]) == 1


def test_tls_calls_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    """Both clients call a local HTTPS server; the environment and the bot's TLS context are left as they were."""
    from handlers.slack.client import tls

    env = {name: os.environ.get(name) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    assert tls_calls.main(["--calls", "5"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"RESULT calls=5 cpu_ratio=[\d.]+ wall_ratio=[\d.]+", last), last
    assert {name: os.environ.get(name) for name in env} == env
    assert tls.cache_info().currsize == 0  # made again, from the tests' environment, when next asked for


def test_a_failed_call_fails_the_tls_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(tls_calls._Slack, "do_POST", lambda handler: handler.send_error(500))
    assert tls_calls.main(["--calls", "1"]) == 1
    assert "tls_calls:" in capsys.readouterr().err


def test_load_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # 4 clients, 40 measured requests after a tenth of a second's warm-up, SQLite: the honest floor and `ictbot
    # serve` both start and take four turns each (10 requests a turn); every request is acknowledged, and
    # each is stored once and replied to, by both.
    # Start-up's imports are timed once, in two fresh interpreters.
    argv = ["--clients", "4", "--requests", "40", "--warmup", "0.1", "--projects", "10", "--import-runs", "1"]
    assert load.main(argv) == 0

    out = capsys.readouterr().out
    result = re.search(
        r"RESULT clients 4, requests (\d+) \(floor (\d+)\), errors (\d+) \(floor (\d+)\), "
        r"throughput [\d.]+ req/s \(floor [\d.]+, ratio [\d.]+\), p50 [\d.]+ ms, p99 [\d.]+ ms "
        r"\(floor [\d.]+, ratio [\d.]+\), rss [\d.]+ MiB at rest, [\d.]+ under load \(floor [\d.]+, [\d.]+\), "
        r"start-up [\d.]+ s, checks (\w+)",
        out,
    )
    assert result is not None, out
    requests, floor_requests, errors, floor_errors, checks = result.groups()
    assert (int(requests), int(floor_requests)) == (40, 40)
    assert (int(errors), int(floor_errors)) == (0, 0)
    assert checks == "ok"
    for name in ("ictbot serve", "honest floor"):
        stored = re.search(rf"{name}: updates stored: (\d+); requests answered 200 \(warm-up included\): (\d+)", out)
        assert stored is not None and stored.group(1) == stored.group(2), out
        assert re.search(rf"{name}: replies: (\d+) of \1 right, \d+ of them through response_url", out), out
    for figure in ("throughput req/s", "p99 ms", "RSS at rest MiB", "start-up to /healthz s", "ictbot ÷ floor"):
        assert figure in out
    assert re.search(r"ictbot serve: throughput ratio by turn: [\d.]+, [\d.]+, [\d.]+, [\d.]+\n", out), out
    imports = re.search(
        r"ictbot serve: start-up's imports, CPU s \(median of 1\): ([\d.]+) for what it imports, ([\d.]+) of them "
        r"for the (\d+) library modules alone \(\d+%\), ([\d.]+) for ictbot's own",
        out,
    )
    assert imports is not None, out
    assert float(imports.group(1)) > float(imports.group(2)) > 0 and int(imports.group(3)) > 300
    assert "bare app" not in out  # only with --bare


def test_load_rejects_a_database_it_cannot_scratch_and_two_measured_periods() -> None:
    with pytest.raises(SystemExit):
        load.main(["--database", "mysql://localhost/x"])
    with pytest.raises(SystemExit):
        load.main(["--requests", "10", "--duration", "1"])
    with pytest.raises(SystemExit):
        load.main(["--import-runs", "-1"])


def test_start_ups_import_floor_takes_the_libraries_serve_imports_and_only_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two children of benchmarks.import_cost: the first imports what `ictbot serve` imports, step by step,
    and names the libraries that came in each; the second imports those alone, and names any it cannot."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1:5432/x")  # the driver is imported, not connected
    env = dict(os.environ)
    steps = import_cost._child(["serve"], env)["steps"]
    (cli, cli_paused), (server_stack, server_paused), (driver, driver_paused) = steps
    names = [*cli, *server_stack, *driver]
    assert not [n for n in names if n.partition(".")[0] in ("bot", "handlers", "models")]
    assert len(names) == len(set(names))
    assert {"sqlalchemy.orm", "pydantic_settings", "slack_sdk"} <= set(cli) and not cli_paused
    # bot.server brings the server's stack (bot.cli.serve loads it only to serve), with the collector paused.
    assert {"uvicorn", "starlette.applications", "apscheduler.schedulers.background"} <= set(server_stack)
    assert server_paused
    assert "psycopg" in driver and not driver_paused

    alone = import_cost._child(["libraries"], env, stdin=json.dumps(steps))
    assert alone["refused"] == [] and alone["cpu"] > 0
    refused = import_cost._child(["libraries"], env, stdin=json.dumps([[["json", "no_such_module_x"], False]]))
    assert refused["refused"] == ["no_such_module_x"]


def test_start_ups_import_floor_refuses_a_library_it_cannot_import(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([{"cpu": 1.0, "steps": [[["json", "x.y"], False]]}, {"cpu": 0.5, "refused": ["x.y"]}])
    monkeypatch.setattr(import_cost, "_child", lambda *_a, **_k: next(answers))
    with pytest.raises(RuntimeError, match=r"not importable by name: \['x\.y'\]"):
        import_cost.measure(1, {})


def test_start_ups_import_floor_says_why_a_child_failed() -> None:
    with pytest.raises(RuntimeError, match=r"exited with status 1:\nusage: python -m benchmarks.import_cost serve"):
        import_cost._child(["nonsense"], dict(os.environ))


def test_a_failed_request_or_a_lost_update_fails_the_load_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exit status is for CI: 1 when a request was not acknowledged or its update not stored once."""

    def sent(n: int, problem: str | None = None) -> list[load.Sent]:
        return [load.Sent(f"k{i}", "WP-001", "U0LOAD001", "green", 0.01, True, problem) for i in range(n)]

    def fake_run(ictbot: list[load.Sent], faults: list[str]) -> load.Result:
        cpu = {"server": 1.0, "clients": 0.1, "stand-in": 0.1, "machine": 1.5}
        return load.Result(
            load.Options(clients=1, requests=3),
            ictbot=load.Run(load.ICTBOT, ictbot, 1.0, 100_000, 110_000, cpu, 0.8, faults=faults),
            floor=load.Run(load.FLOOR, sent(3), 1.0, 30_000, 31_000, cpu, 0.3),
            setup_seconds=0.0,
        )

    for ictbot, faults, status in (
        (sent(3), [], 0),
        ([*sent(2), *sent(1, "HTTP 500")], [], 1),  # a request answered with an error
        (sent(3), ["stored updates do not match the requests answered: 1 lost, 0 extra"], 1),
    ):
        monkeypatch.setattr(load, "run", lambda _o, i=ictbot, f=faults: fake_run(i, f))
        assert load.main(["--clients", "1", "--requests", "3"]) == status


def test_the_load_report_prints_a_floor_with_no_cpu_read(capsys: pytest.CaptureFixture[str]) -> None:
    """At a smoke size a turn's CPU can be under the kernel's tick, which /proc reads as none: the ratio is
    shown as "—", not divided by zero."""
    sent = [load.Sent(f"k{i}", "WP-001", "U0LOAD001", "green", 0.01, True, None) for i in range(3)]
    cpu = {"server": 0.02, "clients": 0.0, "stand-in": 0.0, "machine": 0.03}
    result = load.Result(
        load.Options(clients=1, requests=3),
        ictbot=load.Run(load.ICTBOT, sent, 1.0, 100_000, 110_000, cpu, 0.8),
        floor=load.Run(load.FLOOR, sent, 1.0, 30_000, 31_000, {**cpu, "server": 0.0}, 0.3),
        setup_seconds=0.0,
    )
    load_report.report(result, Console(width=200))
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "server CPU ms per request" in line)
    assert re.search(r"server CPU ms per request\s*│\s*6\.67\s*│\s*0\.00\s*│\s*—\s*│", line), line
    assert "start-up's imports" not in out  # not timed in this run

    load_report.report(dataclasses.replace(result, imports=import_cost.ImportCost(0.8, 0.5, 640, 3)), Console())
    assert (
        "ictbot serve: start-up's imports, CPU s (median of 3): 0.80 for what it imports, 0.50 of them for the 640 "
        "library modules alone (62%), 0.30 for ictbot's own"
    ) in capsys.readouterr().out


def test_the_load_checks_find_a_lost_a_doubled_and_a_wrong_reply() -> None:
    run = load.Run(
        load.ICTBOT,
        [load.Sent(f"i0-{n}", "WP-001", "U0LOAD001", "amber", 0.01, True, None) for n in (1, 2, 3)],
        1.0,
        0,
        0,
        {},
    )
    load.check_stored(run, Counter({("WP-001", "U0LOAD001"): 4}))
    saved = ":white_check_mark: Update saved for WP-001 Work Plan project 1: :large_orange_circle: Amber"
    load.check_replies(run, [("i0-1", saved), ("i0-2", saved), ("i0-2", saved), ("i0-3", "Sorry")], "i")
    assert run.faults[0] == "stored updates do not match the requests answered: 0 lost, 1 extra"
    assert run.faults[1].startswith("2 wrong or missing replies")
    assert run.notes["replies"] == "1 of 3 right, 4 of them through response_url"


def test_an_answer_in_the_ack_counts_once_and_a_second_through_response_url_is_caught() -> None:
    saved = ":white_check_mark: Update saved for WP-001 Work Plan project 1: :large_orange_circle: Amber"
    sent = [load.Sent(f"i0-{n}", "WP-001", "U0LOAD001", "amber", 0.01, True, None, saved) for n in (1, 2)]
    run = load.Run(load.ICTBOT, sent, 1.0, 0, 0, {})
    load.check_replies(run, [("i0-2", saved)], "i")
    assert run.notes["replies"] == "1 of 2 right, 1 of them through response_url"
    assert run.faults == ["1 wrong or missing replies, e.g. i0-2: 2 replies"]
    assert load.ack_message(b'{"text": "x", "response_type": "in_channel"}') == (
        None,
        "an ack that is not an ephemeral message",
    )
    bare = load.Run(load.BARE, sent, 1.0, 0, 0, {})
    load.check_bare(bare)
    assert bare.faults == ["2 of the bare app's acks carried a message"]
    floor = load.Run(load.FLOOR, [*sent, dataclasses.replace(sent[0], answer=None)], 1.0, 0, 0, {})
    load.check_floor(floor)
    assert floor.faults == ["1 of the floor's acks carried no answer"]


def test_the_floor_stores_an_owner_s_update_with_one_select_and_one_insert(runtime, standin, workplan) -> None:
    """The honest floor does the unavoidable work for real, on each database: the owner's update is stored
    and answered in the ack; anyone else's, or an unknown project's, is refused and stores nothing."""
    database = load_processes.FloorDatabase(runtime.settings.DATABASE_URL, standin.team_id)
    app = load_processes.floor_bolt_app(
        token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=standin.api_url, database=database
    )
    slack = LocalSlack(
        app=app, signing_secret=SIGNING_SECRET, response_url=standin.response_url, team_id=standin.team_id
    )

    def answer(text: str, user: str) -> str:
        response = slack.command("/ict-update", text, user_id=user)
        assert response.status == 200
        return str(json.loads(response.body)["text"])

    try:
        assert answer("net-01 g Cabling done | next: testing", OWNER) == (
            ":white_check_mark: Update saved for NET-01 Council network refresh: Green"
        )
        assert answer("NET-01 amber Not mine", STRANGER) == "Only the owner of NET-01 can post its update."
        assert answer("NOPE-01 red Nothing", OWNER) == "There is no project `NOPE-01`."
        assert answer("NET-01", OWNER) == "Use `/ict-update REF RAG progress`."
    finally:
        database.close()
    with runtime.sessions() as s:
        rows = s.execute(select(ProgressUpdate.project_id, ProgressUpdate.author_user_id, ProgressUpdate.source)).all()
    assert rows == [(workplan["NET-01"], OWNER, UpdateSource.COMMAND)]


def test_the_bare_app_is_served_with_ictbot_s_uvicorn_settings(standin: SlackStandIn) -> None:
    """The baseline is fair only if uvicorn runs both the same way."""
    bolt = load_processes.bare_bolt_app(token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=standin.api_url)
    app = load_processes.bare_asgi_app(bolt)
    bare = load_processes.bare_config(app, host="127.0.0.1", port=1)
    ictbot = server.server_config(app, host="127.0.0.1", port=1)
    for setting in ("log_config", "proxy_headers", "access_log", "timeout_graceful_shutdown", "http", "loop", "ws"):
        assert getattr(bare, setting) == getattr(ictbot, setting), setting
