"""`ictbot config`, the `.env` file the bot reads, and the documents that list the settings: `.env.example`
and the README's configuration table must name exactly the settings bot.settings has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from bot.settings import ENV_FILE, Settings, load_settings, setting_sources
from tests.cli.conftest import Ictbot

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = list(Settings.model_fields)
TOKEN = "xoxb-1234-very-secret-token"
SIGNING = "signing-secret-never-shown"
CLIENT_SECRET = "client-secret-never-shown"
DB_PASSWORD = "db-password-never-shown"


@pytest.fixture
def env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``.env`` in a working directory of its own, read as the bot reads it (tests/conftest.py turns it off)."""
    monkeypatch.setitem(Settings.model_config, "env_file", ENV_FILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path / ENV_FILE


def listing(result: Result) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    return {row["name"]: row for row in document["settings"]}


def test_config_lists_every_setting_with_its_default(clock):
    result = Ictbot(None, clock)("config", "--format", "json")

    rows = listing(result)
    assert list(rows) == SETTINGS
    assert {row["source"] for row in rows.values()} == {"default"}
    assert rows["DATABASE_URL"]["value"] == "sqlite:///ictbot.db"
    assert rows["ICTBOT_SCHEDULER"]["value"] == "true"
    assert rows["SLACK_BOT_TOKEN"]["value"] is None


def test_the_table_names_every_setting_and_where_its_value_came_from(clock):
    result = Ictbot(None, clock)("config", ICTBOT_TIMEZONE="Europe/Paris")

    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.strip()}
    assert set(SETTINGS) <= set(lines)
    assert lines["ICTBOT_TIMEZONE"] == ["Europe/Paris", "environment"]
    assert lines["ICTBOT_LOG_LEVEL"] == ["INFO", "default"]
    assert lines["SLACK_APP_TOKEN"] == ["(not", "set)", "default"]


def test_secrets_are_masked_the_database_password_too(clock):
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_CLIENT_ID": "1234.5678",
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_STATE_SECRET": "s" * 40,
        "SLACK_API_URL": f"https://bot:{DB_PASSWORD}@slack.example/api/",
    }
    url = f"postgresql://ictbot:{DB_PASSWORD}@db.example/ictbot"

    for fmt in ("table", "json"):
        result = Ictbot(url, clock)("config", "--format", fmt, **env)

        assert result.exit_code == 0, result.stderr
        for secret in (TOKEN, SIGNING, CLIENT_SECRET, "s" * 40, DB_PASSWORD):
            assert secret not in result.stdout + result.stderr
    rows = listing(Ictbot(url, clock)("config", "--format", "json", **env))
    assert rows["DATABASE_URL"] == {
        "name": "DATABASE_URL",
        "value": "postgresql://ictbot:***@db.example/ictbot",
        "source": "environment",
        "masked": True,
    }
    assert rows["SLACK_API_URL"]["value"] == "https://bot:********@slack.example/api/"
    assert {name for name, row in rows.items() if row["masked"]} == {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_CLIENT_SECRET",
        "SLACK_STATE_SECRET",
        "SLACK_API_URL",
        "DATABASE_URL",
    }
    assert rows["SLACK_CLIENT_ID"]["value"] == "1234.5678"  # an ID, not a secret


def test_a_malformed_setting_stops_config_naming_it(clock):
    result = Ictbot(None, clock)("config", ICTBOT_SCHEDULER_INTERVAL="5")

    assert result.exit_code == 2
    assert result.stderr == "ictbot: ICTBOT_SCHEDULER_INTERVAL must be a whole number of seconds from 10 to 3600.\n"


def test_the_bot_reads_dot_env_in_the_working_directory_and_the_environment_wins(env_file, monkeypatch):
    env_file.write_text(
        f"ICTBOT_TIMEZONE=Europe/Dublin\nICTBOT_LOG_LEVEL=DEBUG\nSLACK_BOT_TOKEN={TOKEN}\nNOT_A_SETTING=1\n",
        encoding="utf-8",
    )
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ICTBOT_LOG_LEVEL", "WARNING")

    settings = load_settings()

    assert (settings.ICTBOT_TIMEZONE, settings.ICTBOT_LOG_LEVEL) == ("Europe/Dublin", "WARNING")
    assert settings.SLACK_BOT_TOKEN is not None and settings.SLACK_BOT_TOKEN.get_secret_value() == TOKEN
    sources = setting_sources()
    assert (sources["ICTBOT_TIMEZONE"], sources["ICTBOT_LOG_LEVEL"], sources["SLACK_BOT_TOKEN"]) == (
        ".env",
        "environment",
        ".env",
    )
    assert sources["DATABASE_URL"] == "default"


def test_config_says_which_dot_env_it_read(env_file, clock):
    env_file.write_text("ICTBOT_RETENTION_DAYS=90\n", encoding="utf-8")

    result = Ictbot(None, clock)("config", "--format", "json")
    table = Ictbot(None, clock)("config")

    document = json.loads(result.stdout)
    assert (document["env_file"], document["env_file_found"]) == (str(env_file.resolve()), True)
    assert listing(result)["ICTBOT_RETENTION_DAYS"] | {"name": ""} == {
        "name": "",
        "value": "90",
        "source": ".env",
        "masked": False,
    }
    assert f".env: {env_file.resolve()} (read); the environment wins over it." in " ".join(table.stdout.split())


def test_settings_read_dot_env_from_the_working_directory():
    assert ENV_FILE == ".env"
    assert Settings.model_config["env_file_encoding"] == "utf-8"


def example_lines() -> list[tuple[str, str]]:
    """(name, default) of each setting `.env.example` shows, commented out: ``# NAME=DEFAULT``."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^# ([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.MULTILINE)


def test_env_example_names_exactly_the_settings_once_each_with_their_defaults():
    lines = example_lines()

    assert sorted(name for name, _ in lines) == sorted(SETTINGS)
    for name, shown in lines:
        default = Settings.model_fields[name].default
        if shown == "":
            assert default in (None, ""), name
        else:
            assert getattr(Settings(**{name: shown}), name) == default, name


def test_env_example_sets_nothing_and_helps_with_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()

    assert all(line == "" or line.startswith("#") for line in text)  # copying it changes nothing by itself
    for i, line in enumerate(text):
        if re.match(r"^# [A-Z][A-Z0-9_]+=", line):
            assert text[i - 1].startswith("# ") and "=" not in text[i - 1].split()[1], line  # a line of help above


def test_the_readme_configuration_table_names_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]

    named = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, flags=re.MULTILINE)

    assert sorted(named) == sorted(SETTINGS)


def test_help_points_to_config_and_names_both_platforms(clock):
    result = Ictbot(None, clock)("--help")

    text = " ".join(result.stdout.split())
    assert result.exit_code == 0
    assert "for Slack and Microsoft Teams" in text
    assert "`ictbot config` lists every one" in text
    assert "SLACK_SIGNING_SECRET" not in text  # the list lives in `ictbot config`, .env.example and the README
