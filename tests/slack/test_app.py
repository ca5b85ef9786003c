"""Building the Bolt app (handlers/slack/app.py) as each way of running does."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.runtime import Runtime
from bot.settings import Settings
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from tests.conftest import BOT_TOKEN, OWNER

OAUTH = {"SLACK_CLIENT_ID": "1234567890.987654321", "SLACK_CLIENT_SECRET": "secret", "SLACK_STATE_SECRET": "s" * 40}


@pytest.mark.parametrize("mode", ["http", "socket", "shell", "several workspaces"])
def test_building_the_app_logs_no_warning_about_a_token_it_will_not_use(runtime, standin, monkeypatch, caplog, mode):
    # A deployment sets SLACK_BOT_TOKEN in the environment, and Bolt's App reads it there by itself; given
    # a client too (ours carries that very token, or none with several workspaces), it would warn
    # "As you gave `client` as well, `token` will be unused" at every start.
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    rt: Runtime = runtime
    if mode == "several workspaces":
        rt = replace(runtime, settings=Settings(**{**runtime.settings.model_dump(), "SLACK_BOT_TOKEN": None, **OAUTH}))
    client = web_client(BOT_TOKEN, standin.api_url) if mode == "shell" else None

    with caplog.at_level(logging.DEBUG):
        app = create_app(rt, client=client, socket_mode=mode == "socket")

    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert app.client.token == (None if mode == "several workspaces" else BOT_TOKEN)
    assert app.client.base_url == standin.api_url


def test_bolt_names_its_loggers_without_touching_ictbots_own(runtime, slack, workplan):
    """Bolt gives the app's name to the loggers it makes and copies its own logger's level and filters onto
    them; named ``ictbot``, the app once set the parent of every ictbot logger to the shell's ERROR."""
    parent = logging.getLogger("ictbot")
    before = (parent.level, list(parent.filters), list(parent.handlers))
    bolt = logging.getLogger("ictbot.bolt")
    bolt.setLevel(logging.ERROR)  # as the local shell quietens it
    try:
        assert slack.command("/ict-update", "NET-01 green Fine", user_id=OWNER).status == 200
    finally:
        bolt.setLevel(logging.NOTSET)
    assert (parent.level, list(parent.filters), list(parent.handlers)) == before
