"""What an owner's reminder chases besides projects, as Block Kit: each open action with its Mark done
button, and the risks past their review date. Officer text is shown literally."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.literal import literal
from bot.services.registers.chase import ChasedAction, ChasedRisk
from handlers.slack.blocks.rich_text import rich_blocks

__all__ = ["ACTION_DONE", "MAX_ACTIONS_WITH_BUTTONS", "action_blocks", "action_text", "chase_blocks", "done_block"]

ACTION_DONE = "reminder_action_done"
MAX_ACTIONS_WITH_BUTTONS = 8  # 2 blocks each; the rest are named in one block


def action_text(a: ChasedAction) -> str:
    project = f" (project `{literal(a.project_ref)}`)" if a.project_ref else ""
    due = f"due {a.due_on:%-d %b %Y}" + (" — *overdue*" if a.overdue else "")
    return f"*{a.label}* {literal(a.text)}{project} — {due}"


def action_blocks(a: ChasedAction) -> list[dict[str, Any]]:
    button = ActionsBlock(
        block_id=f"action-{a.id}",
        elements=[
            ButtonElement(
                text="Mark done",
                action_id=ACTION_DONE,
                value=json.dumps({"a": a.id}, separators=(",", ":")),
            )
        ],
    )
    return [*(b.to_dict() for b in rich_blocks(action_text(a))), button.to_dict()]


def done_block(label: str, user_id: str) -> dict[str, Any]:
    """What replaces an action's button once it is done."""
    return rich_blocks(f":white_check_mark: {label} marked done by <@{user_id}>.")[0].to_dict()


def _risk_text(risks: Sequence[ChasedRisk]) -> str:
    lines = [
        f"• *{r.label}* {literal(r.text)}"
        + (f" (project `{literal(r.project_ref)}`)" if r.project_ref else "")
        + f" — score {r.score}, review was due {r.review_on:%-d %b %Y}"
        for r in risks
    ]
    return "*Risks past their review date* — update or close each with `/ict-risk`:\n" + "\n".join(lines)


def chase_blocks(actions: Sequence[ChasedAction], risks: Sequence[ChasedRisk]) -> list[dict[str, Any]]:
    """The actions (with buttons, as many as :data:`MAX_ACTIONS_WITH_BUTTONS`) and the risks past review."""
    out: list[dict[str, Any]] = []
    if actions:
        out += [b.to_dict() for b in rich_blocks(f"*Your open actions* ({len(actions)}):")]
        for a in actions[:MAX_ACTIONS_WITH_BUTTONS]:
            out += action_blocks(a)
        rest = actions[MAX_ACTIONS_WITH_BUTTONS:]
        if rest:
            more = "\n".join(f"• {action_text(a)}" for a in rest)
            out += [b.to_dict() for b in rich_blocks(f"{more}\nMark these done with `/ict-action done ID`.")]
    if risks:
        out += [b.to_dict() for b in rich_blocks(_risk_text(risks))]
    return out
