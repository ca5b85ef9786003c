"""`/ict-risk` and `/ict-issue`'s words and form: the open ones listed, one's history, what was saved, and
the modal to raise or change one. Typed text and people's names are marked literal (:mod:`bot.literal`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.literal import literal, visible
from bot.render.jinja import local_time
from bot.render.registers import score, who
from bot.services.registers import raid
from bot.services.registers.raid import RaidView, RevisionView
from models.registers import RaidKind

__all__ = ["RAID_MODAL", "history_text", "list_text", "raid_modal", "saved_text", "scale_value"]

RAID_MODAL = "ict_raid_item"
MAX_INPUT = raid.MAX_TEXT
_SCALE_WORDS = {1: "1 (very low)", 2: "2 (low)", 3: "3 (medium)", 4: "4 (high)", 5: "5 (very high)"}


def item_line(v: RaidView, names: Mapping[str, str], today: date) -> str:
    """``• *R12* 20, *high* · on NET-01 · owner Jo Bloggs · review 31 Jan 2027 (past) — the text``."""
    parts = [f"*{v.label}*"]
    if v.score is not None:
        parts.append(score(v))
    parts.append(f"on {literal(v.target.ref)}")
    parts.append(f"owner {who(names, v.owner)}")
    if v.review_on is not None:
        past = " :warning: *past review*" if v.past_review(today) else ""
        parts.append(f"review {v.review_on.isoformat()}{past}")
    return f"• {' · '.join(parts)} — {literal(v.text)}"


def list_text(kind: RaidKind, views: Sequence[RaidView], names: Mapping[str, str], today: date, what: str) -> str:
    """The open risks or issues, highest score first, under a heading saying which (``what``: the bot's words)."""
    noun = f"{kind.value}s"
    if not views:
        return f"No open {noun} {what}."
    lines = [f"*Open {noun} {what}* ({len(views)})"]
    lines += [item_line(v, names, today) for v in views]
    return "\n".join(lines)


def people_of(views: Sequence[RaidView | RevisionView]) -> list[str]:
    ids: list[str] = []
    for v in views:
        ids += [v.owner, v.actor] if isinstance(v, RevisionView) else [v.owner, v.raised_by]
    return ids


def saved_text(verb: str, v: RaidView, names: Mapping[str, str], today: date) -> str:
    """``:white_check_mark: Raised R12 on NET-01 …`` (``verb``: Raised, Updated, Closed)."""
    line = item_line(v, names, today).removeprefix("• ")
    if v.close_note and verb == "Closed":
        line += f"\nNote: {literal(v.close_note)}"
    return f":white_check_mark: {verb} {line}"


def _revision_line(r: RevisionView, names: Mapping[str, str], tz: tzinfo) -> str:
    head = f"• {local_time(r.at, tz)} — {who(names, r.actor)} {r.change} it"
    shown: list[str] = []
    fields = r.changed or ("likelihood", "text", "owner", "review_on")
    if r.change == "closed":
        fields = ()
    if "likelihood" in fields or "impact" in fields:
        shown.append(score(r))
    if "owner" in fields:
        shown.append(f"owner {who(names, r.owner)}")
    if "review_on" in fields:
        shown.append(f"review {r.review_on.isoformat() if r.review_on else 'none'}")
    if "text" in fields:
        shown.append(f"text: {literal(r.text)}")
    if r.note:
        shown.append(f"note: {literal(r.note)}")
    return head + ("".join(f"\n    {s}" for s in shown if s))


def history_text(v: RaidView, revisions: Sequence[RevisionView], names: Mapping[str, str], tz: tzinfo) -> str:
    state = "open" if v.status.value == "open" else "closed"
    lines = [f"*History of {v.label}* on {literal(v.target.ref)} ({state}): {literal(v.text)}"]
    lines += [_revision_line(r, names, tz) for r in revisions]
    return "\n".join(lines)


# -- the form --------------------------------------------------------------------------------------


def scale_value(block_id: str, n: int) -> str:
    """An option's value: ``L4`` for likelihood 4, ``I5`` for impact 5 (as the lists show them)."""
    return f"{block_id[0].upper()}{n}"


def _scale_select(block_id: str, label: str, initial: int | None) -> InputBlock:
    options = [Option(value=scale_value(block_id, n), text=word) for n, word in _SCALE_WORDS.items()]
    chosen = next((o for o in options if initial is not None and o.value == scale_value(block_id, initial)), None)
    element = StaticSelectElement(action_id=block_id, options=options, initial_option=chosen)
    return InputBlock(block_id=block_id, label=label, element=element)


def raid_modal(kind: RaidKind, user_id: str, *, editing: RaidView | None, channel: str | None) -> dict[str, Any]:
    """The form to raise a risk or issue, or (``editing``) to change one, filled with what it is now."""
    metadata = {"kind": kind.value, "item": editing.id if editing else None, "channel": channel}
    blocks: list[Any] = []
    if editing is None:
        hint = "A project's ref (e.g. NET-01), or a priority's code or name (the latter for the chair and admins)."
        blocks.append(
            InputBlock(
                block_id="target",
                label="Project or priority",
                hint=hint,
                element=PlainTextInputElement(action_id="target", max_length=200),
            )
        )
    else:
        # Plain text, no emoji: the project's title is typed text, which must not format or mention.
        intro = visible(f"{editing.label} on {editing.target.ref} {editing.target.name}")
        blocks.append(ContextBlock(elements=[PlainTextObject(text=intro[:2000], emoji=False)]))
    if kind == RaidKind.RISK:
        blocks.append(_scale_select("likelihood", "Likelihood", editing.likelihood if editing else None))
        blocks.append(_scale_select("impact", "Impact", editing.impact if editing else None))
    text = editing.text if editing else None
    blocks.append(
        InputBlock(
            block_id="text",
            label="The risk" if kind == RaidKind.RISK else "The issue",
            element=PlainTextInputElement(action_id="text", multiline=True, max_length=MAX_INPUT, initial_value=text),
        )
    )
    owner = UserSelectElement(action_id="owner", initial_user=editing.owner if editing else user_id)
    blocks.append(InputBlock(block_id="owner", label="Owner", element=owner))
    if kind == RaidKind.RISK:
        review = editing.review_on.isoformat() if editing and editing.review_on else None
        picker = DatePickerElement(action_id="review", initial_date=review)
        blocks.append(InputBlock(block_id="review", label="Review by", element=picker, optional=True))
    title = ("Change " if editing else "Raise a ") + kind.value
    view = View(
        type="modal",
        callback_id=RAID_MODAL,
        title=title,
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=blocks,
    )
    return view.to_dict()
