"""Teams' ``meeting minutes [YYYY-MM-DD]``: the chair and ICT admins get the minutes as cards; anyone else is
refused; a bad or unknown date is explained."""

from __future__ import annotations

from handlers.teams import cards
from tests.services.test_minutes import DURING, record_month
from tests.teams.test_messages import CHAIR, STRANGER, make_workspace, said, text


def month(runtime, clock):
    ws, _ = make_workspace(runtime, "5b1d3f9e-8c2a-4e6f-9a7b-1c2d3e4f5a6b", rows=[])
    clock.now = DURING
    with runtime.sessions.begin() as session:
        current = session.merge(ws)
        return ws, record_month(session, current)


def test_the_chair_gets_the_minutes_as_a_card(runtime, clock):
    ws, made = month(runtime, clock)
    reply = text(runtime, ws, CHAIR, "meeting minutes")
    shown = said(reply)
    assert "Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT" in shown
    assert f"• **D{made.decisions[0]}** (NET-01): Adopt the cloud-first policy" in shown
    assert "_recorded by Carol Chair_" in shown
    assert f"• **A{made.given[1]}**: Brief the members" in shown and "_owner Olive Owner, due 1 Dec 2026_" in shown
    assert "**Risks and issues opened, changed or closed (4)**" in shown
    assert reply.cards and reply.card == reply.cards[0]
    assert all(cards.card_size(c) <= cards.MAX_CARD_BYTES for c in reply.cards)


def test_an_earlier_meeting_by_its_date(runtime, clock):
    ws, made = month(runtime, clock)
    shown = said(text(runtime, ws, CHAIR, "meeting MINUTES 2026-11-10"))
    assert "Tue 10 Nov 2026" in shown and f"D{made.nov_decision}" in shown


def test_anyone_else_is_refused(runtime, clock):
    ws, _ = month(runtime, clock)
    assert "Only the chair or an ICT admin can post the minutes." in said(
        text(runtime, ws, STRANGER, "meeting minutes")
    )


def test_bad_and_unknown_dates_are_explained(runtime, clock):
    ws, _ = month(runtime, clock)
    assert "There is no meeting on 2026-12-09" in said(text(runtime, ws, CHAIR, "meeting minutes 2026-12-09"))
    assert "is not a meeting date" in said(text(runtime, ws, CHAIR, "meeting minutes 9/12"))
    assert "Usage: meeting minutes [YYYY-MM-DD]" in said(text(runtime, ws, CHAIR, "meeting minutes 2026-12-08 x"))


def test_help_lists_the_minutes(runtime, clock):
    ws, _ = month(runtime, clock)
    assert "meeting minutes" in said(text(runtime, ws, CHAIR, "meeting help"))
    facts = [f["title"] for e in cards.help_card()["body"] if e["type"] == "FactSet" for f in e["facts"]]
    assert "meeting minutes [YYYY-MM-DD]" in facts
