"""The Teams listeners: typed commands after the @mention and cards' submissions, on a Teams workspace.

``handle_text`` and ``handle_submit`` are called directly, as the Teams SDK wiring calls them, with GUID
users; every test runs on SQLite and on PostgreSQL through the ``runtime`` fixture.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.services import meetings, projects, roles, updates, workspaces
from bot.services.quickform import UpdateText
from handlers.teams.identity import TeamsUser, key
from handlers.teams.messages import TeamsReply, handle_submit, handle_text
from models import ProgressUpdate, Rag, Role, UpdateRevision, UpdateSource, Workspace
from models.scheduling import Reminder
from tests.conftest import OWNER as SLACK_OWNER
from tests.helpers import count, opened_view

TENANT = "5b1d3f9e-8c2a-4e6f-9a7b-1c2d3e4f5a6b"
OTHER_TENANT = "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
OWNER_ID = "8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
DELEGATE_ID = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
CHAIR_ID = "c0ffee00-1111-4222-8333-444455556666"
STRANGER_ID = "deadbeef-0000-4000-8000-000000000000"
OWNER = TeamsUser(id="29:1owner", aad_object_id=OWNER_ID, name="Olive Owner")
DELEGATE = TeamsUser(id="29:1deleg", aad_object_id=DELEGATE_ID, name="Dan Delegate")
CHAIR = TeamsUser(id="29:1chair", aad_object_id=CHAIR_ID, name="Chris Chair")
STRANGER = TeamsUser(id="29:1other", aad_object_id=STRANGER_ID, name="Sam Stranger")
GUEST = TeamsUser(id="29:1guest", aad_object_id=None, name="Guest")

WORKPLAN = [
    ("NET-01", "Council network refresh", "ARCH", OWNER_ID, [DELEGATE_ID]),
    ("MOB-01", "Mobile carrier cut-across", "ARCH", OWNER_ID, []),
    ("EFORM-01", "E-forms for online services", "BD", DELEGATE_ID, []),
    ("PCI-01", "PCI DSS quarterly tests", "GOV", CHAIR_ID, []),
]


def make_workspace(runtime: Runtime, tenant: str, rows: Any = WORKPLAN) -> tuple[Workspace, dict[str, int]]:
    with runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, tenant, platform="teams", name="Darlington", now=runtime.now())
        ids = {}
        for ref, title, prio, owner, delegates in rows:
            p = projects.add(
                s, ws, ref=ref, title=title, priority=prio, owner=owner, delegates=delegates, now=runtime.now()
            )
            ids[ref] = p.id
        roles.grant(s, ws, CHAIR_ID, Role.CHAIR, by="test", now=runtime.now())
    return ws, ids


@pytest.fixture
def teams(runtime: Runtime) -> tuple[Workspace, dict[str, int]]:
    """A Teams tenant with a small Work Plan owned by GUID users, and a chair."""
    return make_workspace(runtime, TENANT)


def revisions(runtime: Runtime, ws: Workspace) -> list[tuple[Any, ...]]:
    with runtime.sessions() as s:
        rows = s.execute(
            select(ProgressUpdate, UpdateRevision)
            .join(UpdateRevision, UpdateRevision.update_id == ProgressUpdate.id)
            .where(ProgressUpdate.workspace_id == ws.id)
            .order_by(ProgressUpdate.id, UpdateRevision.number)
        ).all()
        return [
            (u.project_id, u.author_user_id, u.source, r.number, r.rag, r.progress, r.next_steps, r.risks)
            for u, r in rows
        ]


def text(runtime: Runtime, ws: Workspace, user: TeamsUser, typed: str) -> TeamsReply:
    return handle_text(runtime, ws, user, typed, runtime.now())


def submit(runtime: Runtime, ws: Workspace, user: TeamsUser, data: dict[str, Any]) -> TeamsReply:
    return handle_submit(runtime, ws, user, data, runtime.now())


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


# How said() writes a text run's style: as the Teams markdown that would give it, for readable asserts.
_RUN_MARKS = (("weight", "bolder", "**"), ("italic", True, "_"), ("strikethrough", True, "~~"))


def said(reply: TeamsReply) -> str:
    """What the reply shows, a line a block: its text, then each card's TextBlocks as they are and its
    RichTextBlocks' runs exactly as they are, each run between the marks of its style (``**NET-01**``)."""
    lines = [reply.text] if reply.text else []
    for card in reply.cards or ((reply.card,) if reply.card else ()):
        for e in card["body"]:
            if e["type"] == "TextBlock":
                lines.append(e["text"])
            elif e["type"] == "RichTextBlock":
                lines.append("".join(_marked(run) for run in e["inlines"]))
    return "\n".join(lines)


def _marked(run: dict[str, Any]) -> str:
    marks = "".join(mark for key, value, mark in _RUN_MARKS if run.get(key) == value)
    return f"{marks}{run['text']}{marks[::-1]}" if marks else run["text"]


def typed_runs(reply: TeamsReply) -> list[str]:
    """Every text run of the reply's cards: what Teams shows as it is, markdown unread."""
    return [
        run["text"]
        for card in reply.cards or ((reply.card,) if reply.card else ())
        for e in card["body"]
        if e["type"] == "RichTextBlock"
        for run in e["inlines"]
    ]


# -- identity --------------------------------------------------------------------------------------


def test_key_is_the_aad_object_id_else_the_account_id():
    assert key(OWNER) == OWNER_ID
    assert key(GUEST) == "29:1guest"


# -- update: text, form, submit --------------------------------------------------------------------


def test_update_quick_form_stores_the_update_as_slack_does(runtime, teams):
    ws, ids = teams
    reply = text(runtime, ws, OWNER, "update net-01 AMBER Links delayed | next: chase supplier | risks: budget")
    assert reply.card_error is None and reply.card is not None
    assert said(reply).startswith("✅ Update saved for **NET-01 Council network refresh**: 🟠 **Amber**")
    assert "**Next steps:** chase supplier" in said(reply)
    assert revisions(runtime, ws) == [
        (ids["NET-01"], OWNER_ID, UpdateSource.COMMAND, 1, Rag.AMBER, "Links delayed", "chase supplier", "budget")
    ]


def test_update_edit_adds_a_revision(runtime, teams):
    ws, _ = teams
    text(runtime, ws, OWNER, "update NET-01 green Done")
    reply = text(runtime, ws, OWNER, "update edit NET-01 amber Not quite done")
    assert said(reply).startswith("✏️ Correction saved")
    assert [(r[3], r[4], r[5]) for r in revisions(runtime, ws)] == [
        (1, Rag.GREEN, "Done"),
        (2, Rag.AMBER, "Not quite done"),
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("update NOPE-99 green x", "There is no project NOPE-99 in the Work Plan."),
        ("update NET-01 purple x", "Give the RAG status after NET-01"),
        ("update NET-01 green", "Say what was done"),
        ("update <at>x</at> green x", "is not a project reference"),
    ],
)
def test_update_quick_form_mistakes_are_answered_and_nothing_is_written(runtime, teams, typed, expected):
    ws, _ = teams
    reply = text(runtime, ws, OWNER, typed)
    assert expected in said(reply)
    assert "/ict-update" not in said(reply) and "`" not in said(reply)
    assert reply.text is None  # a card: what was typed (<at>x</at>) is a text run, never markdown
    assert revisions(runtime, ws) == []


def test_update_by_someone_who_is_neither_owner_nor_delegate_is_refused(runtime, teams):
    ws, _ = teams
    reply = text(runtime, ws, STRANGER, "update NET-01 green Done")
    assert "Only the owner or a delegate of NET-01" in said(reply)
    assert "<@" not in said(reply)
    assert revisions(runtime, ws) == []


def test_update_without_arguments_gives_the_form_with_own_projects_first(runtime, teams):
    ws, ids = teams
    reply = text(runtime, ws, DELEGATE, "update")
    assert reply.card is not None
    project = inputs(reply.card)["project"]
    assert [c["title"].split(" — ")[0] for c in project["choices"]] == ["NET-01", "EFORM-01", "PCI-01", "MOB-01"]
    assert "value" not in project  # two of their own: no guess
    assert inputs(reply.card)["progress"]["maxLength"] == 2000
    assert inputs(reply.card)["next_steps"]["maxLength"] == 1000
    assert inputs(reply.card)["risks"]["maxLength"] == 1000
    data = reply.card["actions"][0]["data"]
    assert {k: v for k, v in data.items() if k != "form"} == {"action": "update_submit", "src": "modal"}
    assert re.fullmatch(r"[0-9a-f]{16}", data["form"])  # the card's own id (a double click is one submission)
    assert text(runtime, ws, DELEGATE, "update").card["actions"][0]["data"]["form"] != data["form"]
    # a single own project is chosen for them
    mine = text(runtime, ws, CHAIR, "update")
    assert mine.card is not None and inputs(mine.card)["project"]["value"] == str(ids["PCI-01"])


FORM_INPUT = {"rag": "red", "progress": "Cut-over slipped", "next_steps": "Re-plan with carrier", "risks": ""}


def test_form_round_trip_stores_what_the_slack_modal_stores(runtime, teams, slack, standin, workplan):
    ws, ids = teams
    card = text(runtime, ws, OWNER, "update").card
    assert card is not None
    data = {**card["actions"][0]["data"], "project": str(ids["MOB-01"]), **FORM_INPUT}
    reply = submit(runtime, ws, OWNER, data)
    assert reply.card_error is None
    assert "🔴 **Red**" in said(reply) and "**Next steps:** Re-plan with carrier" in said(reply)
    # The same input through Slack's modal, in the Slack workspace.
    slack.command("/ict-update", "", user_id=SLACK_OWNER)
    slack.submit_view(
        opened_view(standin), {"project": str(workplan["MOB-01"]), **FORM_INPUT, "risks": None}, user_id=SLACK_OWNER
    )
    with runtime.sessions() as s:
        slack_ws = workspaces.find(s, standin.team_id)
    assert slack_ws is not None
    teams_rows = [r[2:] for r in revisions(runtime, ws)]
    slack_rows = [r[2:] for r in revisions(runtime, slack_ws)]
    assert (
        teams_rows == slack_rows == [(UpdateSource.MODAL, 1, Rag.RED, "Cut-over slipped", "Re-plan with carrier", "")]
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"rag": "purple"}, "Choose red, amber or green."),
        ({"rag": None}, "Choose red, amber or green."),
        ({"progress": "   "}, "Say what was done"),
        ({"progress": "x" * 2001}, "Progress is 2,001 characters; the limit is 2,000"),
        ({"risks": "r" * 1001}, "Risks/issues is 1,001 characters"),
        ({"next_steps": "bell\x07"}, "Next steps contains control characters"),
        ({"project": ""}, "Choose the project this update is for."),
        ({"project": "NET-01"}, "Choose the project this update is for."),
        ({"project": "²"}, "Choose the project this update is for."),
        ({"project": "99999999999999999999999"}, "Choose the project this update is for."),
        ({"project": "999999"}, "That project is no longer in the Work Plan"),
        ({"project": ["1"]}, "That form came back malformed"),
        ({"progress": {"x": 1}}, "That form came back malformed"),
        ({"rag": True}, "That form came back malformed"),
    ],
)
def test_malformed_form_submission_gets_a_card_error_and_writes_nothing(runtime, teams, change, error):
    ws, ids = teams
    data = {"action": "update_submit", "project": str(ids["NET-01"]), "rag": "green", "progress": "Done", **change}
    reply = submit(runtime, ws, OWNER, data)
    assert reply.card_error is not None and error in reply.card_error, reply.card_error
    assert "`" not in reply.card_error
    assert revisions(runtime, ws) == []
    assert count(runtime, ProgressUpdate) == 0


def test_refused_submission_comes_back_as_the_form_with_the_error_and_the_text_kept(runtime, teams):
    ws, ids = teams
    reply = submit(
        runtime,
        ws,
        STRANGER,
        {"action": "update_submit", "project": str(ids["NET-01"]), "rag": "amber", "progress": "Mine"},
    )
    assert reply.card_error is not None and reply.card_error.startswith("Only the owner or a delegate of NET-01")
    assert reply.card is not None
    assert {run["color"] for run in reply.card["body"][1]["inlines"]} == {"attention"}
    assert inputs(reply.card)["progress"]["value"] == "Mine" and inputs(reply.card)["rag"]["value"] == "amber"
    assert revisions(runtime, ws) == []


def test_another_workspaces_project_ids_are_refused(runtime, teams):
    ws, _ = teams
    _, other_ids = make_workspace(runtime, OTHER_TENANT, [("SEC-01", "Other council's project", "GOV", OWNER_ID, [])])
    foreign = other_ids["SEC-01"]
    reply = submit(
        runtime, ws, OWNER, {"action": "update_submit", "project": str(foreign), "rag": "green", "progress": "x"}
    )
    assert reply.card_error is not None and "no longer in the Work Plan" in reply.card_error
    opened = submit(runtime, ws, OWNER, {"action": "open_update_form", "project_id": foreign})
    assert opened.card_error is not None and "no longer in the Work Plan" in opened.card_error
    meeting = _next_meeting_id(runtime, ws)
    no_change = submit(
        runtime, ws, OWNER, {"action": "reminder_no_change", "project_id": foreign, "meeting_id": meeting}
    )
    assert no_change.card_error is not None and "no longer in the Work Plan" in no_change.card_error
    assert count(runtime, ProgressUpdate) == 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "delete_everything"},
        {"action": 42},
        {"action": "reminder_no_change", "project_id": "x", "meeting_id": 1},
        {"action": "reminder_no_change", "project_id": 1},
        {"action": "reminder_snooze"},
        {"action": "reminder_snooze", "meeting_id": -3},
        {"action": "reminder_snooze", "meeting_id": True},
        {"action": "open_update_form", "project_id": "1; drop table project"},
    ],
)
def test_unknown_or_malformed_card_data_gets_a_card_error(runtime, teams, data):
    ws, _ = teams
    reply = submit(runtime, ws, OWNER, data)
    assert reply.card_error is not None and reply.text is None
    assert count(runtime, ProgressUpdate) == 0 and count(runtime, Reminder) == 0


def test_action_execute_verb_is_understood_as_the_action(runtime, teams):
    ws, _ = teams
    reply = submit(runtime, ws, OWNER, {"verb": "open_update_form"})
    assert reply.card is not None and reply.card_error is None


# -- the reminder's three buttons ------------------------------------------------------------------


def _next_meeting_id(runtime: Runtime, ws: Workspace) -> int:
    with runtime.sessions.begin() as s:
        meetings.materialise(s, ws, now=runtime.now(), default_timezone="Europe/London")
        return meetings.next_meetings(s, ws, runtime.now(), 1)[0].id


def test_post_update_button_opens_the_form_on_that_project_and_marks_it_from_the_reminder(runtime, teams):
    ws, ids = teams
    reply = submit(runtime, ws, OWNER, {"action": "open_update_form", "project_id": ids["MOB-01"], "src": "reminder"})
    assert reply.card is not None
    assert inputs(reply.card)["project"]["value"] == str(ids["MOB-01"])
    data = {**reply.card["actions"][0]["data"], "project": str(ids["MOB-01"]), "rag": "green", "progress": "On track"}
    assert submit(runtime, ws, OWNER, data).card_error is None
    assert revisions(runtime, ws)[0][2] == UpdateSource.REMINDER


def test_no_change_button_carries_the_last_rag_forward(runtime, teams, clock):
    ws, ids = teams
    text(runtime, ws, OWNER, "update NET-01 amber Links delayed")
    clock.advance(days=1)
    meeting = _next_meeting_id(runtime, ws)
    reply = submit(
        runtime, ws, OWNER, {"action": "reminder_no_change", "project_id": ids["NET-01"], "meeting_id": meeting}
    )
    assert said(reply) == "✅ Recorded **no change this month** for **NET-01**: 🟠 Amber carried forward."
    last = revisions(runtime, ws)[-1]
    assert last[1:5] == (OWNER_ID, UpdateSource.REMINDER, 1, Rag.AMBER)
    assert last[5].startswith("No change this month: status carried forward from the update of 24 Nov 2026")


def test_no_change_without_an_earlier_update_is_refused_on_the_card(runtime, teams):
    ws, ids = teams
    meeting = _next_meeting_id(runtime, ws)
    reply = submit(
        runtime, ws, OWNER, {"action": "reminder_no_change", "project_id": ids["MOB-01"], "meeting_id": meeting}
    )
    assert reply.card_error is not None and "MOB-01 has no earlier update to carry forward" in reply.card_error
    assert "update MOB-01 green" in reply.card_error
    assert count(runtime, ProgressUpdate) == 0


def test_snooze_button_schedules_one_reminder_tomorrow(runtime, teams):
    ws, _ = teams
    meeting = _next_meeting_id(runtime, ws)
    reply = submit(runtime, ws, OWNER, {"action": "reminder_snooze", "meeting_id": str(meeting)})
    assert reply.text is not None and reply.text.startswith("⏰ I'll remind you again on 25 Nov 2026")
    submit(runtime, ws, OWNER, {"action": "reminder_snooze", "meeting_id": meeting})  # pressed twice
    with runtime.sessions() as s:
        rows = s.scalars(select(Reminder).where(Reminder.workspace_id == ws.id)).all()
        assert [(r.user_id, r.stage) for r in rows] == [(OWNER_ID, "snooze-2026-11-25")]


def test_snooze_with_nothing_due_says_so_and_schedules_nothing(runtime, teams):
    ws, _ = teams
    meeting = _next_meeting_id(runtime, ws)
    for typed in ("update NET-01 green Cabled", "update MOB-01 amber Cut-over slipped"):  # all of the owner's
        assert text(runtime, ws, OWNER, typed).card_error is None

    reply = submit(runtime, ws, OWNER, {"action": "reminder_snooze", "meeting_id": meeting})

    assert reply.card_error is None
    assert reply.text == (
        "✅ You're up to date: each of your projects has an update for this meeting, so there is nothing to remind "
        "you of."
    )
    assert count(runtime, Reminder) == 0


def test_snooze_for_a_meeting_of_another_workspace_is_refused(runtime, teams):
    ws, _ = teams
    other, _ = make_workspace(runtime, OTHER_TENANT, [])
    foreign = _next_meeting_id(runtime, other)
    reply = submit(runtime, ws, OWNER, {"action": "reminder_snooze", "meeting_id": foreign})
    assert reply.card_error is not None and "no longer on the calendar" in reply.card_error
    assert count(runtime, Reminder) == 0


# -- mine, help, anything else ---------------------------------------------------------------------


def test_mine_lists_own_and_delegated_projects(runtime, teams):
    ws, _ = teams
    text(runtime, ws, OWNER, "update NET-01 green Done")
    reply = text(runtime, ws, DELEGATE, "mine")
    assert said(reply).startswith("**Your projects** (2)")
    assert "• **NET-01** Council network refresh _(delegate)_ — 🟢 last updated today" in said(reply)
    assert "• **EFORM-01** E-forms for online services — ❔ no update yet" in said(reply)
    assert text(runtime, ws, STRANGER, "mine").text == "You own no open project and are a delegate on none."
    assert said(text(runtime, ws, DELEGATE, "update mine")) == said(reply)


@pytest.mark.parametrize("typed", ["", "help", "HELP", "?"])
def test_help_is_a_card(runtime, teams, typed):
    ws, _ = teams
    reply = text(runtime, ws, OWNER, typed)
    assert reply.card is not None and reply.card["body"][0]["text"] == "ICT governance bot"


def test_update_help_is_text_in_teams_words(runtime, teams):
    ws, _ = teams
    reply = text(runtime, ws, OWNER, "update help")
    assert (
        reply.text is not None and "**update REF RAG what was done**" in reply.text and "/ict-update" not in reply.text
    )


def test_anything_else_gets_a_help_like_reply_with_what_was_typed_made_inert(runtime, teams):
    ws, _ = teams
    reply = text(runtime, ws, OWNER, "<at>Everyone</at> [x](http://e)")
    assert reply.card is not None and reply.text is None
    assert "I don't know what “<at>Everyone</at> [x](http://e)” means." in said(reply)
    assert "<at>Everyone</at> [x](http://e)" in typed_runs(reply)  # a text run: no mention, no link


# -- digest ----------------------------------------------------------------------------------------


def test_digest_for_a_chair_is_every_card(runtime, teams):
    ws, _ = teams
    text(runtime, ws, OWNER, "update NET-01 amber Links delayed")
    reply = text(runtime, ws, CHAIR, "digest")
    assert reply.card is not None and reply.cards and reply.card == reply.cards[0]
    assert len(reply.cards) >= 3  # the summary, a priority, the lists
    everything = json.dumps(reply.cards, ensure_ascii=False)
    assert "Links delayed" in everything and OWNER_ID in everything


def test_digest_for_anyone_else_is_a_preview_of_the_summary_naming_nobody(runtime, teams):
    ws, _ = teams
    text(runtime, ws, OWNER, "update NET-01 amber Links delayed")
    reply = text(runtime, ws, STRANGER, "digest")
    assert reply.card is not None and len(reply.cards) == 1
    everything = json.dumps(reply.cards, ensure_ascii=False)
    assert "A preview of the summary" in everything
    assert "Links delayed" not in everything and OWNER_ID not in everything


def test_digest_for_a_period_and_its_mistakes(runtime, teams):
    ws, _ = teams
    reply = text(runtime, ws, CHAIR, "digest from 2026-11-01 to 2026-11-20")
    assert reply.card is not None and "1 Nov 2026 to 20 Nov 2026" in json.dumps(reply.card)
    wrong = text(runtime, ws, CHAIR, "digest since yesterday")
    assert "is not a period I understand" in said(wrong) and "/ict-digest" not in said(wrong)
    backwards = text(runtime, ws, CHAIR, "digest from 2026-11-20 to 2026-11-01")
    assert "ends before it starts" in said(backwards)
    assert text(runtime, ws, CHAIR, "digest help").text is not None


# -- meeting ---------------------------------------------------------------------------------------


def test_meeting_lists_the_next_meetings(runtime, teams):
    ws, _ = teams
    reply = text(runtime, ws, STRANGER, "meeting")
    assert said(reply).startswith("**Next ICT governance meetings** (Europe/London)")
    assert "• **Tue 8 Dec 2026, 10:00 GMT**" in said(reply)
    assert said(reply).count("\n• ") == 3
    assert said(text(runtime, ws, STRANGER, "meeting next 5")).count("\n• ") == 5
    bad = text(runtime, ws, STRANGER, "meeting next 99")
    assert "is not a number of meetings" in said(bad)


def test_meeting_move_and_cancel_are_for_the_chair(runtime, teams):
    ws, _ = teams
    refused = text(runtime, ws, STRANGER, "meeting cancel 2026-12-08")
    assert said(refused).startswith("Only the chair or an ICT admin can cancel meetings")
    moved = text(runtime, ws, CHAIR, "meeting move 2026-12-08 to 2026-12-09 14:00 <at>all</at> room")
    assert said(moved).startswith("Moved the meeting of Tue 8 Dec 2026 at 10:00 to Wed 9 Dec 2026 at 14:00.")
    assert "**Wed 9 Dec 2026, 14:00 GMT** _(moved)_ — <at>all</at> room" in said(moved)
    assert "<at>all</at> room" in typed_runs(moved)  # as typed, in a text run: no mention
    cancelled = text(runtime, ws, CHAIR, "meeting cancel 2027-01-12 Christmas")
    assert "~~Tue 12 Jan 2027, 10:00 GMT~~ **cancelled**" in said(cancelled)
    unknown = text(runtime, ws, CHAIR, "meeting cancel 2027-01-13")
    assert "There is no meeting on 2027-01-13" in said(unknown)


REFUSED = {
    "meeting move 2026-12-08 to 2026-12-10": "move meetings",
    "meeting cancel 2026-12-08": "cancel meetings",
    "meeting series FREQ=WEEKLY": "change the meeting series",
    "meeting reminders 5@09:30": "change when reminders go out",
    "meeting digest 1@12:00": "change when the digest is posted",
    "meeting closure add 2026-12-29": "add or remove closure days",
}


@pytest.mark.parametrize("typed", REFUSED.keys())
def test_each_meeting_refusal_names_what_was_refused_in_a_sentence(runtime, teams, typed):
    ws, _ = teams
    refused = said(text(runtime, ws, STRANGER, typed))
    assert refused.startswith(f"Only the chair or an ICT admin can {REFUSED[typed]}. Ask one of them ("), refused


def test_meeting_closures_help_and_unknown(runtime, teams):
    ws, _ = teams
    added = text(runtime, ws, CHAIR, "meeting closure add 2026-12-29 Christmas")
    assert "Added Tue 29 Dec 2026 as a closure day" in said(added)
    assert "• **Tue 29 Dec 2026** — Christmas" in said(added)
    listed = text(runtime, ws, STRANGER, "meeting closure list")
    assert "**Closure days**" in said(listed)
    helped = text(runtime, ws, STRANGER, "meeting help")
    assert "**meeting cancel YYYY-MM-DD" in said(helped)
    other = text(runtime, ws, STRANGER, "meeting frobnicate")
    assert "is not a meeting command" in said(other)
    channel = text(runtime, ws, CHAIR, "meeting channel #general")
    assert channel.text is not None and "in the team channel where the digest should be posted" in channel.text


GOVERNANCE = "19:governance@thread.tacv2"


def series_channel(runtime: Runtime, ws: Workspace) -> str | None:
    with runtime.sessions() as s:
        return meetings.get_series(
            s, s.get_one(Workspace, ws.id), now=runtime.now(), default_timezone="Europe/London"
        ).channel_id


def test_meeting_channel_typed_in_a_channel_makes_it_the_governance_channel(runtime, teams):
    ws, _ = teams

    refused = handle_text(runtime, ws, STRANGER, "meeting channel", runtime.now(), channel=GOVERNANCE)
    assert "Only the chair or an ICT admin" in said(refused)
    assert series_channel(runtime, ws) is None

    done = handle_text(runtime, ws, CHAIR, "meeting channel", runtime.now(), channel=GOVERNANCE)
    assert done.text is not None and "governance channel" in done.text
    assert series_channel(runtime, ws) == GOVERNANCE


# -- the same service scenario on both platforms ---------------------------------------------------

PLATFORM_PEOPLE = {
    "slack": ("T0SERVICE", "U0OWNERX", "U0DELEGX", "U0OTHERX"),
    "teams": (TENANT, OWNER_ID, DELEGATE_ID, STRANGER_ID),
}


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_update_scenario_is_the_same_on_both_platforms(runtime, clock, platform):
    """Post, carry forward, correct and refuse through the services, with each platform's user ids."""
    team, owner, delegate, stranger = PLATFORM_PEOPLE[platform]
    with runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, team, platform=platform, now=clock())
        project = projects.add(
            s, ws, ref="NET-01", title="Network", priority="ARCH", owner=owner, delegates=[delegate], now=clock()
        )
        first = updates.post(
            s,
            ws,
            project,
            user_id=delegate,
            is_admin=False,
            text=UpdateText(Rag.AMBER, "Delayed"),
            source=UpdateSource.MODAL,
            now=clock(),
        )
        with pytest.raises(Exception, match="Only the owner or a delegate"):
            updates.post(
                s,
                ws,
                project,
                user_id=stranger,
                is_admin=False,
                text=UpdateText(Rag.GREEN, "x"),
                source=UpdateSource.MODAL,
                now=clock(),
            )
        later = clock() + timedelta(days=20)
        carried = updates.carry_forward(
            s, ws, project, user_id=owner, is_admin=False, now=later, tz=runtime.settings.timezone
        )
        fixed = updates.correct_latest(
            s, ws, project, user_id=delegate, is_admin=False, text=UpdateText(Rag.RED, "Worse"), now=later
        )
        mine = projects.list_projects(s, ws, user_id=delegate)
    assert (first.rag, first.author) == (Rag.AMBER, delegate)
    assert (carried.rag, carried.author, carried.source) == (Rag.AMBER, owner, UpdateSource.REMINDER)
    assert (fixed.update_id, fixed.revision, fixed.rag) == (first.update_id, 2, Rag.RED)
    assert [p.ref for p in mine] == ["NET-01"] and mine[0].last_rag is Rag.AMBER


CSV = "ref,title,priority,owner,delegates\nNET-01,Network,ARCH,{owner},{delegate}\n"


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_work_plan_import_takes_each_platforms_user_ids(runtime, clock, platform):
    team, owner, delegate, _ = PLATFORM_PEOPLE[platform]
    with runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, team, platform=platform, now=clock())
        typed_owner = owner.upper() if platform == "teams" else owner
        projects.import_csv(s, ws, CSV.format(owner=typed_owner, delegate=delegate), resolve_emails=None, now=clock())
        p = projects.get(s, ws, "NET-01")
        assert (p.owner_user_id, p.delegate_ids) == (owner, [delegate])
        other = PLATFORM_PEOPLE["teams" if platform == "slack" else "slack"]
        with pytest.raises(Exception, match="is neither"):
            projects.import_csv(s, ws, CSV.format(owner=other[1], delegate=""), resolve_emails=None, now=clock())
