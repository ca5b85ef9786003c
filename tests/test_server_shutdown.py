"""A clean stop of `ictbot serve` (SIGTERM, as systemd sends it) leaves a SQLite database whole in its .db file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.dev.standin import SlackStandIn
from bot.server import stopped_by_sigterm
from models import make_engine
from models.db import close_engine
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, Databases

READY = "Application startup complete"  # uvicorn's line once it listens


def _commit_a_workspace(db_file: Path, team: str) -> None:
    with sqlite3.connect(db_file) as conn:  # the commit lands in db_file's write-ahead log
        conn.execute(
            "INSERT INTO workspace (platform, external_id, name, created_at) "
            "VALUES ('slack', ?, 'Last commit', '2026-11-24 09:30:00')",
            (team,),
        )
    conn.close()


def _teams_in_a_copy_of(db_file: Path, elsewhere: Path) -> list[str]:
    """What a plain copy of the .db file alone (no -wal beside it) holds."""
    elsewhere.mkdir()
    copy = elsewhere / "copy.db"
    shutil.copyfile(db_file, copy)
    with sqlite3.connect(copy) as conn:
        teams = [row[0] for row in conn.execute("SELECT external_id FROM workspace ORDER BY external_id")]
    conn.close()
    return teams


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wal(db_file: Path) -> int:
    wal = db_file.with_name(db_file.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


@contextmanager
def ictbot(*args: str, env: dict[str, str], ready: str) -> Iterator[subprocess.Popen[str]]:
    """`ictbot ARGS` in a process of its own, once its log has said ``ready`` (or it has ended: the assertion
    says why); killed on the way out if it is still running."""
    process = subprocess.Popen(  # noqa: S603  (our own command line)
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if ready in line:
                break
        assert any(ready in line for line in seen), "".join(seen)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def sigterm(process: subprocess.Popen[str]) -> str:
    """SIGTERM, as systemd sends it; what the process logged from then on. It must have stopped cleanly."""
    process.send_signal(signal.SIGTERM)
    rest = process.communicate(timeout=60)[1]
    assert process.returncode == 0, rest
    assert "stopped by SIGTERM" in rest
    return rest


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_sigterm_stops_serve_cleanly_and_the_db_file_alone_holds_the_last_commit(
    databases: Databases, tmp_path: Path, standin: SlackStandIn
):
    db_file = tmp_path / "ictbot.db"
    databases.sqlite(db_file)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "ICTBOT_SCHEDULER": "false",
        "ICTBOT_LOG_LEVEL": "INFO",
    }
    with ictbot("serve", "--port", str(_free_port()), env=env, ready=READY) as serve:
        _commit_a_workspace(db_file, "T0LAST")
        assert _wal(db_file) > 0  # the commit is in the log, not yet in the .db file: serve holds the database open
        sigterm(serve)

    assert _wal(db_file) == 0
    assert _teams_in_a_copy_of(db_file, tmp_path / "backup") == ["T0LAST"]


def test_closing_the_engine_checkpoints_the_log_even_while_another_connection_is_open(
    databases: Databases, tmp_path: Path
):
    db_file = tmp_path / "ictbot.db"
    url = databases.sqlite(db_file)
    engine = make_engine(url)
    reader = sqlite3.connect(db_file)  # another process's idle connection: closing ours is not the last close
    try:
        reader.execute("SELECT count(*) FROM workspace").fetchone()
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspace (platform, external_id, name, created_at) "
                    "VALUES ('slack', 'T0LAST', 'Last commit', '2026-11-24 09:30:00')"
                )
            )
        assert _wal(db_file) > 0

        close_engine(engine)

        assert _wal(db_file) == 0
        assert _teams_in_a_copy_of(db_file, tmp_path / "backup") == ["T0LAST"]
    finally:
        reader.close()


def test_sigterm_ends_the_guarded_block_and_the_previous_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    reached_after_the_signal = False

    with stopped_by_sigterm() as stop:
        signal.raise_signal(signal.SIGTERM)
        reached_after_the_signal = True

    assert stop.signalled is True
    assert reached_after_the_signal is False
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_block_that_ends_by_itself_is_not_marked_stopped():
    with stopped_by_sigterm() as stop:
        pass
    assert stop.signalled is False


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_the_worker_runs_passes_alone_and_stops_cleanly_on_sigterm(
    databases: Databases, tmp_path: Path, standin: SlackStandIn
):
    db_file = tmp_path / "ictbot.db"
    databases.sqlite(db_file)
    _commit_a_workspace(db_file, "T0COUNCIL")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": standin.api_url,
        "ICTBOT_LOG_LEVEL": "DEBUG",
    }
    with ictbot("worker", env=env, ready="reconcile pass: done, 1 workspace(s) looked at") as worker:
        rest = sigterm(worker)
    with sqlite3.connect(db_file) as conn:  # the pass kept its calendar and set when to look again
        meetings, wake_at = conn.execute(
            "SELECT (SELECT count(*) FROM meeting), wake_at FROM workspace WHERE external_id = 'T0COUNCIL'"
        ).fetchone()
    conn.close()
    assert meetings > 0 and wake_at is not None
    assert "Uvicorn" not in rest and "uvicorn" not in rest  # it serves nothing
