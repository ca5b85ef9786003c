"""Teams' ``home``: the App Home's content as an Adaptive Card, valid against the 1.5 schema, for an owner, a
delegate, a chair and a stranger; its buttons are the reminder's, acting on the person's own workspace."""

from __future__ import annotations

from datetime import date

from bot.services import digest_posts, meetings, people, projects, updates
from bot.services.quickform import UpdateText
from bot.services.registers import actions
from handlers.teams import cards
from handlers.teams.cards.home import SHOWN
from handlers.teams.messages import handle_submit, handle_text
from models import ProgressUpdate, Rag, UpdateSource
from tests.helpers import count
from tests.slack.test_home import at
from tests.teams.test_cards import HOSTILE, check, texts
from tests.teams.test_messages import (
    CHAIR,
    CHAIR_ID,
    DELEGATE,
    OTHER_TENANT,
    OWNER,
    OWNER_ID,
    STRANGER,
    TENANT,
    make_workspace,
    teams,  # noqa: F401  (the fixture)
)


def ready(runtime, clock, ws) -> None:
    clock.now = at("2026-11-02 09:00")
    with runtime.sessions.begin() as s:
        meetings.materialise(s, ws, now=clock.now, default_timezone="Europe/London")
        people.record(s, ws, [people.Entry(OWNER_ID, "Olive Owner")], now=clock.now)
        net = projects.get(s, ws, "NET-01")
        text = UpdateText(rag=Rag.AMBER, progress="Links ordered")
        updates.post(
            s, ws, net, user_id=OWNER_ID, is_admin=False, text=text, source=UpdateSource.COMMAND, now=clock.now
        )
    clock.now = at("2026-11-30 10:00")


def home_of(runtime, ws, user, clock) -> dict:
    reply = handle_text(runtime, ws, user, "home", clock.now)
    assert reply.card is not None, reply
    return check(reply.card)


def buttons(card: dict) -> list[tuple[str, dict]]:
    found = []
    for element in card["body"]:
        if element.get("type") == "ActionSet":
            found += [(a["title"], a["data"]) for a in element["actions"]]
    return found


def test_the_owner_sees_their_projects_and_the_reminders_buttons(runtime, clock, teams):  # noqa: F811
    ws, ids = teams
    ready(runtime, clock, ws)
    card = home_of(runtime, ws, OWNER, clock)
    shown = "\n".join(texts(card))
    assert "**Next meeting:** 8 Dec 2026 10:00" in shown
    assert "🟠 NET-01 Council network refresh" in shown
    assert "update due by 7 Dec 2026 12:00" in shown
    assert "The Work Plan" not in shown
    assert (
        "No change this month",
        {"action": cards.ACTION_NO_CHANGE, "project_id": ids["NET-01"], "meeting_id": 1},
    ) in [(t, {**d, "meeting_id": 1}) for t, d in buttons(card)]


def test_the_delegate_sees_the_project_they_are_a_delegate_on(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    shown = "\n".join(texts(home_of(runtime, ws, DELEGATE, clock)))
    assert "NET-01 Council network refresh (delegate)" in shown


def test_the_chair_sees_the_work_plan_and_who_is_missing_by_name(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    shown = "\n".join(texts(home_of(runtime, ws, CHAIR, clock)))
    assert "The Work Plan" in shown
    assert "Missing an update for the next meeting" in shown
    assert "— Olive Owner" in shown  # by the directory's name, never an id where it has one


def test_a_stranger_sees_nothing_of_the_work_plan(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    card = home_of(runtime, ws, STRANGER, clock)
    shown = "\n".join(texts(card))
    assert "you own no open project" in shown and "NET-01" not in shown and "The Work Plan" not in shown
    assert not buttons(card)


def test_no_change_from_the_home_card_carries_the_rag_forward(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    data = next(d for t, d in buttons(home_of(runtime, ws, OWNER, clock)) if d["action"] == cards.ACTION_NO_CHANGE)
    handle_submit(runtime, ws, OWNER, data, clock.now)
    assert count(runtime, ProgressUpdate) == 2
    assert not any(d["action"] == cards.ACTION_NO_CHANGE for _, d in buttons(home_of(runtime, ws, OWNER, clock)))


def test_a_long_work_plan_stays_within_the_card_limits_and_typed_text_is_a_text_run(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    with runtime.sessions.begin() as s:
        for i in range(60):
            projects.add(s, ws, ref=f"BIG-{i:02d}", title=HOSTILE[:200], priority="WF", owner=CHAIR_ID, now=clock.now)
        actions.give_action(s, ws, CHAIR_ID, date(2026, 12, 1), HOSTILE, None, CHAIR_ID, clock.now)
    card = home_of(runtime, ws, CHAIR, clock)
    shown = "\n".join(texts(card))
    assert f"…and {61 - SHOWN} more: **mine** lists them all." in shown  # the chair owns PCI-01 too
    runs = [r["text"] for e in card["body"] if e["type"] == "RichTextBlock" for r in e["inlines"]]
    assert any(r.startswith("*PCI-06* :large_green_circle:") for r in runs)
    assert not any("PCI-06" in e["text"] for e in card["body"] if e["type"] == "TextBlock")


def test_another_tenant_sees_none_of_it(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    ready(runtime, clock, ws)
    other, _ = make_workspace(runtime, OTHER_TENANT, rows=[])
    shown = "\n".join(texts(home_of(runtime, other, OWNER, clock)))
    assert "NET-01" not in shown and "Council network" not in shown
    assert TENANT not in shown


def test_the_help_card_names_home(runtime, clock, teams):  # noqa: F811
    ws, _ = teams
    card = handle_text(runtime, ws, OWNER, "help", clock.now).card
    assert card is not None
    assert "home" in {f["title"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}


NAME = "<at>Olive</at> **b** [click](https://evil.example) <@U0ADMIN>"


def test_the_chairs_card_says_who_posted_the_latest_digest_by_hand(runtime, clock, teams):  # noqa: F811
    """Home's service is shared: a digest recorded as posted by hand shows on the card too, its poster's name
    (as the platform gave it) a text run."""
    ws, _ = teams
    ready(runtime, clock, ws)
    shown = "\n".join(texts(home_of(runtime, ws, CHAIR, clock)))
    assert "No digest has gone out yet, on schedule or posted by a chair." in shown
    with runtime.sessions.begin() as s:
        people.record(s, ws, [people.Entry(CHAIR_ID, NAME)], now=clock.now)
        digest_posts.record_sent(
            s, ws, channel_id="19:gov@thread.tacv2", message_ts="1", start=None, end=clock.now, user_id=CHAIR_ID,
            now=clock.now,
        )  # fmt: skip
    card = home_of(runtime, ws, CHAIR, clock)
    shown = "\n".join(texts(card))
    assert "The latest digest went out 30 Nov 2026 10:00, posted by " in shown
    assert ", for the period from the beginning to 30 Nov 2026 10:00." in shown
    runs = [r for e in card["body"] if e.get("type") == "RichTextBlock" for r in e["inlines"]]
    assert {"type": "TextRun", "text": NAME, "isSubtle": True} in runs  # a run of its own: never markdown
