"""Assurance reminders in Slack: a DM to the obligation's owner with a Record result button.

It shares the meeting reminders' client, pace and DMs (:class:`SlackDelivery`): the message names its
claim in its metadata, and a retry looks for it in the DM's history before posting (see
:mod:`handlers.slack.delivery.reminders`). The button opens the result modal
(:mod:`handlers.slack.actions.assurance_buttons`).
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.literal import literal
from bot.scheduling.ports import Outcome
from bot.services.assurance.reminders import AssuranceDue
from handlers.slack.blocks.rich_text import fallback_text, rich_blocks
from handlers.slack.delivery.reminders import SlackDelivery

__all__ = ["ASSURANCE_EVENT", "RECORD_RESULT_ACTION", "SlackAssuranceDelivery", "assurance_message", "record_value"]

ASSURANCE_EVENT = "ictbot_assurance_reminder"
RECORD_RESULT_ACTION = "assurance_record_result"


def record_value(obligation_id: int, occurrence: str) -> str:
    return json.dumps({"o": obligation_id, "d": occurrence}, separators=(",", ":"))


def assurance_message(item: AssuranceDue) -> tuple[str, list[dict[str, Any]]]:
    """The owner's reminder: what is due when, the evidence expected, and the Record result button."""
    day = f"{item.occurrence:%A} {item.occurrence.day} {item.occurrence:%B %Y}"
    text = f":shield: *Assurance due {day}:* {literal(item.code)} — {literal(item.name)}"
    if item.evidence:
        text += f"\nEvidence expected: {literal(item.evidence)}"
    text += f"\nWhen it is done, record the result here or with `/ict-assurance record {literal(item.code)} pass`."
    button = ActionsBlock(
        block_id="assurance-record",
        elements=[
            ButtonElement(
                text="Record result",
                action_id=RECORD_RESULT_ACTION,
                value=record_value(item.obligation_id, item.occurrence.isoformat()),
                style="primary",
            )
        ],
    )
    return fallback_text(text), [*(b.to_dict() for b in rich_blocks(text)), button.to_dict()]


class SlackAssuranceDelivery:
    """Sends claimed assurance reminders as DMs, through the meeting reminders' delivery."""

    def __init__(self, reminders: SlackDelivery) -> None:
        self.reminders = reminders

    def __call__(self, item: AssuranceDue) -> Outcome:
        assert item.reminder_id is not None
        return self.reminders.send(
            team_id=item.team_id,
            user_id=item.user_id,
            event_type=ASSURANCE_EVENT,
            claim_id=item.reminder_id,
            attempt=item.attempt,
            first_claimed_at=item.first_claimed_at,
            messages=[assurance_message(item)],
        )
