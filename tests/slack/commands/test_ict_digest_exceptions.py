"""`/ict-digest exceptions`, and the Exceptions section that opens the posted digest's summary."""

from __future__ import annotations

from datetime import date

from bot.services import meetings
from handlers.slack.commands.ict_digest import EXCEPTIONS_PREVIEW
from models import ActionItem, ItemStatus
from tests.conftest import ADMIN, OWNER, STRANGER
from tests.helpers import last_reply, rich_texts, typed_shown_literally
from tests.slack.commands.test_ict_digest import (
    CHANNEL,
    EVIL,
    assert_within_slacks_limits,
    chair,  # noqa: F401  (a fixture)
    posted,
    section_texts,
    updated,  # noqa: F401  (a fixture)
)


def test_a_chair_posts_only_the_exceptions(slack, standin, chair, updated):  # noqa: F811
    slack.command("/ict-digest", "exceptions", user_id=chair, channel_id=CHANNEL)
    [call] = posted(standin)
    message = call.params
    assert message["channel"] == CHANNEL
    assert_within_slacks_limits(message)
    assert message["blocks"][0]["text"]["text"] == "Exceptions, 1 Dec 2026"
    text = "\n".join(section_texts(message["blocks"]))
    assert text.startswith("*Exceptions*")
    assert (
        text == "*Exceptions*\n\n_Red projects_\n• *PCI-01* PCI DSS quarterly tests — Ada Admin: Red since 26 Nov 2026"
    )
    assert "RAG by priority" not in text  # only that section
    assert message["text"] == "Exceptions, 1 Dec 2026: 1 exception"
    assert standin.files_shared() == []


def test_a_member_sees_the_exceptions_privately(slack, standin, updated):  # noqa: F811
    slack.command("/ict-digest", "EXCEPTIONS", user_id=STRANGER, channel_id=CHANNEL)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert_within_slacks_limits(reply)
    assert "• *PCI-01* PCI DSS quarterly tests" in "\n".join(section_texts(reply["blocks"]))
    assert EXCEPTIONS_PREVIEW in str(reply["blocks"][-1])
    assert posted(standin) == []


def test_the_posted_digest_opens_with_the_exceptions(slack, standin, chair, updated):  # noqa: F811
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    parent = posted(standin)[0].params
    texts = section_texts(parent["blocks"])
    assert parent["blocks"][0]["type"] == "header"
    assert texts[0].startswith("*Exceptions*\n\n_Red projects_")
    whole = "\n".join(texts)
    assert whole.index("*Exceptions*") < whole.index("Period:") < whole.index("RAG by priority")


def test_no_exceptions_says_so(slack, standin, chair, workplan):  # noqa: F811
    slack.command("/ict-digest", "exceptions", user_id=chair, channel_id=CHANNEL)
    text = "\n".join(section_texts(posted(standin)[0].params["blocks"]))
    assert text == "*Exceptions*\nNo exceptions."


def test_many_long_exceptions_split_within_slacks_limits_and_typed_text_stays_literal(
    runtime,
    slack,
    standin,
    chair,  # noqa: F811
    workplan,
    clock,
):
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock(), default_timezone="Europe/London")
        held = meetings.next_meetings(session, ws, clock(), 1)[0]
        for i in range(150):
            session.add(
                ActionItem(
                    workspace_id=ws.id,
                    meeting_id=held.id,
                    owner_user_id=OWNER,
                    due_on=date(2026, 1, 1),
                    text=f"{i} {EVIL} " + "x" * 300,
                    status=ItemStatus.OPEN,
                    given_by=ADMIN,
                    given_at=clock(),
                )
            )
    slack.command("/ict-digest", "exceptions", user_id=chair, channel_id=CHANNEL)
    calls = posted(standin)
    assert len(calls) > 1
    first = calls[0].params
    assert all(c.params["thread_ts"] for c in calls[1:])  # the rest in the first one's thread
    for c in calls:
        assert_within_slacks_limits(c.params)
        assert not any(e["type"] in ("user", "link", "broadcast", "emoji") for e in rich_texts(c.params))
    assert typed_shown_literally(first, f"0 {EVIL} " + "x" * 300)
    shown = "\n".join(t for c in calls for t in section_texts(c.params["blocks"]))
    assert all(f"{i} {EVIL}" in shown for i in range(150))  # nothing lost at a split
    assert calls[0].params["text"].startswith("Exceptions, ") and "(part 1 of" in calls[0].params["text"]
