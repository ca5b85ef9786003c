"""Configuration from the environment: one clear line for a bad setting, never its value."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import RedactSecrets
from bot.settings import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "ICTBOT_TIMEZONE",
        "ICTBOT_ADMINS",
        "ICTBOT_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults(monkeypatch):
    s = load_settings()
    assert s.DATABASE_URL == "sqlite:///ictbot.db"
    assert s.ICTBOT_TIMEZONE == "Europe/London" and s.SLACK_API_URL == "https://slack.com/api/"
    assert s.admin_entries == () and s.admins_for("T0COUNCIL") == frozenset()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ICTBOT_TIMEZONE", "Mars/Olympus", "ICTBOT_TIMEZONE is not an IANA time zone name"),
        ("ICTBOT_ADMINS", "U123,bob", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", "T0COUNCIL:bob", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", "U0ADA:T0COUNCIL", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", "T0COUNCIL:", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", ":U0ADA", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", "T0A:T0B:U0ADA", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("ICTBOT_ADMINS", "t0council:u0ada", "ICTBOT_ADMINS must be comma-separated Slack user IDs"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must be a sqlite:// or postgresql:// URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("SLACK_API_URL", "ftp://x", "SLACK_API_URL must be an http(s) URL"),
        ("SLACK_BOT_TOKEN", "xoxp-very-secret-user-token", "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "SLACK_APP_TOKEN must be an app-level token"),
        ("ICTBOT_LOG_LEVEL", "LOUD", "ICTBOT_LOG_LEVEL"),
    ],
)
def test_malformed_setting_gives_one_line_naming_it_without_its_value(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    text = str(err.value)
    assert text.startswith(message) and "\n" not in text
    assert value not in text


def test_admins_are_parsed(monkeypatch):
    monkeypatch.setenv("ICTBOT_ADMINS", " U0ADA , W0BOB,")
    settings = load_settings()
    assert settings.admin_entries == ((None, "U0ADA"), (None, "W0BOB"))
    assert settings.admins_for("T0COUNCIL") == settings.admins_for("T0OTHER") == frozenset({"U0ADA", "W0BOB"})


def test_a_team_user_admin_counts_only_in_that_team(monkeypatch):
    monkeypatch.setenv("ICTBOT_ADMINS", "U0ADA, T0COUNCIL:U0BOB ,T0OTHER : U0CAT,E0GRID:W0DAN")
    settings = load_settings()
    assert settings.admin_entries == (
        (None, "U0ADA"),
        ("T0COUNCIL", "U0BOB"),
        ("T0OTHER", "U0CAT"),
        ("E0GRID", "W0DAN"),
    )
    assert settings.admins_for("T0COUNCIL") == frozenset({"U0ADA", "U0BOB"})
    assert settings.admins_for("T0OTHER") == frozenset({"U0ADA", "U0CAT"})
    assert settings.admins_for("T0ELSE") == frozenset({"U0ADA"})


TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
ADA_AAD = "00000000-0000-0000-0000-0000000000A1"
BOB_AAD = "00000000-0000-0000-0000-0000000000B2"


def test_teams_admins_are_entra_object_ids_in_any_case(monkeypatch):
    monkeypatch.setenv("ICTBOT_ADMINS", f"U0ADA, {ADA_AAD}, {TENANT}:{BOB_AAD}")
    settings = load_settings()
    assert settings.admin_entries == ((None, "U0ADA"), (None, ADA_AAD.lower()), (TENANT.lower(), BOB_AAD.lower()))
    assert (
        settings.admins_for(TENANT.lower())
        == settings.admins_for(TENANT)
        == {
            "U0ADA",
            ADA_AAD.lower(),
            BOB_AAD.lower(),
        }
    )
    assert settings.admins_for("T0COUNCIL") == {"U0ADA", ADA_AAD.lower()}


@pytest.mark.parametrize("entry", ["T0COUNCIL:" + ADA_AAD, TENANT + ":U0ADA", "0000-not-a-guid"])
def test_a_mixed_or_malformed_teams_admin_entry_is_refused(monkeypatch, entry):
    monkeypatch.setenv("ICTBOT_ADMINS", entry)
    with pytest.raises(ConfigError, match="ICTBOT_ADMINS must be"):
        load_settings()


def test_the_message_for_a_bad_admin_entry_shows_both_forms(monkeypatch):
    monkeypatch.setenv("ICTBOT_ADMINS", "U0ADA,T0COUNCIL-U0BOB")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == (
        "ICTBOT_ADMINS must be comma-separated Slack user IDs such as U012ABCDEF (an admin in every workspace), "
        "or a team ID and a user ID such as T012ABCDEF:U012ABCDEF (an admin in that workspace only); "
        "for Microsoft Teams, a user's Entra object ID (a GUID), or TENANT-GUID:USER-GUID."
    )


def test_required_setting_is_named(monkeypatch):
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set; it is required for ictbot serve"):
        load_settings().require("SLACK_SIGNING_SECRET", purpose="ictbot serve")


def test_secrets_are_hidden_in_repr(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234-abcd-secret")
    assert "xoxb-1234-abcd-secret" not in repr(load_settings())


def test_tokens_are_redacted_from_log_records():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "headers %s", ({"Authorization": "Bearer xoxb-1-2-abc"},), None
    )
    RedactSecrets().filter(record)
    assert "xoxb-1-2-abc" not in record.getMessage() and "xoxb-[redacted]" in record.getMessage()
