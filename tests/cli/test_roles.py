"""`ictbot roles grant|revoke|list`."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RoleGrant, Workspace
from tests.cli.conftest import COUNCIL, HALL, Ictbot, rows, with_council
from tests.conftest import ADMIN, START


@pytest.fixture
def ictbot(ictbot: Ictbot) -> Ictbot:
    """The commands run on the council's workspace, created on purpose (`ictbot workspaces add`)."""
    return with_council(ictbot)


def grants(engine) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        return [(g.user_id, g.role.value, g.granted_by) for g in s.scalars(select(RoleGrant).order_by(RoleGrant.id))]


def test_grant_records_the_role_as_granted_by_the_cli(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Granted chair to U0CHAIR in workspace {HALL}.\n"
    assert grants(engine) == [("U0CHAIR", "chair", "cli")]
    with Session(engine) as s:
        assert s.scalars(select(RoleGrant.created_at)).one() == START


def test_granting_a_role_twice_changes_nothing(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0
    assert f"U0CHAIR already has chair in workspace {HALL}; nothing changed." in result.stdout
    assert rows(engine, RoleGrant) == 1


def test_revoke_removes_the_grant_and_a_second_revoke_says_nothing_changed(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")
    ictbot("roles", "grant", "U0CHAIR", "--role", "admin")

    result = ictbot("roles", "revoke", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Revoked chair from U0CHAIR in workspace {HALL}.\n"
    assert grants(engine) == [("U0CHAIR", "admin", "cli")]
    again = ictbot("roles", "revoke", "U0CHAIR", "--role", "chair")
    assert again.exit_code == 0
    assert "U0CHAIR had no granted chair role" in again.stdout


def test_an_admin_from_ictbot_admins_cannot_be_revoked_here(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    result = ictbot("roles", "revoke", ADMIN, "--role", "admin", ICTBOT_ADMINS=ADMIN)

    assert result.exit_code == 1
    assert result.stderr == (
        f"ictbot: {ADMIN} is an admin through ICTBOT_ADMINS; remove them from that setting to revoke it.\n"
    )


def test_roles_list_shows_setting_admins_and_grants_with_their_source(ictbot):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")
    ictbot("roles", "grant", "U0HELP", "--role", "admin")

    result = ictbot("roles", "list", ICTBOT_ADMINS=f"{ADMIN},U0BOSS")

    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.strip("│┃ ").split()) for line in result.stdout.splitlines()]
    body = [line for line in lines if line.startswith("U0")]
    assert body == [
        "U0ADMIN │ admin │ ICTBOT_ADMINS",
        "U0BOSS │ admin │ ICTBOT_ADMINS",
        "U0HELP │ admin │ granted by cli",
        "U0CHAIR │ chair │ granted by cli",
    ]


def test_a_malformed_user_id_is_a_usage_error_and_grants_nothing(ictbot, engine):
    result = ictbot("roles", "grant", "bob@example.gov.uk", "--role", "chair")

    assert result.exit_code == 2
    assert "is not a Slack user ID such as U012ABCDEF" in result.stderr
    assert (rows(engine, RoleGrant), rows(engine, Workspace)) == (0, 1)


def test_an_unknown_role_is_a_usage_error(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "owner")

    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'chair'" in result.stderr
    assert rows(engine, RoleGrant) == 0


def chair_group(engine, team: str = COUNCIL) -> str | None:
    with Session(engine) as s:
        return s.scalars(select(Workspace.chair_usergroup_id).where(Workspace.external_id == team)).one()


def table_rows(stdout: str, prefix: str = "") -> list[str]:
    lines = [" ".join(line.strip("│┃ ").split()) for line in stdout.splitlines()]
    return [line for line in lines if line[:1] in "US" and "│" in line and line.startswith(prefix)]


def test_chairs_group_is_stored_shown_in_the_list_and_cleared_with_none(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    result = ictbot("roles", "chairs-group", "S0CHAIRS")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"The members of user group S0CHAIRS are now chairs in workspace {HALL}.\n"
    assert chair_group(engine) == "S0CHAIRS"
    listed = ictbot("roles", "list")
    assert table_rows(listed.stdout) == [
        "U0CHAIR │ chair │ granted by cli",
        "S0CHAIRS │ chair │ every member of this Slack user group",
    ]
    again = ictbot("roles", "chairs-group", "S0CHAIRS")
    assert f"already are chairs in workspace {HALL}; nothing changed." in again.stdout

    cleared = ictbot("roles", "chairs-group", "none")

    assert cleared.exit_code == 0, cleared.stderr
    assert f"No user group stands for the chairs in workspace {HALL} any more; granted chairs remain." in cleared.stdout
    assert chair_group(engine) is None
    assert table_rows(ictbot("roles", "list").stdout) == ["U0CHAIR │ chair │ granted by cli"]


def test_the_list_shows_a_group_even_when_nobody_has_a_role(ictbot):
    ictbot("roles", "chairs-group", "S0CHAIRS")

    result = ictbot("roles", "list")

    assert result.exit_code == 0, result.stderr
    assert table_rows(result.stdout) == ["S0CHAIRS │ chair │ every member of this Slack user group"]


def test_a_malformed_chairs_group_is_a_usage_error_and_changes_nothing(ictbot, engine):
    for bad in ("@ict-chairs", "<!subteam^S0CHAIRS>", "U0CHAIR", "s0chairs"):
        result = ictbot("roles", "chairs-group", bad)

        assert result.exit_code == 2
        assert "is not a Slack user group ID such as S012ABCDEF (or `none`)" in result.stderr
    assert chair_group(engine) is None


def test_chairs_group_is_set_per_team(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0COUNCIL")
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0OTHER")

    ictbot("roles", "chairs-group", "S0CHAIRS", "--team", "T0OTHER")

    assert (chair_group(engine, "T0COUNCIL"), chair_group(engine, "T0OTHER")) == (None, "S0CHAIRS")


def test_a_team_admin_from_ictbot_admins_counts_only_in_that_team(ictbot):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0COUNCIL")
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", "T0OTHER")
    env = {"ICTBOT_ADMINS": f"{ADMIN},T0COUNCIL:U0BOSS"}

    council = ictbot("roles", "list", "--team", "T0COUNCIL", **env)
    other = ictbot("roles", "list", "--team", "T0OTHER", **env)

    assert table_rows(council.stdout, "U0") == [
        "U0ADMIN │ admin │ ICTBOT_ADMINS",
        "U0BOSS │ admin │ ICTBOT_ADMINS",
        "U0CHAIR │ chair │ granted by cli",
    ]
    assert table_rows(other.stdout, "U0") == ["U0ADMIN │ admin │ ICTBOT_ADMINS", "U0CHAIR │ chair │ granted by cli"]
    refused = ictbot("roles", "revoke", "U0BOSS", "--role", "admin", "--team", "T0COUNCIL", **env)
    assert refused.exit_code == 1 and "U0BOSS is an admin through ICTBOT_ADMINS" in refused.stderr
    elsewhere = ictbot("roles", "revoke", "U0BOSS", "--role", "admin", "--team", "T0OTHER", **env)
    assert elsewhere.exit_code == 0 and "U0BOSS had no granted admin role in workspace T0OTHER" in elsewhere.stdout


def test_granting_admin_to_an_admin_of_ictbot_admins_writes_nothing(ictbot, engine):
    result = ictbot("roles", "grant", ADMIN, "--role", "admin", ICTBOT_ADMINS=ADMIN)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{ADMIN} is already an admin in workspace {HALL} through ICTBOT_ADMINS; nothing changed.\n"
    assert rows(engine, RoleGrant) == 0


def test_the_last_admin_cannot_be_revoked_when_ictbot_admins_names_none_for_the_team(ictbot, engine):
    ictbot("roles", "grant", "U0HELP", "--role", "admin", "--team", "T0COUNCIL")

    for env in ({}, {"ICTBOT_ADMINS": "T0OTHER:U0BOSS"}):
        result = ictbot("roles", "revoke", "U0HELP", "--role", "admin", "--team", "T0COUNCIL", **env)

        assert result.exit_code == 1
        assert result.stderr == (
            "ictbot: U0HELP is the last admin of this workspace and ICTBOT_ADMINS names none for it; "
            "grant admin to someone else first, so that somebody can still manage the roles.\n"
        )
    assert grants(engine) == [("U0HELP", "admin", "cli")]

    with_setting = ictbot("roles", "revoke", "U0HELP", "--role", "admin", "--team", "T0COUNCIL", ICTBOT_ADMINS=ADMIN)

    assert with_setting.exit_code == 0, with_setting.stderr
    assert grants(engine) == []


def test_an_admin_may_be_revoked_while_another_is_granted(ictbot, engine):
    ictbot("roles", "grant", "U0HELP", "--role", "admin")
    ictbot("roles", "grant", "U0DEPUTY", "--role", "admin")

    result = ictbot("roles", "revoke", "U0HELP", "--role", "admin")

    assert result.exit_code == 0, result.stderr
    assert grants(engine) == [("U0DEPUTY", "admin", "cli")]
    last = ictbot("roles", "revoke", "U0DEPUTY", "--role", "admin")
    assert last.exit_code == 1 and "U0DEPUTY is the last admin" in last.stderr
