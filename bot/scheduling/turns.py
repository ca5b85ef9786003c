"""A pass's reminders on their way: in batches of one workspace's, sent in turns across workspaces.

:class:`BatchRun` takes one batch through the claim protocol (bot.services.claims) a step at a time;
:class:`Turns` hands the batches to the pass's senders in turn, as the pass claims them.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.scheduling.ports import Deliver, Outcome
from bot.services import claims, reminders
from bot.services.reminders import Due

__all__ = ["BATCH", "CONFIRM_TRIES", "BatchRun", "Turns", "batches", "recorded"]

log = logging.getLogger(__name__)

BATCH = 10  # reminders confirmed, sent and recorded together: a workspace's owners, as a rule
CONFIRM_TRIES = 3  # a batch's first confirmation, tried again at its next turns before the batch is given up


class BatchRun:
    """A batch of one workspace's reminders on its way, a step at a time: its claims confirmed together at
    the first step, one reminder sent at each step, the outcomes recorded together after the last (the
    protocol in bot.services.claims: a statement for each step of it, not for each reminder). A failure to
    confirm sends none of them; a failure to record leaves them claimed, and each retry looks for its message
    in the conversation before sending it again."""

    def __init__(
        self,
        batch: Sequence[Due],
        *,
        deliver: Deliver,
        confirm: Callable[[Sequence[int]], set[int]],
        record: Callable[[Sequence[claims.Recorded], str], bool],
        now: Callable[[], datetime],
    ) -> None:
        self._deliver, self._confirm, self._record, self._now = deliver, confirm, record, now
        self.batch = batch
        self.ids = [item.reminder_id for item in batch if item.reminder_id is not None]
        self.what = f"{len(self.ids)} reminder(s) in workspace {batch[0].workspace_id}"
        self.mine: set[int] | None = None  # the claims confirmed as this process's; None before the first step
        self.confirmed_at = datetime.min.replace(tzinfo=UTC)
        self.confirm_failures = 0
        self.sent: list[tuple[Due, Outcome]] = []

    def step(self) -> bool:
        """Send the next reminder; True while some are left to send."""
        if self.mine is None:
            try:
                self.mine = self._confirm(self.ids)
            except Exception as exc:  # noqa: BLE001  (nothing was sent: tried again after the other batches' turns)
                self.confirm_failures += 1
                if self.confirm_failures < CONFIRM_TRIES:  # a lock held by a busy moment is likely gone by then
                    return True
                log.warning("could not confirm the claims on %s, so none was sent: %s", self.what, type(exc).__name__)
                self.sent = [(item, Outcome(error=type(exc).__name__, permanent=False)) for item in self.batch]
                return False  # the claims are retried after their timeout
            self.confirmed_at = self._now()
        item = self.batch[len(self.sent)]
        if self._now() - self.confirmed_at >= reminders.CLAIM_TIMEOUT / 2:  # slow sends: confirm the rest again
            rest = [i.reminder_id for i in self.batch[len(self.sent) :] if i.reminder_id in self.mine]
            try:
                self.mine = (self.mine - set(rest)) | self._confirm(rest)
            except Exception as exc:  # noqa: BLE001  (the rest unsent: retried after their claims' timeout)
                error = Outcome(error=type(exc).__name__, permanent=False)
                log.warning("could not confirm the claims on %s again; the rest not sent: %s", self.what, error.error)
                self.sent += [(i, error) for i in self.batch[len(self.sent) :]]
                return self._finish()
            self.confirmed_at = self._now()
        if item.reminder_id not in self.mine:
            log.info("reminder %s was taken over by another process; not sending it", item.reminder_id)
            self.sent.append((item, Outcome(error="taken over by another process", permanent=False)))
        else:
            try:
                outcome = self._deliver(item)
            except Exception as exc:  # recorded; the claim is retried once after its timeout
                log.error("sending reminder %s to %s failed unexpectedly", item.reminder_id, item.user_id, exc_info=exc)
                outcome = Outcome(error=type(exc).__name__, permanent=False)
            self.sent.append((item, outcome))
        return len(self.sent) < len(self.batch) or self._finish()

    def _finish(self) -> bool:
        """Record the batch's outcomes (those of its claims still this process's); False: nothing left to send."""
        mine = self.mine or set()
        done = [recorded(item.reminder_id, o) for item, o in self.sent if item.reminder_id is not None]
        self._record([o for o in done if o.row_id in mine], self.what)
        for item, outcome in self.sent:
            if outcome.error and item.reminder_id in mine:
                log.warning("reminder %s to %s not delivered: %s", item.reminder_id, item.user_id, outcome.error)
        return False


class Turns:
    """The pass's batches, sent side by side in turns: a sender takes the batch at the head of the queue,
    sends its next reminder, and puts it back at the tail. A workspace's next reminder comes round once
    every other workspace has had its turn, so a sender seldom waits on one council's pace (Slack counts
    each council's calls on their own) while another council's reminder could go, and a stage for a
    thousand councils takes about as long as one council's (plus the bot's own time), not a thousand's.
    A batch is in the queue or with one sender, never both: a workspace's reminders go one at a time.

    Batches are added as the pass claims them, while ``ahead`` at most are on their way (:meth:`wait_for_room`);
    the senders wait for more until the pass closes the queue."""

    def __init__(self, ahead: int) -> None:
        self.ahead = ahead
        self._queue: deque[BatchRun] = deque()
        self._on_the_way = 0  # added and not finished: in the queue or with a sender
        self._closed = False
        # Two conditions on one lock, so that each wakes only whom it concerns: a batch in the queue wakes one
        # sender (waking them all, tens of threads for one batch, took a seventh of the pass's time), a batch
        # done wakes the pass waiting for room.
        lock = threading.Lock()
        self._work = threading.Condition(lock)
        self._room = threading.Condition(lock)

    def add(self, runs: Sequence[BatchRun]) -> None:
        with self._work:
            self._queue.extend(runs)
            self._on_the_way += len(runs)
            self._work.notify(len(runs))

    def wait_for_room(self) -> None:
        """Until fewer than ``ahead`` batches are on their way."""
        with self._room:
            self._room.wait_for(lambda: self._on_the_way < self.ahead)

    def close(self) -> None:
        """No more batches come: each sender stops once the queue is empty."""
        with self._work:
            self._closed = True
            self._work.notify_all()

    def take(self) -> None:
        """Send turns until the queue is closed and empty (batches still with other senders are theirs to finish)."""
        while True:
            with self._work:
                self._work.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    return
                run = self._queue.popleft()
            try:
                more = run.step()
            except Exception as exc:  # its unrecorded claims are retried after their timeout
                log.error("sending %s failed unexpectedly; the rest is left for the retry", run.what, exc_info=exc)
                more = False
            with self._work:
                if more:
                    self._queue.append(run)
                    self._work.notify()
                else:
                    self._on_the_way -= 1
                    self._room.notify()


def batches(claimed: Sequence[Due]) -> list[list[Due]]:
    """The claimed reminders in batches of one workspace's, :data:`BATCH` at most each, in order."""
    by_workspace: dict[int, list[Due]] = {}
    for item in claimed:
        by_workspace.setdefault(item.workspace_id, []).append(item)
    return [items[i : i + BATCH] for items in by_workspace.values() for i in range(0, len(items), BATCH)]


def recorded(row_id: int, o: Outcome) -> claims.Recorded:
    """What to record on claimed row ``row_id`` of a send's outcome."""
    return claims.Recorded(row_id, o.error, o.permanent, o.channel_id, o.message_ts, o.settled, o.deferred)
