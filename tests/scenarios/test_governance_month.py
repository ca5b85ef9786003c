"""One month of the governance group, in chat: after the November meeting the chair records two decisions
and three actions, an officer raises a high risk and reports a project red, one action goes overdue, and
the PCI DSS scan is recorded as failed. The pre-meeting pass before December's meeting chases the overdue
action's owner once (two reconcilers, several passes); the digest, the Markdown digest and the committee
report open with those four exceptions; the minutes of November's meeting list the decisions and actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import docx
from sqlalchemy import select

from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, roles
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import Role
from models.registers import ActionItem
from models.scheduling import Reminder, ReminderStatus
from tests.cli.conftest import Ictbot
from tests.conftest import ADMIN, BOT_TOKEN
from tests.helpers import last_reply, race, shown

CHAIR, ARCHITECT, SECURITY = "U0CHAIR", "U0ARCH", "U0SEC"
GOVERNANCE_CHANNEL = "C0GOVERN"
ASSURANCE = """obligations:
  - code: PCI-ASV
    name: PCI DSS quarterly external scan
    owner: ict.security@example.gov.uk
    priority: GOV
    rrule: FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1
    start: 2026-11-30
    evidence: The Approved Scanning Vendor's scan report
"""
# November's meeting is on Tuesday 10 November at 10:00 (the second Tuesday); December's on Tuesday 8
# December, whose first reminder stage is five working days before: Tuesday 1 December at 09:30.
FIRST_STAGE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def at(clock, *when: int) -> None:
    clock.now = datetime(*when, tzinfo=UTC)


def said(standin) -> str:
    return shown(last_reply(standin))


def test_a_month_of_governance_ends_in_one_chase_four_exceptions_and_the_minutes(
    slack, standin, runtime, clock, db_url, tmp_path
):
    standin.add_user(CHAIR, name="Dawn Hall")
    standin.add_user(ARCHITECT, name="Ann Archer")
    standin.add_user(SECURITY, name="Sam Secure", email="ict.security@example.gov.uk")
    ictbot = Ictbot(db_url, clock)
    team = standin.team_id

    # Early November: the Work Plan, the chair, the calendar and its channel, the assurance calendar.
    at(clock, 2026, 11, 2, 9)
    slack.command("/ict-project", f"add NET-01 ARCH <@{ARCHITECT}> Council network refresh", user_id=ADMIN)
    slack.command("/ict-project", f"add PCI-01 GOV <@{SECURITY}> PCI DSS compliance", user_id=ADMIN)
    with runtime.unit(team) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
        meetings.materialise(session, ws, now=runtime.now(), default_timezone="Europe/London")
        meetings.set_channel(session, ws, GOVERNANCE_CHANNEL, now=runtime.now(), by=ADMIN, default_timezone="UTC")
    assert ictbot.with_slack(standin)("people", "refresh", "--team", team).exit_code == 0
    file = tmp_path / "assurance.yaml"
    file.write_text(ASSURANCE)
    loaded = ictbot("assurance", "load", str(file), "--team", team)
    assert loaded.exit_code == 0, loaded.stderr

    # The day after November's meeting: the chair's two decisions and three actions go to that meeting.
    at(clock, 2026, 11, 11, 14)
    slack.command("/ict-decision", "Approve the network refresh budget | project NET-01", user_id=CHAIR)
    assert "Recorded *D" in said(standin) and "meeting of 10 Nov 2026" in said(standin)
    slack.command("/ict-decision", "Adopt the PCI DSS remediation approach", user_id=CHAIR)
    given = [
        (SECURITY, "2026-11-20", "Send the PCI DSS remediation plan"),
        (ARCHITECT, "2026-11-27", "Book the disaster recovery test"),
        (ARCHITECT, "2027-01-15", "Circulate the network design | project NET-01"),
    ]
    for owner, due, text in given:
        slack.command("/ict-action", f"add <@{owner}> {due} {text}", user_id=CHAIR)
        assert "A" in said(standin), said(standin)
    with runtime.sessions() as session:
        ids = {a.text: a.id for a in session.scalars(select(ActionItem))}
    plan, dr_test = ids["Send the PCI DSS remediation plan"], ids["Book the disaster recovery test"]

    # An officer raises a high risk and reports the project red; the security officer updates his project.
    at(clock, 2026, 11, 12, 10)
    slack.command("/ict-risk", "add NET-01 4 5 Core switch out of support", user_id=ARCHITECT)
    risk = re.search(r"R(\d+)", said(standin))
    assert risk is not None, said(standin)
    slack.command("/ict-update", "NET-01 red Core switch failed twice; a replacement is on order", user_id=ARCHITECT)
    slack.command("/ict-update", "PCI-01 amber Remediating the scan's findings", user_id=SECURITY)

    # The scan fails; the DR test is booked, but the remediation plan is never sent (due 20 November).
    at(clock, 2026, 11, 23, 11)
    slack.command("/ict-assurance", "record PCI-ASV fail Two high findings on the web server", user_id=SECURITY)
    assert "fail" in said(standin).lower(), said(standin)
    at(clock, 2026, 11, 25, 16)
    slack.command("/ict-action", f"done A{dr_test} Booked for 14 January", user_id=ARCHITECT)

    # December's first stage: two reconcilers, three passes each; the overdue action's owner is chased once.
    delivery = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    first, second = (Reconciler(runtime, delivery, holder=h, workers=2) for h in ("a", "b"))
    standin.clear()
    clock.now = FIRST_STAGE
    race(2, lambda i: (first, second)[i].tick(FIRST_STAGE))
    for r in (first, second):
        r.tick(FIRST_STAGE)
    to_security = [
        c for c in standin.calls if c.method == "chat.postMessage" and c.params["channel"] == f"D{SECURITY[1:]}"
    ]
    assert len(to_security) == 1
    assert "Send the PCI DSS remediation plan" in str(to_security[0].params["blocks"])
    with runtime.sessions() as session:
        chased = session.scalars(select(Reminder).where(Reminder.user_id == SECURITY)).all()
    assert [(r.stage, r.status, r.project_refs) for r in chased] == [("5d@0930", ReminderStatus.SENT, f"A{plan}")]

    # The digest opens with the four exceptions, in the section's order.
    exceptions = ["NET-01", f"R{risk.group(1)}", f"A{plan}", "PCI-ASV"]
    at(clock, 2026, 12, 1, 10)
    standin.clear()
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=GOVERNANCE_CHANNEL)
    posted = [c.params for c in standin.calls if c.method == "chat.postMessage"]
    summary = shown(posted[0])
    assert summary.index("Exceptions") < summary.index("Red projects") < summary.index("NET-01")
    assert _in_order(summary, exceptions)
    digest = ictbot("digest", "--format", "md", "--team", team)
    assert digest.exit_code == 0, digest.stderr
    headings = [line for line in digest.stdout.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Exceptions"
    section = digest.stdout.split("## Exceptions", 1)[1].split("\n## ", 1)[0]
    assert _in_order(section, exceptions)
    assert "Sam Secure" in section and "Ann Archer" in section

    # The committee report opens with them too.
    paper = tmp_path / "paper.docx"
    made = ictbot("report", "--from", "2026-06-01", "--to", "2026-12-01", "--team", team, "--output", str(paper))
    assert made.exit_code == 0, made.stderr
    document = docx.Document(str(paper))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    parts = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert parts[:2] == ["Exceptions", "SUMMARY REPORT"]
    opening = "\n".join(texts[texts.index("Exceptions") : texts.index("SUMMARY REPORT")])
    assert _in_order(opening, exceptions)

    # The minutes of November's meeting: the decisions, the actions given, the one closed, the risk raised.
    minutes = ictbot("minutes", "--format", "md", "--team", team)
    assert minutes.exit_code == 0, minutes.stderr
    record = minutes.stdout
    assert "meeting of Tue 10 Nov 2026" in record
    for text in ("Approve the network refresh budget", "Adopt the PCI DSS remediation approach"):
        assert text in record
    for text in (
        "Send the PCI DSS remediation plan",
        "Book the disaster recovery test",
        "Circulate the network design",
    ):
        assert text in record
    assert "20 Nov 2026" in record and "Sam Secure" in record
    assert "Booked for 14 January" in record  # the action closed since the meeting
    assert "Core switch out of support" in record
    assert _in_order(record, ["Exceptions", "PCI-ASV", "Decisions"])


def _in_order(text: str, words: list[str]) -> bool:
    """Whether each of ``words`` appears in ``text``, in that order."""
    found = [text.find(w) for w in words]
    return -1 not in found and found == sorted(found)
