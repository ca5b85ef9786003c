"""The decision and action form cards (``decision`` and ``action add`` with nothing after them). Their
values come back as an ``Action.Submit``'s data with the card's own id (``form``), by which a double
click is told apart from a new submission; what was typed is refilled, with the error, after a refusal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.services.registers.actions import MAX_TEXT
from handlers.teams.cards.pieces import Card, Element, make_card, submit_button, text_block, text_run, typed_blocks

__all__ = [
    "ACTION_ACTION_SUBMIT",
    "ACTION_DECISION_SUBMIT",
    "ACTION_FIELDS",
    "DECISION_FIELDS",
    "action_form",
    "decision_form",
]

ACTION_DECISION_SUBMIT = "decision_submit"
ACTION_ACTION_SUBMIT = "action_submit"
DECISION_FIELDS = ("text", "project")
ACTION_FIELDS = ("owner", "due", "text", "project")
MAX_REF = 32  # a project's reference, as Slack's form allows


def _input(kind: str, field: str, label: str, values: Mapping[str, str], **props: object) -> Element:
    element: Element = {"type": kind, "id": field, "label": label, **props}
    if values.get(field):
        element["value"] = values[field]
    return element


def _head(title: str, meeting_day: date, error: str | None) -> list[Element]:
    body = [
        text_block(title, size="medium", weight="bolder", style="heading"),
        text_block(f"Recorded against the meeting of {meeting_day:%-d %b %Y}.", isSubtle=True, spacing="none"),
    ]
    if error:  # it may quote what was typed: rich text, shown as it is
        warning = {"color": "attention", "weight": "bolder"}
        body += typed_blocks([text_run("⚠️ ", **warning)], error, style=warning)
    return body


def _text_and_project(label: str, values: Mapping[str, str]) -> list[Element]:
    return [
        _input("Input.Text", "text", label, values, isMultiline=True, isRequired=True, maxLength=MAX_TEXT),
        _input("Input.Text", "project", "Project (its reference, if on one)", values, maxLength=MAX_REF),
    ]


def decision_form(
    meeting_day: date, form_id: str, *, error: str | None = None, values: Mapping[str, str] | None = None
) -> Card:
    """The form to record a decision (its text, a project) against the meeting of ``meeting_day``."""
    body = _head("Record a decision", meeting_day, error) + _text_and_project("Decision", values or {})
    data = {"action": ACTION_DECISION_SUBMIT, "form": form_id}
    return make_card(body, [submit_button("Record", data, style="positive")], fallback="Record a decision")


def action_form(
    meeting_day: date, form_id: str, *, error: str | None = None, values: Mapping[str, str] | None = None
) -> Card:
    """The form to give an action: its owner (``me`` or their Teams user id: Teams gives a card no person
    picker the bot can read), its due date, its text and a project."""
    values = values or {}
    body = _head("Give an action", meeting_day, error)
    body += [
        _input(
            "Input.Text", "owner", "Owner: me, or their Teams user id (a GUID, as ictbot people list shows it)",
            values, isRequired=True, placeholder="me", maxLength=64,
        ),
        _input("Input.Date", "due", "Due", values, isRequired=True),
    ]  # fmt: skip
    body += _text_and_project("Action", values)
    data = {"action": ACTION_ACTION_SUBMIT, "form": form_id}
    return make_card(body, [submit_button("Give", data, style="positive")], fallback="Give an action")
