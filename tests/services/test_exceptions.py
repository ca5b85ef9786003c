"""Exceptions first: each kind with its why, their order, none, the same from a digest or without, a fixed
number of statements, and a sign-off that time passing does not break."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.services import digest as digest_service
from bot.services import exceptions, people, strategy
from bot.services.exceptions import ExceptionKind as K
from bot.services.paper import signoff
from models import (
    ActionItem,
    AssuranceObligation,
    AssuranceOutcome,
    AssuranceResult,
    ItemStatus,
    Meeting,
    MeetingStatus,
    ProjectStatus,
    Rag,
    RaidItem,
    RaidKind,
)
from tests.conftest import ADMIN, DELEGATE, OWNER
from tests.services.test_digest import add, post, set_status, unit

TEAM = "T0EXCEPT"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MEETING = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)  # the last meeting held: the period starts there
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # today is 25 Nov 2026 in London
TZ = "Europe/London"
NOTE = "Scan *failed* on <!channel> [2 hosts](http://x) `x`"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def meeting(session: Any, ws: Any, at: datetime = MEETING) -> Meeting:
    row = Meeting(workspace_id=ws.id, occurrence=at.date(), starts_at=at, status=MeetingStatus.SCHEDULED, updated_at=T0)
    session.add(row)
    session.flush()
    return row


def risk(session, ws, owner, likelihood, impact, review_on, *, status=ItemStatus.OPEN, kind=RaidKind.RISK, text="Risk"):
    row = RaidItem(
        workspace_id=ws.id,
        kind=kind,
        priority_id=strategy.active(session, ws).priorities[0].id,
        text=text,
        owner_user_id=owner,
        likelihood=likelihood if kind is RaidKind.RISK else None,
        impact=impact if kind is RaidKind.RISK else None,
        review_on=review_on,
        status=status,
        raised_by=ADMIN,
        raised_at=T0,
    )
    session.add(row)
    session.flush()
    return row


def action(session, ws, meeting_id, owner, due_on, *, status=ItemStatus.OPEN, text="Action"):
    row = ActionItem(
        workspace_id=ws.id,
        meeting_id=meeting_id,
        owner_user_id=owner,
        due_on=due_on,
        text=text,
        status=status,
        given_by=ADMIN,
        given_at=T0,
    )
    session.add(row)
    session.flush()
    return row


def obligation(session, ws, code, name, *, rrule="", start_on=None, due_on=None, loaded_at=T0):
    gov = next(p for p in strategy.active(session, ws).priorities if p.code == "GOV")
    row = AssuranceObligation(
        workspace_id=ws.id,
        code=code,
        name=name,
        owner_user_id=ADMIN,
        priority_id=gov.id,
        rrule=rrule,
        start_on=start_on,
        due_on=due_on,
        evidence="",
        remind_days=5,
        loaded_at=loaded_at,
    )
    session.add(row)
    session.flush()
    return row


def result(session, ws, ob, day, outcome, note="", at=None):
    session.add(
        AssuranceResult(
            workspace_id=ws.id,
            obligation_id=ob.id,
            occurrence=day,
            outcome=outcome,
            note=note,
            evidence_url="",
            recorded_by=ADMIN,
            recorded_at=at or datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        )
    )
    session.flush()


@pytest.fixture
def registers(runtime, clock):
    """One exception of every kind, and rows beside each that are not exceptions."""
    clock.now = T0
    with unit(runtime, TEAM) as (session, ws):
        people.record(session, ws, [people.Entry(OWNER, "Olive Owner"), people.Entry(ADMIN, "Ada Admin")], now=T0)
        held = meeting(session, ws)
        add(session, ws, "RED-01", "Network <@U1> *refresh*", "ARCH", OWNER, T0)
        post(session, ws, "RED-01", Rag.AMBER, "Slipping", utc(2026, 10, 1, 9))
        post(session, ws, "RED-01", Rag.RED, "Supplier gone", utc(2026, 11, 4, 9))
        add(session, ws, "RED-02", "Telephony", "SD", DELEGATE, T0)
        post(session, ws, "RED-02", Rag.GREEN, "Fine", utc(2026, 6, 1, 9))
        post(session, ws, "RED-02", Rag.RED, "Not fine", utc(2026, 9, 1, 9))
        post(session, ws, "RED-02", Rag.RED, "Still not", utc(2026, 11, 1, 9))
        add(session, ws, "WORSE-01", "Portal", "SD", OWNER, T0)
        post(session, ws, "WORSE-01", Rag.GREEN, "Fine", utc(2026, 10, 1, 9))
        post(session, ws, "WORSE-01", Rag.AMBER, "Less fine", utc(2026, 11, 10, 9))
        late = add(session, ws, "LATE-01", "GIS upgrade", "ARCH", OWNER, T0)
        late.target_date = date(2026, 10, 31)
        post(session, ws, "LATE-01", Rag.GREEN, "Nearly", utc(2026, 11, 2, 9))
        add(session, ws, "OK-01", "On track", "ARCH", OWNER, T0)
        post(session, ws, "OK-01", Rag.GREEN, "Fine", utc(2026, 11, 2, 9))
        done = add(session, ws, "DONE-01", "Finished red", "ARCH", OWNER, T0)
        post(session, ws, "DONE-01", Rag.RED, "Ended badly", utc(2026, 11, 2, 9))
        set_status(session, ws, "DONE-01", ProjectStatus.COMPLETE, utc(2026, 11, 3, 9))
        done.target_date = date(2026, 1, 1)

        risk(session, ws, OWNER, 4, 5, date(2027, 1, 1), text="Supplier <b>failure</b>")
        risk(session, ws, DELEGATE, 2, 2, date(2026, 11, 1), text="Licences")
        risk(session, ws, ADMIN, 5, 3, date(2026, 11, 20), text="Data centre")
        risk(session, ws, ADMIN, 5, 5, date(2026, 1, 1), status=ItemStatus.CLOSED, text="Closed")
        risk(session, ws, ADMIN, 1, 1, date(2026, 11, 25), text="Review today: not yet late")
        risk(session, ws, ADMIN, None, None, date(2026, 1, 1), kind=RaidKind.ISSUE, text="An issue")

        action(session, ws, held.id, OWNER, date(2026, 11, 20), text="Chase the supplier")
        action(session, ws, held.id, OWNER, date(2026, 11, 24), text="Write it up")
        action(session, ws, held.id, OWNER, date(2026, 11, 25), text="Due today: not late")
        action(session, ws, held.id, OWNER, date(2026, 11, 1), status=ItemStatus.CLOSED, text="Done")

        pci = obligation(
            session, ws, "PCI-Q", "PCI DSS scans", rrule="FREQ=MONTHLY;INTERVAL=3", start_on=date(2026, 2, 21)
        )
        for day in (date(2026, 2, 21), date(2026, 5, 21), date(2026, 8, 21)):
            result(session, ws, pci, day, AssuranceOutcome.PASS)
        result(session, ws, pci, date(2026, 11, 21), AssuranceOutcome.PASS, at=utc(2026, 11, 21, 9))
        result(session, ws, pci, date(2026, 11, 21), AssuranceOutcome.FAIL, note=NOTE, at=utc(2026, 11, 21, 10))
        obligation(session, ws, "PSN", "PSN submission", due_on=date(2026, 11, 1))
        obligation(session, ws, "AUD", "Audit before load", due_on=date(2026, 3, 1), loaded_at=utc(2026, 6, 1))
        obligation(session, ws, "NEXT", "Not due yet", due_on=date(2026, 11, 25))
    return runtime


EXPECTED = [
    (K.RED, "RED-01", "Olive Owner", "Amber → Red since 4 Nov 2026"),
    (K.RED, "RED-02", DELEGATE, "Red since 1 Sep 2026"),  # no name in the directory: the id
    (K.WORSENED, "WORSE-01", "Olive Owner", "Green → Amber"),
    (K.PAST_TARGET, "LATE-01", "Olive Owner", "Target 31 Oct 2026 passed"),
]


def _risk_and_on(found):
    rest = [(e.kind, e.ref[0], e.owner_name, e.why) for e in found[len(EXPECTED) :]]
    return rest


def check(found: list[exceptions.ExceptionEntry], *, red_since: str = "1 Sep 2026") -> None:
    """``red_since``: a digest knows its period's updates only, so RED-02, red since before the period,
    is "Red since before" the period's start; read without one, since when exactly."""
    expected = [(k, ref, who, "Red since " + red_since if ref == "RED-02" else why) for k, ref, who, why in EXPECTED]
    assert [(e.kind, e.ref, e.owner_name, e.why) for e in found[:4]] == expected
    assert _risk_and_on(found) == [
        (K.HIGH_RISK, "R", "Olive Owner", "Score 20 (L4 × I5)"),
        (K.HIGH_RISK, "R", "Ada Admin", "Score 15 (L5 × I3); review due 20 Nov 2026"),
        (K.RISK_REVIEW, "R", DELEGATE, "Review due 1 Nov 2026"),
        (K.OVERDUE_ACTION, "A", "Olive Owner", "Due 20 Nov 2026, 5 days overdue"),
        (K.OVERDUE_ACTION, "A", "Olive Owner", "Due 24 Nov 2026, 1 day overdue"),
        (K.ASSURANCE_FAILED, "P", "Ada Admin", f"Failed (due 21 Nov 2026): {NOTE}"),
        (K.ASSURANCE_OVERDUE, "P", "Ada Admin", "Due 1 Nov 2026, 24 days overdue, no result"),
    ]
    by_why = {e.why: e for e in found}
    assert by_why["Score 20 (L4 × I5)"].title == "Supplier <b>failure</b>"  # typed text as it is
    assert by_why["Due 20 Nov 2026, 5 days overdue"].title == "Chase the supplier"
    assert by_why[f"Failed (due 21 Nov 2026): {NOTE}"].ref == "PCI-Q"
    assert by_why["Amber → Red since 4 Nov 2026"].title == "Network <@U1> *refresh*"
    refs = [e.ref for e in found if e.kind is K.HIGH_RISK]
    assert refs == sorted(refs, key=lambda r: int(r[1:]))  # R3 before R12: by number


def test_every_kind_with_its_owner_and_why_from_a_digest(registers):
    with unit(registers, TEAM) as (session, ws):
        built = digest_service.build(session, ws, start=MEETING, end=NOW, now=NOW, default_timezone=TZ)
        found = exceptions.current(session, ws, now=NOW, default_timezone=TZ, digest=built)
    check(found, red_since="before 15 Oct 2026")
    assert list(built.exceptions) == found  # every digest carries them
    assert [e.kind for e in found] == sorted((e.kind for e in found), key=list(K).index)


def test_without_a_digest_the_same_worsened_since_the_last_meeting(registers):
    with unit(registers, TEAM) as (session, ws):
        check(exceptions.current(session, ws, now=NOW, default_timezone=TZ))


def test_none_is_an_empty_list_and_the_digest_says_so(runtime, clock):
    from bot.render.digest import render_digest

    clock.now = T0
    with unit(runtime, "T0QUIET") as (session, ws):
        add(session, ws, "OK-01", "On track", "ARCH", OWNER, T0)
        post(session, ws, "OK-01", Rag.GREEN, "Fine", utc(2026, 11, 2, 9))
        assert exceptions.current(session, ws, now=NOW, default_timezone=TZ) == []
        built = digest_service.build(session, ws, start=None, end=NOW, now=NOW, default_timezone=TZ)
    md = render_digest(built, "md")
    assert md.index("## Exceptions") < md.index("No exceptions.") < md.index("**")


def test_an_occurrence_older_than_a_year_is_not_chased(runtime, clock):
    clock.now = T0
    with unit(runtime, "T0OLD") as (session, ws):
        obligation(session, ws, "OLD", "Long ago", due_on=date(2025, 11, 1), loaded_at=utc(2025, 1, 1))
        obligation(session, ws, "RECENT", "Within the year", due_on=date(2025, 12, 1), loaded_at=utc(2025, 1, 1))
        found = exceptions.current(session, ws, now=NOW, default_timezone=TZ)
    assert [e.ref for e in found] == ["RECENT"]


# -- a fixed number of statements ------------------------------------------------------------------


def seed(runtime, team: str, n: int) -> None:
    with unit(runtime, team) as (session, ws):
        held = meeting(session, ws)
        for i in range(n):
            ref = f"P-{i:03d}"
            add(session, ws, ref, f"Project {i}", "ARCH", OWNER, T0)
            post(session, ws, ref, Rag.AMBER, "Before", utc(2026, 9, 1, 9))
            post(session, ws, ref, Rag.RED, "After", utc(2026, 11, 1, 9))
            risk(session, ws, f"U{i}", 5, 5, date(2026, 11, 1))
            action(session, ws, held.id, f"U{i}", date(2026, 11, 1))
            ob = obligation(session, ws, f"OB-{i}", f"Obligation {i}", rrule="FREQ=MONTHLY", start_on=date(2026, 1, 3))
            result(session, ws, ob, date(2026, 10, 3), AssuranceOutcome.FAIL)


PER_ROW = 1 + 1 + 1 + 10


def statements(runtime, team: str, with_digest: bool) -> tuple[int, int]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with runtime.sessions() as session:
        from bot.services import workspaces

        ws = workspaces.find(session, team)
        built = (
            digest_service.build(session, ws, start=MEETING, end=NOW, now=NOW, default_timezone=TZ)
            if with_digest
            else None
        )
        event.listen(runtime.engine, "before_cursor_execute", count)
        try:
            found = exceptions.current(session, ws, now=NOW, default_timezone=TZ, digest=built)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", count)
    return len(seen), len(found)


@pytest.mark.parametrize("with_digest", [True, False], ids=["digest", "alone"])
def test_the_number_of_statements_does_not_grow_with_the_rows(runtime, clock, with_digest):
    clock.now = T0
    seed(runtime, "T0FEW", 2)
    seed(runtime, "T0MANY", 30)
    few, few_found = statements(runtime, "T0FEW", with_digest)
    many, many_found = statements(runtime, "T0MANY", with_digest)
    # red since; risks; actions; obligations and their results; names. Alone, also: the time zone, the
    # last meeting (and its time zone), the projects.
    assert few == many == (5 if with_digest else 10)
    # each project red, each risk (high and past review: one entry), each action overdue, each obligation
    # failed in October and overdue without a result in February to September and November (3 January's
    # is before it was loaded, on 5 January)
    assert (few_found, many_found) == (2 * PER_ROW, 30 * PER_ROW)


# -- the sign-off does not change as days pass -----------------------------------------------------


def test_the_sign_off_fingerprint_ignores_the_exceptions_which_change_as_days_pass(registers):
    end = utc(2026, 11, 20, 9)
    with unit(registers, TEAM) as (session, ws):
        then = digest_service.build(session, ws, start=MEETING, end=end, now=NOW, default_timezone=TZ)
        later = digest_service.build(
            session, ws, start=MEETING, end=end, now=NOW + timedelta(days=3), default_timezone=TZ
        )
    assert then.exceptions != later.exceptions  # "5 days overdue" became "8 days overdue"; more are overdue
    assert signoff.fingerprint(then, {}) == signoff.fingerprint(later, {})


# -- every format opens with them; the report's assurance paragraph --------------------------------


@pytest.fixture
def rendered(registers):
    with unit(registers, TEAM) as (session, ws):
        built = digest_service.build(session, ws, start=utc(2026, 1, 1), end=NOW, now=NOW, default_timezone=TZ)
    return built


PCI = "PCI DSS scans (PCI-Q) passed three of the four quarterly tests (failed 21 Nov 2026)."
PSN = "PSN submission (PSN) has no result recorded for its test, due 1 Nov 2026."


def test_markdown_and_html_open_with_the_exceptions_typed_text_literal(rendered):
    from bot.render.digest import render_digest, render_report
    from bot.render.jinja import escape_md_line

    for md in (render_digest(rendered, "md"), render_report(rendered, "md")):
        summary = "Period:" if "Period:" in md else "## SUMMARY REPORT"
        assert md.index("## Exceptions") < md.index("**Red projects**") < md.index(summary)
        title = escape_md_line("Network <@U1> *refresh*")
        assert f"- **RED-01** {title} — Olive Owner: Red since 4 Nov 2026" in md
        assert escape_md_line(f"Failed (due 21 Nov 2026): {NOTE}") in md
    for html in (render_digest(rendered, "html"), render_report(rendered, "html")):
        assert html.index('<section class="exceptions">') < html.index("<h3>Red projects</h3>")
        assert "Network &lt;@U1&gt; *refresh*" in html and "<@U1>" not in html
    report = render_report(rendered, "md")
    governance = report[report.index("### ICT Governance") :]
    governance = governance[: governance.index("\n### ", 1)]
    assert f"{PCI} {PSN}" in governance.replace("\\", "")
    html = render_report(rendered, "html")
    assert '<p class="para assurance">' in html and PCI in html


def test_json_carries_the_exceptions_and_their_owners_names(rendered):
    import json

    from bot.render.digest import to_json

    doc = json.loads(to_json(rendered, people={OWNER: "Olive Owner"}))
    first = doc["exceptions"][0]
    assert first == {
        "kind": "red",
        "ref": "RED-01",
        "title": "Network <@U1> *refresh*",
        "owner_user_id": OWNER,
        "owner_name": "Olive Owner",
        "why": "Red since 4 Nov 2026",
    }
    assert doc["people"][OWNER] == "Olive Owner"
    gov = next(g for g in doc["priorities"] if g["code"] == "GOV")
    assert [t["code"] for t in gov["assurance"]] == ["NEXT", "PCI-Q", "PSN"]


def test_the_word_report_opens_with_the_exceptions(rendered, tmp_path):
    import docx

    from bot.render.docx_report import write_report_docx

    target = tmp_path / "report.docx"
    write_report_docx(rendered, target, chart_png=None)
    paragraphs = [(p.style.name if p.style else "", p.text) for p in docx.Document(str(target)).paragraphs]
    headings = [t for s, t in paragraphs if s.startswith("Heading")]
    assert headings[:4] == [  # no RAG before January: none worse
        "Exceptions",
        "Red projects",
        "Projects past their target date",
        "High risks",
    ]
    assert headings.index("Overdue assurance") < headings.index("SUMMARY REPORT")
    bullets = [t for s, t in paragraphs if s == "List Bullet"]
    assert bullets[0] == "RED-01 Network <@U1> *refresh* — Olive Owner: Red since 4 Nov 2026"
    assert f"PCI-Q PCI DSS scans — Ada Admin: Failed (due 21 Nov 2026): {NOTE}" in bullets
    assert any(PCI in t and PSN in t for _, t in paragraphs)
