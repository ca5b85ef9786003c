"""Block Kit built by the Slack front end stays within Slack's limits, drops nothing and shows typed text as typed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.literal import literal
from bot.services.projects import ProjectView
from bot.services.updates import UpdateResult
from handlers.slack.blocks.rich_text import (
    MAX_BLOCK_SIZE,
    block_size,
    fallback_of,
    fallback_text,
    rich_block_dicts,
    rich_dicts_of,
)
from handlers.slack.blocks.ui import _saved, correct_button, update_modal, update_saved_blocks, update_saved_view
from models import ProjectStatus, Rag, UpdateSource
from tests.helpers import rich_text_shown, rich_texts, select_options

HOSTILE = (
    "*PCI-06* :large_green_circle: Green (was Red)\n> _x_ ~y~ `z` <@U0ADMIN> <!channel> <https://evil.example|click>"
)


def result(**text: str) -> UpdateResult:
    return UpdateResult(
        update_id=7,
        revision=1,
        project_ref="NET-01",
        project_title=text.get("title", "Network"),
        author="U1",
        rag=Rag.AMBER,
        progress=text.get("progress", "p"),
        next_steps=text.get("next_steps", ""),
        risks=text.get("risks", ""),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        source=UpdateSource.COMMAND,
    )


def test_longest_update_full_of_markup_characters_is_split_not_truncated():
    u = result(progress="<" * 2000, next_steps="&" * 1000, risks="> x " * 250)
    _text, blocks = update_saved_blocks(u)
    rich = [b for b in blocks if b["type"] == "rich_text"]
    assert all(block_size(b) <= MAX_BLOCK_SIZE + 100 for b in rich)
    typed = [e["text"] for b in rich for s in b["elements"] for e in s["elements"] if e["type"] == "text"]
    joined = "".join(typed)
    assert joined.count("<") == 2000 and joined.count("&") == 1000 and joined.count(">") == 250  # as typed
    for b in blocks:  # slack_sdk's models enforce Slack's field limits when parsed back
        Block.parse(b).validate_json()


def test_the_confirmation_shows_typed_markup_as_typed_and_its_notification_text_mentions_nobody():
    text, blocks = update_saved_blocks(result(title=HOSTILE, progress=HOSTILE))
    message = {"blocks": blocks}
    assert [e.get("text") for e in rich_texts(message)].count(HOSTILE) == 2  # title and progress: a text element each
    assert {e["type"] for e in rich_texts(message)} == {"text", "emoji"}
    assert "*Progress:* " + HOSTILE in "\n".join(rich_text_shown(b) for b in blocks if b["type"] == "rich_text")
    one_line, _ = update_saved_blocks(result(title="<@U0ADMIN> <!channel> & *x*"))
    expected = "Update saved for NET-01 &lt;@U0ADMIN&gt; &lt;!channel&gt; &amp; *x*: :large_orange_circle: Amber"
    assert one_line == ":white_check_mark: " + expected
    assert "\n" not in text and text.endswith("*PCI-06* :large_green_circle: Green (was Red)")  # the first line only


def test_project_options_are_plain_text_shown_as_typed_without_invisible_characters():
    view = ProjectView(
        id=1,
        ref="NET-01",
        title="Wi\u200b-Fi \u202erefresh *now*",
        priority_code="ARCH",
        priority_name="ARCH \u2066x\u2069",
        priority_position=1,
        owner="U2",
        delegates=(),
        service_area="",
        status=ProjectStatus.ACTIVE,
        target_date=None,
        completed_on=None,
        last_update_at=None,
        last_rag=None,
    )
    modal = update_modal(projects=[view], user_id="U1", metadata={})
    assert select_options(modal, "project") == [("ARCH x", ["NET-01 — Wi-Fi refresh *now*"])]
    block = next(b for b in modal["blocks"] if b.get("block_id") == "project")
    option = block["element"]["option_groups"][0]["options"][0]
    assert option["text"] == {"type": "plain_text", "text": "NET-01 — Wi-Fi refresh *now*", "emoji": False}
    assert block["element"]["option_groups"][0]["label"]["emoji"] is False


def test_the_correct_button_is_what_slack_sdks_models_send():
    from slack_sdk.models.blocks import ActionsBlock, ButtonElement

    from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, correct_button

    model = ButtonElement(text="Correct this update", action_id=EDIT_UPDATE_ACTION, value="42")
    assert correct_button(42) == ActionsBlock(elements=[model]).to_dict()


def saved_mrkdwn(u: UpdateResult) -> str:
    """The confirmation as the bot's marked mrkdwn, which the general reader (``bot.literal.spans``) reads:
    what ``update_saved_blocks`` builds directly must be what reading this gives."""
    corrected = u.revision > 1
    head = ":pencil2: Correction saved" if corrected else ":white_check_mark: Update saved"
    emoji = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}[u.rag]
    text = f"{head} for *{literal(u.project_ref)} {literal(u.project_title)}*: {emoji} *{u.rag.value.capitalize()}*"
    if corrected:
        text += f" (revision {u.revision}; the earlier text is kept)"
    text += f"\n*Progress:* {literal(u.progress)}"
    text += f"\n*Next steps:* {literal(u.next_steps)}" if u.next_steps else ""
    return text + (f"\n*Risks/issues:* {literal(u.risks)}" if u.risks else "")


@pytest.mark.parametrize(
    ("revision", "rag", "text"),
    [
        (1, Rag.AMBER, {}),
        (3, Rag.RED, {"next_steps": "n", "risks": "r"}),
        (1, Rag.GREEN, {"risks": "only risks", "title": HOSTILE}),
        (2, Rag.AMBER, {"progress": HOSTILE + "\n\u202eline\u200b two", "next_steps": "\ufdd0x\ufdd1 *y*\n"}),
        (1, Rag.RED, {"progress": "word " * 700, "next_steps": "&" * 1000, "risks": "> x " * 250}),
    ],
)
def test_the_confirmation_built_directly_is_what_reading_its_mrkdwn_gives(revision, rag, text):
    u = replace(result(**text), revision=revision, rag=rag)
    marked = saved_mrkdwn(u)
    assert update_saved_blocks(u) == (fallback_text(marked), [*rich_block_dicts(marked), correct_button(7)])
    assert update_saved_view(u)["blocks"] == rich_block_dicts(marked)


TYPED = st.text(alphabet=st.sampled_from(["a", " ", "\n", "*", "<", "&", ">", "é", "😀", "\u200b", "\r"]), max_size=12)


@given(TYPED, TYPED, TYPED, TYPED, TYPED, st.integers(1, 3), st.sampled_from(list(Rag)))
def test_a_confirmation_built_straight_from_the_update_is_what_its_runs_make(
    ref, title, progress, nxt, risks, revision, rag
):
    u = replace(
        result(title=title, progress=progress, next_steps=nxt, risks=risks), project_ref=ref, revision=revision, rag=rag
    )
    runs = _saved(u)
    assert update_saved_blocks(u) == (fallback_of(runs), [*rich_dicts_of(runs), correct_button(7)])
