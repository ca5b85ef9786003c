"""bot.wiring: the reconciler built from the settings, with each platform's delivery, run on a schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot import wiring
from bot.runtime import Runtime
from bot.scheduling.reconciler import OnTheMarks
from bot.services import meetings
from bot.settings import Settings
from handlers.slack.client import web_client
from handlers.slack.tokens import TokenSource
from models.scheduling import Reminder
from tests.conftest import BOT_TOKEN


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


def _with(runtime: Runtime, **changes: Any) -> Runtime:
    """The same runtime (database, clock) with some settings changed."""
    values = {**runtime.settings.model_dump(), **changes}
    return replace(runtime, settings=Settings(**values))


def test_start_reminders_does_nothing_when_the_scheduler_is_off(runtime, standin):
    rt = _with(runtime, ICTBOT_SCHEDULER=False)
    assert wiring.start_reminders(rt, web_client(BOT_TOKEN, standin.api_url)) is None


def test_start_reminders_runs_the_reconcile_job_every_interval_through_the_client(runtime, standin, workplan, clock):
    clock.now = london("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    rt = _with(runtime, ICTBOT_SCHEDULER_INTERVAL=30, ICTBOT_REMINDER_RATE=100.0)
    clock.now = datetime(2100, 1, 1, tzinfo=UTC)  # the first run is due "now": far ahead, so the test runs it itself

    scheduler = wiring.start_reminders(rt, web_client(BOT_TOKEN, standin.api_url))

    assert scheduler is not None
    try:
        assert scheduler.running
        job = scheduler.get_job("reconcile")
        assert job is not None and job.max_instances == 1 and job.coalesce
        assert isinstance(job.trigger, OnTheMarks) and job.trigger.interval == timedelta(seconds=30)
        assert job.next_run_time == clock.now  # the first pass at once, then on the clock's marks
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running
    standin.clear()
    clock.now = london("2026-12-01 09:30")  # five working days before the meeting of 8 December
    job.func()  # one run of the job, as the scheduler would make it
    assert {c.params["channel"] for c in standin.calls_to("chat.postMessage")} == {"D0OWNER", "D0DELEG", "D0ADMIN"}
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Reminder)) == 3


def test_start_reminders_hands_the_settings_to_delivery_and_scheduler(runtime, standin, monkeypatch):
    made: dict[str, Any] = {}

    def delivery(client: WebClient, *, rate: float, tokens: TokenSource) -> str:
        made.update(client=client, rate=rate, tokens=tokens)
        return "delivery"

    def start(reconciler: Any, *, interval_seconds: int) -> str:
        made.update(reconciler=reconciler, interval=interval_seconds)
        return "scheduler"

    monkeypatch.setattr(wiring, "SlackDelivery", delivery)
    monkeypatch.setattr(wiring.scheduling, "start", start)
    rt = _with(runtime, ICTBOT_SCHEDULER_INTERVAL=120, ICTBOT_REMINDER_RATE=2.5)
    client = web_client(BOT_TOKEN, standin.api_url)

    assert wiring.start_reminders(rt, client) == "scheduler"
    assert made["client"] is client and made["rate"] == 2.5
    assert made["tokens"].bot_token("T0ANY") == BOT_TOKEN  # single-workspace: SLACK_BOT_TOKEN for its team
    assert made["interval"] == 120
    assert made["reconciler"].runtime is rt and made["reconciler"].deliver == "delivery"
    # at 2.5 calls a second a council, 8 batches a sender on their way (pace.claim_ahead_for)
    assert (made["reconciler"].most_workers, made["reconciler"].claim_ahead) == (64, 64 * 8)
