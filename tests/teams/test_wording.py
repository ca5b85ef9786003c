"""Teams answers in Teams' words: no Slack slash command and no unfilled placeholder, on any path.

Every typed command and every card action that can be refused is driven here; each answer is checked
for ``/ict-`` and for a ``{placeholder}`` of :mod:`bot.wording` left in it.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import Runtime
from bot.wording import PLACEHOLDERS
from handlers.teams import cards
from handlers.teams.messages import TeamsReply, handle_submit, handle_text
from models import Workspace
from tests.teams.test_messages import CHAIR, OWNER, STRANGER, TENANT, make_workspace
from tests.teams.test_messages import said as shown

TYPED = [
    (OWNER, ""),
    (OWNER, "help"),
    (OWNER, "mine"),
    (STRANGER, "mine"),
    (OWNER, "nonsense /ict-update"),
    (OWNER, "update help"),
    (OWNER, "update edit"),
    (OWNER, "update ??? green x"),
    (OWNER, "update NET-01"),
    (OWNER, "update NET-01 purple x"),
    (OWNER, "update NET-01 green"),
    (OWNER, "update NOPE-99 green x"),
    (OWNER, "update edit MOB-01 green x"),
    (STRANGER, "update NET-01 green x"),
    (OWNER, "update NET-01 green " + "x" * 3000),
    (OWNER, "digest help"),
    (OWNER, "digest"),
    (OWNER, "digest since then"),
    (OWNER, "digest from"),
    (OWNER, "digest from 2099-01-01"),
    (OWNER, "digest from 2026-02-30"),
    (OWNER, "digest from 2026-02-01 to 2026-01-01"),
    (OWNER, "digest from 2026-01-01 until 2026-02-01"),
    (OWNER, "meeting"),
    (OWNER, "meeting help"),
    (OWNER, "meeting bogus"),
    (OWNER, "meeting next 99"),
    (OWNER, "meeting closure"),
    (OWNER, "meeting channel"),
    (STRANGER, "meeting move 2027-01-12 to 2027-01-19"),
    (STRANGER, "meeting series FREQ=MONTHLY;BYDAY=+2TU"),
    (CHAIR, "meeting move"),
    (CHAIR, "meeting move 2020-01-01 to 2020-01-02"),
    (CHAIR, "meeting cancel"),
    (CHAIR, "meeting cancel 2020-01-01"),
    (CHAIR, "meeting series"),
    (CHAIR, "meeting series bogus"),
    (CHAIR, "meeting series at"),
    (CHAIR, "meeting reminders"),
    (CHAIR, "meeting reminders 9"),
    (CHAIR, "meeting digest"),
    (CHAIR, "meeting digest 1@12:00"),
    (CHAIR, "meeting closure add"),
    (CHAIR, "meeting closure wipe 2027-01-01"),
    (CHAIR, "meeting closure add 2026-02-30"),
]


@pytest.fixture
def tenant(runtime: Runtime) -> tuple[Workspace, dict[str, int]]:
    return make_workspace(runtime, TENANT)


def said(reply: TeamsReply) -> str:
    """Everything the reply shows: its text, its card error and the text in its cards."""
    parts = [reply.text or "", reply.card_error or ""]
    parts += [str(card) for card in (reply.cards or ((reply.card,) if reply.card else ()))]
    return "\n".join(parts).replace("\u200b", "")


def assert_in_teams_words(shown: str) -> None:
    assert "/ict-" not in shown.replace("nonsense /ict-update", "")  # what was typed may be echoed
    for name in PLACEHOLDERS:
        assert "{" + name + "}" not in shown


@pytest.mark.parametrize(("user", "typed"), TYPED, ids=[f"{u.name}: {t[:40]}" for u, t in TYPED])
def test_typed_commands_answer_in_teams_words(runtime, tenant, user, typed):
    ws, _ = tenant
    assert_in_teams_words(said(handle_text(runtime, ws, user, typed, runtime.now())))


def _card_actions(ids: dict[str, int]) -> list[tuple[Any, dict[str, Any]]]:
    form = {"action": cards.ACTION_UPDATE_SUBMIT, "project": str(ids["NET-01"]), "rag": "green", "progress": "Done"}
    return [
        (OWNER, {**form, "progress": ""}),
        (OWNER, {**form, "rag": "purple"}),
        (OWNER, {**form, "project": "999999"}),
        (OWNER, {**form, "project": "x"}),
        (OWNER, {**form, "progress": "\x07"}),
        (OWNER, {**form, "risks": "r" * 5000}),
        (STRANGER, form),
        (OWNER, {**form, "progress": ["not", "text"]}),
        (OWNER, {"action": cards.ACTION_OPEN_FORM, "project_id": "999999"}),
        (OWNER, {"action": cards.ACTION_NO_CHANGE, "project_id": ids["NET-01"], "meeting_id": 999999}),
        (OWNER, {"action": cards.ACTION_NO_CHANGE, "project_id": 999999, "meeting_id": 1}),
        (OWNER, {"action": cards.ACTION_SNOOZE, "meeting_id": 999999}),
        (OWNER, {"action": "who knows"}),
    ]


def test_card_actions_answer_in_teams_words(runtime, tenant):
    ws, ids = tenant
    for user, data in _card_actions(ids):
        reply = handle_submit(runtime, ws, user, data, runtime.now())
        assert reply.card_error is not None, data
        assert_in_teams_words(said(reply))


def test_no_change_without_an_earlier_update_names_the_teams_update_command(runtime, tenant):
    ws, ids = tenant
    with runtime.sessions.begin() as s:
        from bot.services import meetings

        meetings.materialise(s, s.get(Workspace, ws.id), now=runtime.now(), default_timezone="Europe/London")
        meeting_id = meetings.next_meetings(s, s.get(Workspace, ws.id), runtime.now(), 1)[0].id
    data = {"action": cards.ACTION_NO_CHANGE, "project_id": ids["NET-01"], "meeting_id": meeting_id}
    reply = handle_submit(runtime, ws, OWNER, data, runtime.now())
    assert reply.card_error == (
        "NET-01 has no earlier update to carry forward. Use *Post update* (or update NET-01 green what was done) "
        "for its first one."
    )


@pytest.mark.parametrize(
    ("user", "typed", "expected"),
    [
        (
            OWNER,
            "update NOPE-99 green x",
            "There is no project NOPE-99 in the Work Plan. Type update mine to see your projects or update for "
            "the form, which lists all of them.",
        ),
        (
            STRANGER,
            "meeting move 2027-01-12 to 2027-01-19",
            "Only the chair or an ICT admin can move meetings. Ask one of them (role list shows who) to do it.",
        ),
        (OWNER, "meeting next 99", "99 is not a number of meetings; give 1 to 12, e.g. meeting next 6."),
        (
            CHAIR,
            "meeting move 2020-01-01 to 2020-01-02",
            "There is no meeting on 2020-01-01. The next ones are on 2026-12-08, 2027-01-12, 2027-02-09. "
            "Type meeting to see them.",
        ),
        (
            OWNER,
            "digest from 2026-01-01 until 2026-02-01",
            "from 2026-01-01 until 2026-02-01 is not a period I understand. Usage: digest (since the last "
            "meeting), digest from YYYY-MM-DD to YYYY-MM-DD, or digest help.",
        ),
    ],
)
def test_exact_teams_wordings(runtime, tenant, user, typed, expected):
    ws, _ = tenant
    assert shown(handle_text(runtime, ws, user, typed, runtime.now())) == expected


def test_the_digest_stage_headline_says_how_to_set_the_channel_on_teams(runtime, tenant):
    ws, _ = tenant
    reply = handle_text(runtime, ws, CHAIR, "meeting digest 1@12:00", runtime.now())
    assert shown(reply).startswith(
        "The digest is now posted in the governance channel 1 working day before each meeting at 12:00. "
        "Set the channel with meeting channel typed in that channel (mention me there)."
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("update NOPE{update}-1 green x", "NOPE{update}-1 is not a project reference."),
        ("meeting series {meeting} {0}", "{meeting} is not understood here. Usage: meeting series RULE"),
        ("meeting next {digest}", "{digest} is not a number of meetings"),
        ("digest from {0} to {update}", "{0} is not a start date"),
    ],
)
def test_braces_in_what_was_typed_are_shown_as_typed_never_filled_in(runtime, tenant, typed, expected):
    ws, _ = tenant
    reply = handle_text(runtime, ws, CHAIR, typed, runtime.now())
    assert expected in shown(reply)
