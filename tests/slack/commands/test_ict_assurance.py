"""`/ict-assurance` through the real Bolt app: the list with owners by name, `record` by the owner (a
stranger refused, a bad URL refused, nothing written), and the reminder's Record result button with its form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import people
from bot.services.assurance import loader
from handlers.slack.delivery.assurance import RECORD_RESULT_ACTION, record_value
from models import AssuranceObligation, AssuranceOutcome, AssuranceResult
from tests.conftest import OWNER, STRANGER
from tests.helpers import last_reply, opened_view, shown

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
FILE = """obligations:
  - code: PCI-ASV
    name: PCI DSS quarterly external scan
    owner: olive@example.gov.uk
    priority: GOV
    rrule: FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1
    start: 2026-03-31
  - code: IA-VSE
    name: Internal audit of the virtualised server estate
    owner: U0INFRA
    priority: ARCH
    due: 2027-02-26
"""


@pytest.fixture
def calendar(runtime, standin, clock):
    clock.now = NOW
    with runtime.unit(standin.team_id) as (session, ws):
        people.record(session, ws, [people.Entry(OWNER, "Olive Owner", email="olive@example.gov.uk")], now=NOW)
        loader.load(session, ws, FILE, NOW)


def results(runtime):
    with runtime.sessions() as session:
        return [
            (r.occurrence.isoformat(), r.outcome, r.note, r.evidence_url, r.recorded_by)
            for r in session.scalars(select(AssuranceResult).order_by(AssuranceResult.id))
        ]


def test_the_list_shows_each_obligation_with_its_owner_by_name_and_next_due(slack, standin, calendar):
    slack.command("/ict-assurance", "", user_id=STRANGER)
    text = shown(last_reply(standin))
    assert "*PCI-ASV* PCI DSS quarterly external scan — Olive Owner; next due Thu 31 Dec 2026" in text
    assert "*IA-VSE*" in text and "U0INFRA" in text and "no result yet" in text


def test_the_owner_records_a_result_with_a_note_and_evidence(slack, standin, runtime, calendar):
    slack.command("/ict-assurance", "record pci-asv fail Two findings | https://evidence.example/q3", user_id=OWNER)
    assert "Recorded *fail* for *PCI-ASV*" in shown(last_reply(standin))
    assert results(runtime) == [
        ("2026-09-30", AssuranceOutcome.FAIL, "Two findings", "https://evidence.example/q3", OWNER)
    ]
    slack.command("/ict-assurance", "", user_id=OWNER)
    assert ":x: failed" in shown(last_reply(standin))


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (STRANGER, "record PCI-ASV pass", "Only the obligation's owner, the chair or an ICT admin"),
        (OWNER, "record PCI-ASV pass | javascript:alert(1)", "is not a web address"),
        (OWNER, "record PCI-ASV passed", "is not a result"),
        (OWNER, "record NOPE pass", "There is no assurance obligation `NOPE`"),
    ],
)
def test_a_refused_record_writes_nothing(slack, standin, runtime, calendar, user, text, expected):
    slack.command("/ict-assurance", text, user_id=user)
    assert expected in shown(last_reply(standin))
    assert results(runtime) == []


def test_the_record_result_button_opens_the_form_and_records_against_the_reminder_s_occurrence(
    slack, standin, runtime, calendar
):
    with runtime.sessions() as session:
        oid = session.scalar(select(AssuranceObligation.id).where(AssuranceObligation.code == "PCI-ASV"))
    slack.button(RECORD_RESULT_ACTION, record_value(oid, "2026-12-31"), user_id=STRANGER)
    assert "Only the obligation's owner" in shown(last_reply(standin))
    assert standin.calls_to("views.open") == []
    slack.button(RECORD_RESULT_ACTION, record_value(oid, "2026-12-31"), user_id=OWNER)
    view = opened_view(standin)
    bad = slack.submit_view(view, {"outcome": "pass", "url": "ftp://x"}, user_id=OWNER)
    assert '"response_action":"errors"' in bad.body.replace(" ", "") and results(runtime) == []
    slack.button(RECORD_RESULT_ACTION, record_value(oid, "2026-12-31"), user_id=OWNER)
    filled = {"outcome": "partial", "note": "One site left", "url": "https://e.example/x"}
    slack.submit_view(opened_view(standin), filled, user_id=OWNER)
    assert results(runtime) == [("2026-12-31", AssuranceOutcome.PARTIAL, "One site left", "https://e.example/x", OWNER)]
