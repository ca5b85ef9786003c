"""`risk …` and `issue …` on Teams, and the form card: the grammar Slack's commands use, answered as cards;
a refused form comes back filled in with its error and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.registers import raid
from handlers.teams import cards
from handlers.teams.messages import handle_submit, handle_text
from models import Workspace
from models.registers import ItemStatus, RaidItem, RaidKind, RaidRevision
from tests.helpers import count
from tests.teams.conftest import shows
from tests.teams.test_messages import CHAIR, CHAIR_ID, DELEGATE_ID, OWNER, OWNER_ID, STRANGER, TENANT, make_workspace

EVIL = "**bold** [link](https://evil.example) <at>Olive</at> {{DATE(2026-01-01)}}"


@pytest.fixture
def tenant(runtime):
    """A Teams tenant with the Work Plan of the Teams tests, and a chair."""
    return make_workspace(runtime, TENANT)[0]


def said(runtime, ws, user, text):
    return handle_text(runtime, ws, user, text, runtime.now())


def shown(reply) -> str:
    """What the person reads: the reply's text, its card's text (runs joined), the error on the card."""
    return "\n".join([reply.text or "", shows(reply.card) if reply.card else "", reply.card_error or ""])


def items(runtime) -> list[RaidItem]:
    with runtime.sessions() as s:
        rows = list(s.query(RaidItem).order_by(RaidItem.id))
        s.expunge_all()
        return rows


def test_a_risk_is_raised_listed_changed_and_closed_in_words(runtime, tenant):
    ws = tenant
    reply = said(runtime, ws, OWNER, f"risk add NET-01 4 5 {EVIL} | owner {DELEGATE_ID.upper()} | review 2027-01-31")
    (item,) = items(runtime)
    assert (item.owner_user_id, item.raised_by, item.text, item.review_on) == (
        DELEGATE_ID,
        OWNER_ID,
        EVIL,
        date(2027, 1, 31),
    )
    assert f"Raised R{item.id}" in shown(reply) and "L4 × I5 = 20" in shown(reply) and "high" in shown(reply)
    listed = shown(said(runtime, ws, STRANGER, "risk list high"))
    assert f"R{item.id}" in listed and EVIL in listed
    said(runtime, ws, OWNER, f"risk update R{item.id} 2 2 | review 2027-03-01")
    assert shown(said(runtime, ws, STRANGER, "risk list high")).count(f"R{item.id}") == 0
    refused = shown(said(runtime, ws, STRANGER, f"risk close R{item.id}"))
    assert "owner, whoever raised it" in refused
    said(runtime, ws, CHAIR, f"risk close R{item.id} done")
    assert items(runtime)[0].status == ItemStatus.CLOSED
    history = shown(said(runtime, ws, STRANGER, f"risk history R{item.id}"))
    assert "raised it" in history and "updated it" in history and "closed it" in history
    assert count(runtime, RaidRevision) == 3


def test_bad_words_are_refused_and_nothing_is_written(runtime, tenant):
    ws = tenant
    for typed, expect in (
        ("risk add NET-01 6 1 x", "likelihood is a whole number from 1 to 5"),
        ("risk add NET-01 1 1 x | owner @olive", "Teams user id"),
        ("risk add GOV 1 1 x", "Only the chair or an ICT admin"),
        ("issue add NOPE x", "is neither a project"),
        ("issue close I999", "There is no issue I999"),
        ("risk frob", "is not a risk command"),
    ):
        assert expect in shown(said(runtime, ws, OWNER, typed)), typed
    assert count(runtime, RaidItem) == 0


def test_add_alone_sends_the_form_and_its_submission_raises_one(runtime, tenant):
    ws = tenant
    reply = said(runtime, ws, CHAIR, "risk add")
    assert reply.card is not None and [e.get("id") for e in reply.card["body"] if e.get("id")] == [
        "target",
        "likelihood",
        "impact",
        "text",
        "owner",
        "review",
    ]
    data = {"action": cards.ACTION_RAID_SUBMIT, "kind": "risk", "target": "GOV", "likelihood": "L3", "impact": "I5"}
    refused = handle_submit(runtime, ws, CHAIR, {**data, "text": "", "review": "2027-02-30"}, runtime.now())
    assert "YYYY-MM-DD" in (refused.card_error or "") and refused.card is not None
    assert count(runtime, RaidItem) == 0
    done = handle_submit(runtime, ws, CHAIR, {**data, "text": "No quorum", "review": "2027-02-28"}, runtime.now())
    (item,) = items(runtime)
    assert (item.priority_id is not None, item.owner_user_id, item.likelihood, item.impact) == (True, CHAIR_ID, 3, 5)
    assert f"Raised R{item.id}" in shown(done)
    issue = {"action": cards.ACTION_RAID_SUBMIT, "kind": "issue", "target": "NET-01", "text": "Down", "owner": ""}
    handle_submit(runtime, ws, OWNER, issue, runtime.now())
    with runtime.sessions() as s:
        current = s.get_one(Workspace, ws.id)
        assert [v.kind for v in raid.open_items(s, current)] == [RaidKind.RISK, RaidKind.ISSUE]
