"""After an uninstall, a workspace's data is kept for ICTBOT_RETENTION_DAYS, then purged whole by
the reconciler, with a record of what went; another workspace's data is never touched."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from typing import Any

import pytest
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import (
    digest_posts,
    home_views,
    meetings,
    paper,
    people,
    retention,
    roles,
    strategy,
    updates,
    workspaces,
)
from bot.services import projects as project_service
from bot.services.assurance import loader as assurance_loader
from bot.services.assurance import reminders as assurance_reminders
from bot.services.assurance import results as assurance_results
from bot.services.paper import settings as paper_settings
from bot.services.quickform import UpdateText
from bot.services.registers import actions, raid
from bot.settings import Settings
from handlers.teams import references
from models import (
    Base,
    DeliveryStatus,
    InboundDelivery,
    PurgeRecord,
    Rag,
    ReferenceKind,
    Role,
    UpdateSource,
    Workspace,
)
from models.install import slack_bots
from models.registers import RaidKind
from tests.conftest import DELEGATE, OWNER

TEAM_A, TEAM_B = "T0RETIRED", "T0STAYING"
ASSURANCE_EXAMPLE = (files("bot") / "data" / "assurance_example.yaml").read_text(encoding="utf-8")
SECRET_TEXT = "Officer text that must not reach the purge log <!channel>"
UNINSTALLED = datetime(2026, 11, 24, 12, tzinfo=UTC)


def fill(runtime: Runtime, team: str) -> None:
    """A workspace with a row in every table a workspace owns."""
    now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    with runtime.sessions.begin() as session:
        ws = workspaces.get_or_create(session, team, name=f"Council {team}", now=now)
        project = project_service.add(
            session, ws, ref="NET-01", title="Network", priority="ARCH", owner=OWNER, delegates=[DELEGATE], now=now
        )
        # The assurance calendar (the example file, its owners by e-mail), a result and a reminder's claim.
        people.record(
            session,
            ws,
            [people.Entry("U0SECURE", "Sam Secure", email="ict.security@example.gov.uk")],
            now=now,
        )
        people.record(
            session,
            ws,
            [people.Entry("U0INFRA", "Ines Infra", email="ict.infrastructure@example.gov.uk")],
            now=now,
        )
        assurance_loader.load(session, ws, ASSURANCE_EXAMPLE, now)
        assurance_results.record(session, ws, "PSN", "pass", SECRET_TEXT, "https://e.example/psn", "U0SECURE", now)
        assurance_reminders.claim_due(session, ws, holder="fill", now=now, at=datetime(2026, 12, 16, 12, tzinfo=UTC))
        # A strategy with aims, the default (the project's) kept inactive.
        strategy.load(
            session, ws, strategy.parse_yaml("name: Aims\naims: [Be quick]\npriorities: [{code: A, name: A}]"), now=now
        )
        text = UpdateText(rag=Rag.AMBER, progress=SECRET_TEXT)
        posted = updates.post(
            session, ws, project, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=now
        )
        updates.correct(
            session,
            ws,
            updates.get(session, ws, posted.update_id),
            user_id=OWNER,
            is_admin=False,
            text=UpdateText(rag=Rag.GREEN, progress="Corrected"),
            now=now,
        )
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by="cli", now=now)
        people.record(session, ws, [people.Entry(OWNER, "Olive Owner")], now=now)
        home_views.take(session, ws, OWNER, now=now)  # the owner's Home, published once
        digest_posts.record_sent(  # a digest a chair posted by hand
            session, ws, channel_id="C0GOVERN", message_ts="1.0", start=None, end=now, user_id="U0CHAIR", now=now
        )
        meetings.materialise(session, ws, now=now, default_timezone="Europe/London")
        meetings.add_closure(
            session, ws, date(2026, 12, 24), "Christmas Eve", now=now, by="cli", default_timezone="Europe/London"
        )
        meetings.set_channel(session, ws, "C0GOVERN", now=now, by="cli", default_timezone="Europe/London")
        # The committee paper: settings, a narrative and a sign-off.
        paper_settings.load(session, ws, paper.parse_yaml("committee: Audit Committee"), now=now)
        paper.write_narrative(session, ws, "position", SECRET_TEXT, author="U0CHAIR", now=now, default_timezone="UTC")
        paper.sign_off(session, ws, user_id="U0CHAIR", now=now, default_timezone="UTC")
        # A risk with its revisions (raised, closed).
        risk = raid.raise_item(
            session, ws, RaidKind.RISK, "NET-01", SECRET_TEXT, actor=raid.Actor(OWNER), now=now, likelihood=3, impact=5
        )
        raid.close(session, ws, RaidKind.RISK, risk.id, "", actor=raid.Actor(OWNER), now=now)
        # The meetings' decisions and actions.
        actions.record_decision(session, ws, SECRET_TEXT, "NET-01", "U0CHAIR", now)
        given = actions.give_action(session, ws, OWNER, date(2026, 12, 1), SECRET_TEXT, "NET-01", "U0CHAIR", now)
        actions.done(session, ws, given.id, OWNER, SECRET_TEXT, now, False)
        # A Teams conversation reference (a Teams workspace's; the table is the point here).
        where = references.Where(service_url="https://smba.trafficmanager.net/emea/", bot_id="28:b", tenant_id="t")
        references.remember(session, ws, ReferenceKind.CHANNEL, "19:governance@thread.tacv2", where, now=now)
        session.execute(
            insert(slack_bots).values(
                client_id="1.2",
                app_id="A0ICTBOT",
                team_id=team,
                bot_token="xoxb-x",
                installed_at=now.replace(tzinfo=None),
            )
        )
    # Reminders and a digest post, as the reconciler makes them.
    tick(runtime, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    tick(runtime, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))


def tick(runtime: Runtime, now: datetime, **settings: Any) -> Any:
    """A pass at ``now``, with the runtime's clock reading ``now`` (as in production)."""
    runtime.clock.now = now  # type: ignore[attr-defined]  # the tests' Clock
    rt = replace(runtime, settings=Settings(**{**runtime.settings.model_dump(), **settings})) if settings else runtime
    sent = Outcome(channel_id="D0DM", message_ts="1.1")
    return Reconciler(rt, lambda item: sent, post_digest=lambda item: sent).tick(now)


def counts(runtime: Runtime, team: str) -> dict[str, int]:
    """Rows of each table that belong to ``team``."""
    with runtime.sessions() as session:
        ws = workspaces.find(session, team)
        ws_id = ws.id if ws is not None else -1
        out: dict[str, int] = {}
        for table, belongs in retention._owned_tables():
            out[table.name] = _count(session, table, belongs(ws_id))
        out["inbound_delivery"] = _count(session, InboundDelivery.__table__, InboundDelivery.team_id == team)
        out["slack_bots"] = _count(session, slack_bots, slack_bots.c.team_id == team)
        out["workspace"] = int(ws is not None)
    return out


def kept(rows: dict[str, int]) -> dict[str, int]:
    """Counts to compare across a tick: the tick also prunes recorded requests older than a day."""
    return {table: n for table, n in rows.items() if table != "inbound_delivery"}


def _count(session: Session, table: Any, where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def uninstall(runtime: Runtime, team: str, when: datetime) -> None:
    with runtime.sessions.begin() as session:
        workspaces.mark_uninstalled(session, team, now=when)


@pytest.fixture
def two(runtime: Runtime) -> Runtime:
    fill(runtime, TEAM_A)
    fill(runtime, TEAM_B)
    # A request each team sent (after the fills' ticks, which prune those older than a day).
    with runtime.sessions.begin() as session:
        for team in (TEAM_A, TEAM_B):
            session.add(
                InboundDelivery(
                    team_id=team,
                    key="trigger:1",
                    kind="command",
                    status=DeliveryStatus.DONE,
                    received_at=UNINSTALLED - timedelta(hours=1),
                )
            )
    uninstall(runtime, TEAM_A, UNINSTALLED)
    return runtime


def test_every_table_a_workspace_owns_is_filled_by_the_fixture(two):
    """So the purge tests below really cover every table (a new table must be added to ``fill``)."""
    owned = {t.name for t, _ in retention._owned_tables()}
    assert owned | {"workspace", "inbound_delivery", "slack_bots", "slack_installations"} >= {
        t.name for t in Base.metadata.sorted_tables if isinstance(t, Table)
    } - {"lease", "purge_record", "slack_oauth_states"}
    empty = [name for name, n in counts(two, TEAM_A).items() if n == 0]
    assert empty == []


def test_nothing_is_purged_before_the_retention_period_ends(two):
    before = counts(two, TEAM_A)

    report = tick(two, UNINSTALLED + timedelta(days=30) - timedelta(seconds=1))

    assert report.purged == [] and kept(counts(two, TEAM_A)) == kept(before)


def test_the_reconciler_purges_the_workspace_when_its_period_ends_and_records_what_went(two, caplog):
    tick(two, UNINSTALLED + timedelta(days=30) - timedelta(seconds=1))  # the calendar kept ahead, as usual
    before_a, before_b = counts(two, TEAM_A), counts(two, TEAM_B)
    caplog.set_level(logging.INFO, logger="bot.services.retention")

    report = tick(two, UNINSTALLED + timedelta(days=30))

    assert [p.team_id for p in report.purged] == [TEAM_A]
    assert set(counts(two, TEAM_A).values()) == {0}
    assert kept(counts(two, TEAM_B)) == kept(before_b)
    with two.sessions() as s:
        [record] = s.scalars(select(PurgeRecord)).all()
    assert (record.team_id, record.name, record.uninstalled_at) == (TEAM_A, f"Council {TEAM_A}", UNINSTALLED)
    assert record.reason == "retention: 30 days after uninstall"
    assert record.deleted == {k: v for k, v in kept(before_a).items() if v}
    logged = caplog.text
    assert f"purged workspace {TEAM_A}" in logged and SECRET_TEXT not in logged and "Corrected" not in logged


def test_a_pass_simulated_weeks_ahead_purges_nothing_before_its_time(two):
    """`ictbot tick --at` 40 days ahead, a minute after the uninstall: the purge goes by the real clock."""
    before = counts(two, TEAM_A)
    two.clock.now = UNINSTALLED + timedelta(minutes=1)  # type: ignore[attr-defined]  # the tests' Clock
    sent = Outcome(channel_id="D0DM", message_ts="1.1")

    report = Reconciler(two, lambda item: sent, post_digest=lambda item: sent).tick(UNINSTALLED + timedelta(days=40))

    assert report.purged == []
    assert counts(two, TEAM_A) == before  # its Slack retry records included: received an hour before
    with two.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PurgeRecord)) == 0


def test_an_uninstalled_workspace_is_sent_nothing_while_it_waits(two):
    # Five working days before the meeting of 12 January, still inside a year's retention.
    report = tick(two, datetime(2027, 1, 5, 9, 30, tzinfo=UTC), ICTBOT_RETENTION_DAYS=365)

    assert report.purged == [] and report.outcomes
    assert {item.team_id for item, _ in report.outcomes} == {TEAM_B}


def test_a_reinstall_before_the_end_cancels_the_purge(two):
    with two.sessions.begin() as session:
        ws = workspaces.find(session, TEAM_A)
        assert ws is not None
        workspaces.mark_installed(ws)

    report = tick(two, UNINSTALLED + timedelta(days=365))

    assert report.purged == [] and counts(two, TEAM_A)["project"] == 1


def test_a_request_from_the_workspace_also_means_it_is_back(two):
    with two.unit(TEAM_A) as (_session, ws):
        assert ws.uninstalled_at is None


def test_retention_of_zero_days_purges_at_the_next_pass(two):
    report = tick(two, UNINSTALLED, ICTBOT_RETENTION_DAYS=0)

    assert [p.team_id for p in report.purged] == [TEAM_A]


def test_a_purge_that_fails_deletes_nothing_and_the_next_pass_purges(two, monkeypatch, caplog):
    before = counts(two, TEAM_A)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(retention, "PurgeRecord", broken)
        report = tick(two, UNINSTALLED + timedelta(days=30))  # the pass goes on; the purge is logged as failed

    assert report.held_lease and report.purged == []
    assert "the retention purge failed; the next pass tries again: RuntimeError" in caplog.text
    assert kept(counts(two, TEAM_A)) == kept(before)
    with two.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Workspace)) == 2
    assert [p.team_id for p in tick(two, UNINSTALLED + timedelta(days=30, minutes=1)).purged] == [TEAM_A]


def test_the_cli_lists_purges_and_purges_on_request(two, tmp_path):
    from click.testing import CliRunner

    from bot.cli import CliState, cli

    env = {"DATABASE_URL": two.settings.DATABASE_URL, "SLACK_BOT_TOKEN": None, "COLUMNS": "200"}
    state = CliState(clock=two.clock)
    runner = CliRunner()

    listed = runner.invoke(cli, ["workspaces", "list"], env=env, obj=state)
    assert listed.exit_code == 0, listed.output
    assert TEAM_A in listed.output and "uninstalled" in listed.output and TEAM_B in listed.output

    refused = runner.invoke(cli, ["workspaces", "purge", "--team", TEAM_B], env=env, obj=state)
    assert refused.exit_code != 0 and "--yes" in refused.output and counts(two, TEAM_B)["project"] == 1

    done = runner.invoke(cli, ["workspaces", "purge", "--team", TEAM_B, "--yes"], env=env, obj=state)
    assert done.exit_code == 0, done.output
    assert set(counts(two, TEAM_B).values()) == {0}

    log = runner.invoke(cli, ["workspaces", "purged"], env=env, obj=state)
    assert log.exit_code == 0 and TEAM_B in log.output and "by an admin" in log.output
