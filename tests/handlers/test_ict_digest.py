"""`/ict-digest`: a chair or an admin posts the digest in the channel, anyone else gets a preview.

Every Block Kit payload the bot emits is parsed back with slack_sdk's models and validated against
Slack's limits; a digest of 200 long projects is split within them and loses nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import BoltContext
from slack_sdk.models.blocks import Block

from bot.quickform import UpdateText
from bot.render import escape_mrkdwn
from bot.services import digest as digest_service
from bot.services import meetings, roles, updates
from bot.services import projects as project_service
from bot.slack_app import RUNTIME_KEY, web_client
from bot.standin import Call
from handlers.commands.ict_digest import INVITE, handle_ict_digest
from handlers.digest_blocks import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    PREVIEW_FOOTER,
    digest_messages,
    split_text,
)
from models import Rag, Role, UpdateSource
from tests.conftest import ADMIN, BOT_TOKEN, OWNER, STRANGER
from tests.helpers import last_reply

CHAIR = "U0CHAIR"
CHANNEL = "C0GOVERN"
LONDON = ZoneInfo("Europe/London")
EVIL = "<!channel> <@U0OWNER> <https://x|y> <script>alert(1)</script> & <!here>"
EVIL_ESCAPED = [
    "&lt;!channel&gt;",
    "&lt;@U0OWNER&gt;",
    "&lt;https://x|y&gt;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;",
    "&lt;!here&gt;",
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def chair(runtime, standin) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return CHAIR


def post_update(runtime, team, ref, user, when, *, rag=Rag.GREEN, progress="done", next_steps="", risks=""):
    with runtime.unit(team) as (session, ws):
        project = project_service.get(session, ws, ref)
        updates.post(
            session,
            ws,
            project,
            user_id=user,
            is_admin=True,
            text=UpdateText(rag=rag, progress=progress, next_steps=next_steps, risks=risks),
            source=UpdateSource.COMMAND,
            now=when,
        )


@pytest.fixture
def updated(runtime, standin, workplan, clock):
    """The small Work Plan (added 24 Nov) with two updates; now is 1 Dec 2026, after the 10 Nov meeting."""
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=at("2026-11-01 12:00"), default_timezone="Europe/London")
    post_update(runtime, standin.team_id, "NET-01", OWNER, at("2026-11-25 10:00"), progress="Core switches in")
    post_update(runtime, standin.team_id, "PCI-01", ADMIN, at("2026-11-26 10:00"), rag=Rag.RED, progress=EVIL)
    clock.now = at("2026-12-01 12:00")
    return workplan


def posted(standin) -> list[Call]:
    return standin.calls_to("chat.postMessage")


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def every_text(message: dict[str, Any]) -> list[str]:
    """Every piece of text in a message: its fallback text and every text object in its blocks."""
    found = [message.get("text") or ""]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                found.append(value["text"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(message.get("blocks") or [])
    return found


def assert_valid_blocks(message: dict[str, Any]) -> None:
    """Any message the bot sends: every block parses back with slack_sdk's models and passes their checks."""
    assert 1 <= len(message["blocks"]) <= MAX_BLOCKS
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()


def assert_within_slacks_limits(message: dict[str, Any]) -> None:
    """A digest message: valid blocks, verbatim mrkdwn, and within the message's text budget."""
    assert_valid_blocks(message)
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= MAX_BLOCKS
    total = 0
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()  # slack_sdk's models enforce Slack's field limits
        assert block.to_dict() == raw
        if raw["type"] == "section":
            assert 1 <= len(raw["text"]["text"]) <= MAX_SECTION_TEXT
            assert raw["text"]["type"] == "mrkdwn" and raw["text"]["verbatim"] is True
            total += len(raw["text"]["text"])
        elif raw["type"] == "header":
            assert len(raw["text"]["text"]) <= MAX_HEADER_TEXT
            total += len(raw["text"]["text"])
        elif raw["type"] == "context":
            assert all(e["verbatim"] is True for e in raw["elements"] if e["type"] == "mrkdwn")
            total += sum(len(e["text"]) for e in raw["elements"])
        else:
            raise AssertionError(f"unexpected block {raw['type']}")
    assert total <= MAX_MESSAGE_TEXT


# -- the chair posts ------------------------------------------------------------------------------


def test_chair_posts_the_summary_its_thread_and_the_files_in_the_channel(slack, standin, chair, updated):
    response = slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    assert response.status == 200

    calls = posted(standin)
    parent, replies = calls[0], calls[1:]
    assert parent.params["channel"] == CHANNEL and "thread_ts" not in parent.params
    assert replies and {c.params["channel"] for c in replies} == {CHANNEL}
    thread = {c.params["thread_ts"] for c in replies}
    assert len(thread) == 1
    for call in calls:
        assert_within_slacks_limits(call.params)

    summary = "\n".join(section_texts(parent.params["blocks"]))
    header = parent.params["blocks"][0]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "ICT progress digest, 1 Dec 2026", "emoji": True},
    }
    assert "Period: 10 Nov 2026 to 1 Dec 2026 (Europe/London)" in summary
    assert (
        "*0 projects completed since the last report, 5 started; 2 of 5 updated in the period, 3 missing an update.*"
        in summary
    )
    assert (
        "• *ICT Strategic Architecture*: :red_circle: 0  :large_orange_circle: 0  "
        ":large_green_circle: 1  :white_circle: 1 · 1 missing" in summary
    )
    assert ":warning: *3* active projects missing an update · :white_check_mark: *0* completed" in summary

    detail = "\n".join(t for c in replies for t in section_texts(c.params["blocks"]))
    assert "*NET-01* Council network refresh" in detail and "Core switches in" in detail
    assert "owner Olive Owner, delegate Dan Delegate" in detail  # names, never mentions that would notify
    assert "<@" not in detail
    assert "*Missing an update (3)*" in detail

    shared = standin.files_shared()
    assert [f.filename for f in shared] == ["ict-digest-2026-12-01.md", "ict-digest-rag-2026-12-01.png"]
    assert {(f.channel_id, f.thread_ts) for f in shared} == {(CHANNEL, *thread)}
    report, chart = shared
    assert report.data is not None and report.data.decode().startswith("# ICT progress digest")
    assert "Olive Owner" in report.data.decode()
    assert chart.data is not None and chart.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.alt_txt and "ICT Strategic Architecture: 0 red, 0 amber, 1 green, 1 with no RAG yet" in chart.alt_txt
    assert [c.params["length"] for c in standin.calls_to("files.getUploadURLExternal")] == [
        str(len(report.data)),
        str(len(chart.data)),
    ]
    assert standin.calls_to("response_url") == []  # nothing to say privately when all went well


def test_an_admin_may_post_it_too(slack, standin, updated):
    slack.command("/ict-digest", "", user_id=ADMIN, channel_id=CHANNEL)
    assert posted(standin)[0].params["channel"] == CHANNEL
    assert len(standin.files_shared()) == 2


def test_a_member_gets_a_private_preview_and_nothing_is_posted(slack, standin, updated):
    slack.command("/ict-digest", "", user_id=STRANGER, channel_id=CHANNEL)

    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert_within_slacks_limits(reply)
    texts = "\n".join(every_text(reply))
    assert "ICT progress digest, 1 Dec 2026" in texts and "3 missing an update" in texts
    assert PREVIEW_FOOTER in texts
    assert posted(standin) == [] and standin.calls_to("files.getUploadURLExternal") == []
    assert standin.calls_to("users.info") == []  # the summary names nobody


def test_bot_not_in_the_channel_is_told_to_the_chair(slack, standin, chair, updated):
    standin.fail("chat.postMessage", error="not_in_channel")
    slack.command("/ict-digest", "", user_id=chair, channel_id="C0ELSEWHERE")

    assert INVITE in "\n".join(every_text(last_reply(standin)))
    assert last_reply(standin)["response_type"] == "ephemeral"
    assert_valid_blocks(last_reply(standin))
    assert len(posted(standin)) == 1 and standin.calls_to("files.getUploadURLExternal") == []


def test_a_private_channel_without_the_bot_is_explained_the_same_way(slack, standin, chair, updated):
    standin.fail("chat.postMessage", error="channel_not_found")
    slack.command("/ict-digest", "", user_id=chair, channel_id="G0PRIVATE")
    assert "/invite @ictbot" in "\n".join(every_text(last_reply(standin)))


def test_a_failure_after_the_summary_is_reported_and_not_posted_twice(slack, standin, chair, updated):
    standin.fail("files.completeUploadExternal", error="file_uploads_disabled")
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    text = "\n".join(every_text(last_reply(standin)))
    assert "The digest's summary is posted, but Slack stopped the rest of it (`file_uploads_disabled`)" in text
    assert_valid_blocks(last_reply(standin))
    assert len([c for c in posted(standin) if "thread_ts" not in c.params]) == 1


# -- what was typed -------------------------------------------------------------------------------


def test_typed_mentions_links_and_markup_are_escaped_never_live(slack, standin, chair, updated):
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)

    texts = [t for call in posted(standin) for t in every_text(call.params)]
    everything = "\n".join(texts)
    for escaped in EVIL_ESCAPED:
        assert escaped in everything
    for live in ("<!channel>", "<!here>", "<@U0OWNER>", "<https://x|y>", "<script>"):
        assert all(live not in t for t in texts)
    assert all("<" not in t for t in texts)  # the digest itself links and mentions nothing
    report = standin.files_shared()[0].data
    assert report is not None and b"<!channel>" not in report and b"<script>" not in report


def test_a_typed_period_is_used(slack, standin, chair, updated):
    slack.command("/ict-digest", "from 2026-11-26 to 2026-11-30", user_id=chair, channel_id=CHANNEL)
    summary = "\n".join(section_texts(posted(standin)[0].params["blocks"]))
    assert "Period: 26 Nov 2026 to 30 Nov 2026 (Europe/London)" in summary
    assert "1 of 5 updated in the period" in summary  # PCI-01 on the 26th; NET-01 on the 25th is before it


def test_from_alone_runs_up_to_now(slack, standin, chair, updated):
    slack.command("/ict-digest", "from 2026-11-01", user_id=chair, channel_id=CHANNEL)
    summary = "\n".join(section_texts(posted(standin)[0].params["blocks"]))
    assert "Period: 1 Nov 2026 to 1 Dec 2026" in summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", "`yesterday` is not a period I understand. Usage: `/ict-digest`"),
        ("from 2026-13-01 to 2026-12-01", "`2026-13-01` is not a start date"),
        ("from 2026-11-20 to 2026-11-01", "The period ends before it starts (2026-11-20 &gt; 2026-11-01); swap them."),
        ("from 2027-01-01 to 2027-02-01", "The period starts on 2027-01-01, which has not come yet."),
        ("from 2026-11-01 until 2026-11-20", "is not a period I understand"),
    ],
)
def test_bad_input_is_explained_privately_and_nothing_is_posted(slack, standin, chair, updated, text, expected):
    slack.command("/ict-digest", text, user_id=chair, channel_id=CHANNEL)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral" and expected in "\n".join(every_text(reply))
    assert_valid_blocks(reply)
    assert posted(standin) == [] and standin.files_shared() == []


def test_help(slack, standin, updated):
    slack.command("/ict-digest", "help", user_id=STRANGER, channel_id=CHANNEL)
    text = "\n".join(every_text(last_reply(standin)))
    assert "`/ict-digest from YYYY-MM-DD to YYYY-MM-DD`" in text and "days in Europe/London" in text
    assert_valid_blocks(last_reply(standin))
    assert posted(standin) == []


def test_the_listener_acknowledges_before_doing_any_work(runtime, standin, chair, updated):
    client = web_client(BOT_TOKEN, standin.api_url)
    acked_after: list[int] = []
    command = {
        "team_id": standin.team_id,
        "team_domain": "darlington",
        "user_id": chair,
        "channel_id": CHANNEL,
        "text": "",
    }
    handle_ict_digest(
        ack=lambda *a, **kw: acked_after.append(len(standin.calls)),
        command=command,
        respond=lambda *a, **kw: None,
        client=client,
        context=BoltContext({RUNTIME_KEY: runtime}),
    )
    assert acked_after == [0] and posted(standin)


# -- the split ------------------------------------------------------------------------------------

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore".split()


def long_text(tag: str, length: int) -> str:
    """``length`` characters of words starting with ``tag``, with ``<`` and ``&`` (escaped, they grow) among them."""
    seed = sum(map(ord, tag))
    words = [tag, *(WORDS[(seed + i * 5) % len(WORDS)] for i in range(length))]
    return " ".join(words)[:length].replace(" sit ", " <sit> & ")


def test_two_hundred_long_projects_split_within_slacks_limits_and_lose_nothing(runtime, standin, slack, chair, clock):
    clock.now = at("2026-11-01 12:00")
    priorities = ["SD", "GOV", "ARCH", "BD", "WF"]
    texts: dict[str, tuple[str, str, str]] = {}
    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(200):
            ref = f"P-{i:03d}"
            project = project_service.add(
                session,
                ws,
                ref=ref,
                title=f"Project number {i}",
                priority=priorities[i % 5],
                owner=OWNER,
                now=clock.now,
            )
            texts[ref] = (
                long_text(f"progress-{ref}", 1800),
                long_text(f"next-{ref}", 900),
                long_text(f"risks-{ref}", 900),
            )
            updates.post(
                session,
                ws,
                project,
                user_id=OWNER,
                is_admin=True,
                text=UpdateText(
                    rag=(Rag.RED, Rag.AMBER, Rag.GREEN)[i % 3],
                    progress=texts[ref][0],
                    next_steps=texts[ref][1],
                    risks=texts[ref][2],
                ),
                source=UpdateSource.COMMAND,
                now=clock.now + timedelta(minutes=i),
            )
    clock.now = at("2026-12-01 12:00")
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)

    calls = posted(standin)
    for call in calls:
        assert_within_slacks_limits(call.params)
    assert len(calls) > 40  # 200 projects of ~3,800 characters do not fit in a few messages
    assert all(c.params["thread_ts"] for c in calls[1:])
    sections = [t for c in calls for t in section_texts(c.params["blocks"])]
    assert any(len(t) > MAX_SECTION_TEXT - 200 for t in sections)  # sections are filled, not one per line
    # Joined again (a cut only drops whitespace), every project and every text is there, in order.
    joined = re.sub(r"\s+", "", "".join(sections))
    shown = "\n".join(sections)
    for i, (ref, (progress, next_steps, risks)) in enumerate(texts.items()):
        assert f"*{ref}* Project number {i}\n" in shown
        whole = "".join(re.sub(r"\s+", "", escape_mrkdwn(t)) for t in (progress, "*Next steps:*", next_steps))
        assert whole in joined, ref
        assert re.sub(r"\s+", "", escape_mrkdwn(risks)) in joined, ref
        # ~3,800 characters: no one section holds the whole project, it is split across sections
        assert not any(f"progress-{ref}" in t and f"risks-{ref}" in t for t in sections)
    # No character reference was cut in two at a section boundary.
    for text in sections:
        assert not re.search(r"&(a|am|amp|l|lt|g|gt)?$", text), text[-10:]
        assert not re.match(r"^(amp|mp|p|lt|t|gt);", text), text[:10]


def test_a_line_without_spaces_is_cut_at_the_limit_but_never_inside_a_character_reference():
    text = escape_mrkdwn("x" * 2997 + "&" + "y" * 2000 + "<" * 700)
    chunks = split_text(text)
    assert all(len(c) <= MAX_SECTION_TEXT for c in chunks)
    assert "".join(chunks) == text  # no space to cut at: every character kept, in order
    assert chunks[0] == "x" * 2997 and chunks[1].startswith("&amp;yyy")
    assert not any(re.search(r"&(l|lt)?$", c) for c in chunks)


def test_split_text_prefers_lines_then_spaces():
    text = "\n".join(["a" * 1000, "b" * 1000, "c" * 1500, " ".join(["word"] * 1000)])
    chunks = split_text(text)
    assert chunks[0] == "a" * 1000 + "\n" + "b" * 1000
    assert chunks[1] == "c" * 1500  # a line too long for any section starts its own
    assert chunks[2].startswith("word word") and chunks[2].endswith("word")
    assert all(len(c) <= MAX_SECTION_TEXT and not c.startswith(" ") and not c.endswith(" ") for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_a_digest_with_no_projects_still_fits(runtime, standin, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        digest = digest_service.build(session, ws, start=None, end=clock.now, now=clock.now)
    messages = digest_messages(digest)
    assert len(messages) == 2  # the summary and the lists: no priority has projects to detail
    for m in messages:
        assert_within_slacks_limits({"text": m.text, "blocks": m.blocks})
    assert "Every active project has an update in the period." in "\n".join(section_texts(messages[1].blocks))
