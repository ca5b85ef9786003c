"""Running the `ictbot` command line in-process, against the test databases and the stand-in Slack."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select

from bot.cli import CliState, cli
from bot.dev.standin import SlackStandIn
from tests.conftest import BOT_TOKEN, ENGINES, Clock

DATA = Path(__file__).resolve().parents[2] / "bot" / "data"

# Every setting the CLI reads, unset unless a test sets it: the developer's own environment must not leak in.
CLEAN_ENV: dict[str, str | None] = {
    "SLACK_BOT_TOKEN": None,
    "SLACK_SIGNING_SECRET": None,
    "SLACK_APP_TOKEN": None,
    "SLACK_API_URL": None,
    "DATABASE_URL": None,
    "ICTBOT_TIMEZONE": None,
    "ICTBOT_ADMINS": None,
    "ICTBOT_LOG_LEVEL": None,
    "ICTBOT_SCHEDULER": None,
    "ICTBOT_SCHEDULER_INTERVAL": None,
    "ICTBOT_REMINDER_RATE": None,
    "ICTBOT_RETENTION_DAYS": None,
    "SLACK_CLIENT_ID": None,
    "SLACK_CLIENT_SECRET": None,
    "SLACK_STATE_SECRET": None,
    "SLACK_REDIRECT_URI": None,
    "COLUMNS": "200",
}


@dataclass
class Ictbot:
    """`ictbot ARGS` with DATABASE_URL pointing at the test database and the test clock. A command on a
    database the tests have an engine for uses that engine (leaving it open), as ``ictbot`` run again and
    again in one process would: a new engine each time compiled every statement anew, and the CLI's tests
    took a third longer."""

    db_url: str | None
    clock: Clock
    env: dict[str, str | None] = field(default_factory=dict)

    def __call__(self, *args: str, input: str | bytes | None = None, **env: str | None) -> Result:
        full_env = {**CLEAN_ENV, "DATABASE_URL": self.db_url, **self.env, **env}
        state = CliState(clock=self.clock, engines=ENGINES)
        return CliRunner().invoke(cli, list(args), input=input, env=full_env, obj=state, catch_exceptions=False)

    def with_slack(self, standin: SlackStandIn) -> Ictbot:
        """The same, with SLACK_BOT_TOKEN set and the Web API at the stand-in."""
        return Ictbot(
            self.db_url, self.clock, {**self.env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url}
        )


@pytest.fixture
def ictbot(db_url: str, engine: Engine, clock: Clock) -> Ictbot:
    """Asks for ``engine`` so every table is emptied after the test."""
    return Ictbot(db_url, clock)


COUNCIL, COUNCIL_NAME = "T0HALL", "Town Hall"  # the workspace with_council creates
HALL = f"{COUNCIL} ({COUNCIL_NAME})"  # as the commands name it


def with_council(ictbot: Ictbot) -> Ictbot:
    """``ictbot`` once its database holds the council's workspace, created on purpose as an admin would
    (`ictbot workspaces add`): the one the commands work on without --team. A module whose tests start
    there overrides ``ictbot`` with it."""
    result = ictbot("workspaces", "add", COUNCIL, COUNCIL_NAME)
    assert result.exit_code == 0, result.output
    return ictbot


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures the root logger (onto CliRunner's stderr); put it back after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def rows(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)
