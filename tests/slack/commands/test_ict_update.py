"""`/ict-update` end to end: signed requests through the real Bolt app, answers at the stand-in."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, select, update

from bot.dev.local import LocalSlack
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from models import HomeView, ProgressUpdate, Rag, UpdateRevision, UpdateSource, Workspace
from models.driver import DriverConnection
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, SIGNING_SECRET, STRANGER
from tests.helpers import count, failing, last_reply, rich_texts, shown, statements, typed_shown_literally


def test_quick_form_stores_update_and_confirms_ephemerally(slack, standin, runtime, workplan):
    resp = slack.command("/ict-update", "NET-01 amber Core links upgrade delayed by supplier", user_id=OWNER)
    assert resp.status == 200
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert "NET-01" in reply["text"] and "Amber" in reply["text"]
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.COMMAND and update.author_user_id == OWNER
        assert update.current.rag is Rag.AMBER
        assert update.current.progress == "Core links upgrade delayed by supplier"


def test_quick_form_takes_next_steps_and_risks(slack, standin, runtime, workplan):
    slack.command("/ict-update", "net-01 R Links down | next: chase BT | risks: budget & <!channel>", user_id=DELEGATE)
    with runtime.sessions() as s:
        rev = s.scalars(select(UpdateRevision)).one()
    assert (rev.rag, rev.progress, rev.next_steps, rev.risks) == (
        Rag.RED,
        "Links down",
        "chase BT",
        "budget & <!channel>",
    )
    reply = last_reply(standin)
    assert "*Risks/issues:* budget & <!channel>" in shown(reply)  # stored verbatim, shown as typed
    assert typed_shown_literally(reply, "budget & <!channel>")  # in a rich text element: no @channel


@pytest.mark.parametrize("user", [OWNER, DELEGATE])
def test_an_owners_or_delegates_update_reads_once_then_writes(slack, standin, runtime, workplan, user):
    """The usual update goes the direct way (``updates.post_directly``): the workspace and the project
    found, then the delivery, the update, its revision and Home's throttle (the author's, and the owner's
    when a delegate posts) written. On PostgreSQL all of it is one statement, with no transaction begun
    around it; on SQLite a writer's transaction begun, one SELECT (with Home's throttle rows), then the writes
    one after another. No ORM session before the answer, no other statement."""
    in_transaction: list[bool] = []

    def after(conn: Any, *_args: Any) -> None:  # psycopg's own view: a transaction is open, or none is
        if isinstance(conn, DriverConnection) and conn.dialect.name == "postgresql":
            in_transaction.append(conn.raw.driver_connection.info.transaction_status.name != "IDLE")

    event.listen(runtime.engine, "after_cursor_execute", after)
    try:
        with statements(runtime.engine) as seen:
            slack.command("/ict-update", "NET-01 amber On track", user_id=user)
    finally:
        event.remove(runtime.engine, "after_cursor_execute", after)
    assert "NET-01" in last_reply(standin)["text"] and count(runtime, ProgressUpdate) == 1
    homes = ["home_view"] * (1 if user == OWNER else 2)
    writes = ["inbound_delivery", "progress_update", "update_revision", *homes]
    if runtime.engine.dialect.name == "postgresql":
        first = seen[0]
        assert first.startswith("WITH found AS") and "FROM workspace" in first and "project" in first
        assert re.findall(r"INSERT INTO (\w+)", first) == writes[:4]
        assert not any("INSERT INTO" in sql for sql in seen[1:])  # then Home, read in a session of its own
        assert in_transaction == [False]  # no BEGIN, no COMMIT: the statement commits on its own
        with runtime.sessions() as session:
            assert [p for p in session.scalars(select(HomeView.user_id).order_by(HomeView.user_id))] == sorted(
                {OWNER, user}
            )
    else:
        assert seen[0] == "BEGIN IMMEDIATE"  # a writer's transaction: what the SELECT reads holds till the commit
        assert seen[1].lstrip().startswith("SELECT") and "FROM workspace" in seen[1] and "home_view" in seen[1]
        inserts = list(itertools.takewhile(lambda sql: sql.lstrip().startswith("INSERT INTO"), seen[2:]))
        assert [sql.split()[2] for sql in inserts] == writes


def test_an_update_from_an_uninstalled_workspace_is_stored_and_marks_it_installed(slack, runtime, workplan):
    """Slack only sends requests from where the app is installed: the general way stores the update and
    cancels the purge, as any request does."""
    with runtime.sessions.begin() as session:
        session.execute(update(Workspace).values(uninstalled_at=runtime.now()))
    slack.command("/ict-update", "NET-01 green Done", user_id=OWNER)
    assert count(runtime, ProgressUpdate) == 1
    with runtime.sessions() as session:
        assert session.scalars(select(Workspace.uninstalled_at)).all() == [None]


def test_stranger_is_refused_and_nothing_is_written(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 green All done", user_id=STRANGER)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert "Only the owner or a delegate of `NET-01`" in shown(reply)
    assert count(runtime, ProgressUpdate) == 0


def test_admin_may_update_any_project(slack, standin, runtime, workplan):
    slack.command("/ict-update", "TRN-01 g On track", user_id=ADMIN)
    assert count(runtime, ProgressUpdate) == 1


def test_rag_is_case_insensitive_and_letters_work(slack, runtime, workplan):
    for text in ("NET-01 GREEN a", "NET-01 Amber b", "NET-01 r c", "NET-01 G d"):
        slack.command("/ict-update", text, user_id=OWNER)
    with runtime.sessions() as s:
        rags = [r.rag for r in s.scalars(select(UpdateRevision).order_by(UpdateRevision.id))]
    assert rags == [Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NET-01 Core links delayed", "Give the RAG status after `NET-01`: red, amber or green"),
        ("NET-01 purple Core links", "Give the RAG status after `NET-01`"),
        ("NET-01 amber", "the update's progress text is empty"),
        ("NET-01 amber    | next: later", "the update's progress text is empty"),
        ("NET-01 amber " + "x" * 2001, "Progress is 2,001 characters; the limit is 2,000"),
        ("NET-01 amber ok | risks: " + "y" * 1001, "Risks/issues is 1,001 characters; the limit is 1,000"),
        ("edit", "Say which project's latest update to correct"),
        ("<!channel> amber hi", "is not a project reference"),
    ],
)
def test_malformed_quick_form_explains_and_writes_nothing(slack, standin, runtime, workplan, text, expected):
    assert slack.command("/ict-update", text, user_id=OWNER).status == 200
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert expected in shown(reply)
    assert count(runtime, ProgressUpdate) == 0


def test_typed_mrkdwn_in_an_error_is_shown_inert(slack, standin, workplan):
    slack.command("/ict-update", "<!channel> amber hi", user_id=OWNER)
    reply = last_reply(standin)
    assert "`<!channel>` is not a project reference" in shown(reply)
    assert typed_shown_literally(reply, "<!channel>")  # a code-styled text element, not a broadcast
    assert all(e["type"] == "text" for e in rich_texts(reply))
    assert "<!channel>" not in reply["text"] and "&lt;!channel&gt;" in reply["text"]  # the notification too


def test_unknown_project_suggests_the_closest_refs(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-1 amber Links", user_id=OWNER)
    text = shown(last_reply(standin))
    assert "There is no project `NET-1`" in text and "Did you mean NET-01?" in text
    slack.command("/ict-update", "EFORM amber x", user_id=OWNER)
    assert "EFORM-01" in shown(last_reply(standin))
    assert count(runtime, ProgressUpdate) == 0


def test_help_explains_the_quick_form(slack, standin, workplan):
    slack.command("/ict-update", "help", user_id=STRANGER)
    text = shown(last_reply(standin))
    assert "| next:" in text and "/ict-update edit REF" in text and "/ict-update mine" in text


def test_mine_lists_own_and_delegated_projects_with_last_update(slack, standin, clock, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayed", user_id=OWNER)
    clock.advance(days=3)
    slack.command("/ict-update", "mine", user_id=DELEGATE)
    text = shown(last_reply(standin))
    assert "*Your projects* (3)" in text
    assert "*NET-01* Council network refresh _(delegate)_" in text
    assert "last updated 3 days ago (24 Nov 2026 09:30)" in text
    assert "*EFORM-01* E-forms for online services — :grey_question: no update yet" in text
    assert "MOB-01" not in text


def test_mine_for_someone_with_no_projects(slack, standin, workplan):
    slack.command("/ict-update", "mine", user_id=STRANGER)
    assert "You own no open project" in shown(last_reply(standin))


def test_edit_adds_a_revision_and_keeps_the_old_text(slack, standin, runtime, clock, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayd", user_id=OWNER)
    clock.advance(minutes=5)
    slack.command("/ict-update", "edit NET-01 amber Links delayed by supplier", user_id=OWNER)
    assert "Correction saved" in shown(last_reply(standin))
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert [(r.number, r.progress) for r in update.revisions] == [
            (1, "Links delayd"),
            (2, "Links delayed by supplier"),
        ]


def test_edit_without_an_earlier_update_explains(slack, standin, runtime, workplan):
    slack.command("/ict-update", "edit NET-01 green Done", user_id=OWNER)
    assert "You have no update on `NET-01` to correct" in shown(last_reply(standin))
    assert count(runtime, ProgressUpdate) == 0


def test_a_delegate_cannot_correct_the_owners_update_through_edit(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayed", user_id=OWNER)
    slack.command("/ict-update", "edit NET-01 green All fine", user_id=DELEGATE)
    assert "You have no update on `NET-01` to correct" in shown(last_reply(standin))
    assert count(runtime, UpdateRevision) == 1


def test_projects_of_another_workspace_are_invisible(slack, standin, runtime, workplan):
    other = LocalSlack(
        app=slack.app,
        signing_secret=slack.signing_secret,
        response_url=standin.response_url,
        team_id="T0OTHERCOUNCIL",
        team_domain="elsewhere",
        on_ack=standin.acknowledged_with,
    )
    other.command("/ict-update", "NET-01 amber From elsewhere", user_id=ADMIN)
    assert "There is no project `NET-01`" in shown(last_reply(standin))
    other.command("/ict-update", "mine", user_id=OWNER)
    assert "You own no open project" in shown(last_reply(standin))
    assert count(runtime, ProgressUpdate) == 0


def test_a_database_error_apologises_logs_the_cause_and_leaves_no_partial_row(
    slack, standin, runtime, workplan, caplog
):
    # The revision fails after the update's own row went in: neither may be kept.
    with failing(runtime.engine, "INSERT INTO update_revision", "disk I/O error"):
        assert slack.command("/ict-update", "NET-01 amber Links delayed", user_id=OWNER).status == 200
    assert "Sorry — something went wrong on our side and nothing was saved" in last_reply(standin)["text"]
    assert count(runtime, ProgressUpdate) == 0 and count(runtime, UpdateRevision) == 0
    record = next(r for r in caplog.records if "database error" in r.getMessage())
    assert record.exc_info and "disk I/O error" in str(record.exc_info[1])
    assert "Links delayed" not in caplog.text  # officer text stays out of the logs


def test_the_command_is_acknowledged_before_slow_web_api_work(runtime, standin, workplan):
    """With a thread pool as in production, Slack gets its 200 while views.open is still in flight."""
    pool = ThreadPoolExecutor(max_workers=2)
    app = create_app(runtime, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=pool)
    driver = LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        on_ack=standin.acknowledged_with,
    )
    release = standin.hold("views.open")
    try:
        response = driver.command("/ict-update", "", user_id=OWNER)
        assert response.status == 200 and response.body == ""
        assert not standin.calls_to("views.open")  # the modal has not been answered yet
    finally:
        release.set()
        pool.shutdown(wait=True)  # the listener finishes here, not during a later test
    standin.wait_for("views.open")
