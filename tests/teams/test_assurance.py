"""Teams' `assurance` commands, called as the Teams app calls them: the list card, `assurance record …`
(the owner yes, a stranger no, nothing written), and the reminder card's Record result form."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.services.assurance import loader
from bot.services.assurance.reminders import AssuranceDue
from handlers.teams.cards.assurance import ACTION_ASSURANCE_RECORD, assurance_card
from handlers.teams.identity import TeamsUser
from handlers.teams.messages import handle_submit, handle_text
from models import AssuranceObligation, AssuranceOutcome, AssuranceResult, Workspace
from tests.teams.test_cards import check

TEAM = "T0TEAMSX"
NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
OLIVE = TeamsUser(id="29:1-olive", aad_object_id=None, name="Olive")
DAN = TeamsUser(id="29:1-dan", aad_object_id=None, name="Dan")
FILE = """obligations:
  - code: PSN
    name: Annual PSN submission
    owner: "29:1-olive"
    priority: GOV
    rrule: FREQ=YEARLY
    start: 2027-06-30
    evidence: The compliance certificate
"""


def loaded(runtime):
    with runtime.unit(TEAM) as (session, ws):
        loader.load(session, ws, FILE, NOW)
    with runtime.sessions() as session:
        return session.scalar(select(Workspace)), session.scalar(select(AssuranceObligation.id))


def recorded(runtime):
    with runtime.sessions() as session:
        return [(r.occurrence, r.outcome, r.note, r.recorded_by) for r in session.scalars(select(AssuranceResult))]


def test_the_list_card_and_a_typed_record(runtime):
    ws, _ = loaded(runtime)
    listed = handle_text(runtime, ws, DAN, "assurance", NOW)
    assert "Annual PSN submission" in str(listed.card) and "Wed 30 Jun 2027" in str(listed.card)
    refused = handle_text(runtime, ws, DAN, "assurance record PSN pass", NOW)
    assert "Only the obligation's owner" in str(refused.card) and recorded(runtime) == []
    done = handle_text(runtime, ws, OLIVE, "assurance record psn pass Submitted | https://e.example/psn", NOW)
    assert "Recorded pass" in str(done.card)
    assert recorded(runtime) == [(date(2027, 6, 30), AssuranceOutcome.PASS, "Submitted", "29:1-olive")]


def test_the_reminder_card_s_form_records_against_its_occurrence(runtime):
    ws, oid = loaded(runtime)
    item = AssuranceDue(
        workspace_id=ws.id,
        team_id=TEAM,
        platform="teams",
        timezone="Europe/London",
        obligation_id=oid,
        code="PSN",
        name="Annual PSN submission",
        evidence="The compliance certificate",
        occurrence=date(2027, 6, 30),
        user_id="29:1-olive",
        due_at=NOW,
    )
    card = assurance_card(item)
    check(card)
    data = {**card["actions"][0]["data"], "outcome": "fail", "note": "Late", "url": ""}
    assert data["action"] == ACTION_ASSURANCE_RECORD
    assert "Only the obligation's owner" in str(handle_submit(runtime, ws, DAN, data, NOW).card_error)
    assert "Recorded fail" in str(handle_submit(runtime, ws, OLIVE, data, NOW).card)
    assert recorded(runtime) == [(date(2027, 6, 30), AssuranceOutcome.FAIL, "Late", "29:1-olive")]
