"""`/ict-search` through the real Bolt app and the stand-in Slack: anyone searches, the answer is private,
ten at a time with a "More results" button that replaces it with the next ten, authors by name, snippets
and the words searched for shown literally, bad searches explained."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block

from bot.services import projects, updates
from bot.services.quickform import UpdateText
from handlers.slack.blocks.search import MORE_ACTION, more_value
from models import Rag, UpdateSource
from tests.conftest import ADMIN, OWNER, START, STRANGER
from tests.helpers import last_reply, replies, shown, typed_shown_literally

EVIL = "<!channel> *bold* <https://evil.example|click> @here `code`"


def post(runtime, standin, ref: str, progress: str, *, days: int = 0, author: str = OWNER) -> int:
    with runtime.unit(standin.team_id) as (session, ws):
        project = projects.get(session, ws, ref)
        text = UpdateText(rag=Rag.RED, progress=progress)
        at = START + timedelta(days=days)
        done = updates.post(
            session, ws, project, user_id=author, is_admin=True, text=text, source=UpdateSource.COMMAND, now=at
        )
    return done.update_id


def assert_valid(message: dict) -> None:
    assert message["response_type"] == "ephemeral"
    assert 1 <= len(message["blocks"]) <= 50
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
        assert block.to_dict() == raw


def button(message: dict) -> dict | None:
    for block in message["blocks"]:
        if block["type"] == "actions":
            return block["elements"][0]
    return None


def test_anyone_finds_updates_by_any_form_of_a_word_privately_with_the_author_by_name(
    slack, standin, runtime, workplan
):
    post(runtime, standin, "NET-01", f"Core switches replaced {EVIL}")
    post(runtime, standin, "MOB-01", "Nothing relevant")
    slack.command("/ict-search", "switching", user_id=STRANGER)
    reply = last_reply(standin)
    assert_valid(reply)
    text = shown(reply)
    assert "*1 update matches* “switching”" in text
    assert "*NET-01* Council network refresh · :red_circle: Red · 24 Nov 2026 · Olive Owner" in text
    assert "MOB-01" not in text
    assert typed_shown_literally(reply, f"Core switches replaced {EVIL}")
    assert button(reply) is None
    assert "<!channel>" not in reply["text"]


def test_more_results_replaces_the_answer_with_the_next_page(slack, standin, runtime, workplan):
    ids = [post(runtime, standin, "NET-01", "Patching complete", days=i) for i in range(12)]
    slack.command("/ict-search", "patch in net-01", user_id=STRANGER)
    first = last_reply(standin)
    assert_valid(first)
    assert "*12 updates match* “patch” in NET-01 — 1 to 10, best first" in shown(first)
    more = button(first)
    assert more is not None and more["action_id"] == MORE_ACTION
    assert json.loads(more["value"]) == {"q": "patch in net-01", "o": 10}
    slack.button(MORE_ACTION, more["value"], user_id=STRANGER)
    second = last_reply(standin)
    assert_valid(second)
    assert second["replace_original"] is True
    assert "— 11 to 12, best first" in shown(second)
    assert button(second) is None
    assert len(ids) == 12 and shown(second).count("• ") == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("switch in NOPE-9", "There is no project `NOPE-9` in the Work Plan."),
        ("switch from 2026-02-30", "`2026-02-30` is not a date; write it as YYYY-MM-DD"),
        ("switch from 2026-03-01 to 2026-02-01", "ends before it starts; swap them"),
        ("*** in NET-01", "Say what to search for"),
    ],
)
def test_bad_searches_are_explained(slack, standin, runtime, workplan, typed, message):
    slack.command("/ict-search", typed, user_id=STRANGER)
    assert message in shown(last_reply(standin))


def test_no_result_is_a_helpful_message_showing_the_words_as_typed(slack, standin, runtime, workplan):
    post(runtime, standin, "NET-01", "Core switches replaced")
    slack.command("/ict-search", f"{EVIL} nothing", user_id=ADMIN)
    reply = last_reply(standin)
    assert_valid(reply)
    assert "No update matches" in shown(reply) and "try fewer words" in shown(reply)
    assert typed_shown_literally(reply, f"{EVIL} nothing")


def test_help_and_an_empty_search_show_how_to_search(slack, standin, runtime):
    slack.command("/ict-search", "", user_id=STRANGER)
    assert "`/ict-search switch in NET-01`" in shown(last_reply(standin))
    slack.command("/ict-search", "help", user_id=STRANGER)
    assert len(replies(standin)) == 2


def test_a_forged_more_button_is_refused_politely(slack, standin, runtime, workplan):
    slack.button(MORE_ACTION, "not json", user_id=STRANGER)
    assert "search again with /ict-search" in shown(last_reply(standin))
    slack.button(MORE_ACTION, more_value("x", -5), user_id=STRANGER)
    assert "search again with /ict-search" in shown(last_reply(standin))


def test_the_longest_search_fits_in_a_button_value():
    longest = '"\\' * 100  # every character escaped in JSON
    assert len(more_value(longest, 10_000)) <= 2000
    assert len(more_value("\x01" * 200, 10_000)) <= 2000
