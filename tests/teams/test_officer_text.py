"""What a person types is shown exactly as typed in Teams, through the real Teams app: in RichTextBlock text
runs, which Teams does not read as markdown, never in a TextBlock, a FactSet or a message's text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services import projects, roles, updates, workspaces
from bot.services.quickform import UpdateText
from bot.services.reminders import Due, StaleProject
from handlers.teams import cards
from models import Rag, Role, UpdateSource
from models.scheduling import ReminderKind
from tests.scenarios.test_officer_text import HOSTILE, ONE_LINE_SHOWN, SHOWN, record_decision_and_action
from tests.teams.conftest import OLIVE_AAD


def teams_said(teams_standin: Any) -> list[dict[str, Any]]:
    """Every activity the bot sent to Teams."""
    return [c.body for c in teams_standin.sent()]


def assert_teams_shows_literally(activities: list[dict[str, Any]], typed: str) -> None:
    """Each line of ``typed`` is the text of a RichTextBlock's runs (a line a block), and in no markdown."""
    assert activities, "Teams received nothing"
    blocks: list[dict[str, Any]] = []
    markdown = [a.get("text") or "" for a in activities]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "RichTextBlock":
                blocks.append(value)
            elif value.get("type") == "TextBlock":
                markdown.append(value["text"])
            elif value.get("type") == "FactSet":
                markdown.extend(t for f in value["facts"] for t in (f["title"], f["value"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk([a.get("attachments") for a in activities])
    lines = ["".join(run["text"] for run in b["inlines"]) for b in blocks]
    for line in typed.split("\n"):
        assert any(line in shown for shown in lines), (line, lines)
        assert all(line.strip()[:15] not in text for text in markdown), line
    runs = [run for b in blocks for run in b["inlines"]]
    assert all(run["type"] == "TextRun" and "{{" not in run["text"] for run in runs)
    assert "\u202e" not in json.dumps(activities, ensure_ascii=False)


@pytest.fixture
def teams_plan(teams_runtime, teams, olive) -> None:
    """The stand-in's tenant with PCI-06 (its title the hostile text) owned by Olive, who is a chair."""
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, teams.tenant_id, platform="teams", name="Darlington", now=teams_runtime.now())
        projects.add(s, ws, ref="PCI-06", title=HOSTILE, priority="GOV", owner=OLIVE_AAD, now=teams_runtime.now())
        roles.grant(s, ws, OLIVE_AAD, Role.CHAIR, by="test", now=teams_runtime.now())


def test_teams_confirms_an_update_as_typed(client, teams, olive, teams_plan):
    client.post(teams.message(olive, "update PCI-06 red " + HOSTILE))
    assert_teams_shows_literally(teams_said(teams), SHOWN)


def test_teams_lists_titles_notes_and_the_digest_as_typed(client, teams, olive, teams_plan, teams_runtime):
    client.post(teams.message(olive, "mine"))
    assert_teams_shows_literally(teams_said(teams), SHOWN)
    client.post(teams.message(olive, "meeting cancel 2026-12-08 " + HOSTILE))
    assert_teams_shows_literally(teams_said(teams)[-1:], ONE_LINE_SHOWN)
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        project = projects.get(s, ws, "PCI-06")
        text = UpdateText(rag=Rag.GREEN, progress=HOSTILE, next_steps=HOSTILE, risks=HOSTILE)
        when = teams_runtime.now() - timedelta(hours=1)
        updates.post(s, ws, project, user_id=OLIVE_AAD, is_admin=True, text=text, source=UpdateSource.MODAL, now=when)
    client.post(teams.message(olive, "digest"))
    assert_teams_shows_literally(teams_said(teams), SHOWN)


def test_teams_history_shows_the_title_and_updates_as_typed(client, teams, olive, teams_plan, teams_runtime):
    client.post(teams.message(olive, "update PCI-06 red " + HOSTILE))
    before = len(teams_said(teams))
    client.post(teams.message(olive, "history PCI-06"))  # through the real Teams app, the real listeners
    answer = teams_said(teams)[before:]
    assert_teams_shows_literally(answer, SHOWN)  # the title
    assert_teams_shows_literally(answer, ONE_LINE_SHOWN.rstrip())  # the update in short, on one line


def test_teams_echoes_a_typed_word_as_typed(client, teams, olive, teams_plan):
    typed = "*PCI-06*[x](https://evil.example)<at>Olive</at>{{DATE(2017-02-14T06:08:39Z)}}"
    client.post(teams.message(olive, "meeting next " + typed))
    assert_teams_shows_literally(teams_said(teams), typed)


def test_teams_reminder_card_shows_titles_as_typed(teams_runtime, teams, teams_plan):
    start = datetime(2026, 12, 8, 10, tzinfo=UTC)
    item = Due(
        workspace_id=1,
        team_id=teams.tenant_id,
        timezone="Europe/London",
        meeting_id=1,
        meeting_starts_at=start,
        period_start=None,
        user_id=OLIVE_AAD,
        kind=ReminderKind.OWNER,
        stage="5d@0930",
        due_at=start - timedelta(days=7),
        projects=(StaleProject(1, "PCI-06", HOSTILE, OLIVE_AAD, None, None),),
    )
    assert_teams_shows_literally([{"attachments": [{"content": cards.reminder_card(item)}]}], SHOWN)


def test_teams_minutes_show_decisions_and_actions_as_typed(client, teams, olive, teams_plan, teams_runtime):
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        record_decision_and_action(s, ws, teams_runtime.now(), HOSTILE, owner=OLIVE_AAD)
    client.post(teams.message(olive, "meeting minutes"))
    # A block a line (as an update's progress is shown): the spaces that end a line are not kept.
    assert_teams_shows_literally(teams_said(teams), "\n".join(line.rstrip() for line in SHOWN.split("\n")))


def test_teams_work_plan_a_change_to_it_and_the_roles_show_typed_text_as_typed(
    client, teams, olive, teams_plan, teams_runtime
):
    granted_by = "*PCI-06* <at>Jo</at> _x_ [x](https://e.example) {{DATE(1)}}\u202e"  # 64 at most
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        roles.grant(s, ws, OLIVE_AAD, Role.ADMIN, by=granted_by, now=teams_runtime.now())
    client.post(teams.message(olive, "project list"))
    assert_teams_shows_literally(teams_said(teams)[-1:], SHOWN)
    client.post(teams.message(olive, "project close pci-06"))
    assert_teams_shows_literally(teams_said(teams)[-1:], SHOWN)
    client.post(teams.message(olive, "role list"))
    assert_teams_shows_literally(teams_said(teams)[-1:], granted_by.replace("\u202e", ""))
