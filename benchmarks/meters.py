"""What the load benchmark reads off /proc: a process's memory and CPU time, the machine's, and how fast
the machine is right now (``benchmarks.load``)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

SAMPLE_EVERY = 0.05  # seconds between memory samples under load

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """The process's resident set size (VmRSS), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, fields 14 and 15


def machine_busy_seconds() -> float:
    """CPU time spent by every CPU of the machine on anything but idling, in seconds."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values) - idle) / CLOCK_TICKS


def reference_loop_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop: how fast this machine is right now.

    A shared virtual machine's speed changes with its neighbours' load, which no counter inside it
    shows; the same code's CPU time a request moved by half over one day here. This tells runs apart.
    """
    started = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i % 7
    return (time.process_time() - started) * 1000


class CpuMeter:
    """CPU seconds of the server, the stand-in, this process (the clients) and the machine, between two marks."""

    def __init__(self, server: int, standin: int) -> None:
        self.pids = {"server": server, "stand-in": standin}
        self.start: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        values = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        values["clients"] = time.process_time()
        values["machine"] = machine_busy_seconds()
        return values

    def mark(self) -> None:
        self.start = self._read()

    def since(self) -> dict[str, float]:
        end = self._read()
        return {name: end[name] - self.start.get(name, end[name]) for name in end}


class PeakRss:
    """Samples a process's resident memory in a thread while the load runs; keeps the largest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_kb(self.pid))
            if self._stop.wait(SAMPLE_EVERY):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))
