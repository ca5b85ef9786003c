"""Small readers of what Slack received, and the race helpers, shared by the tests."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError

from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL of every statement ``engine`` sends inside the block, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def runs(statement: str, start: str) -> bool:
    """``statement`` starts with ``start`` (``INSERT INTO t``), or runs it in one of its WITH queries."""
    if statement.startswith(start):
        return True
    return statement.startswith("WITH") and re.search(r"\bAS\s*\(\s*" + re.escape(start), statement) is not None


@contextmanager
def failing(engine: Engine, statement_start: str, cause: str, *, containing: str = "") -> Iterator[None]:
    """Within the block, every statement that :func:`runs` ``statement_start`` and has ``containing`` in it
    fails as the database would."""

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if runs(statement, statement_start) and containing in statement:
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


# How shown() writes a rich text element's style: as the mrkdwn that would give it, for readable asserts.
_MARKS = (("code", "`"), ("bold", "*"), ("italic", "_"), ("strike", "~"))


def shown(message: dict[str, Any]) -> str:
    """Everything a person would read in a message or view: its sections' and rich text's text, else its text.

    Rich text is written as a reader sees it: a ``text`` element's text as it is, its style (the bot's)
    as the mrkdwn marks that would give it around the run (``*NET-01 Title*``), emoji as ``:name:`` and
    mentions as ``<@U…>``: what was typed is never unescaped or read, so a test sees it as Slack shows it.
    """
    parts = []
    for block in message.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts.extend(e.get("text", "") for e in block["elements"])
        elif block.get("type") == "rich_text":
            parts.append(rich_text_shown(block))
        elif block.get("type") == "header":
            parts.append(block["text"]["text"])
    return "\n".join(parts) or message.get("text", "")


def rich_text_shown(block: dict[str, Any]) -> str:
    """A rich_text block as :func:`shown` writes it: runs of one style between that style's marks."""
    runs: list[tuple[tuple[str, ...], str]] = []
    for section in block["elements"]:
        for e in section["elements"]:
            style = tuple(name for name, _ in _MARKS if (e.get("style") or {}).get(name))
            text = {
                "text": lambda e: e["text"],
                "emoji": lambda e: f":{e['name']}:",
                "user": lambda e: f"<@{e['user_id']}>",
                "channel": lambda e: f"<#{e['channel_id']}>",
                "usergroup": lambda e: f"<!subteam^{e['usergroup_id']}>",
            }[e["type"]](e)
            if runs and runs[-1][0] == style:
                runs[-1] = (style, runs[-1][1] + text)
            else:
                runs.append((style, text))
    out: list[str] = []
    opened: list[str] = []  # the styles open, in the order they were opened
    marks = dict(_MARKS)
    for style, text in [*runs, ((), "")]:
        while opened and not set(opened) <= set(style):
            out.append(marks[opened.pop()])  # close back to a style the run keeps
        for name in style:
            if name not in opened:
                opened.append(name)
                out.append(marks[name])
        out.append(text)
    return "".join(out)


def rich_texts(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every element of every rich_text block of a message or view, in order."""
    return [
        e
        for block in message.get("blocks") or []
        if block.get("type") == "rich_text"
        for section in block["elements"]
        for e in section["elements"]
    ]


def typed_shown_literally(message: dict[str, Any], typed: str) -> bool:
    """Whether ``typed`` is in the message exactly as typed, in a rich text ``text`` element (which Slack shows
    as it is) and nowhere as mrkdwn, plain text or a fallback that could read it."""
    texts = [e["text"] for e in rich_texts(message) if e["type"] == "text"]
    return typed in texts


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
