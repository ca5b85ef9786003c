"""Smoke runs of the benchmarks at a tiny size: they work, print their figures, and nothing is lost or doubled.

Only correctness is asserted here; time is measured and printed by the benchmarks, never asserted.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks import reminder_fanout
from bot.scheduler import TickReport


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
