"""The digest service and its text renderings (Markdown, HTML, JSON, the committee report)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options as cmarkgfm_options
from markdown_it import MarkdownIt
from sqlalchemy import event

from bot.errors import DomainError, InvalidInput
from bot.render.digest import render_digest, render_report, to_json
from bot.render.jinja import escape_md
from bot.services import digest, meetings, updates, workspaces
from bot.services import projects as project_service
from bot.services import strategy as strategy_service
from bot.services.quickform import UpdateText
from models import Project, ProjectStatus, Rag, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER

TEAM = "T0COUNCIL"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
START = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)  # a meeting at 10:00 BST
END = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # a meeting at 10:00 GMT
DATA = Path(__file__).resolve().parents[2] / "bot" / "data"
EVIL = "<!channel> <@U123> <https://x|y> <script>alert(1)</script> *bold* [link](http://x)"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def unit(runtime: Any, team: str = TEAM) -> Iterator[tuple[Any, Any]]:
    with runtime.unit(team, team_name="Darlington") as (session, ws):
        yield session, ws


def add(session, ws, ref, title, priority, owner, when, delegates=(), status=ProjectStatus.ACTIVE):
    return project_service.add(
        session,
        ws,
        ref=ref,
        title=title,
        priority=priority,
        owner=owner,
        delegates=delegates,
        status=status,
        target_date=date(2027, 3, 31),
        now=when,
    )


def post(session, ws, ref, rag, progress, when, next_steps="", risks="", user=OWNER):
    project = project_service.get(session, ws, ref)
    text = UpdateText(rag=rag, progress=progress, next_steps=next_steps, risks=risks)
    return updates.post(
        session, ws, project, user_id=user, is_admin=True, text=text, source=UpdateSource.COMMAND, now=when
    )


def set_status(session, ws, ref, status, when):
    project_service.set_status(session, ws, ref, status, now=when, tz=ZoneInfo("Europe/London"))


@pytest.fixture
def plan(runtime, clock):
    """A Work Plan across the five priorities of the 2014–2016 strategy, with updates from January to December.

    The period under test is START (9 Jun 2026) to END (8 Dec 2026).
    """
    clock.now = T0
    with unit(runtime) as (session, ws):
        add(session, ws, "SD-01", "Self-service portal", "SD", OWNER, T0, delegates=[DELEGATE])
        add(session, ws, "SD-02", "ITIL process review", "SD", DELEGATE, T0)
        add(session, ws, "GOV-01", "PCI DSS quarterly tests", "GOV", ADMIN, T0)
        add(session, ws, "GOV-02", "PSN submission", "GOV", ADMIN, T0)
        add(session, ws, "NET-01", "Council network refresh", "ARCH", OWNER, T0, delegates=[DELEGATE])
        add(session, ws, "MOB-01", "Mobile carrier cut-across", "ARCH", OWNER, utc(2026, 7, 1, 12))
        add(session, ws, "GIS-01", "GIS upgrade", "ARCH", DELEGATE, T0, status=ProjectStatus.ON_HOLD)
        add(session, ws, "LATE-01", "Added after the period", "ARCH", OWNER, utc(2026, 12, 20, 12))
        add(session, ws, "EFORM-01", "E-forms for online services", "BD", DELEGATE, T0)
        add(session, ws, "OLD-01", "Document management", "BD", OWNER, T0)
        add(session, ws, "TRN-01", "Technical training programme", "WF", DELEGATE, T0)
        add(session, ws, "WF-02", "Induction e-learning", "WF", DELEGATE, T0)
        nop = add(session, ws, "NOP-01", "Telephony review", "SD", OWNER, T0)
        nop.priority_id = None

        post(session, ws, "SD-01", Rag.AMBER, "Design agreed", utc(2026, 4, 10, 9))
        post(session, ws, "SD-01", Rag.RED, "Supplier late", utc(2026, 9, 1, 9))
        sd = post(
            session,
            ws,
            "SD-01",
            Rag.GREEN,
            "Portal live for three services",
            utc(2026, 10, 1, 9),
            next_steps="Add council tax",
            risks="None known",
        )
        updates.correct(
            session,
            ws,
            updates.get(session, ws, sd.update_id),
            user_id=OWNER,
            is_admin=False,
            text=UpdateText(
                rag=Rag.GREEN,
                progress="Portal live for four services",
                next_steps="Add council tax",
                risks="None known",
            ),
            now=utc(2026, 10, 2, 9),
        )
        post(session, ws, "GOV-01", Rag.GREEN, "Q1 tests passed", utc(2026, 5, 20, 9), user=ADMIN)
        post(session, ws, "GOV-01", Rag.RED, EVIL, utc(2026, 11, 20, 9), next_steps=EVIL, risks=EVIL, user=ADMIN)
        post(session, ws, "GOV-02", Rag.GREEN, "Submitted to the Cabinet Office", utc(2026, 8, 1, 9), user=ADMIN)
        set_status(session, ws, "GOV-02", ProjectStatus.COMPLETE, utc(2026, 9, 15, 12))
        post(session, ws, "NET-01", Rag.GREEN, "All equipment refreshed", utc(2026, 3, 2, 9))
        post(session, ws, "NET-01", Rag.RED, "After the period", utc(2026, 12, 10, 9))
        post(session, ws, "MOB-01", Rag.AMBER, "Contract signed", utc(2026, 7, 15, 9))
        post(session, ws, "EFORM-01", Rag.GREEN, "Procurement done", utc(2026, 2, 1, 9), user=DELEGATE)
        post(session, ws, "EFORM-01", Rag.AMBER, "Paused pending budget", utc(2026, 10, 10, 9), user=DELEGATE)
        set_status(session, ws, "EFORM-01", ProjectStatus.CLOSED, utc(2026, 10, 11, 9))
        post(session, ws, "OLD-01", Rag.GREEN, "Done", utc(2026, 2, 20, 9))
        set_status(session, ws, "OLD-01", ProjectStatus.COMPLETE, utc(2026, 3, 1, 12))
        post(session, ws, "TRN-01", Rag.GREEN, "Courses booked", utc(2026, 5, 1, 9), user=DELEGATE)
        post(session, ws, "TRN-01", Rag.GREEN, "Courses run", utc(2026, 9, 20, 9), user=DELEGATE)
        # Completed on the day the period starts, before the 10:00 meeting: in the previous period.
        set_status(session, ws, "WF-02", ProjectStatus.COMPLETE, utc(2026, 6, 9, 8))
        post(session, ws, "NOP-01", Rag.AMBER, "Options appraisal", utc(2026, 8, 20, 9))
    return runtime


def build(runtime, start: datetime | None = START, end: datetime = END, team: str = TEAM) -> digest.Digest:
    with runtime.sessions() as session:
        ws = workspaces.find(session, team)
        assert ws is not None
        return digest.build(session, ws, start=start, end=end, now=end + timedelta(hours=1))


def by_ref(d: digest.Digest) -> dict[str, digest.ProjectEntry]:
    return {p.ref: p for p in d.projects}


# -- the structure ---------------------------------------------------------------------------------


def test_priorities_in_strategy_order_with_projects_grouped_and_none_dropped(plan):
    d = build(plan)
    assert d.workspace == "Darlington" and d.team_id == TEAM
    assert (d.strategy.name, d.strategy.period) == ("ICT Strategy 2014–2016", "2014–2016")
    assert [c for c, _ in d.strategy.priorities] == ["SD", "GOV", "ARCH", "BD", "WF"]
    assert (d.start, d.end, d.timezone) == (START, END, "Europe/London")
    assert [(g.kind, g.code, g.name, [p.ref for p in g.projects]) for g in d.priorities] == [
        (digest.GroupKind.PRIORITY, "SD", "ICT Service Development", ["SD-01", "SD-02"]),
        (digest.GroupKind.PRIORITY, "GOV", "ICT Governance", ["GOV-01", "GOV-02"]),
        (digest.GroupKind.PRIORITY, "ARCH", "ICT Strategic Architecture", ["GIS-01", "MOB-01", "NET-01"]),
        (digest.GroupKind.PRIORITY, "BD", "Business Development", ["EFORM-01"]),
        (digest.GroupKind.PRIORITY, "WF", "ICT Competent Workforce", ["TRN-01"]),
        (digest.GroupKind.NONE, None, "No priority", ["NOP-01"]),
    ]
    # LATE-01 did not exist at END; OLD-01 and WF-02 were completed before the period with no update in it.
    assert {"LATE-01", "OLD-01", "WF-02"}.isdisjoint(by_ref(d))


def test_counts_by_rag_and_status_per_priority(plan):
    groups = {g.name: g for g in build(plan).priorities}
    assert groups["ICT Service Development"].rag == digest.RagCounts(red=0, amber=0, green=1, none=1)
    assert groups["ICT Governance"].rag == digest.RagCounts(red=1, amber=0, green=1, none=0)
    assert groups["ICT Strategic Architecture"].rag == digest.RagCounts(red=0, amber=1, green=1, none=1)
    assert groups["ICT Governance"].status == digest.StatusCounts(active=1, complete=1)
    assert groups["ICT Strategic Architecture"].status == digest.StatusCounts(active=2, on_hold=1)
    assert groups["Business Development"].status == digest.StatusCounts(closed=1)
    assert groups["No priority"].rag == digest.RagCounts(amber=1)


def test_each_project_has_its_latest_update_in_the_period_rag_now_before_and_trend(plan):
    p = by_ref(build(plan))
    rows = {
        ref: (e.rag, e.previous_rag, e.trend, e.update.progress if e.update else None, e.missing)
        for ref, e in p.items()
    }
    assert rows == {
        "SD-01": (Rag.GREEN, Rag.AMBER, digest.Trend.IMPROVED, "Portal live for four services", False),
        "SD-02": (None, None, None, None, True),
        "GOV-01": (Rag.RED, Rag.GREEN, digest.Trend.WORSE, EVIL, False),
        "GOV-02": (Rag.GREEN, None, digest.Trend.NEW, "Submitted to the Cabinet Office", False),
        "NET-01": (Rag.GREEN, Rag.GREEN, digest.Trend.UNCHANGED, None, True),
        "MOB-01": (Rag.AMBER, None, digest.Trend.NEW, "Contract signed", False),
        "GIS-01": (None, None, None, None, False),
        "EFORM-01": (Rag.AMBER, Rag.GREEN, digest.Trend.WORSE, "Paused pending budget", False),
        "TRN-01": (Rag.GREEN, Rag.GREEN, digest.Trend.UNCHANGED, "Courses run", False),
        "NOP-01": (Rag.AMBER, None, digest.Trend.NEW, "Options appraisal", False),
    }
    sd = p["SD-01"]
    assert sd.update is not None
    assert (sd.update.revision, sd.update.author, sd.update.editor) == (2, OWNER, OWNER)
    assert (sd.update.next_steps, sd.update.risks) == ("Add council tax", "None known")
    assert sd.update.created_at == utc(2026, 10, 1, 9) == sd.last_updated_at
    assert (sd.owner, sd.delegates, sd.status) == (OWNER, (DELEGATE,), ProjectStatus.ACTIVE)
    assert (sd.target_date, sd.priority_code) == (date(2027, 3, 31), "SD")
    assert sd.days_since_update == (END - utc(2026, 10, 1, 9)).days == 68
    # The update NET-01 got after END changes nothing: its RAG and age are those at END.
    assert p["NET-01"].last_updated_at == utc(2026, 3, 2, 9) and p["NET-01"].days_since_update == 281
    assert p["SD-02"].last_updated_at is None and p["SD-02"].days_since_update is None
    # An update on a closed project is kept.
    assert p["EFORM-01"].status is ProjectStatus.CLOSED and p["EFORM-01"].update is not None
    assert p["NOP-01"].priority_code is None and p["NOP-01"].priority_name is None


def timeline(e: digest.ProjectEntry) -> list[tuple[datetime, Rag, str, int]]:
    return [(u.created_at, u.rag, u.progress, u.revision) for u in e.updates]


def test_each_project_has_every_update_in_the_period_oldest_first_as_corrected(plan):
    p = by_ref(build(plan))
    # SD-01: April's update is before the period; October's was corrected the next day.
    assert timeline(p["SD-01"]) == [
        (utc(2026, 9, 1, 9), Rag.RED, "Supplier late", 1),
        (utc(2026, 10, 1, 9), Rag.GREEN, "Portal live for four services", 2),
    ]
    assert p["SD-01"].update_count == 2 and p["SD-01"].updates[-1] == p["SD-01"].update
    assert [(u.author, u.editor, u.next_steps) for u in p["SD-01"].updates] == [
        (OWNER, OWNER, ""),
        (OWNER, OWNER, "Add council tax"),
    ]
    assert timeline(p["GOV-01"]) == [(utc(2026, 11, 20, 9), Rag.RED, EVIL, 1)]
    # NET-01's updates are before and after the period, none in it; SD-02 was never updated.
    assert p["NET-01"].updates == () and p["NET-01"].update_count == 0
    assert p["SD-02"].updates == ()
    # From the beginning, every update up to the end counts; NET-01's December update is after it.
    whole = by_ref(build(plan, start=None))
    assert [u.progress for u in whole["NET-01"].updates] == ["All equipment refreshed"]
    assert [u.progress for u in whole["SD-01"].updates] == [
        "Design agreed",
        "Supplier late",
        "Portal live for four services",
    ]


def test_updates_exactly_at_the_start_and_end_are_in_the_period_and_the_moments_beside_them_not(plan):
    with unit(plan) as (session, ws):
        add(session, ws, "EDGE-01", "Edge of the period", "SD", OWNER, T0)
        for when, text in (
            (START - timedelta(seconds=1), "Just before"),
            (START, "At the start"),
            (END, "At the end"),
            (END + timedelta(seconds=1), "Just after"),
        ):
            post(session, ws, "EDGE-01", Rag.GREEN, text, when)
    edge = by_ref(build(plan))["EDGE-01"]
    assert [u.progress for u in edge.updates] == ["At the start", "At the end"]
    assert edge.update is not None and edge.update.progress == "At the end"


def test_each_priority_has_its_own_completed_projects(plan):
    d = build(plan)
    assert {g.name: [p.ref for p in g.completed] for g in d.priorities if g.completed} == {"ICT Governance": ["GOV-02"]}
    # From the beginning: OLD-01 under Business Development, WF-02 under the Competent Workforce.
    whole = build(plan, start=None)
    assert {g.code: [p.ref for p in g.completed] for g in whole.priorities} == {
        "SD": [],
        "GOV": ["GOV-02"],
        "ARCH": [],
        "BD": ["OLD-01"],
        "WF": ["WF-02"],
        None: [],
    }
    assert [p for g in whole.priorities for p in g.completed] == list(whole.completed)


def test_missing_completed_started_and_the_headline(plan):
    d = build(plan)
    assert [p.ref for p in d.missing] == ["SD-02", "NET-01"]
    assert [(p.ref, p.completed_on) for p in d.completed] == [("GOV-02", date(2026, 9, 15))]
    assert [p.ref for p in d.started] == ["MOB-01"]
    assert d.totals == digest.Totals(
        projects=10,
        updated=7,
        missing=2,
        completed=1,
        started=1,
        improved=1,
        worse=2,
        rag=digest.RagCounts(red=1, amber=3, green=4, none=2),
        status=digest.StatusCounts(active=7, on_hold=1, complete=1, closed=1),
    )
    assert d.headline == (
        "1 project completed since the last report, 1 started; 7 of 10 updated in the period, 2 missing an update."
    )


def test_from_the_beginning_every_rag_is_new_and_the_headline_says_to_date(plan):
    d = build(plan, start=None)
    p = by_ref(d)
    assert {e.trend for e in p.values() if e.rag is not None} == {digest.Trend.NEW}
    assert p["NET-01"].update is not None and p["NET-01"].update.progress == "All equipment refreshed"
    assert [e.ref for e in d.completed] == ["GOV-02", "OLD-01", "WF-02"]
    # Every project added active in chat by END started when it was added; GIS-01, added on hold, never did.
    assert "GIS-01" in p and not p["GIS-01"].started_in_period
    assert d.headline.startswith("3 projects completed to date, 11 started;")


def totals(projects: int, updated: int, missing: int, completed: int = 0, started: int = 0) -> digest.Totals:
    return digest.Totals(
        projects=projects,
        updated=updated,
        missing=missing,
        completed=completed,
        started=started,
        improved=0,
        worse=0,
        rag=digest.RagCounts(),
        status=digest.StatusCounts(),
    )


@pytest.mark.parametrize(
    ("t", "since", "expected"),
    [
        (totals(0, 0, 0), True, "No projects in the ICT Work Plan in this period."),
        (totals(1, 1, 0), False, "No projects completed to date, none started; the one project updated in the period."),
        (
            totals(1, 0, 1, started=1),
            True,
            "No projects completed since the last report, 1 started; the one project not updated in the period.",
        ),
        (
            totals(2, 2, 0, completed=1),
            True,
            "1 project completed since the last report, none started; both updated in the period.",
        ),
        (
            totals(5, 5, 0, completed=2, started=3),
            False,
            "2 projects completed to date, 3 started; all 5 updated in the period.",
        ),
        (
            totals(5, 0, 4),
            True,
            "No projects completed since the last report, none started; none of 5 updated in the period, "
            "4 missing an update.",
        ),
    ],
)
def test_the_headline_reads_right_for_none_one_and_many(t, since, expected):
    assert digest.headline(t, since_last_report=since) == expected


def test_a_project_completed_after_the_period_counts_as_open_and_missing_in_it(plan):
    d = build(plan, start=utc(2026, 1, 1), end=utc(2026, 2, 10))
    p = by_ref(d)
    assert p["OLD-01"].status is ProjectStatus.COMPLETE and not p["OLD-01"].completed_in_period
    assert [e.ref for e in d.missing] == [
        "SD-01",
        "SD-02",
        "GOV-01",
        "GOV-02",
        "NET-01",
        "OLD-01",
        "TRN-01",
        "WF-02",
        "NOP-01",
    ]
    assert "MOB-01" not in p and d.completed == ()


# -- started means started -------------------------------------------------------------------------


def imported(runtime, rows: str, when: datetime, team: str = TEAM) -> None:
    """A Work Plan CSV (ref,title,priority,owner,status) imported at ``when``."""
    with unit(runtime, team) as (session, ws):
        text = "ref,title,priority,owner,status\n" + rows
        project_service.import_csv(session, ws, text, resolve_emails=None, now=when)


FIRST_PLAN = (
    "ACT-01,Under way already,SD,U0OWNER,active\n"
    "PLAN-01,Planned,SD,U0OWNER,planned\n"
    "HOLD-01,On hold,GOV,U0OWNER,on hold\n"
    "LATE-01,Started after the period,GOV,U0OWNER,planned\n"
)


def test_a_project_started_when_its_status_first_became_active_in_the_period(runtime, clock):
    clock.now = T0
    imported(runtime, FIRST_PLAN, T0)  # the first import, before the period
    with unit(runtime) as (session, ws):
        add(session, ws, "CHAT-01", "Added active in chat", "ARCH", OWNER, utc(2026, 7, 2, 9))
        add(session, ws, "CHAT-02", "Added planned in chat", "ARCH", OWNER, T0, status=ProjectStatus.PLANNED)
    # In the period: the planned projects made active, the active one paused and resumed, a new row arrives
    # active; after it, the last planned one made active.
    imported(
        runtime, "PLAN-01,Planned,SD,U0OWNER,active\nACT-01,Under way already,SD,U0OWNER,on hold\n", utc(2026, 7, 1)
    )
    imported(runtime, "HOLD-01,On hold,GOV,U0OWNER,active\nNEW-01,New and active,WF,U0OWNER,active\n", utc(2026, 8, 1))
    imported(
        runtime,
        "ACT-01,Under way already,SD,U0OWNER,active\nCHAT-02,Added planned in chat,ARCH,U0OWNER,active\n",
        utc(2026, 9, 1),
    )
    imported(runtime, "LATE-01,Started after the period,GOV,U0OWNER,active\n", utc(2026, 12, 20))

    d = build(runtime)

    assert [p.ref for p in d.started] == ["PLAN-01", "HOLD-01", "CHAT-01", "CHAT-02"]
    assert d.totals.started == 4 and ", 4 started;" in d.headline
    # LATE-01 started in the next period; ACT-01 had been active before it was paused, so it did not start again.
    after = build(runtime, start=END, end=utc(2027, 1, 5))
    assert [p.ref for p in after.started] == ["LATE-01"]


def test_a_reopened_project_does_not_start_again(plan):
    with unit(plan) as (session, ws):
        set_status(session, ws, "TRN-01", ProjectStatus.COMPLETE, utc(2026, 7, 1, 12))
        project_service.reopen(session, ws, "TRN-01", now=utc(2026, 7, 8, 12))
    d = build(plan)
    assert by_ref(d)["TRN-01"].status is ProjectStatus.ACTIVE
    assert [p.ref for p in d.started] == ["MOB-01"]


def test_on_first_use_an_imported_work_plan_has_not_started_in_the_period(runtime, clock):
    # Issue 14: "On first use it claims that 15 new projects started".
    clock.now = START
    rows = "".join(f"P-{i:02d},Project {i},SD,U0OWNER,active\n" for i in range(15))
    imported(runtime, rows, utc(2026, 11, 30, 14))
    d = build(runtime)
    assert (d.totals.projects, d.totals.started, d.started) == (15, 0, ())
    assert ", none started;" in d.headline


def test_a_strategy_refresh_mid_period_keeps_old_priorities_under_their_own_names(plan):
    refresh = utc(2026, 8, 1, 9)
    with unit(plan) as (session, ws):
        data = strategy_service.parse_yaml((DATA / "strategy_2009_2011.yaml").read_text(encoding="utf-8"))
        new = strategy_service.load(session, ws, data, now=refresh)
        add(session, ws, "CORE-01", "Data centre move", "CORE", OWNER, utc(2026, 8, 5, 9))
        post(session, ws, "CORE-01", Rag.GREEN, "Racks installed", utc(2026, 9, 1, 9))
        standards = strategy_service.find_priority(new, "STANDARDS")
        assert standards is not None
        trn = project_service.get(session, ws, "TRN-01")
        trn.priority_id = standards.id  # re-filed under the new strategy
    d = build(plan)
    assert d.strategy.name == "ICT Strategy 2009/11"
    assert [(g.kind.value, g.code, g.name, [p.ref for p in g.projects]) for g in d.priorities] == [
        ("priority", "CORE", "Robust core architecture", ["CORE-01"]),
        ("priority", "MOBILE", "Flexible and efficient mobile and office technologies", []),
        ("priority", "INFO", "Information management", []),
        ("priority", "GOV", "Governance framework", []),
        ("priority", "STANDARDS", "ICT standards and procedures", ["TRN-01"]),
        ("retired", "SD", "ICT Service Development", ["SD-01", "SD-02"]),
        ("retired", "GOV", "ICT Governance", ["GOV-01", "GOV-02"]),
        ("retired", "ARCH", "ICT Strategic Architecture", ["GIS-01", "MOB-01", "NET-01"]),
        ("retired", "BD", "Business Development", ["EFORM-01"]),
        ("none", None, "No priority", ["NOP-01"]),
    ]
    retired = d.priorities[5]
    assert retired.strategy == "ICT Strategy 2014–2016"
    assert retired.note == (
        "A priority of ICT Strategy 2014–2016, which ICT Strategy 2009/11 has replaced: "
        "these projects have not yet been moved to one of its priorities."
    )
    assert d.priorities[0].note == "" and d.priorities[1].rag == digest.RagCounts()
    assert (d.totals.projects, d.totals.updated, d.totals.started) == (11, 8, 2)
    report = render_report(d, "md")
    assert "### ICT Service Development" in report and retired.note.split(":")[0] in report


def test_the_default_period_runs_from_the_previous_meeting_to_now(plan, clock):
    now = utc(2026, 12, 1, 12)
    with unit(plan) as (session, ws):
        assert digest.default_period(session, ws, now) == (None, now)
        meetings.materialise(session, ws, now=utc(2026, 10, 1), default_timezone="Europe/London")
        # The second Tuesday of November 2026 is the 10th, 10:00 GMT.
        assert digest.default_period(session, ws, now) == (utc(2026, 11, 10, 10), now)


def test_a_period_that_ends_before_it_starts_is_refused(plan):
    with pytest.raises(DomainError, match="starts after it ends"):
        build(plan, start=END, end=START)


def test_another_workspace_is_never_read(plan, clock):
    with unit(plan, "T0OTHER") as (session, ws):
        add(session, ws, "X-01", "Elsewhere", "SD", OWNER, T0)
        post(session, ws, "X-01", Rag.RED, "Other council", utc(2026, 7, 1))
    assert "X-01" not in by_ref(build(plan))
    assert [p.ref for p in build(plan, team="T0OTHER").projects] == ["X-01"]


# -- a fixed number of SQL statements --------------------------------------------------------------


def seed_projects(runtime, team: str, n: int) -> None:
    with unit(runtime, team) as (session, ws):
        for i in range(n):
            ref = f"P-{i:03d}"
            add(session, ws, ref, f"Project {i}", ["SD", "GOV", "ARCH", "BD", "WF"][i % 5], OWNER, T0, [DELEGATE])
            if i % 4 == 0:
                continue  # no update at all
            post(session, ws, ref, Rag.AMBER, "Before", utc(2026, 3, 1) + timedelta(hours=i))
            if i % 3:
                up = post(session, ws, ref, Rag.GREEN, "In the period", utc(2026, 7, 1) + timedelta(hours=i))
                updates.correct(
                    session,
                    ws,
                    updates.get(session, ws, up.update_id),
                    user_id=OWNER,
                    is_admin=True,
                    text=UpdateText(rag=Rag.RED, progress="Corrected"),
                    now=utc(2026, 7, 2),
                )


def statements_to_build(runtime, team: str) -> tuple[int, digest.Digest]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with runtime.sessions() as session:
        ws = workspaces.find(session, team)
        event.listen(runtime.engine, "before_cursor_execute", count)
        try:
            d = digest.build(session, ws, start=START, end=END, now=END)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", count)
    return len(seen), d


def test_the_number_of_sql_statements_does_not_grow_with_the_projects(runtime, clock):
    clock.now = T0
    seed_projects(runtime, "T0SMALL", 5)
    seed_projects(runtime, "T0LARGE", 50)
    small, d5 = statements_to_build(runtime, "T0SMALL")
    large, d50 = statements_to_build(runtime, "T0LARGE")
    assert (d5.totals.projects, d50.totals.projects) == (5, 50)
    # The strategies with their priorities, the aims, the time zone, projects, delegates, the projects started
    # in the period (read from their history since "started" means "became active", not "created"), and every
    # update of the period (one statement for all projects: each project's timeline and count of updates); the
    # assurance obligations (none here: no results read), then the exceptions (tests/services/test_exceptions.py):
    # the risks, the actions, the obligations, the owners' names (since when a project is red: from the digest).
    assert small == large == 12
    entry = by_ref(d50)["P-001"]
    assert entry.update is not None and (entry.update.progress, entry.update.revision) == ("Corrected", 2)
    assert (entry.rag, entry.previous_rag, entry.trend) == (Rag.RED, Rag.AMBER, digest.Trend.WORSE)
    assert [(u.progress, u.revision) for u in entry.updates] == [("Corrected", 2)]
    assert sum(e.update_count for e in d50.projects) == len([i for i in range(50) if i % 4 and i % 3])
    assert by_ref(d50)["P-003"].delegates == (DELEGATE,)
    assert d50.totals.missing == len([i for i in range(50) if i % 4 == 0 or i % 3 == 0])


# -- renderings ------------------------------------------------------------------------------------


class Tags(HTMLParser):
    """The tags of an HTML document, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def markdown_to_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)


def test_markdown_digest_has_the_summary_table_every_group_and_the_lists(plan):
    d = build(plan)
    md = render_digest(d, "md", people={OWNER: "Olive Owner"})
    assert md.startswith("# ICT progress digest: Darlington\n")
    assert "Period: 9 Jun 2026 10:00 to 8 Dec 2026 10:00 (Europe/London)." in md
    assert f"**{d.headline}**" in md
    assert "| ICT Strategic Architecture | 3 | 0 | 1 | 1 | 1 | 1 | 1 |" in md
    assert "| **Total** | 10 | 1 | 3 | 4 | 2 | 7 | 2 |" in md
    for g in d.priorities:
        assert f"## {g.name}" in md
    assert "### SD-01: Self-service portal" in md
    assert "- Owner: Olive Owner; delegates: U0DELEG" in md
    assert "- RAG: Green (improved from Amber)" in md
    assert "- Progress (Olive Owner, 1 Oct 2026 10:00, corrected): Portal live for four services" in md
    assert "- Next steps: Add council tax" in md and "- Risks and issues: None known" in md
    assert "- RAG: Green (unchanged); last updated 2 Mar 2026 09:00, 281 days before the end of the period" in md
    assert (
        "### SD-02: ITIL process review\n\n- Owner: U0DELEG\n- Status: Active; target 31 Mar 2027\n- Never updated\n"
        in md
    )
    assert "## Missing an update (2)\n\n- SD-02: ITIL process review (U0DELEG), never updated" in md
    assert "## Completed in the period (1)\n\n- GOV-02: PSN submission, completed 15 Sep 2026" in md
    assert "## Started in the period (1)\n\n- MOB-01: Mobile carrier cut-across (Olive Owner)" in md
    table = markdown_to_html(md)
    assert "<table>" in table and "<h3>SD-01: Self-service portal</h3>" in table


def test_html_digest_is_printable_with_a_rag_table(plan):
    d = build(plan)
    html = render_digest(d, "html")
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    doc = parse_html(html)
    assert [t for t, _ in doc.tags].count("tr") == 1 + len(d.priorities) + 1
    text = " ".join(" ".join(doc.text).split())
    assert "ICT Strategic Architecture 3 0 1 1 1 1 1" in text
    assert "Total 10 1 3 4 2 7 2" in text
    assert "SD-01: Self-service portal Green" in text
    assert "Portal live for four services" in text and "Paused pending budget" in text
    assert d.headline in text
    assert ("img", {"src": "data:image/png;base64,AAAA", "alt": "RAG by priority"}) in parse_html(
        render_digest(d, "html", chart_src="data:image/png;base64,AAAA")
    ).tags


def test_json_digest_is_the_structure_with_iso_timestamps(plan):
    d = build(plan)
    doc = json.loads(render_digest(d, "json"))
    assert doc == json.loads(to_json(d))
    assert (doc["format"], doc["version"]) == ("ictbot-digest", 1)
    assert (doc["start"], doc["end"], doc["generated_at"]) == (
        "2026-06-09T09:00:00Z",
        "2026-12-08T10:00:00Z",
        "2026-12-08T11:00:00Z",
    )
    assert doc["strategy"]["priorities"] == [
        ["SD", "ICT Service Development"],
        ["GOV", "ICT Governance"],
        ["ARCH", "ICT Strategic Architecture"],
        ["BD", "Business Development"],
        ["WF", "ICT Competent Workforce"],
    ]
    sd = doc["priorities"][0]["projects"][0]
    assert sd["ref"] == "SD-01" and sd["trend"] == "improved" and sd["rag"] == "green"
    assert sd["target_date"] == "2027-03-31" and sd["delegates"] == [DELEGATE]
    assert sd["update"] == {
        "id": sd["update"]["id"],
        "author": OWNER,
        "created_at": "2026-10-01T09:00:00Z",
        "source": "command",
        "revision": 2,
        "editor": OWNER,
        "rag": "green",
        "progress": "Portal live for four services",
        "next_steps": "Add council tax",
        "risks": "None known",
    }
    assert doc["priorities"][0]["rag"] == {"red": 0, "amber": 0, "green": 1, "none": 1}
    assert doc["priorities"][-1]["kind"] == "none" and doc["priorities"][-1]["code"] is None
    assert [p["ref"] for p in doc["missing"]] == ["SD-02", "NET-01"]
    assert doc["totals"]["rag"] == {"red": 1, "amber": 3, "green": 4, "none": 2}
    assert doc["headline"] == d.headline
    assert doc["priorities"][1]["projects"][0]["update"]["progress"] == EVIL  # data, kept as typed


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_committee_report_has_the_shape_of_seed_001(plan, fmt):
    d = build(plan)
    out = render_report(d, fmt)
    text = out if fmt == "md" else " ".join(" ".join(parse_html(out).text).split())
    for heading in ("Purpose of the Report", "Summary", "Recommendation", "Reasons"):
        assert heading in text
    assert ("## MAIN REPORT" if fmt == "md" else "Main Report") in text
    assert "It is recommended that progress on the implementation of the ICT Strategy be noted." in text
    assert "The ICT Strategy 2014–2016 focusses on five strategic priorities:" in text
    letters = [
        "(a) ICT Service Development",
        "(b) ICT Governance",
        "(c) ICT Strategic Architecture",
        "(d) Business Development",
        "(e) ICT Competent Workforce",
    ]
    positions = [text.index(x) for x in letters]
    assert positions == sorted(positions)
    assert "9 June 2026 to 8 December 2026" in text
    assert "Progress has been made on two projects during the period. These include:" in text
    assert "Self-service portal" in text and "Portal live for four services" in text
    assert "No progress update was received for ITIL process review (SD-02)." in text
    assert "No progress update was received for Council network refresh (NET-01)." in text
    # Completions are counted and listed under their priority, and the total counted per priority at the end.
    governance = text[text.index("Strategy monitoring, the ICT Work Plan") : text.index("Network, mobile, GIS")]
    assert "One project under this priority has been completed since the last report to this committee:" in governance
    assert "(a) PSN submission (GOV-02), completed 15 September 2026." in governance
    assert text.count("has been completed since") == 2  # GOV's paragraph and the total, no other priority's
    assert "One project has been completed since the last report to this committee, under ICT Governance." in text
    assert "One new project was started in the period:" in text
    assert "(SD-01, Green; two updates in the period): Portal live for four services. Next steps: Add council" in text
    assert "(MOB-01, Amber; one update in the period): Contract signed." in text
    assert (
        "Of the 10 projects in the ICT Work Plan in this period, 7 had a progress update and 2 active projects had "
        "none. The RAG status improved for 1 project and worsened for PCI DSS quarterly tests (GOV-01) and E-forms "
        "for online services (EFORM-01)."
    ) in text
    # Paragraphs are numbered 1, 2, … in order, as in the seed.
    numbers = [
        int(n) for n in re.findall(r"(?m)^(\d+)\. " if fmt == "md" else r'<span class="num">(\d+)\.</span>', out)
    ]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 15
    if fmt == "html":
        assert '<table class="rag-summary">' in out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_shows_each_projects_risks_and_issues_as_the_word_report_does(plan, fmt):
    out = render_report(build(plan), fmt)
    text = markdown_to_html(out) if fmt == "md" else out
    shown = " ".join(" ".join(parse_html(text).text).split())
    assert (
        "(SD-01, Green; two updates in the period): Portal live for four services. Next steps: Add council tax. "
        "Risks and issues: None known." in shown
    )
    # GOV-01's progress, next steps and risks are all EVIL, each shown exactly as typed.
    assert shown.count(f"Risks and issues: {EVIL}") == 1 and shown.count(EVIL) == 3
    after_mob = shown.split("(MOB-01, Amber; one update in the period)")[1]
    assert "Risks and issues" not in after_mob.split("(")[0]  # none typed, none shown


def test_report_from_the_beginning_speaks_of_completions_to_date(plan):
    out = render_report(build(plan, start=None), "md")
    assert "### Projects completed to date" in out
    assert "Three projects have been completed to date:" in out
    assert "progress up to 8 December 2026" in out


def test_unknown_formats_are_refused_with_the_choices(plan):
    d = build(plan)
    with pytest.raises(InvalidInput, match="use one of md, html, json"):
        render_digest(d, "docx")
    with pytest.raises(InvalidInput, match="use one of md, html"):
        render_report(d, "json")


# -- escaping --------------------------------------------------------------------------------------

RAW = ("<!channel>", "<@U123>", "<https://x|y>", "<script>", "[link](http://x)", "*bold*")


@pytest.mark.parametrize("render", [render_digest, render_report], ids=["digest", "report"])
def test_officer_text_is_inert_in_markdown(plan, render):
    md = render(build(plan), "md", people={OWNER: "<b>Olive</b> *O*"})
    for raw in RAW:
        assert raw not in md
    assert "\\<!channel\\> \\<\\@U123\\> \\<https\\://x\\|y\\> \\<script\\>alert(1)\\</script\\>" in md
    assert "\\*bold\\* \\[link\\](http\\://x)" in md
    html = markdown_to_html(md)
    doc = parse_html(html)
    tags = {t for t, _ in doc.tags}
    assert not tags & {"script", "a", "img", "b", "code", "pre", "blockquote"}
    assert "<script" not in html and "<b>" not in html and "<em>bold</em>" not in html
    text = "".join(doc.text)
    assert EVIL in text  # shown exactly as typed
    if render is render_digest:
        assert "<b>Olive</b> *O*" in text


@pytest.mark.parametrize("render", [render_digest, render_report], ids=["digest", "report"])
def test_officer_text_is_inert_in_html(plan, render):
    html = render(build(plan), "html", people={OWNER: "<b>Olive</b>"})
    assert "<script>" not in html and "<b>Olive" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = parse_html(html)
    assert not {t for t, _ in doc.tags} & {"script", "a", "b", "iframe"}
    assert EVIL in " ".join(doc.text)


@pytest.mark.parametrize(
    ("typed", "inert"),
    [
        ("# Heading", "\\# Heading"),
        ("- item\n+ item\n1. one\n2) two", "\\- item\\\n\\+ item\\\n1\\. one\\\n2\\) two"),
        ("> quote", "\\> quote"),
        ("    code", "code"),
        ("a\n\n\nb", "a\\\nb"),
        ("===", "\\==="),
        ("`x` ~~y~~ _z_ a|b \\", "\\`x\\` \\~\\~y\\~\\~ \\_z\\_ a\\|b \\\\"),
        ("AT&T <b>", "AT\\&T \\<b\\>"),
        ("![i](http://x)", "!\\[i\\](http\\://x)"),
        (
            "see https://x.example, www.y.example and jo@z.example",
            "see https\\://x.example, www\\.y.example and `jo@z.example`",
        ),
        ("#12 @jo $x$ :tada:", "\\#12 \\@jo \\$x\\$ \\:tada:"),
    ],
)
def test_md_filter_neutralises_markdown(typed, inert):
    out = escape_md(typed)
    assert out == inert
    for html in (markdown_to_html(f"- Progress: {out}"), github_html(f"- Progress: {out}")):
        assert html.count("<li>") == 1 and not {t for t, _ in parse_html(html).tags} - {"ul", "li", "br", "code"}
        assert "".join(parse_html(html).text).replace("\n", "") == "Progress: " + "".join(
            line.strip() for line in typed.split("\n") if line.strip()
        )


HOSTILE = (
    "*PCI-06* :large_green_circle: Green (was Red)\n> _x_ ~y~ `z` <@U0ADMIN> <!channel> "
    "<https://evil.example|click> https://evil.example \u202e[x](javascript:alert(1)) <b>b</b> &amp; | a | b |\n"
    "# heading\n1. one\n---\nwww.evil.example \\ $x$ #12 @jo ![i](http://e/i.png) <!-- c --> ==="
)
CALM = "\n".join("words" for _ in HOSTILE.split("\n"))  # as many lines, nothing to read in them


def hostile_md(runtime, clock, render, team: str, typed: str, person: str) -> str:
    """The Markdown of a workspace whose one project has ``typed`` as its title (on one line) and update."""
    clock.now = T0
    with unit(runtime, team) as (session, ws):
        add(session, ws, "PCI-06", typed.replace("\n", " ")[:200], "GOV", OWNER, T0)
        post(session, ws, "PCI-06", Rag.RED, typed, utc(2026, 11, 20, 9), next_steps=typed, risks=typed, user=OWNER)
    return render(build(runtime, team=team), "md", people={OWNER: person})


@pytest.mark.parametrize("render", [render_digest, render_report], ids=["digest", "report"])
def test_hostile_text_shows_as_typed_in_commonmark_and_githubs_markdown(runtime, clock, render):
    """An update full of Markdown, HTML, Slack syntax, links and a bidi control, rendered by a CommonMark
    renderer with GFM's tables, strikethrough and links found in text, and by GitHub's own (cmark-gfm):
    the page has exactly the structure it has with plain words in its place (nothing typed made a link,
    heading, list, quote, rule, table, emphasis or tag), and the text shows line by line exactly as typed,
    its invisible character gone."""
    evil = hostile_md(runtime, clock, render, "T0EVIL", HOSTILE, "*Olive* <b>O</b> <@U0X>")
    calm = hostile_md(runtime, clock, render, "T0CALM", CALM, "Olive")
    for to_html in (linkified_html, github_html):
        shown, plain = parse_html(to_html(evil)), parse_html(to_html(calm))
        assert shown.tags == plain.tags
        text = "".join(shown.text)
        for line in HOSTILE.replace("\u202e", "").split("\n"):
            assert line in text, line
        assert "*Olive* <b>O</b> <@U0X>" in text or render is render_report  # the report names nobody
        assert "\u202e" not in to_html(evil)


def linkified_html(text: str) -> str:
    """CommonMark with GFM's tables and strikethrough, and links found in text (linkify) as markdown-it does."""
    return MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"]).render(text)


def github_html(text: str) -> str:
    """GitHub's own renderer (cmark-gfm: tables, strikethrough, autolinks, tag filter), raw HTML let through."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=cmarkgfm_options.CMARK_OPT_UNSAFE)


def test_project_model_is_untouched_by_building(plan):
    """Building reads plain rows: the session holds no Project objects afterwards, so nothing can lazy-load."""
    with plan.sessions() as session:
        ws = workspaces.find(session, TEAM)
        digest.build(session, ws, start=START, end=END, now=END)
        assert not [o for o in session.identity_map.values() if isinstance(o, Project)]
