"""`history REF [N]` on Teams (and `update history REF [N]`): a project's latest updates as Adaptive Cards,
valid against the 1.5 schema and within Teams' size limit, typed text in text runs as typed."""

from __future__ import annotations

import pytest

from bot.services import people
from handlers.teams import cards
from tests.teams.conftest import shows
from tests.teams.test_cards import check, markdown_texts
from tests.teams.test_messages import (
    DELEGATE,
    OTHER_TENANT,
    OWNER,
    OWNER_ID,
    STRANGER,
    TENANT,
    make_workspace,
    said,
    text,
    typed_runs,
)

EVIL = "**bold** [link](https://evil.example) <at>Olive</at> {{DATE(2026-01-01)}}"


@pytest.fixture
def tenant(runtime):
    ws = make_workspace(runtime, TENANT)[0]
    with runtime.sessions.begin() as s:  # names as Teams gave them when each person wrote to the bot
        people.record(s, ws, [people.Entry(OWNER_ID, "Olive Owner", "", "")], now=runtime.now())
    return ws


def test_the_history_is_a_card_newest_first_with_names_and_corrections(runtime, clock, tenant):
    text(runtime, tenant, OWNER, "update NET-01 amber Links delayd")
    clock.advance(days=1)
    text(runtime, tenant, DELEGATE, f"update NET-01 red {EVIL}")
    clock.advance(hours=1)
    text(runtime, tenant, OWNER, "update edit NET-01 amber Links delayed by supplier")
    reply = text(runtime, tenant, STRANGER, "history net-01")  # anyone in the workspace may read it
    for card in reply.cards:
        check(card)
    shown = said(reply)
    # said() marks each run's style: the bot's "History of" and the ref typed are two bold runs
    assert "**History of ****NET-01** Council network refresh\nAll 2 of its updates, newest first." in shown
    assert shown.index(EVIL) < shown.index("Links delayed by supplier")
    assert "🟠 **Amber** · 24 Nov 2026 09:30 · Olive Owner" in shown
    assert f"🔴 **Red** · 25 Nov 2026 09:30 · {DELEGATE.aad_object_id}" in shown  # not in the directory: its id
    assert "_✏️ corrected once, last on 25 Nov 2026 10:30 by __Olive Owner_" in shown
    assert EVIL in "".join(typed_runs(reply))  # in text runs (cut between the braces): no markdown read there
    assert not any(EVIL in t for card in reply.cards for t in markdown_texts(card))


def test_update_history_is_the_same_and_n_limits_it(runtime, clock, tenant):
    for i in range(4):
        text(runtime, tenant, OWNER, f"update NET-01 green Step {i}")
        clock.advance(minutes=1)
    reply = text(runtime, tenant, OWNER, "update history NET-01 2")
    shown = said(reply)
    assert "The latest 2 of its 4 updates, newest first. Ask for up to 50." in shown
    assert "Step 3" in shown and "Step 2" in shown and "Step 1" not in shown
    assert said(text(runtime, tenant, OWNER, "history NET-01 2")) == shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("history NET-1", "There is no project NET-1 in the Work Plan. Did you mean NET-01?"),
        ("history NET-01 99", "99 is not a number of updates; give 1 to 50, e.g. update history NET-01 20"),
        ("history", "Say which project's history to show, e.g. update history NET-01"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_shown(runtime, tenant, typed, expected):
    reply = text(runtime, tenant, OWNER, typed)
    assert expected in shows(reply.card).replace("`", "")


def test_another_tenants_project_is_not_there(runtime, clock, tenant):
    text(runtime, tenant, OWNER, "update NET-01 green Secret progress")
    other = make_workspace(runtime, OTHER_TENANT, rows=[])[0]
    reply = text(runtime, other, OWNER, "history NET-01")
    assert "There is no project" in shows(reply.card) and "Secret progress" not in shows(reply.card)


def test_fifty_long_updates_are_split_across_cards_within_the_limit(runtime, clock, tenant):
    for i in range(50):
        text(runtime, tenant, OWNER, f"update NET-01 amber Update {i:02d} " + "ünïcode {{ words " * 100)
        clock.advance(minutes=1)
    reply = text(runtime, tenant, OWNER, "history NET-01 50")
    assert len(reply.cards) > 1 and reply.card == reply.cards[0]
    for card in reply.cards:
        check(card)
        assert card["body"]
    shown = said(reply)
    assert all(f"Update {i:02d} " in shown for i in range(50)) and "The history, continued." in shown


def test_the_help_card_names_the_history_command(runtime, tenant):
    facts = [f for e in check(cards.help_card())["body"] if e["type"] == "FactSet" for f in e["facts"]]
    assert any(f["title"] == "history REF [N]" for f in facts)


def test_no_update_yet(runtime, tenant, clock):
    clock.advance(days=1)
    shown = said(text(runtime, tenant, OWNER, "history PCI-01"))
    assert "No update has been posted on it yet." in shown
