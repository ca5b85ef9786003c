"""The reconcile loop: what reminders and digests are due now and not yet done? Claim, send, record.

One short pass, run every minute in each serving process (or once by ``ictbot tick`` from cron). Each
reminder and scheduled digest is claimed in the database before it is sent, so even two reconcilers at
once cannot send it twice. On PostgreSQL every instance's pass claims and sends, a workspace at a time
under a row lock the others skip; a database lease picks the one that keeps house. On SQLite one pass
runs at a time, the lease holder's. Delivery is
handed in through the ports (:mod:`bot.scheduling.ports`): nothing here knows which chat platform it
serves. A pass decides what is due at ``at`` (now, or ``ictbot tick --at``); all bookkeeping (the lease,
claim times, pruning, the retention purge) reads the runtime's clock instead.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.runtime import Runtime
from bot.scheduling.pace import claim_ahead_for
from bot.scheduling.ports import (
    ChairGroupMembers,
    Deliver,
    HomeRefresh,
    Outcome,
    PostDigest,
    RefreshHome,
    RemindAssurance,
)
from bot.scheduling.turns import BatchRun, Turns, batches, recorded
from bot.services import claims, deliveries, digest_posts, home_views, lease, reminders, retention, search
from bot.services import meetings as meeting_service
from bot.services.assurance import reminders as assurance_reminders
from bot.services.assurance.reminders import AssuranceDue
from bot.services.digest_posts import DigestDue
from bot.services.reminders import Due
from bot.services.roles import GroupMembers
from models import Meeting, Workspace, wake
from models.registers import AssuranceReminder
from models.scheduling import DigestPost, Reminder

log = logging.getLogger(__name__)

LEASE_NAME = "reconcile"
# A pass holds the lease only while it runs: it renews it every LEASE_HEARTBEAT from a thread of its
# own and gives it back when it ends. The TTL is short so that a pass killed mid-way (kill -9, no
# release) keeps the others out for LEASE_TTL at most: the lease has lapsed before the next pass at the
# default interval (a minute), which takes it over. A renewal every third of the TTL keeps a long pass
# (a slow Slack, a large fan-out) holding it, even if one renewal is missed. Without the heartbeat the
# TTL would have to outlast the longest pass, and a killed pass would lock the others out that long.
LEASE_TTL = timedelta(seconds=30)
LEASE_HEARTBEAT = LEASE_TTL / 3
MATERIALISE_AHEAD = timedelta(days=300)  # re-materialise a series when its last meeting is nearer than this
LONGEST_SLEEP = timedelta(days=1)  # the longest a workspace goes unlooked at (models.wake)


@dataclass
class _Taken:
    """What a pass claimed in one workspace, and the reminders it dropped there."""

    reminders: list[Due] = field(default_factory=list)
    digests: list[DigestDue] = field(default_factory=list)
    assurance: list[AssuranceDue] = field(default_factory=list)
    dropped: int = 0


@dataclass
class TickReport:
    held_lease: bool = True
    shared: bool = False  # without the lease, beside the holder's pass (PostgreSQL): it kept no house
    looked_at: int = 0  # the workspaces where something could be due (models.wake)
    lease_lost: bool = False  # the lease lapsed mid-pass: the pass stopped claiming
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    dropped: int = 0
    outcomes: list[tuple[Due, Outcome]] = field(default_factory=list)
    digests_sent: int = 0
    digests_failed: int = 0
    digests_retrying: int = 0
    digest_outcomes: list[tuple[DigestDue, Outcome]] = field(default_factory=list)
    purged: list[retention.Purged] = field(default_factory=list)  # workspaces whose retention period ended
    assurance_outcomes: list[tuple[AssuranceDue, Outcome]] = field(default_factory=list)


def _tally(outcomes: Sequence[tuple[object, Outcome]]) -> tuple[int, int, int]:
    """How many were sent, failed for good, and will be retried."""
    sent = sum(1 for _, o in outcomes if o.error is None)
    failed = sum(1 for _, o in outcomes if o.error is not None and o.permanent)
    return sent, failed, len(outcomes) - sent - failed


def holder_name() -> str:
    """Who holds the lease: unique per process, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Reconciler:
    """Sends what is due. Without ``post_digest`` the scheduled digests are left alone (not claimed), and
    without ``remind_assurance`` the assurance reminders; without ``chair_group_members`` the chairs'
    notice goes to the chairs granted one by one only; without ``refresh_home`` no Home is republished."""

    def __init__(
        self,
        runtime: Runtime,
        deliver: Deliver,
        *,
        holder: str | None = None,
        workers: int = 8,
        most_workers: int | None = None,
        post_digest: PostDigest | None = None,
        chair_group_members: ChairGroupMembers | None = None,
        heartbeat: timedelta = LEASE_HEARTBEAT,
        remind_assurance: RemindAssurance | None = None,
        refresh_home: RefreshHome | None = None,
        claim_ahead: int | None = None,
    ) -> None:
        self.remind_assurance = remind_assurance
        self.refresh_home = refresh_home
        self.runtime = runtime
        self.heartbeat = heartbeat
        self.chair_group_members = chair_group_members
        self.deliver = deliver
        self.holder = holder or holder_name()
        # ``workers`` send at once; up to ``most_workers`` when more workspaces than that have something to send,
        # each workspace's reminders keeping their own pace (a thread mostly waits on its workspace's pace).
        self.workers = workers
        self.most_workers = max(workers, most_workers or workers)
        # Batches claimed ahead of the senders at most (the wiring's follows the pace: bot.scheduling.pace).
        self.claim_ahead = claim_ahead or claim_ahead_for(None, self.most_workers)
        self.shares = runtime.engine.dialect.name == "postgresql"  # its row locks can be skipped (tick)
        self.post_digest = post_digest

    def tick(self, at: datetime | None = None) -> TickReport:
        """One reconcile pass: send what is due at ``at`` (default: now, by the runtime's clock).

        ``at`` only decides what is due. The lease, the claims' times, the pruning of Slack's retry
        records and the retention purge always read the runtime's clock. A pass for a moment of its own
        (``ictbot tick --at``) leaves each workspace's next look (:mod:`models.wake`) as it found it.

        Without the lease, a pass on PostgreSQL still claims and sends beside the holder's: each workspace is
        claimed under a row lock the others skip (:meth:`_claim`), so every instance takes a share of a long
        pass. The holder alone keeps house: Slack's retry records, stale Homes, the retention purge. On
        SQLite one pass runs at a time, the holder's.
        """
        rt = self.runtime
        with self._unit() as session:
            held = lease.acquire(session, LEASE_NAME, self.holder, now=rt.now(), ttl=LEASE_TTL)
        if not held and not self.shares:
            return TickReport(held_lease=False)
        moment, keep_wakes = (rt.now() if at is None else at), at is None
        if not held:
            return self._pass(moment, keep_wakes=keep_wakes, lost=None)
        lost = threading.Event()  # set by the heartbeat when another process has the lease now
        try:
            with _Heartbeat(lambda: self._renew_lease(lost), self.heartbeat):
                return self._pass(moment, keep_wakes=keep_wakes, lost=lost)
        finally:
            self._release_lease()

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        """A transaction whose writes mark no workspace for the next pass: they are what this pass accounts for."""
        with self.runtime.sessions(info={wake.QUIET_SESSION: True}) as session, session.begin():
            yield session

    def _pass(self, at: datetime, *, keep_wakes: bool, lost: threading.Event | None) -> TickReport:
        """Looks only at the workspaces where something may be due (:mod:`models.wake`) or a claim was left:
        a pass where nothing is due costs the same few statements however many workspaces there are.

        Claiming and sending overlap: the pass claims up to ``claim_ahead`` batches, then sends them in turns
        (:class:`bot.scheduling.turns.Turns`) while it claims the rest, a workspace each time a batch is done.
        What it has not reached yet stays due for the other instances' passes to take (:meth:`tick`). ``lost``
        is None for a pass without the lease: it keeps no house."""
        rt = self.runtime
        keeper = lost is not None
        with self._unit() as session:
            if keeper:
                deliveries.prune(session, before=rt.now() - deliveries.KEEP_FOR)  # Slack stops retrying within minutes
                search.catch_up(session)  # SQLite: the updates' text into the full-text index, a minute's at once
            left = claims.abandoned_workspaces(session, before=rt.now() - reminders.CLAIM_TIMEOUT)
            looked_at = set(wake.due(session, at=at)) | left
        report = TickReport(held_lease=keeper, shared=not keeper, looked_at=len(looked_at))
        turns = Turns(self.claim_ahead)
        runs: list[BatchRun] = []
        workspaces: set[int] = set()  # those with reminders on their way
        senders: list[Future[None]] = []
        posting: list[tuple[DigestDue, Future[Outcome]]] = []
        reminding: list[tuple[AssuranceDue, Future[Outcome]]] = []
        with (
            ThreadPoolExecutor(max_workers=self.most_workers, thread_name_prefix="reminders") as sending,
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="digests") as others,
        ):

            def send_more() -> None:  # up to ``workers`` senders; to ``most_workers`` while more workspaces have some
                wanted = min(self.most_workers, max(self.workers, len(workspaces)), len(runs))
                senders.extend(sending.submit(turns.take) for _ in range(wanted - len(senders)))

            try:
                for ws_id, taken in self._claims(sorted(looked_at), at, report, turns, keep_wakes, left, lost):
                    posting += [(item, others.submit(self._post_digest, item, at)) for item in taken.digests]
                    reminding += [(item, others.submit(self._send_assurance, item)) for item in taken.assurance]
                    on_the_way = [self._batch_run(batch) for batch in batches(taken.reminders)]
                    runs += on_the_way
                    if on_the_way:
                        workspaces.add(ws_id)
                    turns.add(on_the_way)
                    if len(runs) >= self.claim_ahead:  # sending starts once the queue is full, or all is claimed
                        send_more()
            finally:
                turns.close()  # the senders finish what is on its way, then stop
                send_more()
            for future in senders:
                future.result()
            report.outcomes = [pair for run in runs for pair in run.sent]
            report.digest_outcomes = [(item, future.result()) for item, future in posting]
            report.assurance_outcomes = [(item, future.result()) for item, future in reminding]
        report.sent, report.failed, report.retrying = _tally(report.outcomes)
        report.digests_sent, report.digests_failed, report.digests_retrying = _tally(report.digest_outcomes)
        if self.refresh_home is not None:
            self._refresh_homes(report, stale_too=keeper)
        if keeper:
            try:
                report.purged = retention.purge_due(rt.sessions, now=rt.now(), days=rt.settings.ICTBOT_RETENTION_DAYS)
            except Exception as exc:  # noqa: BLE001  (each purge is all or nothing: the next pass purges what is left)
                log.error("the retention purge failed; the next pass tries again: %s", type(exc).__name__)
        return report

    def _claims(
        self,
        ws_ids: Sequence[int],
        at: datetime,
        report: TickReport,
        turns: Turns,
        keep_wakes: bool,
        left: set[int],
        lost: threading.Event | None,
    ) -> Iterator[tuple[int, _Taken]]:
        """Claim each workspace's due items in turn, as room comes on the way (``turns``). A workspace another
        instance is claiming at that moment is passed over and tried once more at the end; if it is still being
        claimed then, that instance has it."""
        skipped: list[int] = []
        for round_ids in (ws_ids, skipped):
            for ws_id in list(round_ids):
                turns.wait_for_room()
                if lost is not None and lost.is_set():  # no pass outlives its lease: the rest is the next pass's
                    log.warning("the reconcile lease passed to another process; this pass claims nothing more")
                    report.lease_lost = True
                    return
                try:
                    taken = self._claim(ws_id, at, keep_wakes=keep_wakes, claims_left=ws_id in left)
                except Exception as exc:  # noqa: BLE001  (nothing of this workspace was claimed: the next pass retries it)
                    log.error("reconciling workspace %s failed; the next pass retries: %s", ws_id, type(exc).__name__)
                    continue
                if taken is None:
                    if round_ids is ws_ids:
                        skipped.append(ws_id)
                    continue
                report.dropped += taken.dropped
                yield ws_id, taken

    def _claim(self, ws_id: int, at: datetime, *, keep_wakes: bool, claims_left: bool) -> _Taken | None:
        """Claim what is due in one workspace, in one transaction, and set when to look at it next. Nothing
        claimed counts (is sent) unless the transaction commits. ``claims_left``: the pass found claims of the
        workspace's left by a process that died, to take over (else none is looked for).

        The transaction begins by locking the workspace's row, skipping it when another instance's pass holds
        it (None: try later): it is claiming there. ``FOR NO KEY UPDATE``, the lock an UPDATE of the row takes,
        lets requests insert rows that refer to the workspace meanwhile. SQLite has no row locks (one pass at a
        time, the lease holder's). A workspace whose next look another pass has set past ``at`` meanwhile is
        done: nothing is claimed there."""
        rt = self.runtime
        taken = _Taken()
        with self._unit() as session:
            now = rt.now()
            ws = session.scalars(
                select(Workspace).where(Workspace.id == ws_id).with_for_update(skip_locked=True, key_share=True)
            ).one_or_none()
            if ws is None:
                return None
            if ws.uninstalled_at is not None:  # it gets nothing (the app cannot post there) until it is purged
                return taken
            if not claims_left and ws.wake_at is not None and ws.wake_at > at:  # another pass has been here
                return taken
            seen = ws.changes
            calendar_until = self._keep_calendar(session, ws, at)
            cal = reminders.calendar(session, ws)  # loaded once for every step below
            taken.dropped = reminders.drop_missed(session, ws, now=at)
            taken.reminders += reminders.claim_scheduled(session, ws, holder=self.holder, now=now, at=at, cal=cal)
            if claims_left:
                taken.reminders += reminders.reclaim_abandoned(session, ws, holder=self.holder, now=now, at=at)
            admins = rt.settings.admins_for(ws.external_id)
            chair_group = self._chair_group(ws.external_id, now)
            due = reminders.due(session, ws, now=at, env_admins=admins, chair_group=chair_group, cal=cal)
            taken.reminders += reminders.claim_many(session, due, holder=self.holder, now=now)
            tz = rt.settings.ICTBOT_TIMEZONE
            if self.post_digest is not None:
                taken.digests += self._claim_digests(session, ws, at, now, claims_left=claims_left)
            if self.remind_assurance is not None:
                taken.assurance += assurance_reminders.claim_due(
                    session, ws, holder=self.holder, now=now, at=at, default_timezone=tz, reclaim=claims_left
                )
            if keep_wakes:
                wake.settle(session, ws.id, seen=seen, wake_at=next_look(session, ws, at, calendar_until, tz, cal))
        return taken

    def _refresh_homes(self, report: TickReport, *, stale_too: bool) -> None:
        """Each workspace's people whose Home the pass affected: those reminded, the chairs when a digest went
        out, and (``stale_too``: the lease holder's pass) those left stale within their minute (now past). The
        port throttles each person."""
        assert self.refresh_home is not None
        rt = self.runtime
        reminded: dict[int, set[str]] = {}
        for item, outcome in report.outcomes:
            if outcome.error is None:
                reminded.setdefault(item.workspace_id, set()).add(item.user_id)
        digested = {item.workspace_id for item, outcome in report.digest_outcomes if outcome.error is None}
        stale: set[int] = set()
        try:
            if stale_too:
                with rt.sessions() as session:
                    stale = home_views.stale_workspaces(session, now=rt.now())
        except Exception as exc:  # noqa: BLE001  (Home is a view: the next pass refreshes it)
            log.warning("finding the stale Homes failed: %s", type(exc).__name__)
        for ws_id in sorted(stale | set(reminded) | digested):
            try:
                with rt.sessions() as session:
                    ws = session.get_one(Workspace, ws_id)
                    if ws.uninstalled_at is not None:
                        continue
                    users = reminded.get(ws_id, set())
                    if ws_id in stale:
                        users |= set(home_views.stale(session, ws, now=rt.now()))
                    if ws_id in digested:
                        chair_group = self._chair_group(ws.external_id, rt.now())
                        admins = rt.settings.admins_for(ws.external_id)
                        users |= set(reminders.chairs(session, ws, admins, chair_group=chair_group))
                    refresh = HomeRefresh(ws.id, ws.external_id, ws.platform, tuple(sorted(users)))
                if refresh.users:
                    self.refresh_home(refresh)
            except Exception as exc:  # noqa: BLE001  (Home is a view: the next pass refreshes it)
                log.warning("refreshing Home in workspace %s failed: %s", ws_id, type(exc).__name__)

    def _renew_lease(self, lost: threading.Event) -> None:
        """The heartbeat: keep the lease while the pass runs (a failure only risks a takeover, which the
        claims make harmless: a second reconciler cannot send what this one has claimed)."""
        try:
            with self._unit() as session:
                held = lease.renew(session, LEASE_NAME, self.holder, now=self.runtime.now(), ttl=LEASE_TTL)
        except Exception as exc:  # noqa: BLE001  (the database is away: the next beat tries again)
            log.warning("could not renew the reconcile lease: %s", type(exc).__name__)
            return
        if not held:
            log.warning("the reconcile lease lapsed during this pass and another process has it now")
            lost.set()

    def _release_lease(self) -> None:
        """Give the lease back as the pass ends, so that the next pass (of any process) need not wait."""
        try:
            with self._unit() as session:
                lease.release(session, LEASE_NAME, self.holder)
        except Exception as exc:  # noqa: BLE001  (it lapses by itself within LEASE_TTL)
            log.warning("could not release the reconcile lease (it lapses by itself): %s", type(exc).__name__)

    def _chair_group(self, team_id: str, now: datetime) -> GroupMembers | None:
        lookup = self.chair_group_members
        if lookup is None:
            return None
        return lambda group_id: lookup(team_id, group_id, now)

    def _claim_digests(
        self, session: Session, ws: Workspace, at: datetime, now: datetime, *, claims_left: bool
    ) -> list[DigestDue]:
        """The digests to post: those due at ``at``, and abandoned claims; claimed at ``now`` (the clock)."""
        claimed = digest_posts.reclaim_abandoned(session, ws, holder=self.holder, now=now, at=at) if claims_left else []
        item = digest_posts.due(session, ws, now=at)
        if item is not None:
            taken = digest_posts.claim(session, item, holder=self.holder, now=now)
            if taken is not None:
                claimed.append(taken)
        return claimed

    def _post_digest(self, item: DigestDue, at: datetime) -> Outcome:
        """Build the meeting's digest as of ``at``, hand it to ``post_digest``, record the outcome."""
        assert self.post_digest is not None and item.post_id is not None
        post_digest, what = self.post_digest, f"the digest for meeting {item.meeting_id} in {item.channel_id}"
        try:
            with self.runtime.sessions() as session:
                digest = digest_posts.build_digest(
                    session, item, now=at, default_timezone=self.runtime.settings.ICTBOT_TIMEZONE
                )
        except DomainError as exc:  # e.g. no active strategy: nothing to post until someone loads one
            outcome = Outcome(error=exc.message, permanent=True)
        except Exception as exc:
            log.error("building %s failed unexpectedly", what, exc_info=exc)
            outcome = Outcome(error=type(exc).__name__, permanent=False)
        else:
            return self._attempt(DigestPost, item.post_id, lambda: post_digest(replace(item, digest=digest)), what)
        self._record(DigestPost, item.post_id, outcome, what)
        return outcome

    def _send_assurance(self, item: AssuranceDue) -> Outcome:
        assert item.reminder_id is not None and self.remind_assurance is not None
        remind, what = self.remind_assurance, f"assurance reminder {item.reminder_id} to {item.user_id}"
        return self._attempt(AssuranceReminder, item.reminder_id, lambda: remind(item), what)

    def _attempt(self, model: claims.Claimed, row_id: int, send: Callable[[], Outcome], what: str) -> Outcome:
        """Confirm the claim is still ours, send, record the outcome (the protocol in bot.services.claims)."""
        try:
            with self._unit() as session:
                mine = claims.confirm(session, model, row_id, holder=self.holder, now=self.runtime.now())
        except Exception as exc:  # noqa: BLE001  (nothing was sent: the claim is retried after its timeout)
            log.warning("could not confirm the claim on %s, so it was not sent: %s", what, type(exc).__name__)
            return Outcome(error=type(exc).__name__, permanent=False)
        if not mine:
            log.info("%s was taken over by another process; not sending it", what)
            return Outcome(error="taken over by another process", permanent=False)
        try:
            outcome = send()
        except Exception as exc:  # recorded; the claim is retried once after its timeout
            log.error("sending %s failed unexpectedly", what, exc_info=exc)
            outcome = Outcome(error=type(exc).__name__, permanent=False)
        self._record(model, row_id, outcome, what)
        return outcome

    def _batch_run(self, batch: Sequence[Due]) -> BatchRun:
        record = partial(self._record_many, Reminder)
        return BatchRun(batch, deliver=self.deliver, confirm=self._confirm, record=record, now=self.runtime.now)

    def _confirm(self, ids: Sequence[int | None]) -> set[int]:
        """Which of these reminders' claims are still this process's, refreshed (a send within half the claim
        timeout of it is never taken for abandoned)."""
        with self._unit() as session:
            mine = [i for i in ids if i is not None]
            return claims.confirm_many(session, Reminder, mine, holder=self.holder, now=self.runtime.now())

    def _record(self, model: claims.Claimed, row_id: int, outcome: Outcome, what: str) -> None:
        if self._record_many(model, [recorded(row_id, outcome)], what) and outcome.error:
            log.warning("%s not delivered: %s", what, outcome.error)

    def _record_many(self, model: claims.Claimed, outcomes: Sequence[claims.Recorded], what: str) -> bool:
        """Record the outcomes in one transaction; False, logged, when the database would not take them."""
        try:
            with self._unit() as session:
                claims.record_many(session, model, outcomes, holder=self.holder, now=self.runtime.now())
        except Exception as exc:  # noqa: BLE001  (the claim stays: its retry looks for the message first)
            log.error(
                "could not record the outcome of %s (%s); it stays claimed, and its retry after the claim "
                "timeout looks for it in the conversation's history before sending it again",
                what,
                type(exc).__name__,
            )
            return False
        return True

    def _keep_calendar(self, session: Session, ws: Workspace, at: datetime) -> datetime | None:
        """Keep about a year of meetings ahead of ``at``; cheap when there already are. Returns when it must
        be kept again (None: there is no calendar to keep)."""
        last = self._last_meeting(session, ws)
        if last is None or last - at < MATERIALISE_AHEAD:
            meeting_service.materialise(session, ws, now=at, default_timezone=self.runtime.settings.ICTBOT_TIMEZONE)
            last = self._last_meeting(session, ws)
        return None if last is None else last - MATERIALISE_AHEAD

    @staticmethod
    def _last_meeting(session: Session, ws: Workspace) -> datetime | None:
        return session.scalar(
            select(Meeting.starts_at).where(Meeting.workspace_id == ws.id).order_by(Meeting.starts_at.desc()).limit(1)
        )


def next_look(
    session: Session,
    ws: Workspace,
    at: datetime,
    calendar_until: datetime | None,
    tz: str,
    cal: reminders.Calendar | None,
) -> datetime:
    """When a pass must look at ``ws`` again, with no write in between: the first moment after ``at`` at which a
    reminder, a digest or an assurance reminder can fall due, or the calendar needs keeping. At most
    :data:`LONGEST_SLEEP` away: what no write here can announce (who is in the chairs' user group, the admins
    the environment names) is looked at again within a day."""
    moments = [
        at + LONGEST_SLEEP,
        calendar_until,
        reminders.next_moment(session, ws, after=at, cal=cal),
        digest_posts.next_due_at(session, ws, after=at, series=None if cal is None else cal.series),
        assurance_reminders.next_at(session, ws, after=at, default_timezone=tz),
    ]
    return min(m for m in moments if m is not None and m > at)


class _Heartbeat:
    """Calls ``beat`` every ``every`` from a thread of its own while the ``with`` block runs."""

    def __init__(self, beat: Callable[[], None], every: timedelta) -> None:
        self.beat = beat
        self.every = every.total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reconcile-lease", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.beat()


class OnTheMarks(IntervalTrigger):  # type: ignore[misc]  # APScheduler 3 has no type hints
    """Every ``seconds`` on the marks of the wall clock (the multiples of the interval since the epoch), whenever
    the run before was: every instance's passes then start together (their clocks kept within milliseconds by
    NTP), so on PostgreSQL they reach a stage at the same moment and share it, where an instance whose pass came
    later in the minute would find the stage claimed (``claim_ahead`` keeps only so much unclaimed)."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds=seconds, start_date=datetime(1970, 1, 1, tzinfo=UTC), timezone=UTC)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        after = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(microseconds=1))
        fires: datetime | None = super().get_next_fire_time(None, after)
        return fires


def start(reconciler: Reconciler, *, interval_seconds: int = 60) -> BackgroundScheduler:
    """Run the reconcile job now in this process, then every ``interval_seconds`` on the clock's marks."""
    scheduler = BackgroundScheduler(timezone=UTC)

    def job() -> None:
        started = time.monotonic()
        report = reconciler.tick()
        log.debug(
            "reconcile pass: %s, %d workspace(s) looked at, in %.1fs",
            "done" if report.held_lease else "another process holds the lease",
            report.looked_at,
            time.monotonic() - started,
        )
        if report.sent or report.failed or report.retrying:
            log.info(
                "reconcile: %d sent, %d failed, %d to retry, %d dropped in %.1fs",
                report.sent,
                report.failed,
                report.retrying,
                report.dropped,
                time.monotonic() - started,
            )
        if report.digest_outcomes:
            log.info(
                "reconcile: %d digest(s) posted, %d failed, %d to retry",
                report.digests_sent,
                report.digests_failed,
                report.digests_retrying,
            )

    scheduler.add_job(
        job,
        OnTheMarks(interval_seconds),
        id="reconcile",
        max_instances=1,
        coalesce=True,
        next_run_time=reconciler.runtime.now(),
    )
    scheduler.start()
    return scheduler
