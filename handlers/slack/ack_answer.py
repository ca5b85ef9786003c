"""A slash command or a modal submission answered in its acknowledgement when the answer is ready in time.

A one-line update's answer rides on the command's ack, and a modal submission's ack carries its
``response_action`` (``errors`` on a field, or ``update`` to the "saved" view). If the answer is not ready
within :data:`ACK_WITHIN`, one watcher thread acknowledges for the listener (a command empty, a modal
submission with ``response_action: clear``) and the answer follows later (through ``response_url``, or
as a message). Either way the person gets exactly one answer, and Slack never shows them an error for a
request that is still being handled.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, Respond
from slack_sdk.webhook import WebhookResponse

__all__ = [
    "ACK_WITHIN",
    "WATCHER",
    "AckWatcher",
    "AnswerInAck",
    "AnswerInViewAck",
    "answer_in_ack",
    "answer_view_in_ack",
]

ACK_WITHIN = 2.0  # seconds: Slack's limit is 3, and the ack still has to travel


class _OneAck:
    """An ack that goes once: with the listener's answer, or empty from the watcher, whichever comes first."""

    def __init__(self, ack: Ack) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._acked = False

    @property
    def acked(self) -> bool:
        return self._acked

    def _ack_once(self, **response: Any) -> bool:
        """Acknowledge with ``response``; False when the ack had gone already."""
        with self._lock:
            if self._acked:
                return False
            self._acked = True
            self._ack(**response)
            return True


class AnswerInAck(Respond, _OneAck):
    """A ``respond`` for one command: the first ephemeral answer goes in the ack while it has not gone.

    Everything else (a second answer, one that replaces or deletes a message, or any answer after the
    watcher acknowledged empty) goes through ``response_url``. Call :meth:`acknowledge` when done, so a
    command that answered nothing is still acknowledged.
    """

    def __init__(self, ack: Ack, respond: Respond) -> None:
        Respond.__init__(self, response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        _OneAck.__init__(self, ack)

    def acknowledge(self) -> None:
        """Acknowledge empty, unless the ack has gone already (with an answer, or empty)."""
        self._ack_once()

    def __call__(  # type: ignore[override]  # Respond's parameters; returns None when the answer went in the ack
        self,
        text: str | dict[str, Any] = "",
        blocks: Any = None,
        attachments: Any = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        **rest: Any,
    ) -> WebhookResponse | None:
        in_ack = (
            isinstance(text, str)
            and response_type in (None, "ephemeral")
            and not replace_original
            and not delete_original
            and not rest
        )
        if in_ack and self._ack_once(text=text, blocks=blocks, attachments=attachments, response_type="ephemeral"):
            return None
        return super().__call__(
            text,
            blocks,
            attachments,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
            **rest,
        )


class AnswerInViewAck(_OneAck):
    """The one answer to a modal submission: a ``response_action`` in the ack, while the ack has not gone.

    :meth:`answer` returns False when the watcher acknowledged first (the modal has closed): the caller
    then sends its answer as a message.
    """

    def acknowledge(self) -> None:
        """Close the modal, unless the ack has gone already."""
        self.answer(response_action="clear")

    def answer(self, **response: Any) -> bool:
        """Acknowledge with ``response`` (``response_action`` and its fields); False if the ack had gone."""
        return self._ack_once(**response)


class Watched(Protocol):
    """A request's ack that the watcher sends when the listener has not by its deadline."""

    @property
    def acked(self) -> bool: ...

    def acknowledge(self) -> None: ...


class AckWatcher:
    """One daemon thread that acknowledges every request not answered within ``within`` seconds.

    Requests are watched in the order they arrive and all wait the same time, so the oldest is always
    the next due: a queue, not a heap. A request answered in time stays queued until it is due and is
    then passed over (acknowledging it again does nothing). Waking the thread costs the process a GIL
    hand-over, so it wakes once for every request due within ``within`` / 20 of the first (0.1 s of
    2 s): under load, ten times a second rather than once a request; a few are acknowledged that much early.
    """

    def __init__(self, within: float = ACK_WITHIN, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.within = within
        self.together = within / 20  # seconds: requests due this close to the first are taken with it
        self._clock = clock
        self._due: deque[tuple[float, Watched]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, answer: Watched) -> None:
        with self._wake:
            self._due.append((self._clock() + self.within, answer))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ictbot-ack-watcher", daemon=True)
                self._thread.start()
            elif len(self._due) == 1:
                self._wake.notify()  # it was waiting for work, not for a deadline

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due:
                    self._wake.wait()
                delay = self._due[0][0] - self._clock()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                taken = []
                until = self._clock() + self.together
                while self._due and self._due[0][0] <= until:
                    taken.append(self._due.popleft()[1])
            for answer in taken:
                if not answer.acked:
                    answer.acknowledge()


WATCHER = AckWatcher()  # the process's one watcher, started with the first request it watches


def answer_in_ack(ack: Ack, respond: Respond) -> AnswerInAck:
    """A ``respond`` for a command that has not been acknowledged yet, watched by :data:`WATCHER`."""
    answer = AnswerInAck(ack, respond)
    WATCHER.watch(answer)
    return answer


def answer_view_in_ack(ack: Ack) -> AnswerInViewAck:
    """The answer to a modal submission that has not been acknowledged yet, watched by :data:`WATCHER`."""
    answer = AnswerInViewAck(ack)
    WATCHER.watch(answer)
    return answer
