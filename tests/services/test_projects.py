"""The Work Plan, called directly: adding and finding projects (with suggestions), listing them, their
status, owner and delegates, and the all-or-nothing CSV import; one workspace never sees another's."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.errors import DomainError, ImportFailed, InvalidInput, UnknownProject
from bot.runtime import Runtime
from bot.services import projects, updates, workspaces
from bot.services.projects import ImportSummary, ProjectView
from bot.services.quickform import UpdateText
from handlers.slack.wording import SLACK
from handlers.teams.wording import TEAMS
from models import Project, ProjectStatus, Rag, UpdateSource, Workspace
from tests.conftest import ADMIN, DELEGATE, OWNER, START, STRANGER
from tests.helpers import count

TEAM = "T0COUNCIL"  # the stand-in's workspace, where the workplan fixture puts its projects
OTHER_TEAM = "T0ELSEWHERE"
LONDON = ZoneInfo("Europe/London")
STRATEGY = "ICT Strategy 2014–2016"
CODES = "SD, GOV, ARCH, BD, WF"
HEADER = "ref,title,priority,owner,delegates,service_area,status,target_date\n"
GUID = "0F8FAD5B-D9CB-469F-A165-70867728950E"

Stored = tuple[str, str | None, str, tuple[str, ...], str, ProjectStatus, date | None]


def stored(runtime: Runtime, team: str = TEAM) -> dict[str, Stored]:
    """Every project of ``team`` as the database holds it: title, priority code, owner, delegates, service
    area, status and target date, by ref."""
    with runtime.sessions() as s:
        ws = workspaces.find(s, team) or workspaces.find(s, team, "teams")
        assert ws is not None
        rows = s.scalars(
            select(Project)
            .where(Project.workspace_id == ws.id)
            .options(selectinload(Project.delegates), selectinload(Project.priority))
        )
        return {
            p.ref: (
                p.title,
                p.priority.code if p.priority else None,
                p.owner_user_id,
                tuple(p.delegate_ids),
                p.service_area,
                p.status,
                p.target_date,
            )
            for p in rows
        }


def import_csv(
    runtime: Runtime,
    text: str,
    *,
    team: str = TEAM,
    resolve: projects.EmailResolver | None = None,
    now: datetime = START,
) -> ImportSummary:
    with runtime.unit(team) as (session, ws):
        return projects.import_csv(session, ws, text, resolve_emails=resolve, now=now)


def refused(
    runtime: Runtime, text: str, *, resolve_emails: projects.EmailResolver | None = None
) -> list[tuple[int, str]]:
    """The problems an import is refused with, the refusal caught inside its transaction (which then
    commits): whatever the import had written would stay."""
    with runtime.unit(TEAM) as (session, ws), pytest.raises(ImportFailed) as err:
        projects.import_csv(session, ws, text, resolve_emails=resolve_emails, now=START)
    assert err.value.message == "Nothing was imported; fix these rows and try again:\n" + "\n".join(
        f"line {n}: {m}" for n, m in err.value.problems
    )
    return err.value.problems


def resolver(directory: dict[str, str | None], asked: list[list[str]]) -> Callable[[list[str]], dict[str, str | None]]:
    def resolve(emails: list[str]) -> dict[str, str | None]:
        asked.append(list(emails))
        return {e: directory.get(e) for e in emails}

    return resolve


# -- adding a project ------------------------------------------------------------------------------


def test_a_project_is_added_with_its_ref_normalised_and_the_owner_kept_out_of_its_delegates(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        project = projects.add(
            session,
            ws,
            ref=" net-02 ",
            title="  Wi-Fi in libraries  ",
            priority="business development",  # a priority's name, in any case, as well as its code
            owner=OWNER,
            delegates=[DELEGATE, OWNER, ADMIN, DELEGATE],
            service_area="Libraries",
            status=ProjectStatus.PLANNED,
            target_date=date(2027, 3, 31),
            now=START,
        )
        assert (project.workspace_id, project.created_at, project.completed_on) == (ws.id, START, None)
    assert stored(runtime)["NET-02"] == (
        "Wi-Fi in libraries",
        "BD",
        OWNER,
        (ADMIN, DELEGATE),
        "Libraries",
        ProjectStatus.PLANNED,
        date(2027, 3, 31),
    )
    assert stored(runtime)["NET-01"][3] == (DELEGATE,)  # the fixture's, for the record


def add(runtime: Runtime, team: str = TEAM, **fields: object) -> None:
    values: dict[str, object] = {"ref": "NEW-01", "title": "New", "priority": "ARCH", "owner": OWNER, **fields}
    with runtime.unit(team) as (session, ws):
        projects.add(session, ws, now=START, **values)  # type: ignore[arg-type]


def test_a_ref_that_is_not_one_is_refused(runtime, workplan):
    for ref in ["net 01", "-NET", "NET/01", "", "A" * 33]:
        with pytest.raises(InvalidInput) as err:
            add(runtime, ref=ref)
        assert err.value.message == (
            f"`{ref.strip().upper()}` is not a project reference: use letters, digits, - . or _ (e.g. NET-01)."
        )
    assert len(stored(runtime)) == len(workplan)


def test_a_ref_already_in_the_work_plan_is_refused_in_any_case(runtime, workplan):
    with pytest.raises(InvalidInput) as err:
        add(runtime, ref="net-01")
    assert err.value.message == "There is already a project `NET-01`; pick another reference."
    assert stored(runtime)["NET-01"][0] == "Council network refresh"


def test_a_title_must_be_1_to_200_characters(runtime, workplan):
    for title in ["", "   ", "x" * 201]:
        with pytest.raises(InvalidInput) as err:
            add(runtime, title=title)
        assert err.value.message == "A project needs a title of 1 to 200 characters.", title
    assert "NEW-01" not in stored(runtime)


def test_a_title_of_200_characters_is_kept_whole(runtime, workplan):
    add(runtime, title="é" * 200)
    assert stored(runtime)["NEW-01"][0] == "é" * 200


def test_an_unknown_priority_is_refused_with_the_choices(runtime, workplan):
    with pytest.raises(InvalidInput) as err:
        add(runtime, priority="Cloud")
    assert err.value.message == (
        f"`Cloud` is not a priority of {STRATEGY}. Use one of: SD (ICT Service Development), GOV (ICT Governance), "
        "ARCH (ICT Strategic Architecture), BD (Business Development), WF (ICT Competent Workforce)."
    )
    assert "NEW-01" not in stored(runtime)


# -- finding a project -----------------------------------------------------------------------------


def test_a_project_is_found_by_its_ref_in_any_case_and_by_its_id(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "  pci-01 ")
        assert (project.id, project.ref, project.owner_user_id) == (workplan["PCI-01"], "PCI-01", ADMIN)
        assert projects.get_by_id(session, ws, workplan["NET-01"]).delegate_ids == [DELEGATE]
        assert projects.exists(session, ws, "net-01") and not projects.exists(session, ws, "NET-99")


def test_an_unknown_ref_is_refused_with_the_refs_it_may_have_meant(runtime, workplan):
    for typed, ref, suggested in [
        ("net-1", "NET-1", ["NET-01"]),  # close to one
        ("NET", "NET", ["NET-01"]),  # the start of one
        ("EFORMS-01", "EFORMS-01", ["EFORM-01"]),
    ]:
        with runtime.unit(TEAM) as (session, ws), pytest.raises(UnknownProject) as err:
            projects.get(session, ws, typed)
        assert (err.value.ref, err.value.suggestions, err.value.field) == (ref, suggested, "project")
        assert SLACK(err.value.text) == (
            f"There is no project `{ref}` in the Work Plan. Did you mean {', '.join(suggested)}? "
            "Type `/ict-update mine` to see your projects or `/ict-project list` for all of them."
        )
    assert TEAMS(err.value.text).endswith(
        "Type `update mine` to see your projects or `update` for the form, which lists all of them."
    )


def test_nothing_like_the_ref_suggests_nothing(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws), pytest.raises(UnknownProject) as err:
        projects.get(session, ws, "ZZZ-99")
    assert err.value.suggestions == []
    assert err.value.message.startswith("There is no project `ZZZ-99` in the Work Plan. Type ")


def test_suggestions_are_at_most_three_close_ones_first_then_by_prefix(runtime, workplan):
    for ref in ("NET-04", "NET-03", "NET-02"):
        add(runtime, ref=ref)
    with runtime.unit(TEAM) as (session, ws):
        assert projects.suggestions(session, ws, "NET") == ["NET-01", "NET-02", "NET-03"]
        assert projects.suggestions(session, ws, "NET-04x")[0] == "NET-04"
        assert projects.suggestions(session, ws, "net", limit=1) == ["NET-01"]


def test_an_id_that_names_no_project_of_the_workspace_is_refused(runtime, workplan):
    with runtime.unit(OTHER_TEAM) as (session, other), pytest.raises(DomainError) as err:
        projects.get_by_id(session, other, workplan["NET-01"])
    assert (err.value.message, err.value.field) == (
        "That project is no longer in the Work Plan; pick another.",
        "project",
    )


def test_another_workspace_s_projects_are_neither_found_nor_suggested(runtime, workplan):
    with runtime.unit(OTHER_TEAM) as (session, other):
        assert not projects.exists(session, other, "NET-01")
        assert projects.suggestions(session, other, "NET") == []
        assert projects.list_projects(session, other, include_closed=True) == []
        with pytest.raises(UnknownProject) as err:
            projects.get(session, other, "NET-01")
        # The same ref is free to use there, and stays apart from this workspace's.
        projects.add(session, other, ref="NET-01", title="Theirs", priority="SD", owner=STRANGER, now=START)
    assert err.value.suggestions == []
    assert stored(runtime, OTHER_TEAM) == {"NET-01": ("Theirs", "SD", STRANGER, (), "", ProjectStatus.ACTIVE, None)}
    assert stored(runtime)["NET-01"][:3] == ("Council network refresh", "ARCH", OWNER)


# -- listing ---------------------------------------------------------------------------------------


def listed(runtime: Runtime, team: str = TEAM, **kwargs: object) -> list[ProjectView]:
    with runtime.unit(team) as (session, ws):
        return projects.list_projects(session, ws, **kwargs)  # type: ignore[arg-type]


def test_projects_are_listed_in_priority_order_then_by_ref(runtime, workplan):
    views = listed(runtime)
    assert [(v.ref, v.priority_code, v.priority_position) for v in views] == [
        ("PCI-01", "GOV", 2),
        ("MOB-01", "ARCH", 3),
        ("NET-01", "ARCH", 3),
        ("EFORM-01", "BD", 4),
        ("TRN-01", "WF", 5),
    ]
    net = views[2]
    assert net == ProjectView(
        id=workplan["NET-01"],
        ref="NET-01",
        title="Council network refresh",
        priority_code="ARCH",
        priority_name="ICT Strategic Architecture",
        priority_position=3,
        owner=OWNER,
        delegates=(DELEGATE,),
        service_area="",
        status=ProjectStatus.ACTIVE,
        target_date=None,
        completed_on=None,
        last_update_at=None,
        last_rag=None,
    )


def test_a_user_s_projects_are_those_they_own_or_are_a_delegate_of(runtime, workplan):
    assert [v.ref for v in listed(runtime, user_id=DELEGATE)] == ["NET-01", "EFORM-01", "TRN-01"]
    assert [v.ref for v in listed(runtime, user_id=OWNER)] == ["MOB-01", "NET-01"]
    assert listed(runtime, user_id=STRANGER) == []


def test_finished_projects_are_listed_only_when_asked_for(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.set_status(session, ws, "NET-01", ProjectStatus.COMPLETE, now=START, tz=LONDON)
        projects.set_status(session, ws, "MOB-01", ProjectStatus.CLOSED, now=START, tz=LONDON)
        projects.set_status(session, ws, "PCI-01", ProjectStatus.ON_HOLD, now=START, tz=LONDON)
    assert [v.ref for v in listed(runtime)] == ["PCI-01", "EFORM-01", "TRN-01"]
    assert [v.ref for v in listed(runtime, include_closed=True)] == ["PCI-01", "MOB-01", "NET-01", "EFORM-01", "TRN-01"]
    assert [v.ref for v in listed(runtime, include_closed=True, user_id=OWNER)] == ["MOB-01", "NET-01"]


def test_a_listed_project_shows_its_latest_update_s_time_and_current_rag(runtime, workplan):
    later = START + timedelta(days=2)
    with runtime.unit(TEAM) as (session, ws):
        net = projects.get(session, ws, "NET-01")
        for when, rag in ((START, Rag.GREEN), (later, Rag.AMBER)):
            text = UpdateText(rag=rag, progress="Done")
            last = updates.post(
                session, ws, net, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=when
            )
        updates.correct(
            session,
            ws,
            updates.get(session, ws, last.update_id),
            user_id=OWNER,
            is_admin=False,
            text=UpdateText(rag=Rag.RED, progress="Worse"),
            now=later + timedelta(hours=1),
        )
    by_ref = {v.ref: v for v in listed(runtime)}
    assert (by_ref["NET-01"].last_update_at, by_ref["NET-01"].last_rag) == (later, Rag.RED)
    assert (by_ref["MOB-01"].last_update_at, by_ref["MOB-01"].last_rag) == (None, None)


def test_grouping_by_priority_keeps_the_order_and_names_projects_without_one():
    def view(ref: str, name: str | None) -> ProjectView:
        return ProjectView(
            id=0,
            ref=ref,
            title=ref,
            priority_code=None,
            priority_name=name,
            priority_position=None,
            owner=OWNER,
            delegates=(),
            service_area="",
            status=ProjectStatus.ACTIVE,
            target_date=None,
            completed_on=None,
            last_update_at=None,
            last_rag=None,
        )

    views = [view("A", "Governance"), view("B", "Architecture"), view("C", "Governance"), view("D", None)]
    assert [(name, [v.ref for v in vs]) for name, vs in projects.group_by_priority(views)] == [
        ("Governance", ["A", "C"]),
        ("Architecture", ["B"]),
        ("No priority", ["D"]),
    ]


# -- status, owner, delegates ------------------------------------------------------------------------


def test_completing_a_project_records_the_local_day_and_any_other_status_clears_it(runtime, workplan):
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London
    with runtime.unit(TEAM) as (session, ws):
        project = projects.set_status(session, ws, "net-01", ProjectStatus.COMPLETE, now=late, tz=LONDON)
        assert (project.status, project.completed_on) == (ProjectStatus.COMPLETE, date(2026, 7, 1))
        again = projects.set_status(session, ws, "NET-01", ProjectStatus.ON_HOLD, now=START, tz=LONDON)
        assert (again.status, again.completed_on) == (ProjectStatus.ON_HOLD, None)
    assert stored(runtime)["NET-01"][5] is ProjectStatus.ON_HOLD


def test_setting_the_status_a_project_already_has_is_refused(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.set_status(session, ws, "NET-01", ProjectStatus.ON_HOLD, now=START, tz=LONDON)
        with pytest.raises(InvalidInput) as err:
            projects.set_status(session, ws, "NET-01", ProjectStatus.ON_HOLD, now=START, tz=LONDON)
        with pytest.raises(UnknownProject):
            projects.set_status(session, ws, "NET-99", ProjectStatus.ON_HOLD, now=START, tz=LONDON)
    assert err.value.message == "`NET-01` is already on hold."


@pytest.mark.parametrize("finished", [ProjectStatus.COMPLETE, ProjectStatus.CLOSED])
def test_reopening_makes_a_finished_project_active_again(runtime, workplan, finished):
    with runtime.unit(TEAM) as (session, ws):
        projects.set_status(session, ws, "NET-01", finished, now=START, tz=LONDON)
        project = projects.reopen(session, ws, "net-01", now=START)
        assert (project.status, project.completed_on) == (ProjectStatus.ACTIVE, None)
    assert stored(runtime)["NET-01"][5] is ProjectStatus.ACTIVE


@pytest.mark.parametrize(("status", "said"), [(ProjectStatus.ACTIVE, "active"), (ProjectStatus.ON_HOLD, "on hold")])
def test_reopening_a_project_that_is_not_finished_is_refused(runtime, workplan, status, said):
    with runtime.unit(TEAM) as (session, ws):
        if status is not ProjectStatus.ACTIVE:
            projects.set_status(session, ws, "NET-01", status, now=START, tz=LONDON)
        with pytest.raises(InvalidInput) as err:
            projects.reopen(session, ws, "NET-01", now=START)
    assert err.value.message == f"`NET-01` is {said}, not complete or closed: it takes updates already."


@pytest.mark.parametrize(
    ("typed", "status"),
    [("On hold", ProjectStatus.ON_HOLD), (" on-hold ", ProjectStatus.ON_HOLD), ("COMPLETE", ProjectStatus.COMPLETE)],
)
def test_a_status_is_read_in_any_case_with_spaces_or_hyphens(typed, status):
    assert projects.parse_status(typed) is status


def test_an_unknown_status_is_refused_with_the_choices():
    with pytest.raises(InvalidInput) as err:
        projects.parse_status("paused")
    assert err.value.message == "`paused` is not a status; use one of planned, active, on_hold, complete, closed."


def test_a_new_owner_replaces_the_old_and_is_no_longer_a_delegate(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        project, previous = projects.reassign(session, ws, "net-01", DELEGATE, now=START)
        assert (project.owner_user_id, previous) == (DELEGATE, OWNER)
        with pytest.raises(UnknownProject):
            projects.reassign(session, ws, "NET-99", DELEGATE, now=START)
    assert stored(runtime)["NET-01"][2:4] == (DELEGATE, ())


def test_a_new_owner_keeps_the_other_delegates(runtime, workplan):
    add(runtime, ref="NET-02", delegates=[DELEGATE, ADMIN])
    with runtime.unit(TEAM) as (session, ws):
        projects.reassign(session, ws, "NET-02", ADMIN, now=START)
    assert stored(runtime)["NET-02"][2:4] == (ADMIN, (DELEGATE,))


# -- the CSV import --------------------------------------------------------------------------------


def test_an_import_creates_new_projects_and_updates_existing_ones(runtime, workplan):
    text = (
        "\ufeffRef , Title,PRIORITY,Owner,Delegates,Service_Area,Status,Target_Date\n"
        "net-01,Network refresh phase 2,GOV,U0DELEG,U0OWNER;U0ADMIN  U0ADMIN U0DELEG,Infrastructure,on hold,"
        "2027-03-31\n"
        ",,,,,,,\n"
        'NEW-01,"  A new project, with a comma  ",ict governance,U0OTHER,,,,\n'
    )
    later = START + timedelta(days=1)

    summary = import_csv(runtime, text, now=later)

    assert summary == ImportSummary(created=1, updated=1)
    after = stored(runtime)
    assert after["NET-01"] == (
        "Network refresh phase 2",
        "GOV",
        DELEGATE,
        (ADMIN, OWNER),  # repeated once, the owner left out
        "Infrastructure",
        ProjectStatus.ON_HOLD,
        date(2027, 3, 31),
    )
    assert after["NEW-01"] == ("A new project, with a comma", "GOV", STRANGER, (), "", ProjectStatus.ACTIVE, None)
    assert after["MOB-01"] == ("Mobile carrier cut-across", "ARCH", OWNER, (), "", ProjectStatus.ACTIVE, None)
    with runtime.unit(TEAM) as (session, ws):
        assert projects.get(session, ws, "NEW-01").created_at == later
        assert projects.get(session, ws, "NET-01").created_at == START  # updated, not made anew


def test_importing_the_same_file_again_updates_and_creates_nothing(runtime, workplan):
    text = HEADER + "NEW-01,New,SD,U0OWNER,U0DELEG,,planned,\nNEW-02,Newer,WF,U0ADMIN,,,,\n"
    assert import_csv(runtime, text) == ImportSummary(created=2, updated=0)
    before = stored(runtime)
    assert import_csv(runtime, text) == ImportSummary(created=0, updated=2)
    assert stored(runtime) == before


def test_an_import_with_one_bad_row_writes_nothing(runtime, workplan):
    before = stored(runtime)
    text = HEADER + "NET-01,Renamed,GOV,U0DELEG,,,,\nNEW-01,New,SD,U0OWNER,,,,\nNEW-02,Bad,Cloud,U0OWNER,,,,\n"

    problems = refused(runtime, text)

    assert problems == [(4, f"priority 'Cloud' is not a code or name of {STRATEGY} ({CODES})")]
    assert stored(runtime) == before


# Rows each wrong in one way, and what is said of each.
BAD_ROWS = [
    ("NET 01,T,ARCH,U0OWNER", "ref 'NET 01' is not a project reference (letters, digits, - . _; e.g. NET-01)"),
    ("NEW-01,,ARCH,U0OWNER", "title must be 1 to 200 characters"),
    ("NEW-01,T,,U0OWNER", f"priority '' is not a code or name of {STRATEGY} ({CODES})"),
    ("NEW-01,T,ARCH,", "owner is empty"),
    ("NEW-01,T,ARCH,bob", "'bob' is neither a Slack user ID (U…) nor an e-mail address"),
    ("NEW-01,T,ARCH,U0OWNER,U0DELEG;nobody", "'nobody' is neither a Slack user ID (U…) nor an e-mail address"),
    (
        "NEW-01,T,ARCH,U0OWNER,,,paused",
        "paused is not a status; use one of planned, active, on_hold, complete, closed.",
    ),
    ("NEW-01,T,ARCH,U0OWNER,,,,31/03/2027", "target_date '31/03/2027' is not a date like 2027-03-31"),
    ("NEW-01,T,ARCH,U0OWNER,,,,,extra", "this row has more fields than the header"),
    ("NEW-01,T\x00,ARCH,U0OWNER", "title holds a NUL character, which no text may hold; retype it"),
    ("A" * 33 + ",T,ARCH,U0OWNER", "ref is 33 characters long; at most 32"),
    ("NEW-01," + "t" * 201 + ",ARCH,U0OWNER", "title is 201 characters long; at most 200"),
    ("NEW-01,T,ARCH,U" + "A" * 64, "owner '" + "U" + "A" * 38 + "…' is 65 characters long; at most 64"),
    (
        "NEW-01,T,ARCH,U0OWNER," + "a" * 250 + "@x.uk",
        "delegate '" + "a" * 39 + "…' is 255 characters long; at most 254",
    ),
]


def test_a_bad_row_is_refused_naming_its_line_and_what_is_wrong(runtime, workplan):
    for row, problem in BAD_ROWS:
        assert refused(runtime, HEADER + "NEW-02,Good,SD,U0OWNER\n" + row + "\n") == [(3, problem)], row
    assert "NEW-02" not in stored(runtime)


def test_every_problem_of_every_row_is_reported_in_line_order(runtime, workplan):
    text = HEADER + "NEW-01,T,ARCH,U0OWNER\nnew-01,T,Cloud,U0OWNER\nBAD REF,,ARCH,someone\n"
    assert refused(runtime, text) == [
        (3, f"priority 'Cloud' is not a code or name of {STRATEGY} ({CODES})"),
        (3, "ref NEW-01 is already on line 2"),
        (4, "'someone' is neither a Slack user ID (U…) nor an e-mail address"),
        (4, "ref 'BAD REF' is not a project reference (letters, digits, - . _; e.g. NET-01)"),
        (4, "title must be 1 to 200 characters"),
    ]


def test_a_cell_longer_than_the_csv_module_allows_is_measured_against_its_column(runtime, workplan):
    limit = csv.field_size_limit()
    assert refused(runtime, HEADER + "NEW-01," + "t" * 200_000 + ",ARCH,U0OWNER\n") == [
        (2, "title is 200,000 characters long; at most 200")
    ]
    assert csv.field_size_limit() == limit  # put back afterwards


# Files refused whole, before any row is read, and what is said of each.
BAD_FILES = [
    (
        "ref,title,owner\nNET-01,T,U0OWNER\n",
        (
            1,
            "the header row lacks the column(s) priority; expected ref,title,priority,owner and optionally "
            "delegates,service_area,status,target_date",
        ),
    ),
    (
        "",
        (
            1,
            "the header row lacks the column(s) ref, title, priority, owner; expected ref,title,priority,owner "
            "and optionally delegates,service_area,status,target_date",
        ),
    ),
    ("ref,title,priority,owner,Colour\nNET-01,T,SD,U0OWNER,red\n", (1, "unknown column(s) 'colour'")),
    (HEADER, (2, "the file has a header but no projects")),
    (HEADER + ",,,,,,,\n\n", (2, "the file has a header but no projects")),
]


def test_a_file_without_the_right_header_or_any_project_is_refused(runtime, workplan):
    for text, problem in BAD_FILES:
        assert refused(runtime, text) == [problem], text


def test_e_mail_addresses_are_looked_up_once_all_together(runtime, workplan):
    asked: list[list[str]] = []
    resolve = resolver({"olive@example.gov.uk": OWNER, "dan@example.gov.uk": DELEGATE}, asked)
    text = (
        HEADER
        + "NEW-01,T,SD,Olive@Example.gov.uk,dan@example.gov.uk;U0ADMIN\nNEW-02,T,SD,U0OTHER,olive@example.gov.uk\n"
    )

    assert import_csv(runtime, text, resolve=resolve) == ImportSummary(created=2, updated=0)

    assert asked == [["dan@example.gov.uk", "olive@example.gov.uk"]]
    after = stored(runtime)
    assert after["NEW-01"][2:4] == (OWNER, (ADMIN, DELEGATE))
    assert after["NEW-02"][2:4] == (STRANGER, (OWNER,))


def test_an_address_nobody_has_is_refused_on_its_line(runtime, workplan):
    resolve = resolver({"olive@example.gov.uk": OWNER}, [])
    text = HEADER + "NEW-01,T,SD,olive@example.gov.uk\nNEW-02,T,SD,U0OWNER,Nobody@example.gov.uk\n"
    assert refused(runtime, text, resolve_emails=resolve) == [
        (3, "no Slack user has the e-mail address Nobody@example.gov.uk")
    ]
    assert "NEW-01" not in stored(runtime)


def test_addresses_are_not_looked_up_when_a_row_is_wrong_anyway(runtime, workplan):
    asked: list[list[str]] = []
    text = HEADER + "NEW-01,T,SD,olive@example.gov.uk\nNEW-02,T,Cloud,U0OWNER\n"
    assert [n for n, _ in refused(runtime, text, resolve_emails=resolver({}, asked))] == [3]
    assert asked == []


def test_addresses_without_a_way_to_look_them_up_are_refused_with_the_fix(runtime, workplan):
    assert refused(runtime, HEADER + "NEW-01,T,SD,olive@example.gov.uk\n", resolve_emails=None) == [
        (
            0,
            "e-mail addresses need SLACK_BOT_TOKEN set so they can be looked up in Slack; "
            "use Slack user IDs instead or set the token",
        )
    ]


def test_a_teams_work_plan_names_people_by_their_object_id_in_lower_case(runtime):
    with runtime.sessions.begin() as session:
        workspaces.get_or_create(session, "tenant-1", platform="teams", now=START)
    with runtime.sessions.begin() as session:
        ws = workspaces.find(session, "tenant-1", "teams")
        assert ws is not None
        summary = projects.import_csv(
            session, ws, HEADER + f"NEW-01,T,SD,{GUID},{GUID.lower()}\n", resolve_emails=None, now=START
        )
        assert summary == ImportSummary(created=1, updated=0)
        with pytest.raises(ImportFailed) as err:
            projects.import_csv(session, ws, HEADER + "NEW-02,T,SD,U0OWNER\n", resolve_emails=None, now=START)
    assert stored(runtime, "tenant-1")["NEW-01"][2:4] == (GUID.lower(), ())
    assert err.value.problems == [(2, "'U0OWNER' is neither a Teams user's object ID (a GUID) nor an e-mail address")]


def test_an_import_changes_only_its_own_workspace(runtime, workplan):
    text = HEADER + "NET-01,Their network,SD,U0OTHER,,,,\n"
    assert import_csv(runtime, text, team=OTHER_TEAM) == ImportSummary(created=1, updated=0)
    assert stored(runtime, OTHER_TEAM) == {
        "NET-01": ("Their network", "SD", STRANGER, (), "", ProjectStatus.ACTIVE, None)
    }
    assert stored(runtime)["NET-01"][:3] == ("Council network refresh", "ARCH", OWNER)
    with runtime.sessions() as s:
        assert len({p.workspace_id for p in s.scalars(select(Project).where(Project.ref == "NET-01"))}) == 2
    assert count(runtime, Workspace) == 2
