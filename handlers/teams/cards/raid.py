"""The risk and issue form card (``risk add`` / ``issue add`` with nothing after it). Its values come back
as an ``Action.Submit``'s data with :data:`ACTION_RAID_SUBMIT`; what was typed is refilled after a refusal."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.teams.cards.pieces import Card, Element, make_card, submit_button, text_block
from models.registers import RaidKind

__all__ = ["ACTION_RAID_SUBMIT", "FIELDS", "raid_form"]

ACTION_RAID_SUBMIT = "raid_submit"
FIELDS = ("target", "likelihood", "impact", "text", "owner", "review")
_SCALE = ("very low", "low", "medium", "high", "very high")


def _choices(letter: str) -> list[dict[str, str]]:
    # Values ``L1``…``L5`` / ``I1``…``I5``, as the lists show a score (never a bare number, which is an id).
    return [{"title": f"{n} ({word})", "value": f"{letter}{n}"} for n, word in enumerate(_SCALE, start=1)]


def _input(kind: str, field: str, label: str, values: Mapping[str, str], **props: object) -> Element:
    element: Element = {"type": kind, "id": field, "label": label, **props}
    if values.get(field):
        element["value"] = values[field]
    return element


def raid_form(kind: RaidKind, *, error: str | None = None, values: Mapping[str, str] | None = None) -> Card:
    """The form to raise a risk (target, likelihood, impact, text, owner, review date) or an issue."""
    values = values or {}
    body: list[Element] = [text_block(f"Raise {'a risk' if kind == RaidKind.RISK else 'an issue'}", weight="bolder")]
    if error:
        body.append(text_block(error, color="attention"))
    body.append(
        _input("Input.Text", "target", "Project ref, or a priority's code (chair and admins)", values, isRequired=True)
    )
    if kind == RaidKind.RISK:
        for field, label in (("likelihood", "Likelihood"), ("impact", "Impact")):
            choices = _choices(label[0])
            body.append(_input("Input.ChoiceSet", field, label, values, choices=choices, isRequired=True))
    body.append(_input("Input.Text", "text", f"The {kind.value}", values, isMultiline=True, isRequired=True))
    body.append(_input("Input.Text", "owner", "Owner's Teams user id (leave empty: you)", values))
    if kind == RaidKind.RISK:
        body.append(_input("Input.Date", "review", "Review by", values))
    data = {"action": ACTION_RAID_SUBMIT, "kind": kind.value}
    return make_card(body, [submit_button("Save", data, style="positive")], fallback=f"Raise a {kind.value}")
