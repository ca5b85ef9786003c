"""`ictbot serve` with Microsoft Teams: alone, or beside Slack, one HTTP server for both."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import uvicorn

from bot import server
from bot.settings import Settings
from handlers.teams.app import MESSAGES_PATH


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces uvicorn's server and the scheduler: records the ASGI app and the scheduler's client."""
    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, config: uvicorn.Config) -> None:
            seen["app"] = config.app
            self.started = True

        def run(self) -> None:
            pass

    def start_reminders(runtime: Any, client: Any) -> None:
        seen["client"] = client

    monkeypatch.setattr(server.uvicorn, "Server", FakeServer)
    monkeypatch.setattr(server, "start_reminders", start_reminders)
    return seen


def paths(app: Any) -> set[str]:
    return {getattr(route, "path", "") for route in app.routes}


def test_serve_with_teams_alone_answers_teams_and_not_slack(teams_settings, engine, served):
    only_teams = Settings(**{**teams_settings.model_dump(), "SLACK_BOT_TOKEN": None, "SLACK_SIGNING_SECRET": None})

    server.serve(only_teams, host="127.0.0.1", port=0)

    assert MESSAGES_PATH in paths(served["app"]) and server.SLACK_EVENTS_PATH not in paths(served["app"])
    assert server.HEALTH_PATH in paths(served["app"])
    assert served["client"] is None  # reminders go out through Teams alone


def test_serve_with_slack_and_teams_answers_both_on_one_server(teams_settings, engine, served):
    server.serve(teams_settings, host="127.0.0.1", port=0)

    assert {MESSAGES_PATH, server.SLACK_EVENTS_PATH, server.HEALTH_PATH} <= paths(served["app"])
    assert served["client"] is not None


def test_serve_with_neither_platform_says_what_to_set(tmp_path):
    with pytest.raises(server.ConfigError, match="TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID"):
        server.serve(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"), host="127.0.0.1", port=0)


def test_loading_the_teams_front_end_prints_nothing():
    """The SDK announces a preview API of its own on import (a FutureWarning, shown by default): a server
    for Teams would print it at every start, a warning about nothing ictbot uses."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import handlers.teams.delivery, handlers.teams.app"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert (loaded.stdout, loaded.stderr) == ("", "")
