"""`ictbot roles grant|revoke|list`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RoleGrant, Workspace
from tests.cli.conftest import rows
from tests.conftest import ADMIN, START


def grants(engine) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        return [(g.user_id, g.role.value, g.granted_by) for g in s.scalars(select(RoleGrant).order_by(RoleGrant.id))]


def test_grant_records_the_role_as_granted_by_the_cli(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Granted chair to U0CHAIR in workspace T0LOCAL.\n"
    assert grants(engine) == [("U0CHAIR", "chair", "cli")]
    with Session(engine) as s:
        assert s.scalars(select(RoleGrant.created_at)).one() == START


def test_granting_a_role_twice_changes_nothing(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    result = ictbot("roles", "grant", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0
    assert "U0CHAIR already has chair in workspace T0LOCAL; nothing changed." in result.stdout
    assert rows(engine, RoleGrant) == 1


def test_revoke_removes_the_grant_and_a_second_revoke_says_nothing_changed(ictbot, engine):
    ictbot("roles", "grant", "U0CHAIR", "--role", "chair")
    ictbot("roles", "grant", "U0CHAIR", "--role", "admin")

    result = ictbot("roles", "revoke", "U0CHAIR", "--role", "chair")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Revoked chair from U0CHAIR in workspace T0LOCAL.\n"
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
    assert (rows(engine, RoleGrant), rows(engine, Workspace)) == (0, 0)


def test_an_unknown_role_is_a_usage_error(ictbot, engine):
    result = ictbot("roles", "grant", "U0CHAIR", "--role", "owner")

    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'chair'" in result.stderr
    assert rows(engine, RoleGrant) == 0
