"""A project's update history: newest first, at most N, each update as it reads now with its corrections
marked, only the workspace's own, in a fixed number of SQL statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from bot.errors import InvalidInput, UnknownProject
from bot.render.timeline import shown_words
from bot.runtime import Runtime
from bot.services import projects, quickform, timeline, updates, workspaces
from bot.services.quickform import UpdateText
from models import Rag, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER, START

TEAM, OTHER = "T0COUNCIL", "T0OTHER"


def post(runtime: Runtime, ref: str, progress: str, *, minutes: int, rag: Rag = Rag.GREEN, team: str = TEAM,
         user: str = OWNER) -> int:  # fmt: skip
    with runtime.unit(team) as (session, ws):
        project = projects.get(session, ws, ref)
        result = updates.post(
            session, ws, project, user_id=user, is_admin=True, text=UpdateText(rag=rag, progress=progress),
            source=UpdateSource.COMMAND, now=START + timedelta(minutes=minutes),
        )  # fmt: skip
        return result.update_id


def correct(runtime: Runtime, update_id: int, progress: str, *, minutes: int, user: str = ADMIN) -> None:
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, update_id)
        updates.correct(
            session, ws, update, user_id=user, is_admin=True, text=UpdateText(rag=Rag.RED, progress=progress),
            now=START + timedelta(minutes=minutes),
        )  # fmt: skip


def read(runtime: Runtime, ref: str, *, limit: int = timeline.DEFAULT_SHOWN, team: str = TEAM) -> timeline.Timeline:
    with runtime.sessions() as session:
        ws = workspaces.find(session, team)
        assert ws is not None
        return timeline.of_project(session, ws, ref, limit=limit)


def test_updates_are_listed_newest_first_with_rag_date_author_and_progress(runtime, workplan):
    post(runtime, "NET-01", "First", minutes=1, rag=Rag.AMBER)
    post(runtime, "NET-01", "Second", minutes=2, rag=Rag.RED, user=DELEGATE)
    post(runtime, "MOB-01", "Another project's", minutes=3)
    found = read(runtime, "net-01")
    assert (found.ref, found.title, found.total) == ("NET-01", "Council network refresh", 2)
    assert [(e.progress, e.rag, e.author, e.created_at) for e in found.entries] == [
        ("Second", Rag.RED, DELEGATE, START + timedelta(minutes=2)),
        ("First", Rag.AMBER, OWNER, START + timedelta(minutes=1)),
    ]
    assert not any(e.revised for e in found.entries)
    assert found.people() == [DELEGATE, OWNER]


def test_updates_of_the_same_moment_are_ordered_by_when_they_were_posted(runtime, workplan):
    first = post(runtime, "NET-01", "a", minutes=1)
    second = post(runtime, "NET-01", "b", minutes=1)
    assert [e.update_id for e in read(runtime, "NET-01").entries] == [second, first]


def test_at_most_n_are_shown_of_how_many_there_are(runtime, workplan):
    for i in range(13):
        post(runtime, "NET-01", f"Update {i}", minutes=i)
    default = read(runtime, "NET-01")
    assert [e.progress for e in default.entries] == [f"Update {i}" for i in range(12, 2, -1)]
    assert (default.total, default.limit) == (13, 10)
    assert shown_words(default) == "The latest 10 of its 13 updates, newest first. Ask for up to 50."
    three = read(runtime, "NET-01", limit=3)
    assert [e.progress for e in three.entries] == ["Update 12", "Update 11", "Update 10"]
    everything = read(runtime, "NET-01", limit=50)
    assert len(everything.entries) == 13 and shown_words(everything) == "All 13 of its updates, newest first."


def test_a_corrected_update_shows_its_current_text_and_who_corrected_it_when(runtime, workplan):
    first = post(runtime, "NET-01", "Typo", minutes=1)
    post(runtime, "NET-01", "Later", minutes=5)
    correct(runtime, first, "Fixed", minutes=10, user=OWNER)
    correct(runtime, first, "Fixed again", minutes=20)
    later, corrected = read(runtime, "NET-01").entries
    assert (later.progress, later.revised, later.revisions, later.corrected_at, later.corrected_by) == (
        "Later", False, 1, None, None,
    )  # fmt: skip
    assert (corrected.progress, corrected.rag, corrected.revisions) == ("Fixed again", Rag.RED, 3)
    assert corrected.revised and corrected.author == OWNER
    assert (corrected.corrected_at, corrected.corrected_by) == (START + timedelta(minutes=20), ADMIN)
    assert corrected.created_at == START + timedelta(minutes=1)  # when it was posted, not corrected


def test_the_progress_is_shortened_to_one_line(runtime, workplan):
    long = "Links upgraded\nat   three sites. " + "word " * 100
    post(runtime, "NET-01", long, minutes=1)
    (entry,) = read(runtime, "NET-01").entries
    assert entry.progress.startswith("Links upgraded at three sites. word word")
    assert entry.progress.endswith("word…") and len(entry.progress) <= timeline.SHORT_PROGRESS


def test_short_keeps_text_that_fits_and_cuts_a_word_without_spaces_at_the_limit():
    assert timeline.short("  a  b\tc ") == "a b c"
    assert timeline.short("x" * 500, 10) == "x" * 9 + "…"
    assert timeline.short("<@U0ADMIN> *bold* " * 3, 20) == "<@U0ADMIN> *bold*…"


def test_a_project_with_no_updates_has_an_empty_history(runtime, workplan):
    found = read(runtime, "TRN-01")
    assert found.entries == [] and found.total == 0
    assert shown_words(found) == "No update has been posted on it yet."


def test_an_unknown_ref_is_refused_with_suggestions(runtime, workplan):
    with pytest.raises(UnknownProject) as refused:
        read(runtime, "NET-1")
    assert refused.value.suggestions == ["NET-01"]


def test_only_the_workspaces_own_project_and_updates_are_read(runtime, workplan):
    post(runtime, "NET-01", "Council's", minutes=1)
    with runtime.unit(OTHER) as (session, ws):
        projects.add(session, ws, ref="OWN-01", title="Other's", priority="ARCH", owner=OWNER, now=START)
    with pytest.raises(UnknownProject):
        read(runtime, "NET-01", team=OTHER)
    with runtime.unit(OTHER) as (session, ws):
        projects.add(session, ws, ref="NET-01", title="Same ref, other workspace", priority="ARCH", owner=OWNER,
                     now=START)  # fmt: skip
    found = read(runtime, "NET-01", team=OTHER)
    assert found.title == "Same ref, other workspace" and found.entries == [] and found.total == 0


def test_two_statements_read_any_number_of_updates(runtime, workplan):
    def statements(n: int) -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        with runtime.sessions() as session:
            ws = workspaces.find(session, TEAM)
            assert ws is not None
            event.listen(runtime.engine, "before_cursor_execute", count)
            try:
                found = timeline.of_project(session, ws, "NET-01", limit=50)
            finally:
                event.remove(runtime.engine, "before_cursor_execute", count)
        assert len(found.entries) == n
        return len(seen)

    first = post(runtime, "NET-01", "one", minutes=0)
    correct(runtime, first, "one, corrected", minutes=1)
    few = statements(1)
    for i in range(30):
        update_id = post(runtime, "NET-01", f"u{i}", minutes=2 + i)
        correct(runtime, update_id, f"u{i} corrected", minutes=3 + i)
    assert statements(31) == few == 2


@pytest.mark.parametrize("word", ["0", "51", "ten", "-3", "٣", "1.5"])
def test_a_count_out_of_range_or_not_a_number_is_refused(word):
    with pytest.raises(InvalidInput, match="is not a number of updates; give 1 to 50"):
        timeline.count(word)


def test_a_count_defaults_to_ten_and_takes_one_to_fifty():
    assert (timeline.count(None), timeline.count("1"), timeline.count("50")) == (10, 1, 50)


@pytest.mark.parametrize(
    ("typed", "ref", "shown"),
    [
        ("history NET-01", "NET-01", None),
        ("HISTORY net-01 20", "NET-01", "20"),
        ("history amber", "AMBER", None),  # reading is harmless: the history of a project AMBER
        ("history a 5", "A", "5"),
        ("history NET-01 twenty", "NET-01", "twenty"),  # refused by timeline.count, naming what was typed
    ],
)
def test_history_ref_n_is_parsed(typed, ref, shown):
    assert quickform.parse(typed) == quickform.QuickForm("history", ref=ref, shown=shown)


def test_an_update_to_a_project_called_history_is_still_an_update():
    form = quickform.parse("history amber Links done | next: test")
    assert (form.kind, form.ref, form.text) == (
        "update", "HISTORY", UpdateText(rag=Rag.AMBER, progress="Links done", next_steps="test"),
    )  # fmt: skip


@pytest.mark.parametrize("typed", ["history", "history  ", "history NET-01 5 more", "history <!channel>"])
def test_a_history_without_a_project_or_with_more_words_is_refused(typed):
    with pytest.raises(InvalidInput):
        quickform.parse(typed)
