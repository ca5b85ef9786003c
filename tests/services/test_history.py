"""A project's history: each change of its status, owner, delegates, target date, title or priority is recorded
once, with who made it, when and through what, in the transaction that makes it; what changes nothing
records nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ImportFailed, InvalidInput
from bot.runtime import Runtime
from bot.services import history, projects, workspaces
from models import ChangeVia, ProjectEvent, ProjectField, ProjectStatus
from tests.conftest import ADMIN, DELEGATE, OWNER, START, STRANGER
from tests.helpers import count

TEAM = "T0COUNCIL"  # the stand-in's workspace, where the workplan fixture puts its projects
LONDON = ZoneInfo("Europe/London")
HEADER = "ref,title,priority,owner,delegates,service_area,status,target_date\n"
LATER = START + timedelta(days=3)
CHAT, IMPORT = ChangeVia.CHAT, ChangeVia.IMPORT
F = ProjectField

Event = tuple[object, str, ChangeVia, ProjectField, str, str]


def events(runtime: Runtime, ref: str, team: str = TEAM) -> list[Event]:
    """The project's history: (at, actor, via, field, old, new), oldest first."""
    with runtime.sessions() as s:
        ws = workspaces.find(s, team)
        assert ws is not None
        project = projects.get(s, ws, ref)
        return [(e.at, e.actor, e.via, e.field, e.old, e.new) for e in history.of_project(s, ws, project)]


def changes(runtime: Runtime, ref: str) -> list[Event]:
    """The project's history after its creation."""
    return events(runtime, ref)[1:]


def import_csv(runtime: Runtime, text: str, *, now=LATER, actor: str = "", team: str = TEAM) -> None:
    with runtime.unit(team) as (session, ws):
        projects.import_csv(session, ws, text, resolve_emails=None, now=now, actor=actor)


# -- in chat ---------------------------------------------------------------------------------------


def test_adding_a_project_records_its_creation_with_its_status_and_who_added_it(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.add(
            session,
            ws,
            ref="NET-02",
            title="Wi-Fi refresh",
            priority="ARCH",
            owner=OWNER,
            status=ProjectStatus.PLANNED,
            now=LATER,
            actor=ADMIN,
        )
    assert events(runtime, "NET-02") == [(LATER, ADMIN, CHAT, F.CREATED, "", "planned")]


def test_reassigning_records_the_new_owner_and_the_delegate_it_dropped(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.reassign(session, ws, "NET-01", DELEGATE, now=LATER, actor=ADMIN)
    assert changes(runtime, "NET-01") == [
        (LATER, ADMIN, CHAT, F.OWNER, OWNER, DELEGATE),
        (LATER, ADMIN, CHAT, F.DELEGATES, DELEGATE, ""),
    ]


def test_reassigning_to_the_owner_it_has_records_nothing(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.reassign(session, ws, "MOB-01", OWNER, now=LATER, actor=ADMIN)
    assert changes(runtime, "MOB-01") == []


def test_completing_and_reopening_record_each_status_change(runtime, workplan):
    reopened = LATER + timedelta(days=1)
    with runtime.unit(TEAM) as (session, ws):
        projects.set_status(session, ws, "NET-01", ProjectStatus.COMPLETE, now=LATER, tz=LONDON, actor=ADMIN)
        projects.reopen(session, ws, "NET-01", now=reopened, actor=STRANGER)
    assert changes(runtime, "NET-01") == [
        (LATER, ADMIN, CHAT, F.STATUS, "active", "complete"),
        (reopened, STRANGER, CHAT, F.STATUS, "complete", "active"),
    ]


def test_a_refused_change_records_nothing(runtime, workplan):
    before = count(runtime, ProjectEvent)
    with runtime.unit(TEAM) as (session, ws):  # the refusals are caught inside the transaction, which commits
        with pytest.raises(InvalidInput):
            projects.set_status(session, ws, "NET-01", ProjectStatus.ACTIVE, now=LATER, tz=LONDON, actor=ADMIN)
        with pytest.raises(InvalidInput):
            projects.reopen(session, ws, "NET-01", now=LATER, actor=ADMIN)
    assert count(runtime, ProjectEvent) == before


# -- by a CSV import -------------------------------------------------------------------------------


def test_an_import_records_each_project_it_creates_via_import(runtime):
    import_csv(runtime, HEADER + "NEW-01,New,SD,U0OWNER,,,planned,\nNEW-02,Newer,WF,U0ADMIN,,,,\n", now=START)
    assert events(runtime, "NEW-01") == [(START, "", IMPORT, F.CREATED, "", "planned")]
    assert events(runtime, "NEW-02") == [(START, "", IMPORT, F.CREATED, "", "active")]


def test_an_import_records_each_field_it_changes_on_a_project_with_old_and_new(runtime, workplan):
    row = "NET-01,Network refresh phase 2,GOV,U0ADMIN,U0OTHER U0DELEG,Infrastructure,on hold,2027-03-31\n"
    import_csv(runtime, HEADER + row, actor=ADMIN)
    assert changes(runtime, "NET-01") == [
        (LATER, ADMIN, IMPORT, F.STATUS, "active", "on_hold"),
        (LATER, ADMIN, IMPORT, F.OWNER, OWNER, ADMIN),
        (LATER, ADMIN, IMPORT, F.DELEGATES, DELEGATE, f"{DELEGATE},{STRANGER}"),  # sorted, comma-separated
        (LATER, ADMIN, IMPORT, F.TARGET_DATE, "", "2027-03-31"),
        (LATER, ADMIN, IMPORT, F.TITLE, "Council network refresh", "Network refresh phase 2"),
        (LATER, ADMIN, IMPORT, F.PRIORITY, "ARCH", "GOV"),
    ]
    # The service area is not part of the history.
    import_csv(runtime, HEADER + row.replace("Infrastructure", "Networks"), now=LATER + timedelta(days=1))
    assert len(changes(runtime, "NET-01")) == 6


def test_an_import_that_changes_nothing_records_nothing(runtime, workplan):
    text = HEADER + "NEW-01,New,SD,U0OWNER,U0DELEG U0ADMIN,,planned,2027-01-31\n"
    import_csv(runtime, text, now=START)
    before = count(runtime, ProjectEvent)
    # The same rows again; and NET-01 exactly as chat added it (its delegates given in another order).
    import_csv(runtime, text.replace("U0DELEG U0ADMIN", "U0ADMIN;U0DELEG"))
    import_csv(runtime, HEADER + "net-01,Council network refresh,ict strategic architecture,U0OWNER,U0DELEG,,,\n")
    assert count(runtime, ProjectEvent) == before


def test_a_refused_import_records_nothing(runtime, workplan):
    before = count(runtime, ProjectEvent)
    text = HEADER + "NET-01,Renamed,GOV,U0DELEG,,,,\nNEW-01,New,SD,U0OWNER,,,,\nNEW-02,Bad,Cloud,U0OWNER,,,,\n"
    # The refusal is caught inside the transaction, which then commits: whatever the import wrote would stay.
    with runtime.unit(TEAM) as (session, ws), pytest.raises(ImportFailed):
        projects.import_csv(session, ws, text, resolve_emails=None, now=LATER)
    assert count(runtime, ProjectEvent) == before


def test_a_project_s_history_is_its_own_workspace_s(runtime, workplan):
    import_csv(runtime, HEADER + "NET-01,Elsewhere,SD,U0OWNER,,,planned,\n", team="T0ELSEWHERE")
    assert events(runtime, "NET-01", team="T0ELSEWHERE") == [(LATER, "", IMPORT, F.CREATED, "", "planned")]
    assert events(runtime, "NET-01") == [(START, "", CHAT, F.CREATED, "", "active")]
