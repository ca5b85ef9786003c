"""The trends after `/ict-digest`: the chair who posted the digest is offered them privately, and *Post the
trends* uploads the RAG mix by priority over the last meetings as a reply in the digest's thread."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from handlers.slack.actions.digest_trends import DAMAGED, NO_MEETING, POSTED, REFUSED
from handlers.slack.blocks.trends import OFFER_TEXT, TRENDS_ACTION
from tests.conftest import STRANGER
from tests.helpers import last_reply, shown
from tests.slack.commands.test_ict_digest import (
    CHANNEL,
    at,
    chair,  # noqa: F401  (a fixture)
    posted,
    updated,  # noqa: F401  (a fixture)
)


def offered(standin) -> dict:
    """The offer the chair saw, checked as Slack would check its blocks."""
    offer = last_reply(standin)
    assert offer["text"] == OFFER_TEXT and offer["response_type"] == "ephemeral"
    for raw in offer["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
    [button] = offer["blocks"][-1]["elements"]
    assert button["action_id"] == TRENDS_ACTION
    return button


def test_the_chair_posts_the_trends_in_the_digests_thread(slack, standin, chair, updated, clock):  # noqa: F811
    clock.now = at("2026-12-09 12:00")  # after the 8 Dec meeting: two meetings held, the Work Plan at the second
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    summary, first_reply = posted(standin)[:2]
    ts = first_reply.params["thread_ts"]  # the summary's ts
    button = offered(standin)
    assert json.loads(button["value"]) == {"ts": ts}
    before = len(standin.files_shared())

    slack.button(TRENDS_ACTION, button["value"], user_id=chair, channel_id=CHANNEL)

    [trends] = standin.files_shared()[before:]
    assert (trends.channel_id, trends.thread_ts) == (CHANNEL, ts)  # a reply under the digest's summary
    assert summary.params["channel"] == CHANNEL
    assert trends.filename == "ict-trends-2026-12-08.png"
    assert trends.data is not None and trends.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert trends.alt_txt is not None and trends.alt_txt.startswith(
        "Bar charts, one per priority, of the open projects by RAG status at each of the last 2 meetings "
        "(10 Nov 2026 to 8 Dec 2026)."
    )
    assert (
        "ICT Governance: 1 red, 0 amber, 0 green, 0 with no RAG yet, from 0 red, 0 amber, 0 green, 0 with no RAG yet."
    ) in trends.alt_txt  # PCI-01, red on 26 Nov; the Work Plan came after the 10 Nov meeting
    assert trends.initial_comment == (
        "Trends: RAG mix by priority at each of the last 2 meetings, from 10 November 2026 to 8 December 2026."
    )
    done = last_reply(standin)
    assert done["replace_original"] is True and done["text"].startswith(POSTED)


def test_anyone_else_pressing_it_is_refused_and_nothing_is_posted(slack, standin, chair, updated):  # noqa: F811
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    button = offered(standin)
    before = len(standin.files_shared())
    slack.button(TRENDS_ACTION, button["value"], user_id=STRANGER, channel_id=CHANNEL)
    reply = last_reply(standin)
    assert shown(reply) == REFUSED and reply["response_type"] == "ephemeral"
    assert len(standin.files_shared()) == before


def test_a_damaged_button_posts_nothing(slack, standin, chair, updated):  # noqa: F811
    for value in ("", "{}", '{"ts": "<!channel>"}', "not json"):
        slack.button(TRENDS_ACTION, value, user_id=chair, channel_id=CHANNEL)
        assert shown(last_reply(standin)) == DAMAGED
    assert standin.files_shared() == []


def test_no_meeting_held_yet_says_so(slack, standin, chair, workplan):  # noqa: F811
    slack.button(TRENDS_ACTION, '{"ts":"1764590400.000100"}', user_id=chair, channel_id=CHANNEL)
    assert shown(last_reply(standin)) == NO_MEETING
    assert standin.files_shared() == []


def test_a_channel_the_bot_is_not_in_gets_the_invitation(slack, standin, chair, updated):  # noqa: F811
    standin.fail("files.getUploadURLExternal", error="not_in_channel")
    slack.button(TRENDS_ACTION, '{"ts":"1764590400.000100"}', user_id=chair, channel_id=CHANNEL)
    assert "/invite @ictbot" in shown(last_reply(standin))
