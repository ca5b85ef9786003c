"""`/ict-update` end to end: signed requests through the real Bolt app, answers at the stand-in."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.local import LocalSlack
from bot.runtime import Runtime
from bot.standin import SlackStandIn
from models import ProgressUpdate, Rag, UpdateRevision, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER


def count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def last_reply(standin: SlackStandIn) -> dict:
    return standin.calls_to("response_url")[-1].params


def shown(message: dict) -> str:
    """Everything a person would read in a message: its blocks' text, or its text when it has none."""
    parts = [b["text"]["text"] for b in message.get("blocks") or [] if b.get("type") == "section"]
    return "\n".join(parts) or message["text"]


def test_quick_form_stores_update_and_confirms_ephemerally(slack, standin, runtime, workplan):
    resp = slack.command("/ict-update", "NET-01 amber Core links upgrade delayed by supplier", user_id=OWNER)
    assert resp.status == 200
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert "NET-01" in reply["text"] and "Amber" in reply["text"]
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.COMMAND and update.author_user_id == OWNER
        assert update.current.rag is Rag.AMBER
        assert update.current.progress == "Core links upgrade delayed by supplier"


def test_quick_form_takes_next_steps_and_risks(slack, standin, runtime, workplan):
    slack.command("/ict-update", "net-01 R Links down | next: chase BT | risks: budget & <!channel>", user_id=DELEGATE)
    with runtime.sessions() as s:
        rev = s.scalars(select(UpdateRevision)).one()
    assert (rev.rag, rev.progress, rev.next_steps, rev.risks) == (
        Rag.RED, "Links down", "chase BT", "budget & <!channel>")
    assert "budget &amp; &lt;!channel&gt;" in shown(last_reply(standin))  # shown inert, stored verbatim


def test_stranger_is_refused_and_nothing_is_written(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 green All done", user_id=STRANGER)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert "Only the owner or a delegate of `NET-01`" in shown(reply)
    assert count(runtime, ProgressUpdate) == 0


def test_admin_may_update_any_project(slack, standin, runtime, workplan):
    slack.command("/ict-update", "TRN-01 g On track", user_id=ADMIN)
    assert count(runtime, ProgressUpdate) == 1
