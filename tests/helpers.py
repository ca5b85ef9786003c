"""Small readers of what Slack received, and the race helpers, shared by the tests."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError

from bot.runtime import Runtime
from bot.standin import SlackStandIn


@contextmanager
def failing(engine: Engine, statement_start: str, cause: str, *, containing: str = "") -> Iterator[None]:
    """Within the block, every statement that starts with ``statement_start`` (and has ``containing`` in it)
    fails as the database would."""

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(statement_start) and containing in statement:
            raise OperationalError(statement, {}, Exception(cause))

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


RACERS = 6  # requests racing for one row in the race tests


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads at once; every result, or the first error raised."""
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001  (re-raised below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer is stuck"
    if errors:
        raise errors[0]
    return results


@contextmanager
def together_at(engine: Engine, statement_start: str, n: int = RACERS) -> Iterator[None]:
    """The first ``n`` statements that start with ``statement_start`` wait for one another, then all go at
    once: every racer has looked the row up, found none, and now writes it. It must be each racer's first
    write, so that on SQLite none of them holds the database's write lock while it waits."""
    barrier = threading.Barrier(n, timeout=20)
    arrived = itertools.count()

    def at_the_line(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(statement_start) and next(arrived) < n:
            barrier.wait()

    event.listen(engine, "before_cursor_execute", at_the_line)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", at_the_line)


def count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def replies(standin: SlackStandIn) -> list[dict[str, Any]]:
    """The answers the person saw: messages sent through a response_url or carried by a command's ack."""
    return [c.params for c in list(standin.calls) if c.method in ("response_url", "ack")]


class AcksShown:
    """An HTTP test client in Slack's place: the message a command's ack carries is shown to the person,
    so it is recorded on the stand-in as Slack would show it (``LocalSlack``'s ``on_ack`` for HTTP)."""

    def __init__(self, client: Any, standin: SlackStandIn) -> None:
        self.client = client
        self.standin = standin

    def post(self, *args: Any, **kwargs: Any) -> Any:
        response = self.client.post(*args, **kwargs)
        if response.status_code == 200 and response.headers.get("content-type", "").startswith("application/json"):
            message = response.json()
            if isinstance(message, dict) and ("text" in message or "blocks" in message):
                self.standin.acknowledged_with(message)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def last_reply(standin: SlackStandIn) -> dict[str, Any]:
    """The last answer the person saw (through a response_url, or in a command's acknowledgement)."""
    answers = replies(standin)
    assert answers, f"the bot answered nothing; Slack received {[c.method for c in standin.calls]}"
    return answers[-1]


def shown(message: dict[str, Any]) -> str:
    """Everything a person would read in a message or view: its sections' text, else its text."""
    parts = []
    for block in message.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts.extend(e.get("text", "") for e in block["elements"])
    return "\n".join(parts) or message.get("text", "")


def opened_view(standin: SlackStandIn) -> dict[str, Any]:
    """The modal the bot last opened, as Slack sends it back with a submission: with its ``id`` and ``hash``.

    Each modal opened gets its own id (Slack's differ even for two modals with the same content)."""
    calls = standin.calls_to("views.open")
    view = calls[-1].params["view"]
    digest = hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()
    n = len(calls)
    return {**view, "id": f"V{n:03d}{digest[:8].upper()}", "hash": f"1764000000.{digest[8:16]}"}


def select_options(view: dict[str, Any], block_id: str) -> list[tuple[str, list[str]]]:
    """(group label, option texts) of a static select in a view."""
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [(g["label"]["text"], [o["text"]["text"] for o in g["options"]]) for g in block["element"]["option_groups"]]
