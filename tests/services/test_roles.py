"""Roles, called directly: granting, revoking and listing them, the admin and chair checks and what they
refuse with, the chairs' user group, and that one workspace's roles mean nothing in another."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.errors import InvalidInput, NotAllowed
from bot.runtime import Runtime
from bot.services import roles
from bot.services.roles import AdminBySetting, LastAdmin, RoleEntry
from handlers.slack.wording import SLACK
from handlers.teams.wording import TEAMS
from models import Role, RoleGrant, Workspace
from tests.conftest import ADMIN, DELEGATE, OWNER, START, STRANGER
from tests.helpers import race

TEAM = "T0COUNCIL"
OTHER_TEAM = "T0ELSEWHERE"
CHAIRS_GROUP = "S0CHAIRS"
NO_ENV: tuple[str, ...] = ()  # ICTBOT_ADMINS names nobody for the workspace
ENV = (ADMIN,)  # ICTBOT_ADMINS names ADMIN


class Group:
    """A chairs' user group lookup that counts how often it was asked."""

    def __init__(self, members: Collection[str]) -> None:
        self.members = set(members)
        self.asked: list[str] = []

    def __call__(self, group_id: str) -> Collection[str]:
        self.asked.append(group_id)
        return self.members


def grant(
    runtime: Runtime, user: str, role: Role, *, by: str = ADMIN, env: tuple[str, ...] = ENV, team: str = TEAM
) -> bool:
    with runtime.unit(team) as (session, ws):
        return roles.grant(session, ws, user, role, by=by, now=START, env_admins=env)


def revoke(runtime: Runtime, user: str, role: Role, *, env: tuple[str, ...] = ENV, team: str = TEAM) -> bool:
    with runtime.unit(team) as (session, ws):
        return roles.revoke(session, ws, user, role, env)


def grants(runtime: Runtime) -> list[tuple[str, str, Role, str]]:
    """Every grant as stored: (team, user, role, granted by)."""
    with runtime.sessions() as s:
        rows = s.execute(
            select(Workspace.external_id, RoleGrant.user_id, RoleGrant.role, RoleGrant.granted_by)
            .join(Workspace, Workspace.id == RoleGrant.workspace_id)
            .order_by(Workspace.external_id, RoleGrant.user_id, RoleGrant.role)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def set_group(runtime: Runtime, group_id: str | None) -> bool:
    with runtime.unit(TEAM) as (_session, ws):
        return roles.set_chair_usergroup(ws, group_id)


# -- granting and revoking --------------------------------------------------------------------------


def test_a_role_is_granted_once_and_recorded_with_who_granted_it_and_when(runtime):
    assert grant(runtime, OWNER, Role.CHAIR, by=ADMIN)
    assert not grant(runtime, OWNER, Role.CHAIR, by=DELEGATE)  # already held: nothing written
    assert grant(runtime, OWNER, Role.ADMIN, by=ADMIN)  # another role is another grant

    assert grants(runtime) == [(TEAM, OWNER, Role.ADMIN, ADMIN), (TEAM, OWNER, Role.CHAIR, ADMIN)]
    with runtime.sessions() as s:
        assert {g.created_at for g in s.scalars(select(RoleGrant))} == {START}


def test_admin_is_not_granted_to_someone_ictbot_admins_names_already(runtime):
    assert not grant(runtime, ADMIN, Role.ADMIN, env=ENV)
    assert grant(runtime, ADMIN, Role.CHAIR, env=ENV)  # the setting makes no one a chair
    assert grants(runtime) == [(TEAM, ADMIN, Role.CHAIR, ADMIN)]


def test_revoking_a_granted_role_removes_it_once(runtime):
    grant(runtime, OWNER, Role.CHAIR)
    grant(runtime, OWNER, Role.ADMIN)

    assert revoke(runtime, OWNER, Role.CHAIR)
    assert not revoke(runtime, OWNER, Role.CHAIR)  # nothing left to revoke
    assert not revoke(runtime, STRANGER, Role.ADMIN)
    assert grants(runtime) == [(TEAM, OWNER, Role.ADMIN, ADMIN)]


def test_the_admin_role_ictbot_admins_gives_cannot_be_revoked(runtime):
    grant(runtime, ADMIN, Role.ADMIN, env=NO_ENV)  # granted too, before the setting named them
    with pytest.raises(AdminBySetting) as err:
        revoke(runtime, ADMIN, Role.ADMIN, env=ENV)
    assert err.value.message == (
        f"{ADMIN} is an admin through ICTBOT_ADMINS; remove them from that setting to revoke it."
    )
    assert err.value.user_id == ADMIN
    assert grants(runtime) == [(TEAM, ADMIN, Role.ADMIN, ADMIN)]


def test_the_last_granted_admin_is_kept_when_ictbot_admins_names_nobody(runtime):
    grant(runtime, OWNER, Role.ADMIN, env=NO_ENV)
    with pytest.raises(LastAdmin) as err:
        revoke(runtime, OWNER, Role.ADMIN, env=NO_ENV)
    assert err.value.message == (
        f"{OWNER} is the last admin of this workspace and ICTBOT_ADMINS names none for it; "
        "grant admin to someone else first, so that somebody can still manage the roles."
    )
    assert grants(runtime) == [(TEAM, OWNER, Role.ADMIN, ADMIN)]

    grant(runtime, DELEGATE, Role.ADMIN, env=NO_ENV)
    assert revoke(runtime, OWNER, Role.ADMIN, env=NO_ENV)  # another admin is left
    assert grants(runtime) == [(TEAM, DELEGATE, Role.ADMIN, ADMIN)]
    assert revoke(runtime, OWNER, Role.CHAIR, env=NO_ENV) is False  # not an admin's last grant: just nothing


def test_the_last_granted_admin_may_go_when_ictbot_admins_names_someone(runtime):
    grant(runtime, OWNER, Role.ADMIN)
    assert revoke(runtime, OWNER, Role.ADMIN, env=ENV)
    assert grants(runtime) == []


def test_two_admins_revoking_each_other_at_once_leave_one(runtime, engine):
    for user in (OWNER, DELEGATE):
        grant(runtime, user, Role.ADMIN, env=NO_ENV)
    with runtime.unit(TEAM) as (session, ws):
        session.expunge(ws)  # each racer needs only its id: the lock is the first thing it asks for

    def revoke_one(i: int) -> bool | str:
        with runtime.sessions.begin() as session:
            try:
                return roles.revoke(session, ws, (OWNER, DELEGATE)[i], Role.ADMIN, NO_ENV)
            except LastAdmin as exc:
                return exc.user_id

    # The racers start together, and each that has counted the other admin waits up to a second for the
    # other to have counted too before it deletes. Without a lock both count the other admin and both
    # delete; with it, one waits at the lock, so the first goes on alone, and the second counts no one.
    both_counted = threading.Barrier(2, timeout=1)

    def before_deleting(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("DELETE FROM role_grant "):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_counted.wait()

    event.listen(engine, "before_cursor_execute", before_deleting)
    try:
        outcomes = race(2, revoke_one)
    finally:
        event.remove(engine, "before_cursor_execute", before_deleting)
    assert sorted(outcomes, key=str) in ([True, DELEGATE], [True, OWNER])
    assert len(grants(runtime)) == 1


# -- who holds which role ---------------------------------------------------------------------------


def test_roles_come_from_grants_the_setting_and_the_chairs_group(runtime):
    grant(runtime, OWNER, Role.ADMIN)
    grant(runtime, DELEGATE, Role.CHAIR)
    set_group(runtime, CHAIRS_GROUP)
    group = Group({STRANGER, DELEGATE})
    with runtime.unit(TEAM) as (session, ws):
        assert roles.roles_of(session, ws, OWNER, ENV, chair_group=group) == {Role.ADMIN}
        assert roles.roles_of(session, ws, ADMIN, ENV) == {Role.ADMIN}
        assert roles.roles_of(session, ws, STRANGER, ENV, chair_group=group) == {Role.CHAIR}
        assert roles.roles_of(session, ws, STRANGER, ENV) == set()  # without the lookup, the grants alone
        assert roles.roles_of(session, ws, DELEGATE, ENV, chair_group=group) == {Role.CHAIR}
    assert group.asked == [CHAIRS_GROUP, CHAIRS_GROUP]  # not for DELEGATE, a chair by grant already


def test_is_admin_is_the_setting_or_a_grant_never_the_chair(runtime):
    grant(runtime, OWNER, Role.ADMIN)
    grant(runtime, DELEGATE, Role.CHAIR)
    with runtime.unit(TEAM) as (session, ws):
        assert roles.is_admin(session, ws, ADMIN, ENV)
        assert roles.is_admin(session, ws, OWNER, NO_ENV)
        assert not roles.is_admin(session, ws, DELEGATE, ENV)
        assert not roles.is_admin(session, ws, ADMIN, NO_ENV)


def test_chair_or_admin_looks_at_the_group_only_when_the_grants_do_not_settle_it(runtime):
    grant(runtime, DELEGATE, Role.CHAIR)
    set_group(runtime, CHAIRS_GROUP)
    group = Group({STRANGER})
    with runtime.unit(TEAM) as (session, ws):
        assert roles.is_chair_or_admin(session, ws, ADMIN, ENV, chair_group=group)
        assert roles.is_chair_or_admin(session, ws, DELEGATE, ENV, chair_group=group)
        assert group.asked == []
        assert roles.is_chair_or_admin(session, ws, STRANGER, ENV, chair_group=group)
        assert not roles.is_chair_or_admin(session, ws, OWNER, ENV, chair_group=group)
        assert not roles.is_chair_or_admin(session, ws, STRANGER, ENV)  # the group unknown: no
    assert group.asked == [CHAIRS_GROUP, CHAIRS_GROUP]


def test_without_a_chairs_group_set_the_lookup_is_never_asked(runtime):
    group = Group({STRANGER})
    with runtime.unit(TEAM) as (session, ws):
        assert not roles.is_chair_or_admin(session, ws, STRANGER, ENV, chair_group=group)
        assert roles.roles_of(session, ws, STRANGER, ENV, chair_group=group) == set()
        assert roles.chairs(session, ws, ENV, chair_group=group) == [ADMIN]
    assert group.asked == []


def test_the_chairs_are_the_granted_and_the_group_s_members_else_the_admins(runtime):
    with runtime.unit(TEAM) as (session, ws):
        assert roles.chairs(session, ws, NO_ENV) == []  # nobody at all
    grant(runtime, OWNER, Role.ADMIN)
    with runtime.unit(TEAM) as (session, ws):
        assert roles.chairs(session, ws, ENV) == [ADMIN, OWNER]  # no chair: the admins stand in
    grant(runtime, DELEGATE, Role.CHAIR)
    set_group(runtime, CHAIRS_GROUP)
    with runtime.unit(TEAM) as (session, ws):
        assert roles.chairs(session, ws, ENV) == [DELEGATE]
        assert roles.chairs(session, ws, ENV, chair_group=Group({STRANGER, DELEGATE})) == [DELEGATE, STRANGER]
        assert roles.chairs(session, ws, ENV, chair_group=Group(())) == [DELEGATE]


def test_the_roles_are_listed_setting_first_then_grants_by_role_and_user(runtime):
    later = START + timedelta(days=1)
    with runtime.unit(TEAM) as (session, ws):
        roles.grant(session, ws, STRANGER, Role.CHAIR, by=OWNER, now=later)
        roles.grant(session, ws, OWNER, Role.CHAIR, by=ADMIN, now=START)
        roles.grant(session, ws, STRANGER, Role.ADMIN, by=ADMIN, now=START)
        entries = roles.list_roles(session, ws, ("U0ZED", ADMIN, ADMIN))
    assert entries == [
        RoleEntry(user_id=ADMIN, role=Role.ADMIN, source="ICTBOT_ADMINS"),
        RoleEntry(user_id="U0ZED", role=Role.ADMIN, source="ICTBOT_ADMINS"),
        RoleEntry(STRANGER, Role.ADMIN, f"granted by {ADMIN}", granted_by=ADMIN, granted_at=START),
        RoleEntry(STRANGER, Role.CHAIR, f"granted by {OWNER}", granted_by=OWNER, granted_at=later),  # U0OTHER
        RoleEntry(OWNER, Role.CHAIR, f"granted by {ADMIN}", granted_by=ADMIN, granted_at=START),  # U0OWNER
    ]


# -- the checks, and what they refuse with ----------------------------------------------------------


def test_require_admin_refuses_anyone_else_saying_who_to_ask(runtime):
    grant(runtime, DELEGATE, Role.CHAIR)
    with runtime.unit(TEAM) as (session, ws):
        roles.require_admin(session, ws, ADMIN, ENV, "import the Work Plan")
        with pytest.raises(NotAllowed) as err:
            roles.require_admin(session, ws, DELEGATE, ENV, "import the Work Plan")
    assert SLACK(err.value.text) == (
        "Only an ICT admin can import the Work Plan. Ask an admin (`/ict-role list` shows who) to do it."
    )
    assert TEAMS(err.value.text) == (
        "Only an ICT admin can import the Work Plan. Ask an admin (`role list` shows who) to do it."
    )


def test_require_chair_or_admin_lets_a_chair_by_grant_or_group_and_an_admin_through(runtime):
    grant(runtime, DELEGATE, Role.CHAIR)
    set_group(runtime, CHAIRS_GROUP)
    with runtime.unit(TEAM) as (session, ws):
        for user in (ADMIN, DELEGATE, STRANGER):
            roles.require_chair_or_admin(session, ws, user, ENV, "move a meeting", chair_group=Group({STRANGER}))
        with pytest.raises(NotAllowed) as err:
            roles.require_chair_or_admin(session, ws, OWNER, ENV, "move a meeting", chair_group=Group({STRANGER}))
    assert SLACK(err.value.text) == (
        "Only the chair or an ICT admin can move a meeting. Ask one of them (`/ict-role list` shows who) to do it."
    )


# -- the chairs' user group -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "group"), [("S012ABCDEF", "S012ABCDEF"), ("  S0CHAIRS ", "S0CHAIRS"), (" NONE ", None)]
)
def test_a_user_group_id_or_none_is_read(typed, group):
    assert roles.parse_usergroup_id(typed) == group


@pytest.mark.parametrize("typed", ["s012abcdef", "U012ABCDEF", "S0", "<!subteam^S012ABCDEF>", ""])
def test_anything_else_is_refused_as_a_user_group_id(typed):
    with pytest.raises(InvalidInput) as err:
        roles.parse_usergroup_id(typed)
    assert err.value.message == f"`{typed.strip()}` is not a Slack user group ID such as S012ABCDEF (or `none`)."


def test_setting_the_chairs_group_says_whether_it_changed_and_is_stored(runtime):
    assert set_group(runtime, CHAIRS_GROUP)
    assert not set_group(runtime, CHAIRS_GROUP)
    with runtime.sessions() as s:
        assert s.scalar(select(Workspace.chair_usergroup_id).where(Workspace.external_id == TEAM)) == CHAIRS_GROUP
    assert set_group(runtime, None)
    assert not set_group(runtime, None)


def test_the_group_cache_keeps_members_per_team_until_they_expire():
    cache = roles.GroupCache()
    until = START + roles.GROUP_CACHE_TTL
    assert cache.get(TEAM, CHAIRS_GROUP, START) is None
    assert cache.put(TEAM, CHAIRS_GROUP, [OWNER, OWNER, DELEGATE], until=until) == frozenset({OWNER, DELEGATE})
    assert cache.get(TEAM, CHAIRS_GROUP, until - timedelta(seconds=1)) == frozenset({OWNER, DELEGATE})
    assert cache.get(TEAM, CHAIRS_GROUP, until) is None  # expired
    assert cache.get(OTHER_TEAM, CHAIRS_GROUP, START) is None  # another team's group of the same id


# -- one workspace's roles mean nothing in another --------------------------------------------------


def test_a_role_granted_in_one_workspace_is_not_held_in_another(runtime):
    grant(runtime, OWNER, Role.ADMIN, env=NO_ENV)
    grant(runtime, DELEGATE, Role.CHAIR, env=NO_ENV)
    with runtime.unit(OTHER_TEAM) as (session, other):
        assert not roles.is_admin(session, other, OWNER, NO_ENV)
        assert roles.roles_of(session, other, OWNER, NO_ENV) == set()
        assert not roles.is_chair_or_admin(session, other, DELEGATE, NO_ENV)
        assert roles.list_roles(session, other, NO_ENV) == []
        assert roles.chairs(session, other, NO_ENV) == []
        with pytest.raises(NotAllowed):
            roles.require_admin(session, other, OWNER, NO_ENV, "grant roles")
    # Revoking there touches nothing here, and the last-admin rule counts this workspace's admins only.
    assert not revoke(runtime, OWNER, Role.ADMIN, env=NO_ENV, team=OTHER_TEAM)
    assert grant(runtime, OWNER, Role.ADMIN, env=NO_ENV, team=OTHER_TEAM)
    with pytest.raises(LastAdmin):
        revoke(runtime, OWNER, Role.ADMIN, env=NO_ENV, team=OTHER_TEAM)
    assert grants(runtime) == [
        (TEAM, DELEGATE, Role.CHAIR, ADMIN),
        (TEAM, OWNER, Role.ADMIN, ADMIN),
        (OTHER_TEAM, OWNER, Role.ADMIN, ADMIN),
    ]
