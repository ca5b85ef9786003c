"""`/ict-report`'s blocks: the draft paper with a button per section, and the narrative form."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.literal import literal
from bot.render.jinja import render
from bot.services.paper import POSITION, Draft, ReportPeriod, Section, long_date
from handlers.slack.blocks.rich_text import fallback_text, rich_block_dicts, rich_blocks
from handlers.slack.blocks.ui import short_label

__all__ = ["MAX_INPUT", "NARRATIVE_ACTION", "NARRATIVE_BUTTONS", "NARRATIVE_MODAL", "draft_message", "narrative_modal"]

NARRATIVE_MODAL = "ict_report_narrative"
NARRATIVE_ACTION = "report_narrative"
NARRATIVE_BUTTONS = re.compile(f"^{NARRATIVE_ACTION}:")  # one button per section, each its own action_id
MAX_INPUT = 3000  # Slack's limit for a plain-text input
MAX_MISSING = 20
MAX_BUTTON_TEXT = 75
FIRST_LINE = 120  # characters of a section's narrative shown in the draft


def draft_message(draft: Draft, *, notice: str = "") -> tuple[str, list[dict[str, Any]]]:
    """The draft as an ephemeral message: fallback text and blocks, a button per section to write it."""
    tz = draft.digest.tz

    def day(at: datetime) -> str:
        return long_date(at.astimezone(tz).date())

    text = render(
        "report_draft.mrkdwn.j2",
        draft=draft,
        notice=notice,
        day=day,
        long_date=long_date,
        first_line=_first_line,
        position=POSITION,
        max_missing=MAX_MISSING,
    )
    buttons = [
        ButtonElement(
            text=short_label(("Edit " if s.narrative else "Write ") + _short(s.section), MAX_BUTTON_TEXT),
            action_id=f"{NARRATIVE_ACTION}:{s.section.key}",
            value=s.section.key,
        )
        for s in draft.sections
    ]
    blocks = rich_block_dicts(text)
    for i in range(0, len(buttons), 5):  # five to a row reads better than Slack's limit of 25
        blocks.append(ActionsBlock(block_id=f"sections-{i // 5}", elements=buttons[i : i + 5]).to_dict())
    return fallback_text(text), blocks


def narrative_modal(where: Section, period: ReportPeriod, current: str, *, channel: str | None) -> dict[str, Any]:
    """The form for a section's narrative, filled with the current text."""
    metadata = {"section": where.key, "period": period.start.isoformat(), "channel": channel}
    intro = (
        f"The narrative on *{literal(where.label)}* for the paper of {period.label}. Blank lines start new "
        "paragraphs; the text is printed as typed. Leave it empty to withdraw it; earlier revisions are kept."
    )
    view = View(
        type="modal",
        callback_id=NARRATIVE_MODAL,
        title="Committee paper",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            *rich_blocks(intro),
            InputBlock(
                block_id="text",
                label="Narrative",
                optional=True,
                element=PlainTextInputElement(
                    action_id="text", multiline=True, max_length=MAX_INPUT, initial_value=current[:MAX_INPUT] or None
                ),
            ),
        ],
    )
    return view.to_dict()


def _short(where: Section) -> str:
    return "overall position" if where.key == POSITION else where.label


def _first_line(text: str) -> str:
    return short_label(text.strip().split("\n", 1)[0], FIRST_LINE)
