"""Configuration from the environment and a ``.env`` file (pydantic-settings).

Each setting is read from the environment, else from ``.env`` in the working directory, else its
default (:func:`setting_sources` says which, for `ictbot config`). A missing or malformed setting
stops start-up with one line naming it; secret values are held as ``SecretStr`` so they never appear
in a repr, a log line or an error message.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, DotEnvSettingsSource, EnvSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///ictbot.db"
LOCAL_TEAM_ID = "T0LOCAL"  # the local shell's demo workspace: no other command writes to it
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Mode = Literal["serve", "socket", "shell"]

MIN_INTERVAL, MAX_INTERVAL = 10, 3600  # ICTBOT_SCHEDULER_INTERVAL, seconds
MAX_RATE = 100.0  # ICTBOT_REMINDER_RATE, calls a second per Web API method
MAX_RETENTION_DAYS = 3650  # ICTBOT_RETENTION_DAYS
MIN_STATE_SECRET = 32  # characters of SLACK_STATE_SECRET
OAUTH_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")  # all or none
TEAMS_SETTINGS = ("TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID")  # all or none
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class ConfigError(Exception):
    """A setting is missing or malformed. The message names it and never shows its value."""


ENV_FILE = ".env"  # in the working directory; the environment wins over it

Source = Literal["environment", ".env", "default"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=True, extra="ignore", env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    # Multi-workspace install (Slack's OAuth v2): all three, or none.
    SLACK_CLIENT_ID: str | None = None
    SLACK_CLIENT_SECRET: SecretStr | None = None
    SLACK_STATE_SECRET: SecretStr | None = None
    SLACK_REDIRECT_URI: str | None = None  # only when the app has several redirect URLs
    # Microsoft Teams (the bot's Entra app registration): all three, or none.
    TEAMS_CLIENT_ID: str | None = None
    TEAMS_CLIENT_SECRET: SecretStr | None = None
    TEAMS_TENANT_ID: str | None = None
    # Where Microsoft's login, OpenID metadata (JWT keys) and Bot Connector live; unset: Microsoft's public
    # cloud. Only the local stand-in (bot.dev.teams_standin) sets it.
    TEAMS_CLOUD_URL: str | None = None
    ICTBOT_RETENTION_DAYS: int = Field(default=30, description="days a workspace's data is kept after uninstall")
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    ICTBOT_TIMEZONE: str = "Europe/London"
    ICTBOT_ADMINS: str = Field(
        default="", description="comma-separated Slack user IDs (U…, admin in every workspace) or TEAM:USER (T…:U…)"
    )
    ICTBOT_LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ICTBOT_SCHEDULER: bool = Field(default=True, description="run the reconcile job inside serve/socket")
    ICTBOT_SCHEDULER_INTERVAL: int = Field(default=60, description="seconds between reconcile passes")
    ICTBOT_REMINDER_RATE: float = Field(
        default=1.0, description="Web API calls a second per method and workspace, reminding"
    )

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return v

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return v

    @field_validator("SLACK_CLIENT_ID")
    @classmethod
    def _client_id(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[0-9]+\.[0-9]+$", v):
            raise ValueError("must be the app's Client ID, two numbers joined by a dot (Basic Information)")
        return v

    @field_validator("SLACK_STATE_SECRET")
    @classmethod
    def _state_secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < MIN_STATE_SECRET:
            raise ValueError(f"must be at least {MIN_STATE_SECRET} characters of random text")
        return v

    @field_validator("SLACK_REDIRECT_URI")
    @classmethod
    def _redirect_uri(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^/\s]+/\S*$", v):
            raise ValueError("must be an http(s) URL ending in /slack/oauth_redirect")
        return v

    @field_validator("ICTBOT_RETENTION_DAYS", mode="before")
    @classmethod
    def _retention(cls, v: object) -> int:
        problem = f"must be a whole number of days from 0 to {MAX_RETENTION_DAYS}"
        if isinstance(v, bool):
            raise ValueError(problem)
        try:
            days = v if isinstance(v, int) else int(str(v).strip())
        except ValueError:
            raise ValueError(problem) from None
        if not 0 <= days <= MAX_RETENTION_DAYS:
            raise ValueError(problem)
        return days

    @model_validator(mode="after")
    def _oauth_all_or_none(self) -> Settings:
        given = [n for n in OAUTH_SETTINGS if getattr(self, n) is not None]
        if given and len(given) < len(OAUTH_SETTINGS):
            missing = ", ".join(n for n in OAUTH_SETTINGS if n not in given)
            raise ValueError(f"needs {missing} as well: set all of {', '.join(OAUTH_SETTINGS)}, or none")
        return self

    @model_validator(mode="after")
    def _teams_all_or_none(self) -> Settings:
        given = [n for n in TEAMS_SETTINGS if getattr(self, n) is not None]
        if given and len(given) < len(TEAMS_SETTINGS):
            missing = ", ".join(n for n in TEAMS_SETTINGS if n not in given)
            raise ValueError(f"needs {missing} as well: set all of {', '.join(TEAMS_SETTINGS)}, or none")
        return self

    @property
    def teams_enabled(self) -> bool:
        """The Teams front end is configured (``POST /api/messages`` is served)."""
        return all(getattr(self, n) is not None for n in TEAMS_SETTINGS)

    @field_validator("TEAMS_CLIENT_ID", "TEAMS_TENANT_ID")
    @classmethod
    def _teams_guid(cls, v: str | None) -> str | None:
        if v is not None and not GUID.match(v.strip()):
            raise ValueError("must be a GUID such as 00000000-0000-0000-0000-000000000000 (the Entra app registration)")
        return v.strip() if v is not None else None

    @field_validator("TEAMS_CLOUD_URL")
    @classmethod
    def _teams_cloud_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^/\s]+(/\S*)?$", v):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:3979")
        return v.rstrip("/") if v is not None else None

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace install: tokens come from installations, not SLACK_BOT_TOKEN."""
        return all(getattr(self, n) is not None for n in OAUTH_SETTINGS)

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", v):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return v if v.endswith("/") else v + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, v: str) -> str:
        try:
            url = make_url(v)
        except ArgumentError:
            raise ValueError("is not a database URL (e.g. sqlite:///ictbot.db or postgresql://host/db)") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return v

    @field_validator("ICTBOT_TIMEZONE")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone name such as Europe/London") from None
        return v

    @field_validator("ICTBOT_ADMINS")
    @classmethod
    def _admins(cls, v: str) -> str:
        for item in _split(v):
            if _admin_entry(item) is None:
                raise ValueError(
                    "must be comma-separated Slack user IDs such as U012ABCDEF (an admin in every workspace), "
                    "or a team ID and a user ID such as T012ABCDEF:U012ABCDEF (an admin in that workspace only); "
                    "for Microsoft Teams, a user's Entra object ID (a GUID), or TENANT-GUID:USER-GUID"
                )
        return v

    @field_validator("ICTBOT_SCHEDULER", mode="before")
    @classmethod
    def _scheduler(cls, v: object) -> bool:
        if isinstance(v, bool):
            return v
        word = str(v).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError("must be true or false")

    @field_validator("ICTBOT_SCHEDULER_INTERVAL", mode="before")
    @classmethod
    def _interval(cls, v: object) -> int:
        problem = f"must be a whole number of seconds from {MIN_INTERVAL} to {MAX_INTERVAL}"
        if isinstance(v, bool):
            raise ValueError(problem)
        try:
            seconds = v if isinstance(v, int) else int(str(v).strip())
        except ValueError:
            raise ValueError(problem) from None
        if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
            raise ValueError(problem)
        return seconds

    @field_validator("ICTBOT_REMINDER_RATE", mode="before")
    @classmethod
    def _rate(cls, v: object) -> float:
        problem = f"must be a number of calls a second above 0 and at most {MAX_RATE:g}"
        if isinstance(v, bool):
            raise ValueError(problem)
        try:
            rate = float(v) if isinstance(v, int | float) else float(str(v).strip())
        except ValueError:
            raise ValueError(problem) from None
        if not (math.isfinite(rate) and 0 < rate <= MAX_RATE):
            raise ValueError(problem)
        return rate

    @cached_property
    def admin_entries(self) -> tuple[tuple[str | None, str], ...]:
        """(team ID or None for every team, user ID) for each entry of ICTBOT_ADMINS."""
        return tuple(entry for item in _split(self.ICTBOT_ADMINS) if (entry := _admin_entry(item)) is not None)

    def admins_for(self, team_id: str) -> frozenset[str]:
        """The admins ICTBOT_ADMINS names for the workspace ``team_id``: every entry without a team
        (``U…``), and the entries for that team (``T…:U…``). An entry for another team does not count."""
        team_key = team_id.lower() if GUID.match(team_id) else team_id  # a Teams tenant, in any case
        return frozenset(user for team, user in self.admin_entries if team is None or team == team_key)

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.ICTBOT_TIMEZONE)

    def require(self, *names: str, purpose: str) -> None:
        for name in names:
            if getattr(self, name) is None:
                raise ConfigError(f"{name} is not set; it is required for {purpose}.")


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _admin_entry(item: str) -> tuple[str | None, str] | None:
    """``U…`` → (None, ``U…``); ``T…:U…`` → (``T…``, ``U…``); for Microsoft Teams, a user's Entra object
    ID ``GUID`` → (None, ``guid``) and ``TENANT-GUID:USER-GUID`` → (``tenant-guid``, ``user-guid``), in the
    lower case Teams sends them in; anything else → None."""
    team, sep, user = item.rpartition(":")
    team, user = team.strip(), user.strip()
    if GUID.match(user):
        if not sep:
            return None, user.lower()
        return (team.lower(), user.lower()) if GUID.match(team) else None
    if not sep:
        return (None, user) if SLACK_USER_ID.match(user) else None
    if SLACK_TEAM_ID.match(team) and SLACK_USER_ID.match(user):
        return team, user
    return None


def setting_sources() -> dict[str, Source]:
    """Where each setting's value comes from, asked of the sources pydantic-settings reads them from
    (the environment first, then the ``.env`` file the model names), not by reading them again."""
    from_env = EnvSettingsSource(Settings)()
    from_file = DotEnvSettingsSource(Settings)()
    return {
        name: "environment" if name in from_env else ".env" if name in from_file else "default"
        for name in Settings.model_fields
    }


def load_settings() -> Settings:
    """Read the environment and ``.env``, turning pydantic's report into one line that names the setting."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        whole = "Microsoft Teams" if "TEAMS_" in first["msg"] else "Multi-workspace install"  # model validators
        name = ".".join(str(p) for p in first["loc"]) or whole
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name} {message}.") from None
