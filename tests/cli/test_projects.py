"""`ictbot projects import` (all rows or none; e-mails looked up in Slack), `ictbot projects list`, and
`ictbot projects history`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.services import projects as project_service
from models import Project, ProjectStatus, Workspace
from tests.cli.conftest import DATA, HALL, Ictbot, rows, with_council, write
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER

HEADER = "ref,title,priority,owner,delegates,service_area,status,target_date\n"
GOOD = (
    "NET-01,Council network refresh,ARCH,U0LOCAL01,U0LOCAL02,Corporate,active,2027-03-31\n"
    "MOB-01,Mobile carrier cut-across,ARCH,U0LOCAL02,,Corporate,active,\n"
)


@pytest.fixture
def ictbot(ictbot: Ictbot) -> Ictbot:
    """The commands run on the council's workspace, created on purpose (`ictbot workspaces add`)."""
    return with_council(ictbot)


def projects(engine) -> dict[str, Project]:
    with Session(engine) as s:
        found = s.scalars(
            select(Project).options(selectinload(Project.delegates), selectinload(Project.priority))
        ).all()
        return {p.ref: p for p in found}


def test_importing_the_sample_work_plan_creates_every_project(ictbot, engine):
    result = ictbot("projects", "import", str(DATA / "sample_workplan.csv"))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Imported 7 projects into workspace {HALL}: 7 created, 0 updated.\n"
    found = projects(engine)
    assert sorted(found) == ["EFORM-01", "GIS-01", "MOB-01", "NET-01", "PCI-01", "SIP-01", "TRN-01"]
    net = found["NET-01"]
    assert (net.title, net.priority.code, net.owner_user_id, net.delegate_ids) == (
        "Council network refresh and link upgrades",
        "ARCH",
        "U0LOCAL01",
        ["U0LOCAL02"],
    )
    assert net.target_date is not None and net.target_date.isoformat() == "2027-03-31"
    assert found["TRN-01"].status is ProjectStatus.PLANNED
    assert found["GIS-01"].priority.code == "ARCH"  # given by name in the file


def test_importing_again_updates_the_same_projects(ictbot, engine, tmp_path):
    path = write(tmp_path, "plan.csv", HEADER + GOOD)
    assert ictbot("projects", "import", path).exit_code == 0
    changed = write(tmp_path, "plan2.csv", HEADER + GOOD.replace("Council network refresh", "Network refresh"))

    result = ictbot("projects", "import", changed)

    assert result.exit_code == 0, result.stderr
    assert "0 created, 2 updated" in result.stdout
    assert rows(engine, Project) == 2
    assert projects(engine)["NET-01"].title == "Network refresh"


def test_priority_is_found_by_code_or_name_in_any_case(ictbot, engine, tmp_path):
    csv = (
        "ref,title,priority,owner\n"
        "A-1,One,arch,U0LOCAL01\n"
        "A-2,Two,ICT STRATEGIC ARCHITECTURE,U0LOCAL01\n"
        "A-3,Three,business development,U0LOCAL01\n"
        "A-4,Four,Gov,U0LOCAL01\n"
    )
    result = ictbot("projects", "import", write(tmp_path, "p.csv", csv))

    assert result.exit_code == 0, result.stderr
    assert {ref: p.priority.code for ref, p in projects(engine).items()} == {
        "A-1": "ARCH",
        "A-2": "ARCH",
        "A-3": "BD",
        "A-4": "GOV",
    }


def test_email_owners_and_delegates_are_looked_up_in_slack(db_url, clock, engine, standin, tmp_path):
    csv = (
        "ref,title,priority,owner,delegates\n"
        "NET-01,Network refresh,ARCH,Olive@Example.gov.uk,dan@example.gov.uk;U0ADMIN\n"
        "PCI-01,PCI DSS tests,GOV,U0ADMIN,olive@example.gov.uk\n"
    )
    # On a fresh database: the workspace is the bot token's, learnt from Slack
    result = Ictbot(db_url, clock).with_slack(standin)("projects", "import", write(tmp_path, "p.csv", csv))

    assert result.exit_code == 0, result.stderr
    assert "into workspace T0COUNCIL (Darlington): 2 created" in result.stdout
    found = projects(engine)
    assert (found["NET-01"].owner_user_id, found["NET-01"].delegate_ids) == (OWNER, [ADMIN, DELEGATE])
    assert (found["PCI-01"].owner_user_id, found["PCI-01"].delegate_ids) == (ADMIN, [OWNER])
    lookups = standin.calls_to("users.lookupByEmail")
    assert sorted(c.params["email"] for c in lookups) == ["dan@example.gov.uk", "olive@example.gov.uk"]
    assert {c.token for c in lookups} == {BOT_TOKEN}


def test_import_reads_standard_input(ictbot, engine):
    result = ictbot("projects", "import", "-", input=HEADER + GOOD)

    assert result.exit_code == 0, result.stderr
    assert "2 created" in result.stdout
    assert rows(engine, Project) == 2


BAD_ROWS = [
    pytest.param(
        HEADER + GOOD + "BAD-01,Bad,NOPE,U0LOCAL01,,,,\n",
        "line 4: priority 'NOPE' is not a code or name of ICT Strategy 2014–2016 (SD, GOV, ARCH, BD, WF)",
        id="unknown-priority",
    ),
    pytest.param(
        HEADER + "BAD-01,Bad,ARCH,U0LOCAL01,,,,31/03/2027\n" + GOOD,
        "line 2: target_date '31/03/2027' is not a date like 2027-03-31",
        id="bad-date",
    ),
    pytest.param(
        HEADER + GOOD + "net-01,Again,ARCH,U0LOCAL01,,,,\n",
        "line 4: ref NET-01 is already on line 2",
        id="duplicate-ref",
    ),
    pytest.param(
        "ref,title,owner\nNET-01,Network,U0LOCAL01\n",
        "line 1: the header row lacks the column(s) priority",
        id="missing-column",
    ),
    pytest.param(
        HEADER + GOOD + "BAD-01,Bad,ARCH,bob,,,,\n",
        "line 4: 'bob' is neither a Slack user ID (U…) nor an e-mail address",
        id="bad-owner",
    ),
    pytest.param(
        HEADER + GOOD + "BAD-01,Bad,ARCH,U0LOCAL01,,,sleeping,\n",
        "line 4: sleeping is not a status",
        id="bad-status",
    ),
]


@pytest.mark.parametrize(("csv", "expected"), BAD_ROWS)
def test_a_bad_row_names_its_line_exits_1_and_imports_nothing(ictbot, engine, tmp_path, csv, expected):
    result = ictbot("projects", "import", write(tmp_path, "plan.csv", csv))

    assert result.exit_code == 1
    assert result.stderr.startswith("ictbot: Nothing was imported from ")
    assert f": {expected}" in result.stderr and result.stderr.count("\n") == 1  # one problem, one line
    assert result.stdout == ""
    assert (rows(engine, Project), rows(engine, Workspace)) == (0, 1)


def test_every_bad_row_is_reported_not_just_the_first(ictbot, engine, tmp_path):
    csv = HEADER + "A-1,One,NOPE,U0LOCAL01,,,,\n" + GOOD + "A-2,Two,ARCH,U0LOCAL01,,,,2027-13-01\n"
    result = ictbot("projects", "import", write(tmp_path, "plan.csv", csv))

    assert result.exit_code == 1
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("  line ")]
    assert [line.split(":")[0] for line in problem_lines] == ["  line 2", "  line 5"]
    assert rows(engine, Project) == 0


def test_an_unknown_email_names_its_line_and_imports_nothing(ictbot, engine, standin, tmp_path):
    csv = HEADER + "NET-01,Network,ARCH,olive@example.gov.uk,,,,\nMOB-01,Mobile,ARCH,nobody@example.gov.uk,,,,\n"
    result = ictbot.with_slack(standin)("projects", "import", write(tmp_path, "plan.csv", csv))

    assert result.exit_code == 1
    assert ": line 3: no Slack user has the e-mail address nobody@example.gov.uk.\n" in result.stderr
    assert "line 2" not in result.stderr
    assert (rows(engine, Project), rows(engine, Workspace)) == (0, 1)


def test_emails_without_a_bot_token_are_refused_with_the_fix(ictbot, engine, tmp_path):
    csv = HEADER + "NET-01,Network,ARCH,olive@example.gov.uk,,,,\n"
    result = ictbot("projects", "import", write(tmp_path, "plan.csv", csv))

    assert result.exit_code == 1
    assert "e-mail addresses need SLACK_BOT_TOKEN set" in result.stderr
    assert "line 0" not in result.stderr
    assert rows(engine, Project) == 0


def test_a_slack_refusal_other_than_users_not_found_stops_the_import(ictbot, engine, standin, tmp_path):
    standin.fail("users.lookupByEmail", error="missing_scope")
    csv = HEADER + "NET-01,Network,ARCH,olive@example.gov.uk,,,,\n"

    result = ictbot.with_slack(standin)("projects", "import", write(tmp_path, "plan.csv", csv))

    assert result.exit_code == 1
    assert result.stderr == (
        "ictbot: Slack refused users.lookupByEmail (missing_scope): the Slack app lacks a scope it needs "
        "(users:read.email for e-mail look-ups).\n"
    )
    assert BOT_TOKEN not in result.stderr + result.stdout
    assert (rows(engine, Project), rows(engine, Workspace)) == (0, 1)


def test_a_file_that_is_not_utf8_is_refused_with_the_fix(ictbot, engine, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes((HEADER + "NET-01,Réseau,ARCH,U0LOCAL01,,,,\n").encode("cp1252"))

    result = ictbot("projects", "import", str(path))

    assert result.exit_code == 1
    assert "plan.csv is not UTF-8 text" in result.stderr
    assert rows(engine, Project) == 0


def test_projects_list_shows_the_work_plan_in_priority_order(ictbot, tmp_path):
    assert ictbot("projects", "import", str(DATA / "sample_workplan.csv")).exit_code == 0

    result = ictbot("projects", "list")

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"Work Plan of workspace {HALL}" in out
    order = [out.index(ref) for ref in ("SIP-01", "PCI-01", "NET-01", "EFORM-01", "TRN-01")]  # SD, GOV, ARCH, BD, WF
    assert order == sorted(order)
    assert "+U0LOCAL02" in out and "due 2027-03-31" in out
    assert out.rstrip().endswith("7 projects.")


def test_projects_history_shows_each_change_oldest_first_in_local_time(ictbot, engine, clock, tmp_path):
    clock.now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert ictbot("projects", "import", write(tmp_path, "plan.csv", HEADER + GOOD)).exit_code == 0
    clock.now = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    later = GOOD.replace("U0LOCAL02,Corporate,active,2027-03-31", ",Corporate,on hold,2027-06-30")
    assert ictbot("projects", "import", write(tmp_path, "plan2.csv", HEADER + later)).exit_code == 0
    with Session(engine) as session, session.begin():
        ws = session.scalars(select(Workspace)).one()
        project_service.reassign(
            session, ws, "NET-01", ADMIN, now=datetime(2026, 12, 2, 10, 0, tzinfo=UTC), actor=OWNER
        )

    result = ictbot("projects", "history", "net-01", ICTBOT_TIMEZONE="Europe/Paris")

    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines() if line.strip()]
    assert lines[:2] == [
        f"History of NET-01 (Council network refresh) in workspace {HALL}",
        "When Who Via What changed",
    ]
    assert lines[3:] == [
        "Tue 2026-11-24 10:30 CET - import created as active",
        "Tue 2026-12-01 15:05 CET - import status: active → on hold",
        "Tue 2026-12-01 15:05 CET - import delegates: U0LOCAL02 → none",
        "Tue 2026-12-01 15:05 CET - import target date: 2027-03-31 → 2027-06-30",
        f"Wed 2026-12-02 11:00 CET {OWNER} chat owner: U0LOCAL01 → {ADMIN}",
        "5 changes.",
    ]


def test_projects_history_of_an_unknown_ref_suggests_the_refs_it_may_mean(ictbot, tmp_path):
    assert ictbot("projects", "import", write(tmp_path, "plan.csv", HEADER + GOOD)).exit_code == 0

    result = ictbot("projects", "history", "NET-1")

    assert result.exit_code == 1
    assert result.stderr.startswith("ictbot: There is no project `NET-1` in the Work Plan. Did you mean NET-01?")
    assert result.stdout == ""
