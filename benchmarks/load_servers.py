"""The load benchmark's processes: a server started and stopped around its load, and the Slack stand-in in a
process of its own (``benchmarks.load``; the reconcile and shared-pass benchmarks use them too)."""

from __future__ import annotations

import compileall
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[1]  # where `benchmarks` is imported from by the helper processes
TEAM_ID = "T0LOAD"
HEALTH_POLL = 0.01  # seconds between looks at a starting server's /healthz
START_TIMEOUT = 60.0  # seconds for a server to answer /healthz


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ictbot_command() -> list[str]:
    """The installed ``ictbot`` entry point beside this interpreter, as production runs it."""
    script = Path(sys.executable).with_name("ictbot")
    if not script.exists():
        raise RuntimeError(f"{script} is missing: install ictbot first (pip install -e '.[dev]')")
    return [str(script), "serve"]


def server_env(**settings: str) -> dict[str, str]:
    """This process's environment without any ictbot or Slack setting of its own, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ICTBOT_")) and k != "DATABASE_URL"}
    env.update(settings)
    return env


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def serving(
    argv: list[str], env: dict[str, str], port: int, log_path: Path, *, cwd: Path
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """Start a server process, wait until its /healthz answers 200, and stop it (SIGTERM) afterwards.
    Yields the process and the seconds it took from its start to that first 200."""
    started = time.perf_counter()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)  # noqa: S603
    try:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2) as client:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv[0]} exited with status {proc.returncode}:\n{_tail(log_path)}")
                try:
                    if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[0]} did not answer /healthz in {START_TIMEOUT:g} s:\n{_tail(log_path)}")
                time.sleep(HEALTH_POLL)
        startup = time.perf_counter() - started
        yield proc, startup
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class StandIn:
    """The Slack stand-in's process (``benchmarks.load_processes standin``), asked over its stdin."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        assert proc.stdin is not None and proc.stdout is not None
        self._in: IO[str] = proc.stdin
        self._out: IO[str] = proc.stdout
        hello = json.loads(self._out.readline() or "null")
        if not isinstance(hello, dict):
            raise RuntimeError("the Slack stand-in did not start")
        self.base_url = str(hello["base_url"])
        self.api_url = str(hello["api_url"])

    def ask(self, command: str) -> Any:
        self._in.write(command + "\n")
        self._in.flush()
        return json.loads(self._out.readline())

    def counts(self) -> Counter[str]:
        return Counter({str(k): int(v) for k, v in self.ask("count").items()})

    def replies(self) -> list[tuple[str, str]]:
        return [(str(key), str(text)) for key, text in self.ask("replies")]

    def posts(self) -> list[str]:
        """The channel of every chat.postMessage so far."""
        return [str(channel) for channel in self.ask("posts")]


@contextmanager
def standin_process() -> Iterator[StandIn]:
    argv = [sys.executable, "-m", "benchmarks.load_processes", "standin", "--team-id", TEAM_ID]
    # As a context manager, Popen closes its pipes when it is done with (the standin's stdout included).
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO) as proc:  # noqa: S603
        try:
            yield StandIn(proc)
        finally:
            try:
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()


def compiled_as_installed() -> None:
    """The project's bytecode written, as an install writes it (pip compiles what it installs): an editable
    install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module of ictbot's on each start,
    and the start-up time would measure the compiler. The processes read it even where they write none."""
    for package in ("bot", "handlers", "models", "benchmarks"):
        compileall.compile_dir(REPO / package, quiet=1)
