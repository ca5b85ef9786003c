"""``project …`` and ``role …`` in Teams, through the real Teams app and the stand-in: the Work Plan and the
roles as Slack's ``/ict-project`` and ``/ict-role`` keep them, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from bot.runtime import Runtime
from bot.services import projects, roles, workspaces
from bot.services.projects import ProjectView
from bot.settings import Settings
from handlers.teams.cards.workplan import work_plan_cards
from models import Project, ProjectEvent, ProjectStatus, Role, RoleGrant
from tests.scenarios.test_officer_text import ONE_LINE, ONE_LINE_SHOWN
from tests.teams.conftest import DAN_AAD, OLIVE_AAD, TeamsClient, shows, teams_client
from tests.teams.test_cards import check
from tests.teams.test_officer_text import assert_teams_shows_literally

ADA_AAD = "0ada0000-0000-4000-8000-00000000ada0"


@pytest.fixture
def ada(teams: TeamsStandIn) -> TeamsUserAccount:
    return teams.add_user("Ada Admin", aad_object_id=ADA_AAD)


@pytest.fixture
def plan(teams_runtime: Runtime, teams: TeamsStandIn) -> None:
    """The stand-in's tenant: Ada is an ICT admin (granted), Olive a chair who owns NET-01, Dan owns EFORM-01;
    GOV-02 is closed."""
    rt = teams_runtime
    with rt.sessions.begin() as s:
        ws = workspaces.get_or_create(s, teams.tenant_id, platform="teams", name="Darlington", now=rt.now())
        for ref, title, prio, owner in (
            ("NET-01", "Council network refresh", "ARCH", OLIVE_AAD),
            ("EFORM-01", "E-forms for online services", "BD", DAN_AAD),
            ("GOV-02", "Information governance review", "GOV", DAN_AAD),
        ):
            projects.add(s, ws, ref=ref, title=title, priority=prio, owner=owner, now=rt.now())
        projects.set_status(s, ws, "GOV-02", ProjectStatus.CLOSED, now=rt.now(), tz=rt.settings.timezone)
        roles.grant(s, ws, ADA_AAD, Role.ADMIN, by="cli", now=rt.now())
        roles.grant(s, ws, OLIVE_AAD, Role.CHAIR, by=ADA_AAD, now=rt.now())


def say(client: TeamsClient, teams: TeamsStandIn, who: TeamsUserAccount, typed: str) -> list[dict[str, Any]]:
    """The cards the bot answered ``who`` with for ``typed`` (each checked: valid, within the size limit)."""
    before = len(teams.sent())
    assert client.post(teams.message(who, typed)).status_code == 200
    sent = [c.body for c in teams.sent()[before:]]
    assert sent, "the bot answered nothing"
    for activity in sent:
        assert "/ict-" not in shows(activity)
        for attachment in activity.get("attachments") or []:
            check(attachment["content"])
    return sent


def said(client: TeamsClient, teams: TeamsStandIn, who: TeamsUserAccount, typed: str) -> str:
    return "\n".join(shows(a) for a in say(client, teams, who, typed))


def state(rt: Runtime) -> tuple[Any, ...]:
    """Every project (ref, title, owner, status, delegates), every history row and every role grant."""
    with rt.sessions() as s:
        rows = [(p.ref, p.title, p.owner_user_id, p.status, tuple(p.delegate_ids)) for p in s.scalars(select(Project))]
        events = s.scalar(select(func.count()).select_from(ProjectEvent))
        grants = [(g.user_id, g.role) for g in s.scalars(select(RoleGrant))]
    return sorted(rows), events, sorted(grants)


def project(rt: Runtime, ref: str) -> Project:
    with rt.sessions() as s:
        found = s.scalars(select(Project).where(Project.ref == ref)).one()
        s.expunge(found)
        return found


# -- project ----------------------------------------------------------------------------------------------
def test_anyone_lists_the_open_work_plan_by_priority_with_owners_by_name(client, teams, plan, olive, dan):
    say(client, teams, olive, "help")  # Olive has spoken to the bot: her name is known
    shown = said(client, teams, dan, "project list")
    assert "ICT Work Plan — ICT Strategy 2014–2016" in shown and "2 open projects" in shown
    assert "NET-01 Council network refresh — Olive Owner" in shown
    assert "EFORM-01 E-forms for online services — Dan Delegate" in shown
    assert "GOV-02" not in shown
    everything = said(client, teams, dan, "project list all")
    assert "3 projects" in everything and "GOV-02 Information governance review — Dan Delegate (closed)" in everything


def test_an_admin_adds_a_project_owned_by_themself_or_by_an_entra_id(client, teams_runtime, teams, plan, ada):
    shown = said(client, teams, ada, "project add net-02 arch me Wi-Fi refresh in libraries")
    assert shown == "Added NET-02 Wi-Fi refresh in libraries under ICT Strategic Architecture, owned by Ada Admin."
    assert project(teams_runtime, "NET-02").owner_user_id == ADA_AAD
    said(client, teams, ada, f"project add MOB-01 BD {DAN_AAD.upper()} Mobile refresh")
    assert project(teams_runtime, "MOB-01").owner_user_id == DAN_AAD  # stored as Teams sends it: lower case
    with teams_runtime.sessions() as s:
        actors = set(
            s.scalars(select(ProjectEvent.actor).where(ProjectEvent.project_id == project(teams_runtime, "MOB-01").id))
        )
    assert actors == {ADA_AAD}


def test_a_projects_title_is_shown_as_typed(client, teams, plan, ada):
    sent = say(client, teams, ada, f"project add NET-09 ARCH me {ONE_LINE}")
    assert_teams_shows_literally(
        sent, f"Added NET-09 {ONE_LINE_SHOWN} under ICT Strategic Architecture, owned by Ada Admin."
    )
    assert_teams_shows_literally(say(client, teams, ada, "project list"), f"⚪ NET-09 {ONE_LINE_SHOWN} — Ada Admin")


def test_an_admin_reassigns_closes_completes_and_reopens(client, teams_runtime, teams, plan, ada, dan):
    say(client, teams, dan, "help")
    assert said(client, teams, ada, f"project reassign NET-01 {DAN_AAD}") == (
        f"NET-01 Council network refresh now belongs to Dan Delegate (was {OLIVE_AAD})."
    )
    assert project(teams_runtime, "NET-01").owner_user_id == DAN_AAD
    assert said(client, teams, ada, "project close NET-01").endswith("is closed: it is no longer chased for updates.")
    assert project(teams_runtime, "NET-01").status is ProjectStatus.CLOSED
    assert said(client, teams, ada, "project reopen net-01").endswith(
        "is open again: it takes updates and is chased for them."
    )
    assert said(client, teams, ada, "project complete NET-01").endswith("is marked complete.")
    p = project(teams_runtime, "NET-01")
    assert p.status is ProjectStatus.COMPLETE and p.completed_on is not None


def test_only_an_admin_changes_the_work_plan(client, teams_runtime, teams, plan, olive):
    before = state(teams_runtime)
    for typed, action in (
        ("project add NET-02 ARCH me Wi-Fi", "add projects"),
        (f"project reassign NET-01 {DAN_AAD}", "reassign projects"),
        ("project close NET-01", "close projects"),
        ("project complete NET-01", "complete projects"),
        ("project reopen GOV-02", "reopen projects"),
    ):
        assert said(client, teams, olive, typed) == (
            f"Only an ICT admin can {action}. Ask an admin (role list shows who) to do it."
        )
    assert state(teams_runtime) == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("project add NET-02 ARCH", "Usage: project add REF PRIORITY OWNER Title of the project, e.g. project add"),
        ("project add NET-02 NOPE me Title", "NOPE is not a priority of ICT Strategy 2014–2016"),
        ("project add NET-01 ARCH me Title", "There is already a project NET-01"),
        ("project add NET-02 ARCH bob Title", "bob is not a person the bot can read: give the owner as me"),
        ("project add NET-02 ARCH <at>Dan Delegate</at> Title", "an @mention does not tell me who they are"),
        ("project add NET/02 ARCH me Title", "is not a project reference"),
        ("project reassign NET-01", "Usage: project reassign REF NEW-OWNER."),
        ("project reassign NET-01 olive", "olive is not a person the bot can read: give the new owner as me"),
        ("project close", "Usage: project close REF."),
        ("project close NOPE-99", "There is no project NOPE-99"),
        ("project close GOV-02", "GOV-02 is already closed."),
        ("project reopen NET-01", "NET-01 is active, not complete or closed"),
    ],
)
def test_bad_project_commands_explain_and_change_nothing(client, teams_runtime, teams, plan, ada, typed, expected):
    before = state(teams_runtime)
    assert expected in said(client, teams, ada, typed)
    assert state(teams_runtime) == before


def test_project_help_and_an_unknown_sub_command(client, teams, plan, dan):
    shown = said(client, teams, dan, "project")
    assert "Keep the ICT Work Plan" in shown and "project add REF PRIORITY OWNER Title" in shown
    assert "ICT Strategic Architecture" in shown  # the priorities to choose from
    assert said(client, teams, dan, "project bogus").startswith("“bogus” is not a project command.")


# -- role -------------------------------------------------------------------------------------------------
def test_anyone_lists_the_roles_with_names_and_entra_ids(client, teams, plan, ada, olive, dan):
    say(client, teams, ada, "help")
    say(client, teams, olive, "help")
    shown = said(client, teams, olive, "role")
    assert f"• Ada Admin ({ADA_AAD}) — granted by ictbot roles on" in shown
    assert f"• Olive Owner ({OLIVE_AAD}) — granted by Ada Admin on" in shown
    assert "• U0ADMIN — named in ICTBOT_ADMINS" in shown  # the test settings name a Slack admin for every team
    assert "You: member · owner of NET-01 · chair" in shown
    assert "You: member · delegate" not in said(client, teams, dan, "role list")


def test_an_admin_grants_and_revokes_a_role(client, teams_runtime, teams, plan, ada, dan):
    say(client, teams, dan, "help")
    granted = said(client, teams, ada, f"role grant {DAN_AAD} chair")
    assert granted == (
        f"Dan Delegate ({DAN_AAD}) is now a chair: they can post the digest in a channel (digest), move and "
        "cancel meetings (meeting), and hear the working day before each meeting which projects still lack an update."
    )
    assert (DAN_AAD, Role.CHAIR) in state(teams_runtime)[2]
    assert said(client, teams, ada, f"role grant {DAN_AAD} CHAIR").endswith("already is a chair; nothing changed.")
    assert said(client, teams, ada, f"role revoke {DAN_AAD} chair") == f"Dan Delegate ({DAN_AAD}) is no longer a chair."
    assert said(client, teams, ada, f"role revoke {DAN_AAD} chair").endswith(
        "is not a chair by a grant; nothing changed."
    )
    assert said(client, teams, ada, "role grant me admin").endswith("already is an ICT admin; nothing changed.")
    assert (DAN_AAD, Role.CHAIR) not in state(teams_runtime)[2]


def test_only_an_admin_grants_or_revokes(client, teams_runtime, teams, plan, olive):
    before = state(teams_runtime)
    assert said(client, teams, olive, "role grant me admin") == (
        "Only an ICT admin can grant roles. Ask an admin (role list shows who) to do it."
    )
    assert said(client, teams, olive, f"role revoke {ADA_AAD} admin").startswith("Only an ICT admin can revoke roles.")
    assert state(teams_runtime) == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("role grant", "Usage: role grant PERSON chair|admin or role revoke PERSON chair|admin."),
        ("role grant me", "Usage: role grant PERSON chair|admin"),
        ("role grant me chair please", "Usage: role grant PERSON chair|admin"),
        ("role grant dan chair", "dan is not a person the bot can read: give the person as me"),
        ("role grant <at>Dan Delegate</at> chair", "an @mention does not tell me who they are"),
        ("role grant U0ADMIN admin", "U0ADMIN is not a person the bot can read"),
        ("role grant me owner", "owner is not granted: owners and delegates come from the Work Plan (project add"),
        ("role revoke me boss", "boss is not a role; the roles to grant are chair and admin. Usage: role grant"),
    ],
)
def test_bad_role_commands_explain_and_change_nothing(client, teams_runtime, teams, plan, ada, typed, expected):
    before = state(teams_runtime)
    assert expected in said(client, teams, ada, typed)
    assert state(teams_runtime) == before


def test_role_help_and_chairs_say_teams_has_no_user_groups(client, teams, plan, dan):
    assert "Teams has no such groups here, so grant chair to each person" in said(client, teams, dan, "role help")
    assert said(client, teams, dan, "role chairs S0CHAIRS").startswith(
        "Teams has no counterpart of Slack's user groups"
    )
    assert said(client, teams, dan, "role bogus").startswith("“bogus” is not a role command.")


def _client_with_admins(rt: Runtime, teams: TeamsStandIn, admins: str) -> Iterator[TeamsClient]:
    settings = Settings(**{**rt.settings.model_dump(), "ICTBOT_ADMINS": admins})
    yield from teams_client(replace(rt, settings=settings), teams)


def test_an_admin_named_in_the_setting_cannot_be_revoked(teams_runtime, teams, plan, ada, olive):
    for client in _client_with_admins(teams_runtime, teams, f"{teams.tenant_id}:{OLIVE_AAD}"):
        say(client, teams, olive, "help")
        before = state(teams_runtime)
        assert said(client, teams, ada, f"role revoke {OLIVE_AAD} admin").startswith(
            f"Olive Owner ({OLIVE_AAD}) is an admin through the ICTBOT_ADMINS setting, which role cannot change"
        )
        assert said(client, teams, ada, f"role grant {OLIVE_AAD} admin").endswith(
            "already is an ICT admin through the ICTBOT_ADMINS setting; nothing changed."
        )
        assert state(teams_runtime) == before


def test_the_last_admin_of_the_tenant_cannot_be_revoked(teams_runtime, teams, plan, ada):
    for client in _client_with_admins(teams_runtime, teams, "T0ELSEWHERE:U0ADMIN"):
        before = state(teams_runtime)
        assert said(client, teams, ada, "role revoke me admin").startswith(
            f"Ada Admin ({ADA_AAD}) is the last admin of this tenant (ICTBOT_ADMINS names none for it)"
        )
        assert state(teams_runtime) == before


def test_a_long_work_plan_is_split_across_cards_each_within_teams_limit():
    views = [
        ProjectView(
            id=n,
            ref=f"P-{n:03}",
            title=f"Project {n} " + "é" * 180,
            priority_code="ARCH",
            priority_name="ICT Strategic Architecture",
            priority_position=1,
            owner=OLIVE_AAD,
            delegates=(),
            service_area="",
            status=ProjectStatus.ACTIVE,
            target_date=None,
            completed_on=None,
            last_update_at=None,
            last_rag=None,
        )
        for n in range(200)
    ]
    found = work_plan_cards(
        projects.group_by_priority(views), strategy_name="ICT Strategy", include_closed=False, names={}
    )
    assert len(found) > 1
    shown = "\n".join(shows(check(card)) for card in found)
    assert all(f"P-{n:03} Project {n} " in shown for n in range(200))
    assert all(shows(card).startswith("_(the Work Plan, continued)_") for card in found[1:])
