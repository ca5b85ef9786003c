"""Which workspace a command works on: --team, the only one in the database, or a new one."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RoleGrant, Workspace, make_engine
from tests.cli.conftest import Ictbot, rows
from tests.conftest import BOT_TOKEN


def workspaces(engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return [(w.external_id, w.name) for w in s.scalars(select(Workspace).order_by(Workspace.id))]


def test_on_an_empty_database_the_bot_tokens_team_is_asked_of_auth_test(ictbot, engine, standin):
    result = ictbot.with_slack(standin)("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Granted chair to U0CHAIR in workspace T0COUNCIL (Darlington).\n"
    assert workspaces(engine) == [("T0COUNCIL", "Darlington")]
    assert [c.token for c in standin.calls_to("auth.test")] == [BOT_TOKEN]


def test_on_an_empty_database_without_a_token_the_local_workspace_is_used(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert workspaces(engine) == [("T0LOCAL", "")]


def test_the_only_workspace_is_the_default_and_slack_is_not_asked(ictbot, engine, standin):
    assert ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0ONLY").exit_code == 0

    result = ictbot.with_slack(standin)("roles", "grant", "U0OTHER", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert "in workspace T0ONLY" in result.stdout
    assert standin.calls_to("auth.test") == []
    assert workspaces(engine) == [("T0ONLY", "")]


def test_several_workspaces_without_team_is_refused_naming_them(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0AAA")
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0BBB")

    for args in (("roles", "list"), ("export",), ("roles", "grant", "U0NEW", "--role", "chair")):
        result = ictbot(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            "ictbot: This database holds several workspaces (T0AAA, T0BBB); say which with --team TEAM_ID.\n"
        )
    assert rows(engine, RoleGrant) == 2


@pytest.mark.parametrize(
    "args",
    [
        ("export",),
        ("strategy", "list"),
        ("projects", "list"),
        ("roles", "list"),
        ("roles", "revoke", "U0X1", "--role", "chair"),
    ],
)
def test_reading_commands_do_not_create_an_unknown_team(ictbot, engine, args):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    result = ictbot(*args, "--team", "T0NOPE")

    assert result.exit_code == 1
    assert result.stderr == "ictbot: There is no workspace T0NOPE in this database (it holds T0LOCAL).\n"
    assert workspaces(engine) == [("T0LOCAL", "")]


def test_reading_commands_on_an_empty_database_explain_how_to_start(ictbot, engine, standin):
    result = ictbot.with_slack(standin)("export")

    assert result.exit_code == 1
    assert "This database holds no workspace yet" in result.stderr
    assert "ictbot projects import" in result.stderr
    assert rows(engine, Workspace) == 0
    assert standin.calls_to("auth.test") == []


def test_writing_commands_create_a_named_team(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "t0new")

    assert result.exit_code == 0, result.stderr
    assert workspaces(engine) == [("T0NEW", "")]  # Slack IDs are upper case; the option is normalised


def test_a_malformed_team_is_a_usage_error(ictbot, engine):
    result = ictbot("roles", "list", "--team", "council")

    assert result.exit_code == 2
    assert "'COUNCIL' is not a Slack team ID such as T012ABCDEF" in result.stderr


def test_a_refused_auth_test_stops_the_command_without_showing_the_token(ictbot, engine, standin):
    standin.fail("auth.test", error="invalid_auth")

    result = ictbot.with_slack(standin)("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 1
    assert result.stderr == "ictbot: Slack refused auth.test (invalid_auth): check SLACK_BOT_TOKEN.\n"
    assert BOT_TOKEN not in result.stderr + result.stdout
    assert rows(engine, Workspace) == 0


def test_an_unreachable_slack_is_a_clear_error(standin, clock, tmp_path):
    # One backend is enough here, and worth it: the Web API client backs off for ~3 s before giving up.
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    api = standin.api_url
    standin.stop()

    result = Ictbot(url, clock)(
        "roles", "grant", "U0CHAIR", "--role", "chair", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=api
    )

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("ictbot: Could not reach Slack's Web API for auth.test:")
    assert BOT_TOKEN not in result.stderr
    engine = make_engine(url)
    try:
        assert rows(engine, Workspace) == 0
    finally:
        engine.dispose()


TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
CHAIR_AAD = "00000000-0000-0000-0000-0000000000C1"


def test_a_teams_tenant_is_a_workspace_the_cli_can_name(ictbot, engine):
    result = ictbot("roles", "grant", CHAIR_AAD, "--role", "chair", "--team", TENANT)

    assert result.exit_code == 0, result.stderr
    with Session(engine) as s:
        ws = s.scalars(select(Workspace)).one()
        assert (ws.platform, ws.external_id) == ("teams", TENANT.lower())
        assert [g.user_id for g in s.scalars(select(RoleGrant))] == [CHAIR_AAD.lower()]
    listed = ictbot("roles", "list", "--team", TENANT.lower())
    assert listed.exit_code == 0 and CHAIR_AAD.lower() in listed.stdout
