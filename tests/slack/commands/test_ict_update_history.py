"""`/ict-update history REF [N]` and the History button, end to end: signed requests through the real Bolt
app, the answers and the modal as the stand-in received them, each validated with slack_sdk's models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.services import projects, timeline
from handlers.slack.actions.history_button import DAMAGED
from handlers.slack.blocks.rich_text import MAX_BLOCKS, MAX_MESSAGE_SIZE, block_size
from handlers.slack.blocks.timeline import MAX_VIEW_BLOCKS, MODAL_TITLE, timeline_modal
from handlers.slack.blocks.ui import HISTORY_ACTION
from models import ProgressUpdate
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, last_reply, replies, shown, typed_shown_literally


def assert_valid(blocks: list[dict[str, Any]]) -> None:
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
        assert block.to_dict() == raw


def assert_valid_message(message: dict[str, Any]) -> None:
    assert message["response_type"] == "ephemeral"
    assert 1 <= len(message["blocks"]) <= MAX_BLOCKS
    assert_valid(message["blocks"])
    assert sum(block_size(b) for b in message["blocks"]) <= MAX_MESSAGE_SIZE


def opened(standin) -> dict[str, Any]:
    calls = standin.calls_to("views.open")
    assert calls, f"no modal was opened; Slack received {[c.method for c in standin.calls]}"
    view = calls[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    View(**view).validate_json()  # slack_sdk's model of a view: its limits, its blocks'
    assert_valid(view["blocks"])
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    return view


@pytest.fixture
def posted(slack, clock, workplan) -> None:
    """NET-01's three updates: the owner's (corrected by the admin), the delegate's, the owner's."""
    slack.command("/ict-update", "NET-01 amber Links delayd", user_id=OWNER)
    clock.advance(days=1)
    slack.command("/ict-update", "NET-01 red Supplier gone quiet | next: escalate", user_id=DELEGATE)
    clock.advance(days=1)
    slack.command("/ict-update", "NET-01 green Links upgraded at *all* sites <!channel>", user_id=OWNER)
    clock.advance(hours=1)
    slack.command("/ict-update", "edit NET-01 green Links upgraded at every site <!channel>", user_id=OWNER)


def test_the_history_lists_updates_newest_first_with_names_rag_dates_and_corrections(slack, standin, posted):
    standin.calls.clear()
    slack.command("/ict-update", "history NET-01", user_id=STRANGER)  # anyone in the workspace may read it
    (reply,) = replies(standin)
    assert_valid_message(reply)
    text = shown(reply)
    assert text.startswith("*History of NET-01* Council network refresh\nAll 3 of its updates, newest first.")
    newest, middle, oldest = (text.index(s) for s in ("every site", "Supplier gone quiet", "Links delayd"))
    assert newest < middle < oldest
    assert ":large_green_circle: *Green* · 26 Nov 2026 09:30 · Olive Owner\nLinks upgraded at every site" in text
    assert ":red_circle: *Red* · 25 Nov 2026 09:30 · Dan Delegate\nSupplier gone quiet" in text
    assert "_corrected once, last on 26 Nov 2026 10:30 by_ Olive Owner" in text
    assert text.count("corrected once") == 1
    assert typed_shown_literally(reply, "Links upgraded at every site <!channel>")  # no broadcast, no bold
    assert "<!channel>" not in reply["text"]


def test_n_limits_the_history_and_says_how_many_there_are(slack, standin, posted):
    slack.command("/ict-update", "history net-01 2", user_id=OWNER)
    text = shown(last_reply(standin))
    assert "The latest 2 of its 3 updates, newest first. Ask for up to 50." in text
    assert "Supplier gone quiet" in text and "Links delayd" not in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("history NET-1", "There is no project `NET-1` in the Work Plan. Did you mean NET-01?"),
        ("history NET-01 0", "`0` is not a number of updates; give 1 to 50"),
        ("history NET-01 51", "`51` is not a number of updates; give 1 to 50"),
        ("history", "Say which project's history to show, e.g. `/ict-update history NET-01`"),
        ("history NET-01 2 3", "Say which project's history to show"),
    ],
)
def test_bad_input_is_explained_privately(slack, standin, runtime, workplan, typed, expected):
    slack.command("/ict-update", typed, user_id=OWNER)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral" and expected in shown(reply)
    assert count(runtime, ProgressUpdate) == 0


def test_a_project_called_history_still_takes_updates_and_shows_its_history(slack, standin, runtime, workplan):
    with runtime.unit(standin.team_id) as (session, ws):
        projects.add(
            session, ws, ref="HISTORY", title="Records archive", priority="GOV", owner=OWNER, now=runtime.now()
        )
    slack.command("/ict-update", "history amber Boxes catalogued", user_id=OWNER)
    assert "Boxes catalogued" in shown(last_reply(standin)) and count(runtime, ProgressUpdate) == 1
    slack.command("/ict-update", "history history", user_id=OWNER)
    assert "*History of HISTORY* Records archive\nIts one update so far." in shown(last_reply(standin))


def test_a_long_history_is_split_across_messages_within_slacks_limits(slack, standin, clock, workplan):
    for i in range(50):
        slack.command("/ict-update", f"NET-01 amber Update {i:02d} " + "ünïcode words " * 30, user_id=OWNER)
        clock.advance(minutes=1)
    standin.calls.clear()
    slack.command("/ict-update", "history NET-01 50", user_id=OWNER)
    messages = replies(standin)
    assert len(messages) > 1
    for m in messages:
        assert_valid_message(m)
    text = "\n".join(shown(m) for m in messages)
    assert all(f"Update {i:02d} " in text for i in range(50))
    assert "History of NET-01, continued." in text


def test_the_history_button_opens_the_same_history_in_a_modal(slack, standin, posted):
    standin.calls.clear()
    slack.button(HISTORY_ACTION, "NET-01", user_id=STRANGER)
    view = opened(standin)
    assert view["type"] == "modal" and view["title"]["text"] == MODAL_TITLE
    text = shown(view)
    assert text.startswith("*History of NET-01* Council network refresh\nAll 3 of its updates")
    assert "_corrected once, last on 26 Nov 2026 10:30 by_ Olive Owner" in text
    assert typed_shown_literally(view, "Links upgraded at every site <!channel>")
    assert not replies(standin)  # the modal is the answer


def test_fifty_long_updates_fit_in_the_modal(slack, standin, clock, runtime, workplan):
    with runtime.unit(standin.team_id) as (session, ws):
        projects.add(session, ws, ref="BIG-01", title="Ünïcode " * 20, priority="GOV", owner=OWNER, now=runtime.now())
    for i in range(60):
        slack.command("/ict-update", f"BIG-01 red {i} " + "x" * 1990, user_id=ADMIN)
        clock.advance(minutes=1)
    with runtime.unit(standin.team_id) as (session, ws):
        # the button shows the default number; the modal must hold the most the service gives too
        found = timeline.of_project(session, ws, "BIG-01", limit=timeline.MAX_SHOWN)
    view = timeline_modal(found, {}, clock.now.tzinfo)
    View(**view).validate_json()
    assert len(found.entries) == 50 and len(view["blocks"]) <= MAX_VIEW_BLOCKS
    slack.button(HISTORY_ACTION, "BIG-01", user_id=OWNER)
    assert "The latest 10 of its 60 updates" in shown(opened(standin))


@pytest.mark.parametrize(("value", "expected"), [("NET-1", "There is no project `NET-1`"), ("<!channel>", DAMAGED)])
def test_a_button_for_no_project_is_answered_privately(slack, standin, workplan, value, expected):
    slack.button(HISTORY_ACTION, value, user_id=OWNER)
    assert expected in shown(last_reply(standin))
    assert not standin.calls_to("views.open")
