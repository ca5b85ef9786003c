"""The database going away: a clear apology, nothing half-written, and recovery without a restart."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bot.dev.local import InlineExecutor, LocalSlack
from bot.runtime import Runtime
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from models import ProgressUpdate, make_engine, make_sessionmaker
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET
from tests.helpers import count, last_reply, shown


def test_the_bot_recovers_by_itself_when_its_connections_are_killed(slack, standin, runtime, workplan, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("terminating the bot's connections is a PostgreSQL test")
    slack.command("/ict-update", "NET-01 amber Before the outage", user_id=OWNER)
    assert count(runtime, ProgressUpdate) == 1
    admin = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                text(  # each call returns once the backend has gone (PostgreSQL 14's timeout argument)
                    "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
    finally:
        admin.dispose()
    assert killed >= 1  # the bot's pooled connections are gone
    slack.command("/ict-update", "NET-01 green After the outage", user_id=OWNER)
    assert "Update saved" in shown(last_reply(standin))
    assert count(runtime, ProgressUpdate) == 2


def test_an_unreachable_database_gets_a_clear_apology_and_writes_nothing(runtime, standin, workplan, clock):
    down = make_engine("postgresql+psycopg://ictbot@127.0.0.1:1/ictbot")  # nothing listens on port 1
    broken = Runtime(settings=runtime.settings, engine=down, sessions=make_sessionmaker(down), clock=clock)
    app = create_app(broken, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=InlineExecutor())
    driver = LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        on_ack=standin.acknowledged_with,
    )
    try:
        assert driver.command("/ict-update", "NET-01 amber Nobody will store this", user_id=OWNER).status == 200
    finally:
        down.dispose()
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert "Sorry — something went wrong on our side and nothing was saved" in reply["text"]
    assert count(runtime, ProgressUpdate) == 0
