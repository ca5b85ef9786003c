"""The decision and action form cards in Teams (``decision`` and ``action add`` alone) and the reminder's Mark
done button: refused on a field with nothing written, saved once however often the same card is sent, and
an action marked done only by its owner, a chair or an ICT admin."""

from __future__ import annotations

from dataclasses import replace as with_
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.services.registers import actions, chase
from bot.services.registers.chase import ChasedAction
from handlers.teams import cards
from models import Workspace
from models.install import InboundDelivery
from models.registers import ActionItem, Decision, ItemStatus
from tests.teams.test_cards import check, due, texts
from tests.teams.test_messages import (  # noqa: F401
    CHAIR,
    CHAIR_ID,
    OWNER,
    OWNER_ID,
    STRANGER,
    said,
    submit,
    teams,
    text,
)
from tests.teams.test_registers import EVIL, held, rows  # noqa: F401


def form_of(reply: Any) -> dict[str, Any]:
    """The form card a reply carries, checked against the Adaptive Cards schema."""
    assert reply.card is not None, said(reply)
    return check(reply.card)


def filled(card: dict[str, Any], **typed: str) -> dict[str, Any]:
    """What Teams sends back when the form's Give/Record button is pressed with ``typed`` in its inputs."""
    ids = [e["id"] for e in card["body"] if e["type"].startswith("Input.")]
    assert set(typed) <= set(ids)
    return {**card["actions"][0]["data"], **{name: typed.get(name, "") for name in ids}}


def test_decision_alone_is_a_form_that_records_once_after_a_refusal(runtime, held):  # noqa: F811
    card = form_of(text(runtime, held, CHAIR, "decision"))
    assert [e["id"] for e in card["body"] if e.get("id")] == ["text", "project"]
    assert "Recorded against the meeting of 10 Nov 2026." in texts(card)

    refused = submit(runtime, held, CHAIR, filled(card, text="  "))
    assert "The decision has no text" in (refused.card_error or "")
    assert refused.card is not None and "⚠️ The decision has no text: say what it is." in texts(refused.card)
    unknown = submit(runtime, held, CHAIR, filled(card, text=EVIL, project="NOPE-9"))
    assert "There is no project NOPE-9" in (unknown.card_error or "")
    assert [i["value"] for i in unknown.card["body"] if i.get("id") == "text"] == [EVIL]  # refilled
    assert rows(runtime, Decision) == []

    sent = filled(card, text=EVIL, project="net-01")
    saved = submit(runtime, held, CHAIR, sent)
    (d,) = rows(runtime, Decision)
    assert (d.text, d.recorded_by, d.project_id is not None) == (EVIL, CHAIR_ID, True)
    assert f"Recorded **D{d.id}** for the meeting of 10 Nov 2026: {EVIL}" in said(saved)
    again = submit(runtime, held, CHAIR, sent)  # a double click: the same card, the same values
    assert "already sent" in said(again) and len(rows(runtime, Decision)) == 1


def test_action_add_alone_is_a_form_refused_on_each_field_then_given_once(runtime, held):  # noqa: F811
    card = form_of(text(runtime, held, CHAIR, "action add"))
    assert {e["id"]: e["type"] for e in card["body"] if e.get("id")} == {
        "owner": "Input.Text",
        "due": "Input.Date",
        "text": "Input.Text",
        "project": "Input.Text",
    }
    good = {"owner": OWNER_ID.upper(), "due": "2026-12-01", "text": EVIL, "project": "NET-01"}
    for field, typed, expect in (
        ("owner", "", "Say who the action is for"),
        ("owner", "Olive", "is not a person the bot can read"),
        ("due", "", "Choose the day the action is due"),
        ("due", "2026-02-30", "is not a due date; write it as YYYY-MM-DD"),
        ("text", "", "The action has no text"),
        ("project", "NOPE-9", "There is no project NOPE-9"),
    ):
        refused = submit(runtime, held, CHAIR, filled(card, **{**good, field: typed}))
        assert expect in (refused.card_error or ""), (field, typed, refused)
        assert refused.card is not None and any(expect in t for t in texts(check(refused.card)))
    assert rows(runtime, ActionItem) == []

    sent = filled(card, **good)
    first = submit(runtime, held, CHAIR, sent)
    second = submit(runtime, held, CHAIR, sent)  # the same card submitted twice
    (a,) = rows(runtime, ActionItem)
    assert (a.owner_user_id, a.due_on, a.text, a.given_by) == (OWNER_ID, date(2026, 12, 1), EVIL, CHAIR_ID)
    assert f"Gave **A{a.id}** to {OWNER_ID} due 1 Dec 2026 at the meeting of 10 Nov 2026: {EVIL}" in said(first)
    assert "already sent: its action was given once" in said(second)
    submit(runtime, held, CHAIR, filled(card, **{**good, "owner": "me", "text": "Another"}))  # the card, again
    assert [x.owner_user_id for x in rows(runtime, ActionItem)] == [OWNER_ID, CHAIR_ID]


def test_the_forms_are_for_a_chair_or_an_admin_only(runtime, held):  # noqa: F811
    assert "Only the chair or an ICT admin" in said(text(runtime, held, OWNER, "decision"))
    assert "Only the chair or an ICT admin" in said(text(runtime, held, OWNER, "action add"))
    card = form_of(text(runtime, held, CHAIR, "action add"))
    forged = filled(card, owner="me", due="2026-12-01", text="Mine now")
    assert "Only the chair or an ICT admin" in (submit(runtime, held, OWNER, forged).card_error or "")
    card = form_of(text(runtime, held, CHAIR, "decision"))
    assert "Only the chair" in (submit(runtime, held, STRANGER, filled(card, text="x")).card_error or "")
    assert rows(runtime, ActionItem) == [] and rows(runtime, Decision) == []
    assert rows(runtime, InboundDelivery) == []  # a refusal records nothing: the corrected form goes through


def test_a_damaged_form_is_refused_and_nothing_is_written(runtime, held):  # noqa: F811
    card = form_of(text(runtime, held, CHAIR, "action add"))
    good = filled(card, owner="me", due="2026-12-01", text="x")
    for damaged in (
        {**good, "form": "not-an-id"},
        {**good, "text": ["x"]},
        {k: v for k, v in good.items() if k != "form"},
    ):
        assert "came back malformed" in (submit(runtime, held, CHAIR, damaged).card_error or "")
    assert rows(runtime, ActionItem) == []


def _mark_done_buttons(runtime, ws) -> list[dict[str, Any]]:
    """The Mark done buttons' data on the owner's reminder card, built from what the reminder chases."""
    with runtime.sessions() as s:
        chased = chase.of(s, s.get_one(Workspace, ws.id), date(2026, 11, 20), OWNER_ID)
    card = check(cards.reminder_card(with_(due(0), actions=chased.actions)))
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node["data"].get("action") == cards.ACTION_MARK_DONE:
                found.append(node["data"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card["body"])
    return found


def _give(runtime, ws, text_: str) -> int:
    with runtime.sessions.begin() as s:
        current = s.get_one(Workspace, ws.id)
        return actions.give_action(s, current, OWNER_ID, date(2026, 11, 12), text_, None, CHAIR_ID, runtime.now()).id


def test_mark_done_on_the_reminder_is_the_owner_s_and_says_when_done_already(runtime, held):  # noqa: F811
    first, second = _give(runtime, held, EVIL), _give(runtime, held, "Second")
    buttons = _mark_done_buttons(runtime, held)
    assert buttons == [
        {"action": cards.ACTION_MARK_DONE, "action_id": first},
        {"action": cards.ACTION_MARK_DONE, "action_id": second},
    ]
    refused = submit(runtime, held, STRANGER, buttons[0])
    assert f"Only A{first}'s owner, the chair or an ICT admin can mark it done." in (refused.card_error or "")
    assert all(a.status is ItemStatus.OPEN for a in rows(runtime, ActionItem))

    assert f"✅ Marked **A{first}** done: {EVIL}" in said(submit(runtime, held, OWNER, buttons[0]))
    again = said(submit(runtime, held, OWNER, buttons[0]))  # a double click, or the reminder pressed later
    assert again == f"**A{first}** was already marked done by {OWNER_ID} on 20 Nov 2026; nothing changed."
    assert "Marked **A" in said(submit(runtime, held, CHAIR, buttons[1]))  # a chair may
    done = {a.id: (a.status, a.done_by, a.done_note) for a in rows(runtime, ActionItem)}
    assert done == {first: (ItemStatus.CLOSED, OWNER_ID, ""), second: (ItemStatus.CLOSED, CHAIR_ID, "")}
    assert _mark_done_buttons(runtime, held) == []  # the next reminder chases neither


def test_a_damaged_or_unknown_mark_done_button_changes_nothing(runtime, held):  # noqa: F811
    a = _give(runtime, held, "x")
    for data, expect in (
        ({"action": cards.ACTION_MARK_DONE, "action_id": "A1"}, "came back damaged"),
        ({"action": cards.ACTION_MARK_DONE, "action_id": True}, "came back damaged"),
        ({"action": cards.ACTION_MARK_DONE, "action_id": a + 1000}, f"There is no action A{a + 1000}"),
    ):
        assert expect in (submit(runtime, held, OWNER, data).card_error or ""), data
    assert [x.status for x in rows(runtime, ActionItem)] == [ItemStatus.OPEN]


def test_the_reminder_names_actions_past_eight_without_buttons():
    many = tuple(ChasedAction(i, f"Action {i}", date(2026, 12, 1), None, False) for i in range(1, 11))
    card = check(cards.reminder_card(with_(due(0), actions=many)))
    assert "A10 Action 10 — due 1 Dec 2026" in texts(card)
    assert str(card).count(cards.ACTION_MARK_DONE) == 8


def test_rows_of_the_forms_are_the_workspace_s(runtime, held):  # noqa: F811
    """(the deliveries a form records are keyed by the tenant, as the update form's)"""
    card = form_of(text(runtime, held, CHAIR, "decision"))
    submit(runtime, held, CHAIR, filled(card, text="x"))
    with runtime.sessions() as s:
        (row,) = s.scalars(select(InboundDelivery))
        assert row.team_id == s.get_one(Workspace, held.id).external_id and row.key.startswith("teams-form:")
