"""When Slack gets its ack: at once when the listener acknowledges (handlers.slack.ack_wait), with the answer in it
when the answer is ready in time, and empty with the answer through response_url when not
(handlers.slack.ack_answer)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from sqlalchemy import Engine, event

from bot.dev.local import LocalSlack
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from handlers.slack import ack_answer
from handlers.slack.ack_wait import AckAwaitingExecutor, signal_ack
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from models import ProgressUpdate
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET
from tests.helpers import count, failing, last_reply, runs, shown

WAIT = 5.0  # seconds: a bound for what comes in milliseconds, reached only when the code is broken
LONG = 30.0  # seconds: a wait bound that, reached, tells a wait that did not end when it should have
BOLTS_LOOK = 0.01  # seconds: Bolt's pause between two looks for a listener's ack


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4)
    yield pool
    pool.shutdown(wait=True)  # every listener finishes here, not during a later test


def bolt_app(standin: SlackStandIn, executor: AckAwaitingExecutor) -> tuple[App, LocalSlack]:
    app = App(
        client=web_client(BOT_TOKEN, standin.api_url),
        signing_secret=SIGNING_SECRET,
        listener_executor=executor,
    )
    app.middleware(signal_ack)
    driver = LocalSlack(
        app=app, signing_secret=SIGNING_SECRET, response_url=standin.response_url, team_id=standin.team_id
    )
    return app, driver


def test_the_request_returns_at_the_ack_while_the_listener_goes_on(standin, pool):
    app, driver = bolt_app(standin, AckAwaitingExecutor(pool))
    returned, finished = threading.Event(), threading.Event()
    seen: list[bool] = []

    @app.command("/ict-update")
    def listener(ack: Ack) -> None:
        ack(text="on it")
        seen.append(returned.wait(WAIT))  # goes on only once the request has been answered
        finished.set()

    response = driver.command("/ict-update", "x", user_id=OWNER)
    assert not finished.is_set()  # returned at the ack, not at the end of the listener
    returned.set()
    assert response.status == 200 and "on it" in response.body
    assert finished.wait(WAIT) and seen == [True]


def test_an_acknowledgement_is_not_held_for_bolts_next_look(standin, pool):
    """Bolt alone looks for the ack every 10 ms, so a request it waits for takes at least 10 ms: of ten
    requests with an at-once ack, the quickest must take less (under load some may take longer).

    Without the executor's wait the request's thread makes Bolt's first look before the pool's thread has
    even called the listener, so every request waits for a second look (tried: ten runs, ten failures)."""
    app, driver = bolt_app(standin, AckAwaitingExecutor(pool))

    @app.command("/ict-update")
    def listener(ack: Ack) -> None:
        ack()  # on the pool's thread, while the request's thread has gone on to wait for it

    driver.command("/ict-update", "warm-up", user_id=OWNER)
    took: list[float] = []
    for _ in range(10):
        started = time.perf_counter()
        assert driver.command("/ict-update", "x", user_id=OWNER).status == 200
        took.append(time.perf_counter() - started)
    assert min(took) < BOLTS_LOOK


def test_a_listener_that_never_acknowledges_is_waited_for_at_most_its_bound(standin, pool):
    app, driver = bolt_app(standin, AckAwaitingExecutor(pool, wait_at_most=0.2))
    returned = threading.Event()
    seen: list[bool] = []

    @app.command("/ict-update")
    def listener(ack: Ack) -> None:
        seen.append(returned.wait(WAIT))  # ends only once the request has been answered

    driver.command("/ict-update", "x", user_id=OWNER)  # Bolt then looks on, up to its own 3 s
    returned.set()
    pool.shutdown(wait=True)
    assert seen == [True]  # the request was answered while its listener still ran


def test_a_listener_that_fails_before_its_ack_is_answered_500(standin, pool):
    app, driver = bolt_app(standin, AckAwaitingExecutor(pool, wait_at_most=LONG))

    @app.command("/ict-update")
    def listener(ack: Ack) -> None:
        raise RuntimeError("boom")

    started = time.perf_counter()
    assert driver.command("/ict-update", "x", user_id=OWNER).status == 500
    assert time.perf_counter() - started < LONG / 2  # the listener's end released the wait, not its bound


# -- the answer in the ack, or through response_url when late ------------------------------------
def ictbot(runtime: Runtime, standin: SlackStandIn, pool: ThreadPoolExecutor, **options: Any) -> LocalSlack:
    """ictbot's Bolt app with listeners on a thread pool, as ``ictbot serve`` runs them."""
    client = web_client(BOT_TOKEN, standin.api_url)
    app = create_app(runtime, client=client, listener_executor=AckAwaitingExecutor(pool))
    return LocalSlack(
        app=app, signing_secret=SIGNING_SECRET, response_url=standin.response_url, team_id=standin.team_id, **options
    )


@contextmanager
def slow_insert(engine: Engine) -> Iterator[threading.Event]:
    """The database takes the update's row only once the event yielded is set (at most 5 s)."""
    go_on = threading.Event()

    def hold(conn: object, cursor: object, statement: str, *args: object) -> None:
        if runs(statement, "INSERT INTO progress_update"):
            go_on.wait(5)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield go_on
    finally:
        go_on.set()
        event.remove(engine, "before_cursor_execute", hold)


def test_an_update_is_answered_in_its_ack_and_nothing_goes_through_response_url(runtime, standin, workplan, pool):
    driver = ictbot(runtime, standin, pool)
    response = driver.command("/ict-update", "NET-01 green Done", user_id=OWNER)
    assert "Update saved for *NET-01" in shown(json.loads(response.body))
    assert count(runtime, ProgressUpdate) == 1
    assert standin.calls_to("response_url") == []


def test_an_answer_not_ready_in_time_follows_an_empty_ack_through_response_url(
    runtime, standin, workplan, pool, monkeypatch
):
    monkeypatch.setattr(ack_answer, "WATCHER", ack_answer.AckWatcher(within=0.2))
    driver = ictbot(runtime, standin, pool)
    with slow_insert(runtime.engine) as slow:
        started = time.monotonic()
        response = driver.command("/ict-update", "NET-01 green Done", user_id=OWNER)
        took = time.monotonic() - started
        slow.set()
        reply = standin.wait_for("response_url")[-1].params  # before the hold goes: no listener changes mid-run
    assert (response.status, response.body) == (200, "")  # acknowledged empty by the watcher
    assert 0.15 < took < 2
    assert "Update saved for *NET-01" in shown(reply) and reply["response_type"] == "ephemeral"
    assert count(runtime, ProgressUpdate) == 1


def test_a_late_failure_is_apologised_for_through_response_url(runtime, standin, workplan, pool, monkeypatch):
    monkeypatch.setattr(ack_answer, "WATCHER", ack_answer.AckWatcher(within=0.1))
    driver = ictbot(runtime, standin, pool, on_ack=standin.acknowledged_with)
    # Held first, then failing: on PostgreSQL the update and its revision are one statement.
    with slow_insert(runtime.engine) as slow:
        with failing(runtime.engine, "INSERT INTO update_revision", "server closed the connection"):
            response = driver.command("/ict-update", "NET-01 green Done", user_id=OWNER)
            slow.set()
            standin.wait_for("response_url")
        assert (response.status, response.body) == (200, "")
    assert "nothing was saved" in last_reply(standin)["text"]
    assert count(runtime, ProgressUpdate) == 0


def test_only_the_first_plain_answer_rides_on_the_ack(standin):
    acked: list[dict[str, object]] = []

    class Recording(Ack):
        def __call__(self, *args: object, **kwargs: object):  # type: ignore[override]
            acked.append(kwargs)
            return super().__call__(*args, **kwargs)  # type: ignore[arg-type]

    answer = ack_answer.AnswerInAck(Recording(), Respond(response_url=standin.response_url()))
    answer(text="first", response_type="ephemeral", replace_original=False)
    answer(text="second")
    answer.acknowledge()  # already acknowledged: nothing more
    assert [a["text"] for a in acked] == ["first"]
    assert [c.params["text"] for c in standin.calls_to("response_url")] == ["second"]


class _CountedWaits(threading.Condition):
    """The watcher's condition, counting the waits it times (each one a wake of its thread)."""

    timed = 0

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is not None:
            self.timed += 1
        return super().wait(timeout)


class _Watched:
    def __init__(self, acknowledged: list[_Watched], all_in: threading.Event, of: int) -> None:
        self.acked = False
        self._acknowledged, self._all_in, self._of = acknowledged, all_in, of

    def acknowledge(self) -> None:
        self.acked = True
        self._acknowledged.append(self)
        if len(self._acknowledged) == self._of:
            self._all_in.set()


def test_the_watcher_wakes_once_for_requests_due_together_and_acknowledges_each():
    ahead = [0.0]  # the watcher's clock runs ahead of the real one by this
    watcher = ack_answer.AckWatcher(within=0.2, clock=lambda: time.monotonic() + ahead[0])
    waits = watcher._wake = _CountedWaits()
    acknowledged: list[_Watched] = []
    all_in = threading.Event()
    answers = [_Watched(acknowledged, all_in, 5) for _ in range(5)]
    answered_in_time = _Watched(acknowledged, all_in, 5)
    answered_in_time.acked = True  # its listener answered: passed over
    for answer in [*answers[:2], answered_in_time, *answers[2:]]:
        watcher.watch(answer)
        ahead[0] += 0.0015  # as if each came 1.5 ms after the one before: all due within 10 ms of the first
    assert all_in.wait(timeout=5)
    assert acknowledged == answers
    assert waits.timed <= 2  # one wait for the first's deadline (two if woken early); a wait each without batching
