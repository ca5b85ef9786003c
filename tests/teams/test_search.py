"""`search …` on Teams: the grammar and search of `/ict-search`, answered as a valid Adaptive Card with the
author by name and the officer's words as typed; "More results" gives the next ten; another tenant's
updates are never found."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import people, projects, updates
from bot.services.people import Entry
from bot.services.quickform import UpdateText
from handlers.teams import cards
from handlers.teams.messages import handle_submit, handle_text
from models import Rag, UpdateSource, Workspace
from tests.teams.conftest import shows
from tests.teams.test_cards import check
from tests.teams.test_messages import OTHER_TENANT, OWNER_ID, STRANGER, TENANT, make_workspace

TYPED = "**bold** [link](https://evil.example) <at>Olive</at> {{DATE(2026-01-01)}} done"


@pytest.fixture
def tenant(runtime) -> Workspace:
    ws = make_workspace(runtime, TENANT)[0]
    with runtime.sessions.begin() as s:
        people.record(s, s.get_one(Workspace, ws.id), [Entry(OWNER_ID, "Olive Owner")], now=runtime.now())
    return ws


def post(runtime, ws: Workspace, ref: str, progress: str, *, days: int = 0) -> int:
    with runtime.sessions.begin() as s:
        current = s.get_one(Workspace, ws.id)
        project = projects.get(s, current, ref)
        text = UpdateText(rag=Rag.GREEN, progress=progress)
        at = runtime.now() - timedelta(days=days)
        done = updates.post(
            s, current, project, user_id=OWNER_ID, is_admin=True, text=text, source=UpdateSource.COMMAND, now=at
        )
    return done.update_id


def said(runtime, ws, rest):
    """``search rest`` typed after the bot's @mention."""
    return handle_text(runtime, ws, STRANGER, f"search {rest}", runtime.now())


def more_button(card: dict) -> dict | None:
    return next((a for a in card.get("actions") or [] if a["title"] == "More results"), None)


def test_a_search_answers_a_card_with_the_update_its_author_and_the_words_as_typed(runtime, tenant):
    post(runtime, tenant, "NET-01", f"Switching {TYPED}")
    post(runtime, tenant, "MOB-01", "Carrier chosen")
    reply = said(runtime, tenant, "switches in net-01")
    card = check(reply.card)
    text = shows(card)
    assert "1 update matches “switches” in NET-01" in text
    assert "• NET-01 Council network refresh · 🟢 Green · " in text and "· Olive Owner" in text
    assert f"Switching {TYPED}" in text  # as typed, in text runs (the {{ split between two)
    assert "MOB-01" not in text and more_button(card) is None


def test_more_results_gives_the_next_page(runtime, tenant):
    for i in range(11):
        post(runtime, tenant, "NET-01", "Patching complete", days=i)
    card = check(said(runtime, tenant, "patch").card)
    assert "11 updates match “patch” — 1 to 10, best first" in shows(card)
    button = more_button(card)
    assert button is not None and button["data"] == {"action": cards.ACTION_SEARCH_MORE, "q": "patch", "o": 10}
    nxt = handle_submit(runtime, tenant, STRANGER, button["data"], runtime.now())
    assert "— 11 to 11, best first" in shows(check(nxt.card)) and more_button(nxt.card) is None
    forged = handle_submit(runtime, tenant, STRANGER, {**button["data"], "o": "x"}, runtime.now())
    assert forged.card_error and "could not be read" in forged.card_error


def test_bad_searches_nothing_found_and_help(runtime, tenant):
    assert "There is no project NOPE-1" in shows(check(said(runtime, tenant, "x in NOPE-1").card)).replace("`", "")
    assert "is not a date" in shows(said(runtime, tenant, "x from 2026-02-30").card)
    assert "Usage: search words [in REF]" in shows(said(runtime, tenant, "in NET-01").card)
    nothing = check(said(runtime, tenant, f"{TYPED} nowhere").card)
    assert "No update matches" in shows(nothing) and f"“{TYPED} nowhere”" in shows(nothing)
    assert "**search words** finds" in (said(runtime, tenant, "").text or "")
    assert "**search words** finds" in (said(runtime, tenant, "help").text or "")
    assert any("search words" in fact["title"] for fact in check(cards.help_card())["body"][2]["facts"])


def test_another_tenant_s_updates_are_never_found(runtime, tenant):
    post(runtime, tenant, "NET-01", "Confidential restructure")
    other = make_workspace(runtime, OTHER_TENANT)[0]
    assert "No update matches" in shows(said(runtime, other, "confidential").card)
    assert "1 update matches" in shows(said(runtime, tenant, "confidential").card)
