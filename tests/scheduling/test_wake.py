"""The pass looks only where something can be due (models.wake): as cheap with many workspaces as with few,
and sending exactly what a pass that looks everywhere sends, when it sends it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import lease, meetings, reminders, roles
from bot.services import projects as project_service
from bot.services.reminders import Due
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import Base, Meeting, Role, Workspace, make_engine, make_sessionmaker, wake
from models.scheduling import Reminder, ReminderKind, ReminderStatus
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, STRANGER, Clock
from tests.helpers import statements
from tests.services.test_reminders import at

PLAN = (("NET-01", OWNER, [DELEGATE]), ("MOB-01", OWNER, []), ("EFORM-01", DELEGATE, []))


def council(runtime: Runtime, team: str) -> None:
    """A workspace with three projects and the default meeting series, as on 1 Nov 2026."""
    with runtime.unit(team) as (session, ws):
        for ref, owner, delegates in PLAN:
            project_service.add(
                session, ws, ref=ref, title=ref, priority="ARCH", owner=owner, delegates=delegates, now=runtime.now()
            )
        meetings.materialise(session, ws, now=runtime.now(), default_timezone="Europe/London")


def reconciler_for(runtime: Runtime, standin) -> Reconciler:
    return Reconciler(runtime, SlackDelivery(web_client(BOT_TOKEN, standin.api_url)), holder="test-a", workers=2)


@pytest.mark.parametrize("councils", [2, 12])
def test_a_pass_with_nothing_due_sends_the_same_few_statements_however_many_workspaces(
    runtime, standin, clock, councils
):
    clock.now = at("2026-11-01 12:00")
    for n in range(councils):
        council(runtime, f"T0C{n:04d}")
    reconciler = reconciler_for(runtime, standin)
    reconciler.tick()  # looks at each once (new workspaces have no moment yet) and sets when to look again
    clock.advance(minutes=1)
    with statements(runtime.engine) as sent:
        report = reconciler.tick()
    assert report.held_lease and report.sent == 0
    # the lease taken and given back, Slack's retry records pruned, what is due found across workspaces
    # (moments come, claims left), the stale Homes, the retention purge: nothing per workspace
    assert len(sent) <= 10, sent
    with runtime.sessions() as session:
        woken = session.scalars(select(Workspace.wake_at)).all()
    # a day at most (the Nov 10 meeting's first stage, on 3 Nov, is further)
    assert woken and all(w == at("2026-11-02 12:00") for w in woken)


def test_the_pass_looks_again_at_each_stage_and_sends_then(runtime, standin, clock):
    clock.now = at("2026-11-01 12:00")
    council(runtime, standin.team_id)
    reconciler = reconciler_for(runtime, standin)
    reconciler.tick()
    clock.now = at("2026-12-01 09:29")
    assert reconciler.tick().sent == 0
    clock.now = at("2026-12-01 09:30")
    assert reconciler.tick().sent == 2  # the owner and the delegate


def test_a_write_marks_only_its_workspace(runtime, standin, clock):
    clock.now = at("2026-11-01 12:00")
    for team in ("T0AAAA", "T0BBBB"):
        council(runtime, team)
    reconciler_for(runtime, standin).tick()
    with runtime.sessions() as session:
        before = dict(session.execute(select(Workspace.external_id, Workspace.changes)).all())
    with runtime.unit("T0AAAA") as (session, ws):
        project_service.add(session, ws, ref="NEW-01", title="New", priority="ARCH", owner=STRANGER, now=clock.now)
    with runtime.sessions() as session:
        after = {w.external_id: (w.changes, w.wake_at) for w in session.scalars(select(Workspace))}
    assert after["T0AAAA"] == (before["T0AAAA"] + 1, None)
    assert after["T0BBBB"][0] == before["T0BBBB"] and after["T0BBBB"][1] is not None


def test_a_write_landing_while_the_pass_works_leaves_the_workspace_marked(runtime, standin, clock):
    clock.now = at("2026-11-01 12:00")
    council(runtime, standin.team_id)
    with runtime.sessions() as session:
        ws = session.scalars(select(Workspace)).one()
        seen = ws.changes
    with runtime.unit(standin.team_id) as (session, ws):  # an officer's project, between the pass's read and write
        project_service.add(session, ws, ref="NEW-01", title="New", priority="ARCH", owner=STRANGER, now=clock.now)
    with runtime.sessions.begin() as session:
        assert not wake.settle(session, ws.id, seen=seen, wake_at=at("2026-12-01 09:30"))
    with runtime.sessions() as session:
        assert session.scalars(select(Workspace.wake_at)).one() is None
        assert wake.due(session, at=clock.now) == [ws.id]


def test_a_write_rolled_back_marks_nothing(runtime, standin, clock):
    clock.now = at("2026-11-01 12:00")
    council(runtime, standin.team_id)
    reconciler_for(runtime, standin).tick()
    with pytest.raises(RuntimeError), runtime.unit(standin.team_id) as (session, ws):
        project_service.add(session, ws, ref="NEW-01", title="New", priority="ARCH", owner=STRANGER, now=clock.now)
        raise RuntimeError("the request failed after the write")
    with runtime.sessions() as session:
        assert session.scalars(select(Workspace.wake_at)).one() is not None


def test_a_pass_for_a_moment_of_its_own_leaves_the_wakes_alone(runtime, standin, clock):
    clock.now = at("2026-11-01 12:00")
    council(runtime, standin.team_id)
    reconciler_for(runtime, standin).tick(at("2026-12-20 09:30"))  # `ictbot tick --at` weeks ahead
    with runtime.sessions() as session:
        assert session.scalars(select(Workspace.wake_at)).one() is None


def test_one_workspace_failing_leaves_the_others_served_and_itself_for_the_next_pass(
    runtime, standin, clock, monkeypatch
):
    clock.now = at("2026-11-01 12:00")
    for team in ("T0AAAA", "T0BBBB"):
        council(runtime, team)
    reconciler = reconciler_for(runtime, standin)
    real_due = reminders.due

    def due_failing_in_a(session, ws, **kwargs):
        if ws.external_id == "T0AAAA":
            raise RuntimeError("database is locked")
        return real_due(session, ws, **kwargs)

    monkeypatch.setattr(reminders, "due", due_failing_in_a)
    clock.now = at("2026-12-01 09:30")
    assert reconciler.tick().sent == 2  # B's owner and delegate
    with runtime.sessions() as session:
        a = session.scalars(select(Workspace).where(Workspace.external_id == "T0AAAA")).one()
        assert a.wake_at is None  # nothing of A's was claimed or settled: looked at again next pass
    monkeypatch.setattr(reminders, "due", real_due)
    clock.advance(minutes=1)
    assert reconciler.tick().sent == 2  # A's, a minute late


# -- the same reminders, at the same moments, as a pass that looks everywhere every time ----------------

Event = Callable[[Runtime, str], None]


def _add_project(runtime: Runtime, team: str) -> None:
    with runtime.unit(team) as (session, ws):
        project_service.add(session, ws, ref="NEW-01", title="New", priority="BD", owner=STRANGER, now=runtime.now())


def _snooze(runtime: Runtime, team: str) -> None:
    with runtime.unit(team) as (session, ws):
        meeting = session.scalars(
            select(Reminder.meeting_id).where(Reminder.workspace_id == ws.id, Reminder.user_id == DELEGATE)
        ).first()
        assert meeting is not None
        reminders.snooze(session, ws, meeting_id=meeting, user_id=DELEGATE, now=runtime.now())


def _grant_chair(user: str) -> Event:
    def grant(runtime: Runtime, team: str) -> None:
        with runtime.unit(team) as (session, ws):
            roles.grant(session, ws, user, Role.CHAIR, by=ADMIN, now=runtime.now())

    return grant


def _move_meeting(runtime: Runtime, team: str) -> None:
    with runtime.unit(team) as (session, ws):
        meetings.move(
            session,
            ws,
            at("2026-12-08 10:00").date(),
            at("2026-12-09 10:00").date(),
            now=runtime.now(),
            by=ADMIN,
            default_timezone="Europe/London",
        )


EVENTS: dict[datetime, Event] = {
    at("2026-12-02 15:30"): _add_project,  # during the first stage: its owner is reminded at the next pass
    at("2026-12-03 15:30"): _snooze,  # "remind me tomorrow": the next working day at 09:30
    at("2026-12-03 21:30"): _grant_chair(ADMIN),
    at("2026-12-04 15:30"): _move_meeting,  # a day later: every stage moves with it
    at("2026-12-08 15:30"): _grant_chair(STRANGER),  # after the chairs' notice went: theirs goes at once
}


def _month(runtime: Runtime, standin, *, look_everywhere: bool) -> list[tuple[str, str, datetime]]:
    clock = runtime.clock
    assert isinstance(clock, Clock)
    clock.now = at("2026-11-01 12:00")
    council(runtime, standin.team_id)
    reconciler = reconciler_for(runtime, standin)
    moment = at("2026-11-30 21:30")
    while moment < at("2026-12-09 09:00"):
        clock.now = moment
        if moment in EVENTS:
            EVENTS[moment](runtime, standin.team_id)
        if look_everywhere:
            reconciler.tick(moment)  # a pass for a moment of its own sets no wakes: every workspace, every time
        else:
            reconciler.tick()
        moment += timedelta(hours=6)  # 03:30, 09:30 (the stages), 15:30, 21:30
    with runtime.sessions() as session:
        rows = session.execute(select(Reminder.user_id, Reminder.stage, Reminder.first_claimed_at))
        return sorted((user, stage, claimed) for user, stage, claimed in rows if claimed is not None)


def test_a_month_of_passes_sends_what_looking_everywhere_sends_when_it_sends_it(
    runtime, db_url, databases, tmp_path, settings, standin, clock
):
    woken = _month(runtime, standin, look_everywhere=False)
    other = databases.sqlite(tmp_path / "everywhere.db") if db_url.startswith("sqlite") else databases.postgres()
    engine = make_engine(other)
    try:
        elsewhere = Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
        everywhere = _month(elsewhere, standin, look_everywhere=True)
    finally:
        engine.dispose()
    assert woken == everywhere
    sent = {(user, stage) for user, stage, _ in woken}
    assert {(STRANGER, "5d@0930"), (DELEGATE, "snooze-2026-12-04"), (STRANGER, "chair"), (OWNER, "1d@0930")} <= sent


def test_every_table_either_wakes_the_pass_or_is_quiet():
    """A new table is classified when it is added: does a write to it make something due sooner?"""
    tables = {t.name for t in Base.metadata.sorted_tables}
    assert wake.WAKES | wake.QUIET == tables
    assert not wake.WAKES & wake.QUIET


def test_workspaces_with_reminders_due_send_side_by_side(runtime, clock):
    """Each workspace keeps its own pace, so a pass sends to several at once, beyond its usual number of
    senders: here one sender, and each workspace's first reminder waits until the other's has started."""
    clock.now = at("2026-11-01 12:00")
    for team in ("T0AAAA", "T0BBBB"):
        council(runtime, team)
    both_started = threading.Barrier(2, timeout=10)
    first: set[int] = set()

    def deliver(item: Due) -> Outcome:
        if item.workspace_id not in first:
            first.add(item.workspace_id)
            both_started.wait()  # breaks (BrokenBarrierError: not sent) if the workspaces go one after the other
        return Outcome(channel_id="D0" + item.user_id, message_ts="1.0")

    reconciler = Reconciler(runtime, deliver, holder="test-a", workers=1, most_workers=4)
    clock.now = at("2026-12-01 09:30")
    report = reconciler.tick()
    assert report.sent == 4 and report.failed == report.retrying == 0  # two people in each workspace


def test_a_sender_takes_the_workspaces_in_turns_so_none_waits_on_another_s_pace(runtime, clock):
    """A sender sends one reminder of a workspace, then one of the next, and comes back to the first only when
    every other has had its turn (when the first's own pace allows its next, as a rule): a stage for a
    thousand councils then takes about one council's time. One sender here, two workspaces of two people."""
    clock.now = at("2026-11-01 12:00")
    for team in ("T0AAAA", "T0BBBB"):
        council(runtime, team)
    order: list[int] = []

    def deliver(item: Due) -> Outcome:
        order.append(item.workspace_id)
        return Outcome(channel_id="D0" + item.user_id, message_ts="1.0")

    clock.now = at("2026-12-01 09:30")
    report = Reconciler(runtime, deliver, holder="test-a", workers=1, most_workers=1).tick()
    assert report.sent == 4
    a, b = order[0], order[1]
    assert a != b and order == [a, b, a, b]


def test_a_workspace_s_claims_are_its_transaction_s_first_write(runtime, clock):
    """Nothing is written before the claims while the pass works out what is due: on SQLite the first write
    takes the one write lock until the transaction ends, and every request's write would wait meanwhile (a
    reminder to drop is looked for first, not updated blindly). A scheduled reminder whose meeting has
    started is still dropped."""
    clock.now = at("2026-11-01 12:00")
    council(runtime, "T0AAAA")
    reconciler = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="test-a")
    reconciler.tick()
    clock.now = at("2026-12-01 09:30")
    with statements(runtime.engine) as sent:
        assert reconciler.tick().sent == 2
    writes = [s.split()[:3] for s in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    of_the_workspace = [w for w in writes if not {"lease", "inbound_delivery"} & set(w)]  # the pass's own rows
    assert of_the_workspace[0] == ["INSERT", "INTO", "reminder"], writes
    with runtime.unit("T0AAAA") as (session, ws):
        meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == ws.id).order_by(Meeting.starts_at))
        assert meeting is not None
        session.add(
            Reminder(
                workspace_id=ws.id,
                meeting_id=meeting.id,
                user_id=OWNER,
                stage="snooze",
                kind=ReminderKind.OWNER,
                status=ReminderStatus.SCHEDULED,
                due_at=meeting.starts_at + timedelta(days=1),
            )
        )
        assert reminders.drop_missed(session, ws, now=meeting.starts_at) == 1


def test_a_pass_whose_lease_passes_to_another_process_claims_nothing_more(runtime, clock, monkeypatch):
    """No pass outlives its lease: once its heartbeat finds another process holding the lease, the pass sends
    what it has claimed and claims no further workspace (the next pass, whoever holds it, takes those)."""
    clock.now = at("2026-11-01 12:00")
    for team in ("T0AAAA", "T0BBBB"):
        council(runtime, team)
    reconciler = Reconciler(
        runtime,
        lambda item: Outcome(channel_id="D0" + item.user_id, message_ts="1.0"),
        holder="test-a",
        heartbeat=timedelta(milliseconds=5),
    )
    a_claiming, lost_seen = threading.Event(), threading.Event()
    real_renew = lease.renew

    def renew(*args, **kwargs):  # another process has the lease once A's claiming has begun
        return False if a_claiming.is_set() else real_renew(*args, **kwargs)

    monkeypatch.setattr(lease, "renew", renew)
    heartbeat = reconciler._renew_lease

    def beat(lost: threading.Event) -> None:
        heartbeat(lost)
        if lost.is_set():
            lost_seen.set()

    monkeypatch.setattr(reconciler, "_renew_lease", beat)
    real_due = reminders.due

    def due_while_the_lease_passes(session, ws, **kwargs):
        if ws.external_id == "T0AAAA":
            a_claiming.set()
            assert lost_seen.wait(10)
        return real_due(session, ws, **kwargs)

    monkeypatch.setattr(reminders, "due", due_while_the_lease_passes)
    clock.now = at("2026-12-01 09:30")
    report = reconciler.tick()
    assert report.lease_lost and report.sent == 2  # A's owner and delegate
    with runtime.sessions() as session:
        claimed = session.scalars(select(Workspace.external_id).join(Reminder, Reminder.workspace_id == Workspace.id))
        assert set(claimed) == {"T0AAAA"}


def test_a_new_session_factory_watches_its_writes_whatever_factories_came_and_went_before(runtime, standin, clock):
    """Each factory make_sessionmaker makes is watched, even one whose class reuses a collected one's id (which
    SQLAlchemy's ``event.contains`` takes for one already listened to)."""
    clock.now = at("2026-11-01 12:00")
    council(runtime, "T0AAAA")
    reconciler_for(runtime, standin).tick()
    for n in range(200):
        make_sessionmaker(runtime.engine)
        if n % 20 == 0:
            gc.collect(1)  # the young generations, where the dropped factories are: fast in a large heap
    fresh = replace(runtime, sessions=make_sessionmaker(runtime.engine))
    with fresh.unit("T0AAAA") as (session, ws):
        project_service.add(session, ws, ref="NEW-01", title="New", priority="ARCH", owner=STRANGER, now=clock.now)
    with runtime.sessions() as session:
        assert session.scalars(select(Workspace.wake_at)).one() is None
