"""One place that builds the reconciler for every way of running: ``ictbot serve``, ``teams``, Socket Mode
and ``tick``. It plugs each platform's delivery into the reconciler's ports; nothing else knows both.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.scheduling import reconciler as scheduling
from bot.scheduling.pace import claim_ahead_for, workers_for
from bot.scheduling.ports import Deliver, PostDigest, RefreshHome, RemindAssurance
from bot.scheduling.reconciler import Reconciler
from bot.settings import ConfigError
from handlers.slack.chair_group import ScheduledChairGroups
from handlers.slack.delivery.assurance import SlackAssuranceDelivery
from handlers.slack.delivery.digest import SlackDigestDelivery
from handlers.slack.delivery.reminders import SlackDelivery
from handlers.slack.home_publish import SlackHomeRefresh
from handlers.slack.oauth import token_source
from handlers.slack.people import SlackPeople

__all__ = ["build_reconciler", "start_reminders", "stop_reminders"]

log = logging.getLogger(__name__)

# Threads a pass sends with when many workspaces have reminders due: each workspace keeps its own pace
# (Slack's limits are per workspace), so its thread mostly waits, and workspaces go side by side.
MOST_WORKERS = 64


def build_reconciler(runtime: Runtime, client: WebClient | None) -> Reconciler:
    """The reconciler with each platform's delivery. Through Slack: reminders paced at ``ICTBOT_REMINDER_RATE``
    calls a second per method, each team with its own bot token (:func:`handlers.slack.oauth.token_source`).

    With the TEAMS_* settings, a Teams workspace's reminders and digests go through Teams instead
    (:mod:`handlers.teams.delivery`), each item to its own workspace's platform; ``client`` is None when
    only Teams is configured."""
    settings = runtime.settings
    deliver: Deliver | None = None
    post_digest: PostDigest | None = None
    remind_assurance: RemindAssurance | None = None
    chair_groups: ScheduledChairGroups | None = None
    refresh_home: RefreshHome | None = None
    if client is not None:
        tokens = token_source(runtime, client)
        slack_reminders = SlackDelivery(client, rate=settings.ICTBOT_REMINDER_RATE, tokens=tokens)
        deliver = slack_reminders
        remind_assurance = SlackAssuranceDelivery(slack_reminders)  # the same pace and DMs
        # Slack allows about one message a second in a channel, whatever the reminders' rate.
        post_digest = SlackDigestDelivery(client, rate=1.0, tokens=tokens, people=SlackPeople(runtime))
        # The chairs' notice reaches the members of the chairs' user group too.
        chair_groups = ScheduledChairGroups(client, runtime.chair_groups, bot_token=tokens.bot_token)
        # The people a pass affected see it on their App Home (a Teams workspace has none).
        refresh_home = SlackHomeRefresh(runtime, client, tokens=tokens, chair_groups=chair_groups)
    if settings.teams_enabled:
        # The Teams SDK (~45 MiB at rest) is loaded only where Teams is configured.
        from handlers.teams.delivery import TeamsDelivery, TeamsDigestDelivery, digest_router, reminder_router
        from handlers.teams.delivery_assurance import assurance_router, teams_assurance_delivery

        deliver = reminder_router(deliver, TeamsDelivery(runtime, rate=settings.ICTBOT_REMINDER_RATE))
        post_digest = digest_router(post_digest, TeamsDigestDelivery(runtime))
        teams_assurance = teams_assurance_delivery(runtime, rate=settings.ICTBOT_REMINDER_RATE)
        remind_assurance = assurance_router(remind_assurance, teams_assurance)
    if deliver is None:
        raise ConfigError("nothing to send reminders through: configure Slack or Microsoft Teams")
    return Reconciler(
        runtime,
        deliver,
        workers=workers_for(settings.ICTBOT_REMINDER_RATE),
        most_workers=MOST_WORKERS,
        claim_ahead=claim_ahead_for(settings.ICTBOT_REMINDER_RATE, MOST_WORKERS),
        post_digest=post_digest,
        chair_group_members=chair_groups,
        remind_assurance=remind_assurance,
        refresh_home=refresh_home,
    )


def start_reminders(runtime: Runtime, client: WebClient | None) -> BackgroundScheduler | None:
    """Start the periodic reconcile job in this process (None when ``ICTBOT_SCHEDULER`` is off).

    Reminders go out through ``client`` (the Bolt app's Web API client) with each team's token; see
    :func:`build_reconciler`. The caller shuts the scheduler down.
    """
    settings = runtime.settings
    if not settings.ICTBOT_SCHEDULER:
        log.info("the reminder scheduler is off (ICTBOT_SCHEDULER=false): run `ictbot tick` from cron")
        return None
    reconciler = build_reconciler(runtime, client)
    scheduler = scheduling.start(reconciler, interval_seconds=settings.ICTBOT_SCHEDULER_INTERVAL)
    log.info("reminder scheduler started: a reconcile pass every %d s", settings.ICTBOT_SCHEDULER_INTERVAL)
    return scheduler


def stop_reminders(scheduler: BackgroundScheduler | None) -> None:
    if scheduler is not None:
        # A pass cut short here leaves at most its claims behind; they are retried after the claim timeout.
        scheduler.shutdown(wait=False)
