"""Which workspace a command works on: --team, the only one in the database, one created on purpose
(`ictbot workspaces add`) or the bot token's (asked of Slack); never the local shell's demo workspace."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.settings import LOCAL_TEAM_ID
from models import Priority, Project, RoleGrant, Strategy, Workspace, make_engine
from tests.cli.conftest import DATA, Ictbot, rows
from tests.conftest import BOT_TOKEN

SEED_2009 = str(DATA / "strategy_2009_2011.yaml")
WORK_PLAN = str(DATA / "sample_workplan.csv")
DEMO_REFUSED = (
    "ictbot: T0LOCAL is the local shell's demo workspace: only `ictbot shell` writes to it; give your own team's ID.\n"
)


def workspaces(engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return [(w.external_id, w.name) for w in s.scalars(select(Workspace).order_by(Workspace.id))]


def test_on_an_empty_database_the_bot_tokens_team_is_asked_of_auth_test(ictbot, engine, standin):
    result = ictbot.with_slack(standin)("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Granted chair to U0CHAIR in workspace T0COUNCIL (Darlington).\n"
    assert workspaces(engine) == [("T0COUNCIL", "Darlington")]
    assert [c.token for c in standin.calls_to("auth.test")] == [BOT_TOKEN]


def test_strategy_load_on_an_empty_database_learns_the_team_from_slack(ictbot, engine, standin):
    result = ictbot.with_slack(standin)("strategy", "load", SEED_2009)

    assert result.exit_code == 0, result.stderr
    assert "into workspace T0COUNCIL (Darlington)" in result.stdout
    assert workspaces(engine) == [("T0COUNCIL", "Darlington")]


@pytest.mark.parametrize(
    "args",
    [
        ("strategy", "load", SEED_2009),
        ("projects", "import", WORK_PLAN),
        ("roles", "grant", "U0CHAIR", "--role", "chair"),
        ("meetings", "generate"),
    ],
)
def test_on_an_empty_database_without_a_token_a_writing_command_asks_which_workspace(ictbot, engine, args):
    result = ictbot(*args)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ictbot: Which workspace? This database has none to write to (it holds no workspace yet): pass --team "
        "TEAM_ID (a Slack team ID, T…, or a Microsoft Teams tenant ID), create the workspace with "
        '`ictbot workspaces add TEAM_ID "Name"`, or set SLACK_BOT_TOKEN so that ictbot asks Slack which it is.\n'
    )
    assert (rows(engine, Workspace), rows(engine, Strategy), rows(engine, Project), rows(engine, RoleGrant)) == (
        0,
        0,
        0,
        0,
    )


def test_a_workspace_added_on_purpose_is_the_one_the_commands_use(ictbot, engine, standin):
    added = ictbot("workspaces", "add", "t012abcdef", "  Darlington Borough Council ")

    assert added.exit_code == 0, added.stderr
    assert added.stdout == "Added workspace T012ABCDEF (Darlington Borough Council), with the default strategy.\n"
    assert workspaces(engine) == [("T012ABCDEF", "Darlington Borough Council")]
    assert rows(engine, Strategy) == 1  # the shipped default, as a workspace the bot meets first starts with

    imported = ictbot.with_slack(standin)("projects", "import", WORK_PLAN)  # a token changes nothing here
    loaded = ictbot("strategy", "load", SEED_2009)

    assert imported.exit_code == 0, imported.stderr
    assert loaded.exit_code == 0, loaded.stderr
    assert "into workspace T012ABCDEF (Darlington Borough Council)" in loaded.stdout
    assert "Imported 7 projects into workspace T012ABCDEF (Darlington Borough Council)" in imported.stdout
    assert standin.calls_to("auth.test") == []
    assert workspaces(engine) == [("T012ABCDEF", "Darlington Borough Council")]


def test_a_teams_tenant_may_be_added_too(ictbot, engine):
    result = ictbot("workspaces", "add", TENANT, "Contoso Council")

    assert result.exit_code == 0, result.stderr
    with Session(engine) as s:
        ws = s.scalars(select(Workspace)).one()
        assert (ws.platform, ws.external_id, ws.name) == ("teams", TENANT.lower(), "Contoso Council")
    assert "in workspace " + TENANT.lower() in ictbot("roles", "grant", CHAIR_AAD, "--role", "chair").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("T0LOCAL", "Mine"), DEMO_REFUSED),
        (("T012ABCDEF", "  "), 'ictbot: Give the workspace a name, e.g. `ictbot workspaces add T012ABCDEF "Darlington'),
        (("T0HALL", "Again"), "ictbot: Workspace T0HALL (Town Hall) is already in this database; nothing changed.\n"),
    ],
)
def test_workspaces_add_refuses_the_demo_a_blank_name_and_a_workspace_already_there(ictbot, engine, args, message):
    assert ictbot("workspaces", "add", "T0HALL", "Town Hall").exit_code == 0

    result = ictbot("workspaces", "add", *args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert workspaces(engine) == [("T0HALL", "Town Hall")]


def shell_demo(runtime) -> None:
    """The demo workspace, as `ictbot shell` makes it (an older ictbot's shell used this database too)."""
    with runtime.unit(LOCAL_TEAM_ID, team_name="Local council"):
        pass


@pytest.mark.parametrize(
    "args",
    [
        ("strategy", "load", SEED_2009),
        ("projects", "import", WORK_PLAN),
        ("roles", "grant", "U0CHAIR", "--role", "chair"),
        ("roles", "revoke", "U0CHAIR", "--role", "chair"),
        ("strategy", "activate", "ICT Strategy 2014–2016"),
        ("meetings", "generate"),
    ],
)
def test_no_command_writes_to_the_shells_demo_workspace(ictbot, engine, runtime, args):
    shell_demo(runtime)
    before = (rows(engine, Strategy), rows(engine, Priority), rows(engine, Project), rows(engine, RoleGrant))

    named = ictbot(*args, "--team", "T0LOCAL")
    unnamed = ictbot(*args)

    assert (named.exit_code, named.stderr) == (1, DEMO_REFUSED)
    assert unnamed.exit_code == 1
    assert unnamed.stderr.startswith(
        "ictbot: Which workspace? This database has none to write to (it holds T0LOCAL (the shell's demo)): "
    )
    assert (rows(engine, Strategy), rows(engine, Priority), rows(engine, Project), rows(engine, RoleGrant)) == before
    assert workspaces(engine) == [("T0LOCAL", "Local council")]


def test_the_demo_workspace_may_be_read_and_is_passed_over_for_a_real_one(ictbot, engine, runtime):
    shell_demo(runtime)

    assert "ICT Strategy 2014–2016" in ictbot("strategy", "list").stdout  # the shell's own database, read

    assert ictbot("workspaces", "add", "T0HALL", "Town Hall").exit_code == 0
    granted = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert granted.exit_code == 0, granted.stderr
    assert granted.stdout == "Granted chair to U0CHAIR in workspace T0HALL (Town Hall).\n"
    with Session(engine) as s:
        grants = s.execute(select(Workspace.external_id).join(RoleGrant, RoleGrant.workspace_id == Workspace.id))
        assert list(grants.scalars()) == ["T0HALL"]


def test_an_export_of_the_demo_workspace_is_restored_only_under_another_team(ictbot, engine, runtime, tmp_path):
    shell_demo(runtime)
    export = tmp_path / "demo.json"
    assert ictbot("export", "--output", str(export)).exit_code == 0
    assert ictbot("workspaces", "purge", "--team", "T0LOCAL", "--yes").exit_code == 0  # a purge may remove it

    refused = ictbot("import", str(export))
    named = ictbot("import", str(export), "--team", "T0LOCAL")

    assert refused.exit_code == 1
    assert refused.stderr == (
        f"ictbot: Nothing was imported from {export}: it is an export of T0LOCAL, the local shell's demo workspace, "
        "which only `ictbot shell` writes to. Restore it under your own team with --team TEAM_ID.\n"
    )
    assert (named.exit_code, named.stderr) == (1, DEMO_REFUSED)
    assert rows(engine, Workspace) == 0
    restored = ictbot("import", str(export), "--team", "T0HALL")
    assert restored.exit_code == 0, restored.stderr
    assert [team for team, _ in workspaces(engine)] == ["T0HALL"]


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
    ictbot("workspaces", "add", "T0HALL", "Town Hall")

    result = ictbot(*args, "--team", "T0NOPE")

    assert result.exit_code == 1
    assert result.stderr == "ictbot: There is no workspace T0NOPE in this database (it holds T0HALL).\n"
    assert workspaces(engine) == [("T0HALL", "Town Hall")]


def test_reading_commands_on_an_empty_database_explain_how_to_start(ictbot, engine, standin):
    result = ictbot.with_slack(standin)("export")

    assert result.exit_code == 1
    assert "This database holds no workspace yet" in result.stderr
    assert 'ictbot workspaces add TEAM_ID "Name"' in result.stderr
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
