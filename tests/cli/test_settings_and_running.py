"""Settings errors, the schema policy, `ictbot db upgrade`, --version, and how `ictbot run` picks its mode."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot import server
from bot.cli.serve import choose_mode
from bot.dev import shell
from bot.settings import ConfigError, Settings
from models import RoleGrant, Workspace, make_engine
from models.db import alembic_config
from tests.cli.conftest import Ictbot, rows
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

APP_TOKEN = "xapp-1-test-app-token"


def test_a_malformed_setting_prints_one_line_naming_it_and_exits_2(ictbot, engine):
    result = ictbot("roles", "list", ICTBOT_TIMEZONE="Mars/Base")

    assert result.exit_code == 2
    assert result.stderr == "ictbot: ICTBOT_TIMEZONE is not an IANA time zone name such as Europe/London.\n"
    assert result.stdout == ""
    assert rows(engine, Workspace) == 0


def test_a_malformed_secret_is_named_but_never_shown(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair", SLACK_BOT_TOKEN="sk-very-secret-value")

    assert result.exit_code == 2
    assert result.stderr == "ictbot: SLACK_BOT_TOKEN must be a bot token starting with xoxb-.\n"
    assert "very-secret" not in result.stderr + result.stdout
    assert rows(engine, RoleGrant) == 0


def test_version_is_the_package_version(ictbot):
    result = ictbot("--version")

    assert result.exit_code == 0
    assert result.stdout == "ictbot, version 0.1.0\n"


def test_a_fresh_sqlite_file_gets_its_schema_from_db_upgrade(clock, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"

    result = Ictbot(url, clock)("db", "upgrade")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"The database {url} is at revision {HEAD}.\n"
    engine = make_engine(url)
    try:
        assert {"workspace", "project", "progress_update", "update_revision", "alembic_version"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_a_data_command_on_a_fresh_sqlite_file_brings_the_schema_up_itself(clock, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"

    result = Ictbot(url, clock)("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0COUNCIL")

    assert result.exit_code == 0, result.stderr
    assert "Granted chair to U0CHAIR in workspace T0COUNCIL." in result.stdout
    assert "bringing the SQLite schema" in result.stderr  # said once, at INFO
    again = Ictbot(url, clock)("roles", "list")
    assert again.exit_code == 0 and again.stderr == ""  # already at head: nothing to say


@pytest.mark.postgres
def test_on_postgresql_a_schema_not_at_head_asks_for_db_upgrade(empty_postgres, clock):
    ictbot = Ictbot(empty_postgres, clock)

    refused = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert refused.exit_code == 1
    assert refused.stderr == (
        f"ictbot: The database schema is not up to date (it is at empty; this ictbot needs {HEAD}). "
        "Run `ictbot db upgrade` first.\n"
    )
    assert ictbot("db", "upgrade").exit_code == 0
    assert ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0COUNCIL").exit_code == 0


def test_an_unreachable_database_is_named_without_its_password(clock):
    url = "postgresql://ictbot:pw-secret-123@127.0.0.1:1/ictbot"

    result = Ictbot(url, clock)("roles", "list")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "ictbot: Cannot use the database postgresql://ictbot:***@127.0.0.1:1/ictbot: connection failed"
    )
    assert "pw-secret-123" not in result.stderr


OAUTH = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "secret", "SLACK_STATE_SECRET": "s" * 32}
TEAMS = {
    "TEAMS_CLIENT_ID": "00000000-0000-0000-0000-0000000000b0",
    "TEAMS_CLIENT_SECRET": "secret",
    "TEAMS_TENANT_ID": "00000000-0000-0000-0000-0000000000a0",
}


@pytest.mark.parametrize(
    ("tokens", "mode"),
    [
        ({"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_BOT_TOKEN": BOT_TOKEN}, "socket"),
        (
            {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "socket",
        ),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}, "serve"),
        ({**OAUTH, "SLACK_SIGNING_SECRET": SIGNING_SECRET}, "serve"),
        (TEAMS, "serve"),
        ({}, "shell"),
    ],
)
def test_run_picks_socket_mode_then_http_then_the_local_shell(tokens, mode):
    assert choose_mode(Settings(**tokens)) == mode


@pytest.mark.parametrize(
    ("tokens", "missing"),
    [
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        (OAUTH, "SLACK_SIGNING_SECRET"),
    ],
)
def test_run_with_half_the_http_settings_names_the_missing_one(tokens, missing):
    with pytest.raises(ConfigError, match=f"^{missing} is not set"):
        choose_mode(Settings(**tokens))


@pytest.fixture
def entry_points(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Stand-ins for bot.server and bot.dev.shell's entry points, recording how they were called."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def fake_serve(settings: Settings, *, host: str, port: int) -> None:
        calls.append(("serve", {"settings": settings, "host": host, "port": port}))

    def fake_socket(settings: Settings) -> None:
        calls.append(("socket", {"settings": settings}))

    def fake_shell(settings: Settings, *, user_id: str = "U0LOCAL01", platform: str = "slack") -> int:
        calls.append(("shell", {"settings": settings, "user_id": user_id, "platform": platform}))
        return 3

    monkeypatch.setattr(server, "serve", fake_serve)
    monkeypatch.setattr(server, "socket_mode", fake_socket)
    monkeypatch.setattr(shell, "run_shell", fake_shell)
    return calls


def test_run_with_an_app_token_goes_to_socket_mode(ictbot, entry_points):
    result = ictbot("run", SLACK_APP_TOKEN=APP_TOKEN, SLACK_BOT_TOKEN=BOT_TOKEN)

    assert result.exit_code == 0, result.stderr
    assert [name for name, _ in entry_points] == ["socket"]
    assert entry_points[0][1]["settings"].SLACK_APP_TOKEN.get_secret_value() == APP_TOKEN


def test_run_with_bot_token_and_signing_secret_serves_http(ictbot, entry_points):
    result = ictbot("run", "--port", "4100", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)

    assert result.exit_code == 0, result.stderr
    assert [(name, kw["host"], kw["port"]) for name, kw in entry_points] == [("serve", "127.0.0.1", 4100)]


def test_run_with_no_token_opens_the_shell_and_exits_with_its_status(ictbot, entry_points):
    result = ictbot("run")

    assert result.exit_code == 3
    assert [(name, kw["user_id"]) for name, kw in entry_points] == [("shell", "U0LOCAL01")]


def test_run_with_only_a_bot_token_is_a_settings_error(ictbot, entry_points):
    result = ictbot("run", SLACK_BOT_TOKEN=BOT_TOKEN)

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "ictbot: SLACK_SIGNING_SECRET is not set; it is required for the HTTP receiver (`ictbot serve`)."
    )
    assert entry_points == []


def test_serve_socket_and_shell_pass_their_options_through(ictbot, entry_points):
    assert ictbot("serve", "--host", "192.0.2.10", "--port", "8080").exit_code == 0
    assert ictbot("socket").exit_code == 0
    assert ictbot("shell", "--user", "U0LOCAL02").exit_code == 3

    assert [(name, {k: v for k, v in kw.items() if k != "settings"}) for name, kw in entry_points] == [
        ("serve", {"host": "192.0.2.10", "port": 8080}),
        ("socket", {}),
        ("shell", {"user_id": "U0LOCAL02", "platform": "slack"}),
    ]


@pytest.mark.parametrize(
    ("args", "database"),
    [
        (("shell",), "sqlite:///ictbot-local.db"),
        (("shell", "--platform", "teams"), "sqlite:///ictbot-local-teams.db"),
        (("run",), "sqlite:///ictbot-local.db"),
    ],
)
def test_without_database_url_each_shell_keeps_its_own_database(clock, entry_points, args, database):
    result = Ictbot(None, clock)(*args)

    assert result.exit_code == 3
    [(name, kw)] = entry_points
    assert name == "shell" and kw["settings"].DATABASE_URL == database
    assert f"in its own database, {database}; set DATABASE_URL to use another." in result.stderr


def test_with_database_url_set_the_shell_says_it_uses_that_database(clock, entry_points):
    url = "postgresql://ictbot:hunter2@db.example/ictbot"

    result = Ictbot(url, clock)("shell", "--platform", "teams")

    assert result.exit_code == 3
    assert [kw["settings"].DATABASE_URL for _, kw in entry_points] == [url]
    assert result.stderr == (
        "The shell uses the database DATABASE_URL names, postgresql://ictbot:***@db.example/ictbot, "
        "and keeps its demo tenant there.\n"
    )


def test_shell_refuses_a_malformed_user(ictbot, entry_points):
    result = ictbot("shell", "--user", "alex")

    assert result.exit_code == 2
    assert "'ALEX' is not a Slack user ID" in result.stderr
    assert entry_points == []
