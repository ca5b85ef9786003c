"""Small readers of what Slack received, shared by the tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.standin import SlackStandIn


def count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def last_reply(standin: SlackStandIn) -> dict[str, Any]:
    """The last message the bot sent through a response_url."""
    replies = standin.calls_to("response_url")
    assert replies, f"the bot sent nothing through response_url; Slack received {[c.method for c in standin.calls]}"
    return replies[-1].params


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
