"""Small readers of what Slack received, shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator
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
    call = standin.calls_to("views.open")[-1]
    return {**call.params["view"], "id": "V0TEST"}


def select_options(view: dict[str, Any], block_id: str) -> list[tuple[str, list[str]]]:
    """(group label, option texts) of a static select in a view."""
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [(g["label"]["text"], [o["text"]["text"] for o in g["options"]]) for g in block["element"]["option_groups"]]
