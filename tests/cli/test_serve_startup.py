"""`ictbot serve` and `ictbot socket` when Slack refuses a token or cannot be reached: one line, a non-zero exit.

Start-up runs for real up to the point where it would listen (uvicorn) or connect (Socket Mode): the
schema check, the Bolt app and its auth.test against the stand-in Slack.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from click.testing import Result

from bot import server
from bot.dev.standin import SlackStandIn
from tests.cli.conftest import Ictbot
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

APP_TOKEN = "xapp-1-A0ICTBOT-1-test-app-level-token"


class NeverListens:
    """uvicorn.Server in a test: start-up got as far as listening, and stops there."""

    started = True

    def __init__(self, config: Any) -> None:
        pass

    def run(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.uvicorn, "Server", NeverListens)

    def no_socket(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Socket Mode must not connect")

    monkeypatch.setattr(server, "SocketModeHandler", no_socket)


@pytest.fixture
def migrated(migrated_sqlite: str, clock: Any) -> Ictbot:
    """One backend is enough: nothing here depends on it."""
    return Ictbot(migrated_sqlite, clock, {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "ICTBOT_SCHEDULER": "false"})


def run(ictbot: Ictbot, command: str, api_url: str, **env: str) -> Result:
    return ictbot(command, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=api_url, **env)


def one_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and BOT_TOKEN not in result.output
    return lines[0]


@pytest.mark.parametrize(("command", "env"), [("serve", {}), ("socket", {"SLACK_APP_TOKEN": APP_TOKEN})])
def test_a_refused_bot_token_is_one_line_naming_it(migrated, standin: SlackStandIn, command, env):
    standin.fail("auth.test", error="invalid_auth")

    result = run(migrated, command, standin.api_url, **env)

    assert result.exit_code != 0
    line = one_line(result)
    assert line.startswith("ictbot: Slack refused SLACK_BOT_TOKEN (invalid_auth): ")


@pytest.mark.parametrize(("command", "env"), [("serve", {}), ("socket", {"SLACK_APP_TOKEN": APP_TOKEN})])
def test_an_unreachable_slack_is_one_line_naming_its_url(migrated, standin: SlackStandIn, command, env):
    api = standin.api_url
    standin.stop()  # nothing listens there any more: the client retries with backoff, then gives up

    result = run(migrated, command, api, **env)

    assert result.exit_code != 0
    assert one_line(result).startswith(f"ictbot: cannot reach Slack at {api}: ")


def test_a_started_server_gives_no_warning_about_the_token(migrated, standin: SlackStandIn):
    result = run(migrated, "serve", standin.api_url)

    assert result.exit_code == 0, result.output
    assert "will be unused" not in result.stderr
    assert "WARNING" not in result.stderr
    assert "ictbot serving Slack on http://127.0.0.1:3000/slack/events" in result.stderr


def test_a_refused_app_token_in_socket_mode_is_named(migrated, standin: SlackStandIn, monkeypatch):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    monkeypatch.setattr(server, "SocketModeHandler", SocketModeHandler)  # the real one, against the stand-in
    standin.fail("apps.connections.open", error="invalid_auth")

    result = run(migrated, "socket", standin.api_url, SLACK_APP_TOKEN=APP_TOKEN)

    assert result.exit_code != 0
    assert result.stderr.splitlines()[-1].startswith("ictbot: Slack refused SLACK_APP_TOKEN (invalid_auth): ")
    assert "Traceback" not in result.output and APP_TOKEN not in result.output


def test_what_the_server_loads_is_frozen_as_it_loads_so_that_no_collection_walks_it_at_start_up():
    from bot.cli.serve import _collector_paused

    frozen = gc.get_freeze_count()
    with _collector_paused():
        assert not gc.isenabled()
        loaded = [[n] for n in range(1000)]  # what a module's import makes, and keeps
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(loaded)
