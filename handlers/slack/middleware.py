"""ictbot's global Bolt middleware, as one ordered list: the order below is the contract.

Before any of it, Bolt runs :class:`handlers.slack.inbound.SlackInbound` (``before_authorize``): nothing
reads a request before it is verified. Each step may rely on the ones above it; see docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App

from bot.runtime import Runtime
from handlers.slack import dedupe, request_log
from handlers.slack.ack_wait import signal_ack
from handlers.slack.context import attach_runtime
from handlers.slack.direct_middleware import direct

__all__ = ["install", "middleware_list"]

Step = Callable[[App], object]


def middleware_list(runtime: Runtime, *, recorded_by_listener: Callable[[dict[str, Any]], bool]) -> list[Step]:
    """The steps that install ictbot's middleware, in the order Bolt will run them."""
    return [
        # Every listener's ack is one that signals the request's thread (handlers.slack.ack_wait).
        lambda app: app.middleware(direct(signal_ack)),
        # The runtime in the context, for everything below (handlers.slack.context.runtime_of).
        lambda app: app.middleware(direct(attach_runtime(runtime))),
        # One log line a request; also hooks the listener runner's start and completion.
        request_log.install,
        # Slack's retries acted on once: needs the runtime, logs duplicates on the request's record, and
        # wraps the completion handler request_log installed.
        partial(dedupe.install, recorded_by_listener=recorded_by_listener),
    ]


def install(app: App, runtime: Runtime, *, recorded_by_listener: Callable[[dict[str, Any]], bool]) -> None:
    for step in middleware_list(runtime, recorded_by_listener=recorded_by_listener):
        step(app)
