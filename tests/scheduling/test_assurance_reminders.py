"""Assurance reminders: the owner is reminded ``remind_days`` working days before each due date, at the
series' last stage time, exactly once per occurrence, however many reconcilers and passes; an occurrence
that already has a result is not reminded, and a DM carries the Record result button."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import meetings
from bot.services.assurance import loader, results
from handlers.slack.client import web_client
from handlers.slack.delivery.assurance import RECORD_RESULT_ACTION, SlackAssuranceDelivery
from handlers.slack.delivery.reminders import SlackDelivery
from models.registers import AssuranceReminder
from models.scheduling import ReminderStatus
from tests.conftest import BOT_TOKEN, OWNER
from tests.helpers import race

LOADED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Due Friday 15 January 2027; 5 working days before is Friday 8 January, at the default stage time 09:30.
FILE = """obligations:
  - code: SCAN
    name: Quarterly scan
    owner: {owner}
    priority: GOV
    due: 2027-01-15
    evidence: The ASV report
"""
BEFORE = datetime(2027, 1, 8, 9, 29, tzinfo=UTC)
AT = datetime(2027, 1, 8, 9, 30, tzinfo=UTC)


def loaded(runtime, team, clock):
    clock.now = LOADED
    with runtime.unit(team) as (session, ws):
        meetings.materialise(session, ws, now=LOADED, default_timezone="Europe/London")
        loader.load(session, ws, FILE.format(owner=OWNER), LOADED)


def counting():
    sent = []

    def remind(item):
        sent.append((item.code, item.occurrence, item.user_id))
        return Outcome(channel_id="D0", message_ts="1.0")

    return sent, remind


def reconciler(runtime, remind, holder):
    return Reconciler(
        runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder=holder, remind_assurance=remind
    )


def rows(runtime):
    with runtime.sessions() as session:
        return [(r.occurrence.isoformat(), r.user_id, r.status) for r in session.scalars(select(AssuranceReminder))]


def test_the_owner_is_reminded_once_five_working_days_before_however_many_passes_and_reconcilers(runtime, clock):
    loaded(runtime, "T0COUNCIL", clock)
    sent, remind = counting()
    first, second = reconciler(runtime, remind, "a"), reconciler(runtime, remind, "b")
    clock.now = BEFORE
    first.tick(BEFORE)
    assert sent == []
    clock.now = AT
    race(2, lambda i: (first, second)[i].tick(AT))
    for later in (AT, datetime(2027, 1, 11, 9, 30, tzinfo=UTC), datetime(2027, 1, 15, 8, 0, tzinfo=UTC)):
        clock.now = later
        first.tick(later)
        second.tick(later)
    assert sent == [("SCAN", datetime(2027, 1, 15).date(), OWNER)]
    assert rows(runtime) == [("2027-01-15", OWNER, ReminderStatus.SENT)]


def test_an_occurrence_with_a_result_is_not_reminded(runtime, clock):
    loaded(runtime, "T0COUNCIL", clock)
    with runtime.unit("T0COUNCIL") as (session, ws):
        results.record(session, ws, "SCAN", "pass", "Done early", "", OWNER, datetime(2027, 1, 4, tzinfo=UTC))
    sent, remind = counting()
    clock.now = AT
    reconciler(runtime, remind, "a").tick(AT)
    assert sent == []
    assert rows(runtime) == []


def test_without_the_port_nothing_is_claimed(runtime, clock):
    loaded(runtime, "T0COUNCIL", clock)
    clock.now = AT
    Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="a").tick(AT)
    assert rows(runtime) == []


def test_the_slack_dm_names_the_obligation_and_carries_the_record_result_button(runtime, standin, clock):
    loaded(runtime, standin.team_id, clock)
    delivery = SlackAssuranceDelivery(SlackDelivery(web_client(BOT_TOKEN, standin.api_url)))
    clock.now = AT
    report = reconciler(runtime, delivery, "a").tick(AT)
    assert [o.error for _, o in report.assurance_outcomes] == [None]
    posted = [c for c in standin.calls if c.method == "chat.postMessage"]
    assert len(posted) == 1
    body = json.dumps(posted[0].params)
    assert "Quarterly scan" in body and "The ASV report" in body and RECORD_RESULT_ACTION in body
    assert posted[0].params["metadata"]["event_type"] == "ictbot_assurance_reminder"
