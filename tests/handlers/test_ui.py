"""Block Kit built by the Slack front end stays within Slack's limits and drops nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from bot.render import escape_mrkdwn
from bot.services.updates import UpdateResult
from handlers.ui import MAX_SECTION_TEXT, text_sections, update_saved_blocks
from models import Rag, UpdateSource


def result(**text: str) -> UpdateResult:
    return UpdateResult(
        update_id=7,
        revision=1,
        project_ref="NET-01",
        project_title="Network",
        author="U1",
        rag=Rag.AMBER,
        progress=text.get("progress", "p"),
        next_steps=text.get("next_steps", ""),
        risks=text.get("risks", ""),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        source=UpdateSource.COMMAND,
    )


def test_longest_update_full_of_escaped_characters_is_split_not_truncated():
    u = result(progress="<" * 2000, next_steps="&" * 1000, risks="> x " * 250)
    _text, blocks = update_saved_blocks(u)
    sections = [b for b in blocks if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in sections)
    joined = "".join(b["text"]["text"] for b in sections)
    assert joined.count("&lt;") == 2000 and joined.count("&amp;") == 1000 and joined.count("&gt;") == 250
    for b in blocks:  # slack_sdk's models enforce Slack's field limits when parsed back
        Block.parse(b).validate_json()


def test_sections_never_cut_an_escape_sequence_in_two():
    text = escape_mrkdwn("a&" * 2000)
    chunks = [s.text.text for s in text_sections(text)]
    assert "".join(chunks) == text
    assert all(not c.endswith(("&", "&a", "&am", "&amp")) for c in chunks)


def test_blank_lines_between_paragraphs_are_kept():
    assert [s.text.text for s in text_sections("one\n\ntwo")] == ["one\n\ntwo"]
