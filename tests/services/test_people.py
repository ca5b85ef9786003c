"""The people directory, called directly: names in one statement, the stale rule against ``now``, the
upsert that racing writers leave as one entry, names a CSV gave that the platform later replaces, and
that one workspace's directory is not another's (and goes with it when it is purged)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.errors import ImportFailed
from bot.services import people, projects, retention
from bot.services.people import Entry
from models import Person, Workspace
from tests.conftest import ADMIN, DELEGATE, OWNER, START
from tests.helpers import RACERS, count, race, together_at

TEAM = "T0COUNCIL"
OTHER_TEAM = "T0ELSEWHERE"


def test_names_are_read_in_one_statement_and_only_for_the_ids_asked(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner", "Head of ICT"), Entry(ADMIN, "Ada Admin")], now=START)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    try:
        with runtime.sessions() as session:
            ws = session.scalar(select(Workspace))
            statements.clear()
            found = people.names(session, ws, [OWNER, DELEGATE, OWNER])
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listener)
    assert found == {OWNER: "Olive Owner"}
    assert len(statements) == 1


def test_display_shows_the_id_when_there_is_no_name_and_admins_see_both():
    assert people.display("Olive Owner", OWNER) == "Olive Owner"
    assert people.display(None, OWNER) == OWNER
    assert people.display("  ", OWNER) == OWNER
    assert people.labelled({OWNER: "Olive Owner"}, OWNER) == f"Olive Owner ({OWNER})"
    assert people.labelled({}, OWNER) == OWNER


def test_an_entry_is_stale_a_day_after_the_platform_gave_it(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner")], now=START)
        people.record(session, ws, [Entry(ADMIN, "Ada Admin")], now=START - timedelta(days=1, seconds=1))
        people.fill(session, ws, {DELEGATE: "Dan from the CSV"})
        asked = [DELEGATE, OWNER, ADMIN, "U0NOBODY", OWNER]
        assert people.stale(session, ws, asked, START) == [DELEGATE, ADMIN, "U0NOBODY"]
        assert people.stale(session, ws, asked, START + timedelta(hours=23)) == [DELEGATE, ADMIN, "U0NOBODY"]
        assert people.stale(session, ws, asked, START + timedelta(days=1)) == [DELEGATE, OWNER, ADMIN, "U0NOBODY"]
        assert people.stale(session, ws, [], START) == []


def test_recording_again_replaces_the_name_and_title(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner", "ICT Manager")], now=START)
        people.record(session, ws, [Entry(OWNER, " Olive Smith ", "Head of ICT")], now=START + timedelta(days=2))
        (entry,) = people.everyone(session, ws)
    assert (entry.user_id, entry.name, entry.title) == (OWNER, "Olive Smith", "Head of ICT")
    assert entry.refreshed_at == START + timedelta(days=2)


def test_a_csv_name_fills_a_gap_but_never_replaces_what_the_platform_said(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner")], now=START)
        people.fill(session, ws, {OWNER: "O. Owner", DELEGATE: "Dan D."})
        assert people.names(session, ws, [OWNER, DELEGATE]) == {OWNER: "Olive Owner", DELEGATE: "Dan D."}
        people.fill(session, ws, {DELEGATE: "Daniel Delegate"})  # a later CSV corrects its own name
        assert people.names(session, ws, [DELEGATE]) == {DELEGATE: "Daniel Delegate"}
        people.record(session, ws, [Entry(DELEGATE, "Dan Delegate")], now=START)  # the platform's answer wins
        people.fill(session, ws, {DELEGATE: "Daniel Delegate"})
        assert people.names(session, ws, [DELEGATE]) == {DELEGATE: "Dan Delegate"}


def test_nameless_entries_are_not_stored(runtime):
    with runtime.unit(TEAM) as (session, ws):
        assert people.record(session, ws, [Entry(OWNER, "  "), Entry("", "Nobody")], now=START) == 0
        people.fill(session, ws, {DELEGATE: ""})
    assert count(runtime, Person) == 0


def test_seen_writes_only_when_missing_or_stale(runtime):
    with runtime.unit(TEAM) as (session, ws):
        assert people.seen(session, ws, Entry(OWNER, "Olive Owner"), now=START)
        assert not people.seen(session, ws, Entry(OWNER, "Olive Renamed"), now=START + timedelta(hours=1))
        assert people.names(session, ws, [OWNER]) == {OWNER: "Olive Owner"}
        assert people.seen(session, ws, Entry(OWNER, "Olive Renamed"), now=START + timedelta(days=1))
        assert people.names(session, ws, [OWNER]) == {OWNER: "Olive Renamed"}


def test_racing_writers_of_one_new_person_leave_one_entry(runtime):
    with runtime.unit(TEAM):
        pass  # the workspace exists before the race

    def write(i: int) -> int:
        with runtime.unit(TEAM) as (session, ws):
            return people.record(session, ws, [Entry(OWNER, f"Olive {i}")], now=START + timedelta(seconds=i))

    with together_at(runtime.engine, "INSERT INTO person"):
        assert race(RACERS, write) == [1] * RACERS
    with runtime.sessions() as session:
        rows = list(session.scalars(select(Person)))
    assert len(rows) == 1 and rows[0].name in {f"Olive {i}" for i in range(RACERS)}


def test_a_writer_that_waits_on_another_writes_after_it(runtime):
    """Two sessions: the second's upsert meets the first's uncommitted entry, waits, and then updates it."""
    with runtime.unit(TEAM):
        pass
    first = runtime.sessions()
    try:
        first.begin()
        ws = first.scalar(select(Workspace))
        people.record(first, ws, [Entry(OWNER, "First")], now=START)

        def second(_: int) -> None:
            with runtime.unit(TEAM) as (session, ws2):
                people.record(session, ws2, [Entry(OWNER, "Second")], now=START + timedelta(seconds=1))

        done = threading.Thread(target=race, args=(1, second))
        done.start()
        done.join(timeout=0.5)
        assert done.is_alive()  # it waits for the first's entry (PostgreSQL) or write lock (SQLite)
        first.commit()
        done.join(timeout=20)
        assert not done.is_alive()
    finally:
        first.close()
    with runtime.sessions() as session:
        assert [(p.name, p.refreshed_at) for p in session.scalars(select(Person))] == [
            ("Second", START + timedelta(seconds=1))
        ]


def test_each_workspace_has_its_own_directory_and_a_purge_takes_it(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner")], now=START)
    with runtime.unit(OTHER_TEAM) as (session, other):
        people.record(session, other, [Entry(OWNER, "Someone Else")], now=START)
        assert people.names(session, other, [OWNER]) == {OWNER: "Someone Else"}
    with runtime.unit(TEAM) as (session, ws):
        assert people.names(session, ws, [OWNER]) == {OWNER: "Olive Owner"}
        purged = retention.purge(session, ws, now=START, reason="test")
    assert purged.deleted["person"] == 1
    with runtime.unit(OTHER_TEAM) as (session, other):
        assert people.names(session, other, [OWNER]) == {OWNER: "Someone Else"}


# -- the Work Plan CSV's owner_name ------------------------------------------------------------------

CSV = "ref,title,priority,owner,owner_name\n"


def test_a_work_plan_s_owner_name_fills_the_directory(runtime, workplan):
    text = CSV + f"NET-01,Network,ARCH,{OWNER},Olive Owner\nNEW-01,New,ARCH,ada@example.gov.uk,Ada Admin\n"
    with runtime.unit(TEAM) as (session, ws):
        projects.import_csv(session, ws, text, resolve_emails=lambda emails: dict.fromkeys(emails, ADMIN), now=START)
        assert people.names(session, ws, [OWNER, ADMIN]) == {OWNER: "Olive Owner", ADMIN: "Ada Admin"}
        assert people.stale(session, ws, [OWNER, ADMIN], START) == [OWNER, ADMIN]  # Slack's name will replace it


def test_an_owner_name_never_replaces_the_platform_s_and_an_empty_one_is_nothing(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner")], now=START)
        projects.import_csv(
            session,
            ws,
            CSV + f"NET-01,Network,ARCH,{OWNER},O. Owner\nPCI-01,PCI,GOV,{ADMIN},\n",
            resolve_emails=None,
            now=START,
        )
        assert people.names(session, ws, [OWNER, ADMIN]) == {OWNER: "Olive Owner"}


def test_an_owner_name_too_long_for_the_directory_refuses_the_file(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws), pytest.raises(ImportFailed) as err:
        projects.import_csv(
            session, ws, CSV + f"NET-01,Network,ARCH,{OWNER},{'x' * 201}\n", resolve_emails=None, now=START
        )
    assert err.value.problems == [(2, "owner_name is 201 characters long; at most 200")]
    assert count(runtime, Person) == 0


def test_a_header_without_owner_name_imports_as_before(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        projects.import_csv(
            session, ws, f"ref,title,priority,owner\nNET-01,Network,ARCH,{OWNER}\n", resolve_emails=None, now=START
        )
    assert count(runtime, Person) == 0


def test_an_e_mail_address_is_found_in_any_case_and_an_answer_without_one_keeps_it(runtime):
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner", email="Olive@Example.gov.uk")], now=START)
    with runtime.unit(TEAM) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive O.")], now=START + timedelta(days=2))  # e.g. from Teams
        assert people.by_email(session, ws, ["OLIVE@example.gov.uk", "nobody@example.gov.uk"]) == {
            "olive@example.gov.uk": OWNER
        }
    with runtime.unit(OTHER_TEAM) as (session, ws):
        assert people.by_email(session, ws, ["olive@example.gov.uk"]) == {}
