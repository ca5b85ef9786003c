"""`/ict-digest`: a chair or an admin posts the digest in the channel, anyone else gets a preview.

Every Block Kit payload the bot emits is parsed back with slack_sdk's models and validated against
Slack's limits; a digest of 200 long projects is split within them and loses nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import BoltContext
from slack_sdk.models.blocks import Block

from bot.dev.standin import Call
from bot.literal import literal
from bot.services import digest as digest_service
from bot.services import meetings, roles, updates
from bot.services import projects as project_service
from bot.services.quickform import UpdateText
from handlers.slack.blocks.digest import MAX_BLOCKS, MAX_HEADER_TEXT, PREVIEW_FOOTER, digest_messages
from handlers.slack.blocks.rich_text import MAX_BLOCK_SIZE, MAX_MESSAGE_SIZE, block_size, rich_blocks
from handlers.slack.blocks.trends import OFFER_TEXT
from handlers.slack.blocks.ui import HISTORY_ACTION
from handlers.slack.client import web_client
from handlers.slack.commands.ict_digest import INVITE, handle_ict_digest
from handlers.slack.context import RUNTIME_KEY
from models import Rag, Role, UpdateSource
from tests.conftest import ADMIN, BOT_TOKEN, OWNER, STRANGER
from tests.helpers import last_reply, rich_text_shown, rich_texts, shown

CHAIR = "U0CHAIR"
BLOCK_WRAPPER = 100  # the JSON of a rich text block around its elements (type, section, block_id)
CHANNEL = "C0GOVERN"
LONDON = ZoneInfo("Europe/London")
EVIL = "<!channel> <@U0OWNER> <https://x|y> <script>alert(1)</script> & <!here> *PCI-06* :tada: https://x.example"


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
    """The text of each text block, as a reader sees it (the bot's styles as mrkdwn marks: tests.helpers)."""
    return [rich_text_shown(b) for b in blocks if b["type"] == "rich_text"]


def element_text(block: dict[str, Any]) -> str:
    """A rich text block's text exactly as Slack shows it, no marks."""
    return "".join(e.get("text", "") for section in block["elements"] for e in section["elements"])


def every_text(message: dict[str, Any]) -> list[str]:
    """Every piece of text in a message: its fallback text, and each block as a reader sees it."""
    return [message.get("text") or "", *(shown({"blocks": [b]}) for b in message.get("blocks") or [])]


def assert_valid_blocks(message: dict[str, Any]) -> None:
    """Any message the bot sends: every block parses back with slack_sdk's models and passes their checks."""
    assert 1 <= len(message["blocks"]) <= MAX_BLOCKS
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()


def assert_within_slacks_limits(message: dict[str, Any]) -> None:
    """A digest message: valid blocks, text as rich text, and within the message's size budget."""
    assert_valid_blocks(message)
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= MAX_BLOCKS
    total = 0
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()  # slack_sdk's models enforce Slack's field limits
        assert block.to_dict() == raw
        if raw["type"] == "rich_text":
            assert 1 <= len(element_text(raw)) and block_size(raw) <= MAX_BLOCK_SIZE + BLOCK_WRAPPER
        elif raw["type"] == "header":
            assert len(raw["text"]["text"]) <= MAX_HEADER_TEXT
        elif raw["type"] == "context":  # the bot's own footnotes
            assert all(e["verbatim"] is True for e in raw["elements"] if e["type"] == "mrkdwn")
        elif raw["type"] == "actions":  # a project's History button, its value the project's ref
            here = blocks.index(raw)
            # right under its project, in the same message: never opening a message on its own
            assert here > 0 and blocks[here - 1]["type"] == "rich_text"
            before = [element_text(b) for b in blocks[:here] if b["type"] == "rich_text"]
            assert any(raw["elements"][0]["value"] in text for text in before)
            (button,) = raw["elements"]
            assert (button["type"], button["action_id"], button["text"]["text"]) == (
                "button",
                HISTORY_ACTION,
                "History",
            )
        else:
            raise AssertionError(f"unexpected block {raw['type']}")
        total += block_size(raw)
    assert total <= MAX_MESSAGE_SIZE
    assert len(json.dumps(blocks, separators=(",", ":"))) <= MAX_MESSAGE_SIZE + 2 * len(blocks)


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
        "*No projects completed since the last report, 5 started; 2 of 5 updated in the period, 3 missing an update.*"
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
    assert not any(e["type"] == "user" for c in replies for e in rich_texts(c.params))
    assert "*Missing an update (3)*" in detail
    buttons = [b["elements"][0]["value"] for c in replies for b in c.params["blocks"] if b["type"] == "actions"]
    assert sorted(buttons) == sorted(set(buttons)) and "NET-01" in buttons  # one History button a project
    first = next(b for b in replies[0].params["blocks"] if b["type"] == "rich_text")
    assert replies[0].params["blocks"][replies[0].params["blocks"].index(first) + 2]["type"] == "actions"

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
    # Nothing to say privately when all went well but the offer of the trends (test_ict_digest_trends.py).
    [offer] = [c.params for c in standin.calls_to("response_url")]
    assert offer["text"] == OFFER_TEXT and offer["response_type"] == "ephemeral"


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


def test_a_summary_whose_connection_dropped_is_not_posted_again_by_the_client(slack, standin, chair, updated):
    """Slack may have posted it (the stand-in did): slack_sdk would repeat the call after the hang-up."""
    standin.hang_up("chat.postMessage")
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    assert len(posted(standin)) == 1
    assert standin.calls_to("files.getUploadURLExternal") == []
    assert shown(last_reply(standin)).startswith("Slack did not answer when I posted the digest, so it may be")


def test_a_summary_slack_refused_with_503_is_posted_once_it_takes_it(slack, standin, chair, updated):
    """A 503 is Slack saying it did not act: that post is repeated, and the digest goes out whole."""
    standin.fail("chat.postMessage", status=503)
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)
    assert len([c for c in posted(standin) if "thread_ts" not in c.params]) == 2  # the 503, then the post
    assert len(standin.files_shared()) == 2


# -- what was typed -------------------------------------------------------------------------------


def test_typed_mentions_links_and_markup_are_shown_as_typed_never_live(slack, standin, chair, updated):
    slack.command("/ict-digest", "", user_id=chair, channel_id=CHANNEL)

    messages = [call.params for call in posted(standin)]
    elements = [e for m in messages for e in rich_texts(m)]
    assert EVIL in [e["text"] for e in elements if e["type"] == "text"]  # one text element, as typed
    # Nothing in the digest is a mention, a broadcast or a link: names are names, typed text is text.
    assert {e["type"] for e in elements} <= {"text", "emoji"}
    assert {e["name"] for e in elements if e["type"] == "emoji"} <= {
        "red_circle",
        "large_orange_circle",
        "large_green_circle",
        "white_circle",
        "warning",
        "white_check_mark",
        "seedling",
        "arrow_up",
        "arrow_down",
        "tada",  # the bot's own, in "every active project has an update"
    }
    mrkdwn = [o["text"] for m in messages for b in m["blocks"] for o in [b.get("text") or {}] if o]
    mrkdwn += [e["text"] for m in messages for b in m["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert all("PCI-06" not in t and "<" not in t for t in mrkdwn)  # no typed text in any mrkdwn or plain text
    assert all("<" not in m["text"] for m in messages)  # nor in a notification's text
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
    blocks = [b for c in calls for b in c.params["blocks"] if b["type"] == "rich_text"]
    assert any(block_size(b) > MAX_BLOCK_SIZE - 200 for b in blocks)  # blocks are filled, not a line each
    # Joined again, every project and every text is there, in order, whole: a split keeps every character.
    shown = "\n".join(section_texts(blocks))
    # A block's end ends a line too; a further message opens with a "continued" note.
    joined = "".join(element_text(b) for b in blocks if not element_text(b).endswith(", continued."))
    joined = joined.replace("\n", "")
    buttons = [b["elements"][0]["value"] for c in calls for b in c.params["blocks"] if b["type"] == "actions"]
    assert sorted(buttons) == sorted(texts)  # each project's History button, once
    for i, (ref, (progress, next_steps, risks)) in enumerate(texts.items()):
        assert f"*{ref}* Project number {i}" in shown
        assert f"{progress}Next steps: {next_steps}Risks and issues: {risks}" in joined, ref
        # ~3,800 characters: no one block holds the whole project, it is split across blocks
        assert not any(f"progress-{ref}" in element_text(b) and f"risks-{ref}" in element_text(b) for b in blocks)


def test_typed_text_without_spaces_is_cut_at_the_limit_and_every_character_kept():
    typed = "x" * 2997 + "&" + "y" * 2000 + "<" * 700
    blocks = [b.to_dict() for b in rich_blocks(literal(typed))]
    assert len(blocks) == 2 and all(block_size(b) <= MAX_BLOCK_SIZE + BLOCK_WRAPPER for b in blocks)
    assert block_size(blocks[0]) > MAX_BLOCK_SIZE - 10  # cut at the limit: there is no space to cut at
    assert "".join(element_text(b) for b in blocks) == typed  # every character kept, in order


def test_rich_blocks_end_at_the_bots_lines_then_cut_typed_text_at_a_line_break_or_a_space():
    words = " ".join(["word"] * 1000)
    marked = "\n".join(["a" * 1000, "b" * 1000, "c" * 1500, literal(words), literal("d" * 1000 + "\n" + "e" * 2500)])
    blocks = [b.to_dict() for b in rich_blocks(marked)]
    texts = [element_text(b) for b in blocks]
    assert texts[0] == "a" * 1000 + "\n" + "b" * 1000
    assert texts[1] == "c" * 1500  # the next line does not fit: a block of its own
    assert texts[2].startswith("word word") and texts[2].endswith("word ")  # cut after a space, which is kept
    assert texts[-2].endswith("d\n") and texts[-1] == "e" * 2500  # cut after the typed line break
    assert all(block_size(b) <= MAX_BLOCK_SIZE + BLOCK_WRAPPER for b in blocks)
    # Every character is kept; only the bot's line breaks at a block's end go (the next block starts a line).
    assert "".join(texts) == "".join(["a" * 1000, "\n", "b" * 1000, "c" * 1500, words, "d" * 1000, "\n", "e" * 2500])


def test_a_digest_with_no_projects_still_fits(runtime, standin, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        digest = digest_service.build(session, ws, start=None, end=clock.now, now=clock.now)
    messages = digest_messages(digest)
    assert len(messages) == 2  # the summary and the lists: no priority has projects to detail
    for m in messages:
        assert_within_slacks_limits({"text": m.text, "blocks": m.blocks})
    assert "Every active project has an update in the period." in "\n".join(section_texts(messages[1].blocks))
