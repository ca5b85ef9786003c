"""Searching updates, on SQLite (FTS5) and PostgreSQL (tsvector): stemmed, ranked, within one workspace, by
project and by day; the index follows corrections, purges and restores; no typed text is query syntax."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.errors import InvalidInput, UnknownProject
from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import projects, retention, search, updates, workspaces
from bot.services.quickform import UpdateText
from bot.transfer import export, restore
from models import Rag, UpdateSource
from models.db import downgrade, upgrade
from models.search import PENDING, SEARCH_TABLE
from tests.conftest import OWNER, START
from tests.helpers import race

TEAM, OTHER = "T0COUNCIL", "T0ELSEWHERE"
CMD = "/ict-search"


def post(runtime: Runtime, ref: str, progress: str, *, team: str = TEAM, at: datetime = START, **more: str) -> int:
    with runtime.unit(team) as (session, ws):
        project = projects.get(session, ws, ref)
        text_ = UpdateText(rag=Rag.AMBER, progress=progress, **more)
        done = updates.post(
            session, ws, project, user_id=OWNER, is_admin=True, text=text_, source=UpdateSource.COMMAND, now=at
        )
    return done.update_id


def correct(runtime: Runtime, update_id: int, progress: str) -> None:
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, update_id)
        text_ = UpdateText(rag=Rag.RED, progress=progress)
        updates.correct(session, ws, update, user_id=OWNER, is_admin=True, text=text_, now=START + timedelta(hours=1))


def found(runtime: Runtime, words: str, *, team: str = TEAM, **kwargs) -> list[int]:
    return [h.update_id for h in results(runtime, words, team=team, **kwargs).hits]


def results(runtime: Runtime, words: str, *, team: str = TEAM, **kwargs) -> search.Results:
    with runtime.unit(team) as (session, ws):
        return search.search(session, ws.id, words, **kwargs)


def index_rows(runtime: Runtime) -> int:
    """The updates the index holds, once it has caught up (as a search reads it)."""
    with runtime.sessions.begin() as session:
        search.catch_up(session)
        return int(session.scalar(text(f"SELECT count(*) FROM {SEARCH_TABLE}")) or 0)  # noqa: S608  (a fixed name)


def other_workspace(runtime: Runtime) -> None:
    with runtime.unit(OTHER) as (session, ws):
        projects.add(session, ws, ref="NET-01", title="Their network", priority="ARCH", owner=OWNER, now=START)


def test_a_word_finds_its_other_forms_on_both_databases(runtime, workplan):
    switches = post(runtime, "NET-01", "Two core switches replaced this week")
    switching = post(runtime, "MOB-01", "Switching carriers next month", next_steps="Tell staff")
    post(runtime, "EFORM-01", "Forms went live")
    assert sorted(found(runtime, "switch")) == sorted([switches, switching])
    assert found(runtime, "staff") == [switching]  # next steps are searched too
    hit = results(runtime, "switching").hits[0]
    assert (hit.project_ref, hit.rag, hit.author, hit.created_at) in {
        ("NET-01", Rag.AMBER, OWNER, START),
        ("MOB-01", Rag.AMBER, OWNER, START),
    }


def test_every_word_must_be_there_and_the_better_match_ranks_first(runtime, workplan):
    once = post(runtime, "NET-01", "Firewall review done; the supplier was slow on a long list of other matters too")
    thrice = post(runtime, "MOB-01", "Firewall firewall firewall", risks="firewall rules")
    post(runtime, "EFORM-01", "A supplier meeting")
    assert found(runtime, "firewall") == [thrice, once]
    assert found(runtime, "firewall supplier") == [once]
    assert found(runtime, "firewall nowhere") == []


def test_results_page_with_a_total_and_the_newest_first_among_equals(runtime, workplan):
    ids = [post(runtime, "NET-01", "Patching done", at=START + timedelta(days=i)) for i in range(13)]
    first = results(runtime, "patching", limit=10)
    assert (first.total, first.has_more, first.next_offset) == (13, True, 10)
    assert [h.update_id for h in first.hits] == ids[::-1][:10]
    rest = results(runtime, "patching", offset=10, limit=10)
    assert [h.update_id for h in rest.hits] == ids[::-1][10:] and not rest.has_more


def test_in_a_project_and_a_date_range(runtime, workplan):
    early = post(runtime, "NET-01", "Cabling survey", at=datetime(2026, 10, 1, 9, tzinfo=UTC))
    late = post(runtime, "NET-01", "Cabling installed", at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    other = post(runtime, "MOB-01", "Cabling for masts", at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert sorted(found(runtime, "cabling", ref="net-01")) == sorted([early, late])
    with runtime.unit(TEAM) as (session, ws):
        _, got = search.find(session, ws, "cabling from 2026-11-01", cmd=CMD, default_timezone="Europe/London")
        assert sorted(h.update_id for h in got.hits) == sorted([late, other])
        _, got = search.find(session, ws, "cabling to 2026-10-01", cmd=CMD, default_timezone="Europe/London")
        assert [h.update_id for h in got.hits] == [early]  # the "to" day is included
        _, got = search.find(
            session, ws, "cabling in MOB-01 from 2026-11-20 to 2026-11-20", cmd=CMD, default_timezone="Europe/London"
        )
        assert [h.update_id for h in got.hits] == [other]


def test_a_correction_reindexes_the_update_the_old_text_no_longer_matches(runtime, workplan):
    update_id = post(runtime, "NET-01", "Router delivered")
    correct(runtime, update_id, "Modem delivered instead")
    assert found(runtime, "router") == []
    (hit,) = results(runtime, "modem").hits
    assert (hit.update_id, hit.rag, hit.revision) == (update_id, Rag.RED, 2)
    assert "Modem delivered instead" in hit.snippet
    assert index_rows(runtime) == 1


def test_another_workspace_s_updates_are_never_found(runtime, workplan):
    other_workspace(runtime)
    mine = post(runtime, "NET-01", "Confidential restructure plan")
    theirs = post(runtime, "NET-01", "Confidential restructure plan", team=OTHER)
    assert found(runtime, "confidential") == [mine]
    assert found(runtime, "confidential", team=OTHER) == [theirs]
    assert results(runtime, "confidential", team=OTHER).total == 1


def test_purging_a_workspace_takes_its_updates_out_of_the_index(runtime, workplan):
    other_workspace(runtime)
    post(runtime, "NET-01", "Datacentre move", team=OTHER)
    update_id = post(runtime, "NET-01", "Datacentre move")
    correct(runtime, update_id, "Datacentre move postponed")
    with runtime.sessions.begin() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        retention.purge(session, ws, now=START, reason="test")
    assert index_rows(runtime) == 1
    assert len(found(runtime, "datacentre", team=OTHER)) == 1


def test_a_restored_workspace_is_searchable_by_its_current_text(runtime, engine, workplan):
    update_id = post(runtime, "NET-01", "Old wording about printers")
    correct(runtime, update_id, "Scanners replaced")
    with runtime.sessions() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        doc = json.dumps(export.to_document(export.gather(session, ws, exported_at=START)))
    with runtime.sessions.begin() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        retention.purge(session, ws, now=START, reason="test")
    assert index_rows(runtime) == 0
    with runtime.sessions.begin() as session:
        restore.restore(session, restore.load(doc), team=TEAM)
    if engine.dialect.name == "sqlite":
        assert queued_and_indexed(runtime) == (0, 1)  # indexed by the restore, not left to the first search
    (hit,) = results(runtime, "scanner").hits
    assert (hit.project_ref, hit.revision) == ("NET-01", 2)
    assert found(runtime, "printers") == []


@pytest.mark.parametrize(
    "typed",
    ['"', "*", "NEAR(", "OR", "-", ":", 'net" OR "x', "NEAR(a b, 2)", "col:switch", "^switch", "a AND", "(((", "'"],
)
def test_hostile_query_syntax_never_errors(runtime, workplan, typed):
    post(runtime, "NET-01", "switch OR near a b col")
    try:
        results(runtime, typed + " switch")
    except InvalidInput:  # nothing searchable in it: said so, never a database error
        pytest.fail("there is a word to search for")
    if not search.terms_of(typed):
        with pytest.raises(InvalidInput):
            results(runtime, typed)


def test_the_grammar():
    q = search.parse("core switch in net-01 from 2026-01-01 to 2026-02-01", cmd=CMD)
    assert (q.words, q.ref, q.first, q.last) == ("core switch", "NET-01", date(2026, 1, 1), date(2026, 2, 1))
    q = search.parse('"move in to new office" from 2026-01-01', cmd=CMD)
    assert (q.words, q.ref, q.first) == ("move in to new office", None, date(2026, 1, 1))
    assert search.parse("plans to", cmd=CMD).words == "plans to"
    assert search.parse("upgrade to fibre from 2026-01-01", cmd=CMD).words == "upgrade to fibre"  # not a date


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Say what to search for"),
        ("in NET-01", "Say what to search for"),
        ("*** -", "Say what to search for"),
        ("x from 2026-13-01", "`2026-13-01` is not a date; write it as YYYY-MM-DD"),
        ("x to 31/01/2026", "`31/01/2026` is not a date"),
        ("x from 2026-02-01 to 2026-01-01", "ends before it starts; swap them"),
        ("x in A in B", "Say `in` once"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_bad_searches_are_explained(typed, message):
    with pytest.raises(InvalidInput) as refused:
        search.parse(typed, cmd=CMD)
    assert message in refused.value.message


def test_an_unknown_project_is_refused_with_suggestions(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws), pytest.raises(UnknownProject) as refused:
        search.find(session, ws, "switch in NET-1", cmd=CMD, default_timezone="Europe/London")
    assert refused.value.suggestions and "NET-01" in refused.value.suggestions
    assert 'To search for "in" itself, put the words in quotes.' in refused.value.message
    other_workspace(runtime)
    with runtime.unit(OTHER) as (session, ws), pytest.raises(UnknownProject):  # B cannot name A's project
        search.search(session, ws.id, "switch", ref="MOB-01")


def test_deleting_the_current_revision_falls_back_to_the_one_before(runtime, workplan):
    update_id = post(runtime, "NET-01", "Alpha text")
    correct(runtime, update_id, "Beta text")
    with runtime.sessions.begin() as session:
        session.execute(text("DELETE FROM update_revision WHERE update_id = :u AND number = 2"), {"u": update_id})
    assert found(runtime, "alpha") == [update_id] and found(runtime, "beta") == []


def test_the_snippet_is_the_officer_s_text_as_typed_cut_around_the_match(runtime, workplan):
    typed = "Before <at>Olive</at> &#60; <b>x</b> {{DATE(2026-01-01)}} switches replaced"
    post(runtime, "NET-01", typed)
    assert results(runtime, "switch").hits[0].snippet == typed
    long = " ".join(f"word{i}" for i in range(60)) + " cabling " + " ".join(f"more{i}" for i in range(60))
    post(runtime, "MOB-01", "Nothing here", risks=long)
    (hit,) = results(runtime, "cabling").hits
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and "cabling" in hit.snippet
    assert len(hit.snippet.split()) <= search.SNIPPET_WORDS + 1


# -- SQLite: the index catches up in one go (migration 0018) ---------------------------------------------

on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def queued_and_indexed(runtime: Runtime) -> tuple[int, int]:
    """(updates waiting to be indexed, updates in the index), as the database holds them now."""
    with runtime.sessions() as session:
        pending = session.scalar(text(f"SELECT count(*) FROM {PENDING}"))  # noqa: S608  (fixed names)
        indexed = session.scalar(text(f"SELECT count(*) FROM {SEARCH_TABLE}"))  # noqa: S608
        return int(pending or 0), int(indexed or 0)


@on_sqlite
def test_an_update_waits_for_the_index_and_a_search_first_indexes_all_that_waits(runtime, workplan):
    first = post(runtime, "NET-01", "Core switches replaced")
    second = post(runtime, "MOB-01", "Switching carriers")
    assert queued_and_indexed(runtime) == (2, 0)  # the updates' own transactions wrote no index page
    assert sorted(found(runtime, "switch")) == sorted([first, second])
    assert queued_and_indexed(runtime) == (0, 2)
    correct(runtime, first, "Core routers replaced")
    assert queued_and_indexed(runtime) == (1, 2)
    assert found(runtime, "switch") == [second]  # the correction indexed before the search read
    assert found(runtime, "router") == [first]


@on_sqlite
def test_each_pass_indexes_what_waits(runtime, workplan, clock):
    post(runtime, "NET-01", "Core switches replaced")
    Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="a").tick(clock.now)
    assert queued_and_indexed(runtime) == (0, 1)


@on_sqlite
def test_an_update_deleted_while_it_waits_leaves_nothing_behind(runtime, workplan):
    post(runtime, "NET-01", "Datacentre move")
    with runtime.sessions.begin() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        retention.purge(session, ws, now=START, reason="test")
    assert queued_and_indexed(runtime) == (0, 0)


@on_sqlite
def test_searches_and_updates_at_once_index_every_update_once(runtime, workplan):
    def work(i: int) -> list[int]:
        if i % 2:
            for _ in range(5):
                found(runtime, "racing", limit=50)  # each search indexes what waits, in its own transaction
            return []
        return [post(runtime, "NET-01", f"Racing update {i}-{n}") for n in range(5)]

    posted = [update for got in race(8, work) for update in got]
    assert len(posted) == 20
    assert sorted(found(runtime, "racing", limit=50)) == sorted(posted)
    assert queued_and_indexed(runtime) == (0, 20)


@on_sqlite
def test_undoing_migration_0018_indexes_what_waits_and_each_update_at_once_again(runtime, workplan, db_url):
    def indexed() -> int:
        with runtime.sessions() as session:
            return int(session.scalar(text(f"SELECT count(*) FROM {SEARCH_TABLE}")) or 0)  # noqa: S608

    waiting = post(runtime, "NET-01", "Firewall rules reviewed")
    downgrade(db_url, "0017")
    try:
        assert indexed() == 1
        later = post(runtime, "MOB-01", "Firewall upgrade booked")
        assert indexed() == 2  # 0014's trigger: in the update's own transaction
    finally:
        upgrade(db_url)
    assert queued_and_indexed(runtime) == (0, 2)
    assert sorted(found(runtime, "firewall")) == sorted([waiting, later])
