"""`/ict-project`: anyone lists the Work Plan; only admins change it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import ChangeVia, Project, ProjectEvent, ProjectField, ProjectStatus
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, last_reply, shown


def project(runtime, ref):
    with runtime.sessions() as s:
        return s.scalars(select(Project).where(Project.ref == ref)).one()


def test_list_groups_open_projects_by_priority_in_strategy_order(slack, standin, workplan):
    slack.command("/ict-project", "list", user_id=STRANGER)
    text = shown(last_reply(standin))
    assert "*ICT Work Plan — ICT Strategy 2014–2016* (5 open projects)" in text
    order = [line for line in text.split("\n") if line.startswith("*") and "Work Plan" not in line]
    assert order == [
        "*ICT Governance*",
        "*ICT Strategic Architecture*",
        "*Business Development*",
        "*ICT Competent Workforce*",
    ]
    assert f"• *NET-01* Council network refresh — <@{OWNER}>" in text


def test_admin_adds_a_project_by_priority_name_or_code(slack, standin, runtime, workplan):
    slack.command("/ict-project", f"add net-02 arch <@{DELEGATE}|dan> Wi-Fi refresh in libraries", user_id=ADMIN)
    assert f"Added `NET-02` Wi-Fi refresh in libraries under ICT Strategic Architecture, owned by <@{DELEGATE}>." in (
        shown(last_reply(standin))
    )
    p = project(runtime, "NET-02")
    assert (p.owner_user_id, p.status) == (DELEGATE, ProjectStatus.ACTIVE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add NET-02 ARCH", "Usage: `/ict-project add REF PRIORITY @owner Title of the project`"),
        ("add NET-02 NOPE <@U0OWNER> Title", "`NOPE` is not a priority of ICT Strategy 2014–2016"),
        ("add NET-01 ARCH <@U0OWNER> Title", "There is already a project `NET-01`"),
        ("add NET-02 ARCH bob Title", "`bob` is not a Slack user"),
        ("add NET/02 ARCH <@U0OWNER> Title", "is not a project reference"),
        ("reassign NET-01", "Usage: `/ict-project reassign REF @new-owner`"),
        ("close NOPE-99", "There is no project `NOPE-99`"),
    ],
)
def test_bad_project_commands_explain_and_change_nothing(slack, standin, runtime, workplan, text, expected):
    slack.command("/ict-project", text, user_id=ADMIN)
    assert expected in shown(last_reply(standin))
    assert count(runtime, Project) == 5
    assert project(runtime, "NET-01").owner_user_id == OWNER


def test_non_admin_cannot_change_the_work_plan(slack, standin, runtime, workplan):
    for text in (f"add NET-02 ARCH <@{OWNER}> Wi-Fi", f"reassign NET-01 <@{STRANGER}>", "close NET-01"):
        slack.command("/ict-project", text, user_id=OWNER)
        assert "Only an ICT admin can" in shown(last_reply(standin))
    assert count(runtime, Project) == 5
    assert project(runtime, "NET-01").owner_user_id == OWNER
    assert project(runtime, "NET-01").status is ProjectStatus.ACTIVE


def test_reassign_moves_ownership_and_drops_the_new_owner_as_delegate(slack, standin, runtime, workplan):
    slack.command("/ict-project", f"reassign NET-01 <@{DELEGATE}>", user_id=ADMIN)
    assert f"now belongs to <@{DELEGATE}> (was <@{OWNER}>)" in shown(last_reply(standin))
    p = project(runtime, "NET-01")
    with_delegates = p.owner_user_id
    assert with_delegates == DELEGATE
    slack.command("/ict-update", "NET-01 green Done", user_id=OWNER)
    assert "Only the owner or a delegate" in shown(last_reply(standin))


def test_close_and_complete(slack, standin, runtime, workplan):
    slack.command("/ict-project", "complete PCI-01", user_id=ADMIN)
    assert "`PCI-01` PCI DSS quarterly tests is marked complete." in shown(last_reply(standin))
    p = project(runtime, "PCI-01")
    assert (p.status, p.completed_on) == (ProjectStatus.COMPLETE, date(2026, 11, 24))
    slack.command("/ict-project", "close MOB-01", user_id=ADMIN)
    assert project(runtime, "MOB-01").status is ProjectStatus.CLOSED
    slack.command("/ict-project", "close MOB-01", user_id=ADMIN)
    assert "`MOB-01` is already closed." in shown(last_reply(standin))
    slack.command("/ict-project", "list", user_id=OWNER)
    assert "(3 open projects)" in shown(last_reply(standin))
    slack.command("/ict-project", "list all", user_id=OWNER)
    text = shown(last_reply(standin))
    assert "(5 projects)" in text and "*MOB-01* Mobile carrier cut-across — <@U0OWNER> _(Closed)_" in text


def test_unknown_sub_command_shows_help(slack, standin, workplan):
    slack.command("/ict-project", "delete NET-01", user_id=ADMIN)
    text = shown(last_reply(standin))
    assert "`delete` is not an `/ict-project` sub-command." in text
    assert "SD (ICT Service Development)" in text


def test_granted_admin_role_allows_changes(slack, standin, runtime, workplan):
    from bot.services import roles
    from models import Role

    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, OWNER, Role.ADMIN, by=ADMIN, now=runtime.now())
    slack.command("/ict-project", "close TRN-01", user_id=OWNER)
    assert project(runtime, "TRN-01").status is ProjectStatus.CLOSED


def test_each_change_in_chat_is_recorded_with_the_admin_who_made_it(slack, standin, runtime, clock, workplan):
    def history(ref):
        with runtime.sessions() as s:
            rows = s.execute(
                select(ProjectEvent.at, ProjectEvent.actor, ProjectEvent.via, ProjectEvent.field)
                .add_columns(ProjectEvent.old, ProjectEvent.new)
                .join(Project, Project.id == ProjectEvent.project_id)
                .where(Project.ref == ref)
                .order_by(ProjectEvent.at, ProjectEvent.id)
            )
            return [tuple(r) for r in rows]

    added = clock.advance(hours=1)
    slack.command("/ict-project", f"add NET-02 ARCH <@{OWNER}> Wi-Fi refresh", user_id=ADMIN)
    reassigned = clock.advance(hours=1)
    slack.command("/ict-project", f"reassign NET-02 <@{DELEGATE}>", user_id=ADMIN)
    slack.command("/ict-project", f"reassign NET-02 <@{DELEGATE}>", user_id=ADMIN)  # no change: nothing recorded
    completed = clock.advance(hours=1)
    slack.command("/ict-project", "complete NET-02", user_id=ADMIN)
    slack.command("/ict-project", "close NET-02", user_id=OWNER)  # refused: not an admin
    reopened = clock.advance(hours=1)
    slack.command("/ict-project", "reopen NET-02", user_id=ADMIN)

    chat = ChangeVia.CHAT
    assert history("NET-02") == [
        (added, ADMIN, chat, ProjectField.CREATED, "", "active"),
        (reassigned, ADMIN, chat, ProjectField.OWNER, OWNER, DELEGATE),
        (completed, ADMIN, chat, ProjectField.STATUS, "active", "complete"),
        (reopened, ADMIN, chat, ProjectField.STATUS, "complete", "active"),
    ]
