"""`/ict-role`: anyone sees the roles; admins grant, revoke and name the chairs' user group.

Every request goes through the real Bolt app, signed; Slack's answers come from the stand-in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from bot.dev.local import InlineExecutor, LocalSlack
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.services import roles
from bot.settings import Settings
from handlers.slack.app import create_app
from handlers.slack.blocks.digest import PREVIEW_FOOTER
from handlers.slack.client import web_client
from models import Meeting, Role, RoleGrant, Workspace, make_sessionmaker
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, SIGNING_SECRET, START, STRANGER
from tests.helpers import last_reply, shown

CHAIR = "U0CHAIR"
HELPER = "U0HELP"
GROUPIE = "U0GROUPIE"
GROUP = "S0CHAIRS"
CHANNEL = "C0GOVERN"

RoleCommand = Callable[..., str]


@pytest.fixture
def ict_role(slack: LocalSlack, standin: SlackStandIn) -> RoleCommand:
    """`/ict-role TEXT` as ``user``; the text of the ephemeral answer."""

    def run(text: str, user: str = ADMIN) -> str:
        slack.command("/ict-role", text, user_id=user)
        reply = last_reply(standin)
        assert reply["response_type"] == "ephemeral"
        return shown(reply)

    return run


def grants(runtime: Runtime) -> set[tuple[str, str, str]]:
    with runtime.sessions() as s:
        return {(g.user_id, g.role.value, g.granted_by) for g in s.scalars(select(RoleGrant))}


def chair_group(runtime: Runtime, team: str = "T0COUNCIL") -> str | None:
    with runtime.sessions() as s:
        return s.scalar(select(Workspace.chair_usergroup_id).where(Workspace.external_id == team))


def grant(runtime: Runtime, team: str, user: str, role: Role) -> None:
    with runtime.unit(team) as (session, ws):
        roles.grant(session, ws, user, role, by=ADMIN, now=runtime.now())


def set_group(runtime: Runtime, team: str, group: str | None) -> None:
    with runtime.unit(team) as (_session, ws):
        roles.set_chair_usergroup(ws, group)


def posts_digest(slack: LocalSlack, standin: SlackStandIn, user: str) -> bool:
    """Whether `/ict-digest` from ``user`` posts in the channel (a chair or an admin) or only previews it."""
    standin.clear()
    slack.command("/ict-digest", "", user_id=user, channel_id=CHANNEL)
    posted = [c for c in standin.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
    if not posted:  # the private preview, never an apology
        assert PREVIEW_FOOTER in shown(last_reply(standin))
    return bool(posted)


def dms_to(standin: SlackStandIn, user: str) -> list[str]:
    """The direct messages ``user`` got (the stand-in's DM with U0X is D0X)."""
    return [c.params["text"] for c in standin.calls_to("chat.postMessage") if c.params["channel"] == "D" + user[1:]]


# -- seeing the roles --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "list", "LIST"])
def test_anyone_sees_who_holds_which_role_and_what_the_derived_roles_mean(runtime, standin, ict_role, text):
    grant(runtime, standin.team_id, CHAIR, Role.CHAIR)
    grant(runtime, standin.team_id, HELPER, Role.ADMIN)

    shown_text = ict_role(text, STRANGER)

    assert "*Roles in ICT governance*" in shown_text
    assert f"• <@{ADMIN}> — named in ICTBOT_ADMINS" in shown_text
    assert f"• <@{HELPER}> — granted by <@{ADMIN}> on 24 Nov 2026" in shown_text
    assert f"• <@{CHAIR}> — granted by <@{ADMIN}> on 24 Nov 2026" in shown_text
    admins, chairs = shown_text.split("*Chairs*")
    assert HELPER in admins and CHAIR not in admins and CHAIR in chairs and HELPER not in chairs
    assert "*Owners* and *delegates* post updates on their projects" in shown_text and "nobody grants it" in shown_text
    assert "*Members* — everyone in the workspace —" in shown_text
    assert shown_text.endswith("_You: member._")
    assert grants(runtime) == {(CHAIR, "chair", ADMIN), (HELPER, "admin", ADMIN)}  # listing writes nothing


def test_the_list_tells_each_person_their_own_roles(runtime, standin, ict_role, workplan):
    grant(runtime, standin.team_id, DELEGATE, Role.CHAIR)

    assert ict_role("", DELEGATE).endswith("_You: member · owner of EFORM-01, TRN-01 · delegate on NET-01 · chair._")
    assert ict_role("", OWNER).endswith("_You: member · owner of MOB-01, NET-01._")
    assert ict_role("", ADMIN).endswith("_You: member · owner of PCI-01 · admin._")


def test_with_no_chair_the_list_says_the_admins_stand_in(ict_role):
    assert "• nobody yet: until an admin grants chair (`/ict-role grant @person chair`), the admins stand in" in (
        ict_role("")
    )


def test_help_explains_every_sub_command_and_the_roles_nobody_grants(ict_role, runtime):
    text = ict_role("help", STRANGER)

    for usage in (
        "`/ict-role grant @person chair|admin`",
        "`/ict-role revoke @person chair|admin`",
        "`/ict-role chairs @user-group`",
        "`/ict-role chairs none`",
    ):
        assert usage in text
    assert "*Owner* and *delegate*" in text and "Nobody grants these" in text and "*Member* — everyone" in text
    unknown = ict_role("promote <@U0CHAIR> chair")
    assert unknown.startswith("`promote` is not an `/ict-role` sub-command.") and "`/ict-role chairs none`" in unknown
    assert grants(runtime) == set()


# -- granting and revoking ---------------------------------------------------------------------
def test_an_admin_grants_chair_and_the_new_chair_is_told(runtime, standin, ict_role):
    text = ict_role(f"grant <@{CHAIR}|Chair Person> chair")

    assert text.startswith(f"<@{CHAIR}> is now a chair: they can post the digest in a channel (`/ict-digest`)")
    assert grants(runtime) == {(CHAIR, "chair", ADMIN)}
    with runtime.sessions() as s:
        assert s.scalars(select(RoleGrant.created_at)).one() == START
    assert [c.params["users"] for c in standin.calls_to("conversations.open")] == [CHAIR]
    (dm,) = dms_to(standin, CHAIR)
    assert dm.startswith(f"<@{ADMIN}> made you a chair for the ICT governance group: you can post the digest")


def test_a_grant_stands_when_the_direct_message_cannot_be_sent(runtime, standin, ict_role):
    standin.fail("conversations.open", error="user_disabled")

    assert ict_role(f"grant <@{HELPER}> admin").startswith(f"<@{HELPER}> is now an ICT admin")
    assert grants(runtime) == {(HELPER, "admin", ADMIN)}


def test_a_chair_granted_in_slack_posts_the_digest_and_cannot_once_revoked(runtime, standin, slack, ict_role, workplan):
    assert not posts_digest(slack, standin, CHAIR)

    ict_role(f"grant <@{CHAIR}> chair")
    assert posts_digest(slack, standin, CHAIR)

    assert ict_role(f"revoke <@{CHAIR}> chair") == f"<@{CHAIR}> is no longer a chair."
    assert not posts_digest(slack, standin, CHAIR)
    assert grants(runtime) == set()


def test_a_granted_admin_may_grant_in_turn(runtime, ict_role):
    ict_role(f"grant <@{HELPER}> admin")

    ict_role(f"grant <@{CHAIR}> chair", HELPER)

    assert grants(runtime) == {(HELPER, "admin", ADMIN), (CHAIR, "chair", HELPER)}


def test_granting_what_someone_already_has_says_so_and_writes_nothing(runtime, standin, ict_role):
    ict_role(f"grant <@{CHAIR}> chair")
    standin.clear()

    assert ict_role(f"grant <@{CHAIR}> chair") == f"<@{CHAIR}> already is a chair; nothing changed."
    assert ict_role(f"grant <@{ADMIN}> admin", ADMIN) == (
        f"<@{ADMIN}> already is an ICT admin through the ICTBOT_ADMINS setting; nothing changed."
    )
    assert grants(runtime) == {(CHAIR, "chair", ADMIN)}
    assert standin.calls_to("conversations.open") == []  # nobody is told of a role they already had


def test_revoking_a_role_nobody_granted_says_so(ict_role):
    assert ict_role(f"revoke <@{CHAIR}> chair") == f"<@{CHAIR}> is not a chair by a grant; nothing changed."


@pytest.mark.parametrize(
    "text", [f"grant <@{CHAIR}> chair", f"revoke <@{HELPER}> admin", f"chairs <!subteam^{GROUP}|@ict-chairs>"]
)
@pytest.mark.parametrize("user", [STRANGER, CHAIR])
def test_only_an_admin_changes_roles_and_a_refusal_writes_nothing(runtime, standin, ict_role, text, user):
    grant(runtime, standin.team_id, CHAIR, Role.CHAIR)
    grant(runtime, standin.team_id, HELPER, Role.ADMIN)
    standin.set_usergroup(GROUP, [STRANGER])
    before = grants(runtime)

    answer = ict_role(text, user)

    assert answer.startswith("Only an ICT admin can") and "`/ict-role list` shows who" in answer
    assert grants(runtime) == before and chair_group(runtime) is None
    assert standin.calls_to("usergroups.users.list") == [] and standin.calls_to("conversations.open") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("grant bob chair", "`bob` is not a person in Slack: mention them, e.g. `/ict-role grant @jo.bloggs chair`"),
        ("grant @bob chair", "`@bob` is not a person in Slack"),
        ("grant <@u0chair> chair", "`<@u0chair>` is not a person in Slack"),
        ("grant <@U0CHAIR chair", "Usage: `/ict-role grant @person chair|admin`"),
        ("grant <#C0GOVERN|ict-governance> chair", "is not a person in Slack"),
        ("grant <!subteam^S0CHAIRS|@ict-chairs> chair", "is a user group: roles are granted to one person at a time"),
        ("grant <@U0CHAIR>", "Usage: `/ict-role grant @person chair|admin`"),
        ("grant <@U0CHAIR> chair please", "Usage: `/ict-role grant @person chair|admin`"),
        ("grant", "Usage: `/ict-role grant @person chair|admin`"),
        ("grant <@U0CHAIR> owner", "`owner` is not granted: owners and delegates come from the Work Plan"),
        ("grant <@U0CHAIR> member", "everyone in the workspace is a member"),
        ("revoke <@U0CHAIR> boss", "`boss` is not a role; the roles to grant are `chair` and `admin`"),
        ("grant chair <@U0CHAIR>", "`chair` is not a person in Slack"),
        ("chairs", "Usage: `/ict-role chairs @user-group`"),
        ("chairs ict-chairs", "`ict-chairs` is not a Slack user group: mention it"),
        ("chairs <@U0CHAIR|chair>", "is a person, not a user group"),
        ("chairs <!subteam^s0chairs>", "is not a Slack user group"),
        ("chairs <!subteam^S0CHAIRS> <!subteam^S0OTHER>", "Usage: `/ict-role chairs @user-group`"),
    ],
)
def test_bad_mentions_and_roles_are_explained_and_nothing_is_written(runtime, standin, ict_role, text, expected):
    answer = ict_role(text)

    assert expected in answer
    assert grants(runtime) == set() and chair_group(runtime) is None
    assert standin.calls_to("usergroups.users.list") == [] and standin.calls_to("conversations.open") == []


# -- locking nobody out ------------------------------------------------------------------------
def test_an_admin_from_ictbot_admins_cannot_be_revoked_in_slack(runtime, standin, ict_role):
    grant(runtime, standin.team_id, HELPER, Role.ADMIN)

    answer = ict_role(f"revoke <@{ADMIN}> admin", HELPER)

    assert answer.startswith(f"<@{ADMIN}> is an admin through the ICTBOT_ADMINS setting, which `/ict-role` cannot")
    assert grants(runtime) == {(HELPER, "admin", ADMIN)}


def slack_for(standin: SlackStandIn, db_url: str, engine, clock, *, admins: str, team: str) -> LocalSlack:
    """The real Bolt app with ICTBOT_ADMINS set to ``admins``, for requests from ``team``."""
    settings = Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[arg-type]
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=db_url,
        ICTBOT_ADMINS=admins,
    )
    rt = Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    app = create_app(rt, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=InlineExecutor())
    return LocalSlack(app=app, signing_secret=SIGNING_SECRET, response_url=standin.response_url, team_id=team)


@pytest.fixture
def teams(standin, db_url, engine, clock) -> Iterator[Callable[[str], LocalSlack]]:
    """Slack for a team, with ICTBOT_ADMINS naming U0BOSS for T0COUNCIL only and U0ELSE for T0OTHER only."""
    yield lambda team: slack_for(standin, db_url, engine, clock, admins="T0COUNCIL:U0BOSS,T0OTHER:U0ELSE", team=team)


def test_a_team_admin_from_ictbot_admins_counts_only_in_that_team(runtime, standin, teams):
    council, other = teams("T0COUNCIL"), teams("T0OTHER")

    council.command("/ict-role", f"grant <@{CHAIR}> chair", user_id="U0BOSS")
    assert shown(last_reply(standin)).startswith(f"<@{CHAIR}> is now a chair")
    other.command("/ict-role", f"grant <@{CHAIR}> chair", user_id="U0BOSS")
    assert shown(last_reply(standin)).startswith("Only an ICT admin can grant roles")
    other.command("/ict-role", "", user_id=STRANGER)
    listed = shown(last_reply(standin))
    assert "<@U0ELSE> — named in ICTBOT_ADMINS" in listed and "U0BOSS" not in listed

    with runtime.sessions() as s:
        by_team = {(ws, g.user_id) for g, ws in s.execute(select(RoleGrant, Workspace.external_id).join(Workspace))}
    assert by_team == {("T0COUNCIL", CHAIR)}


def test_the_last_admin_cannot_revoke_themself_when_ictbot_admins_names_none_for_the_team(runtime, standin, teams):
    other = teams("T0OTHER")
    grant(runtime, "T0OTHER", HELPER, Role.ADMIN)  # not U0BOSS: named for T0COUNCIL, not here

    other.command("/ict-role", f"revoke <@{HELPER}> admin", user_id=HELPER)
    assert shown(last_reply(standin)) == f"<@{HELPER}> is no longer an ICT admin."  # U0ELSE is admin there
    assert grants(runtime) == set()

    third = teams("T0THIRD")
    grant(runtime, "T0THIRD", HELPER, Role.ADMIN)
    third.command("/ict-role", f"revoke <@{HELPER}> admin", user_id=HELPER)
    answer = shown(last_reply(standin))
    assert answer.startswith(f"<@{HELPER}> is the last admin of this workspace (ICTBOT_ADMINS names none for it)")
    assert "Grant admin to someone else first (`/ict-role grant @person admin`)" in answer

    third.command("/ict-role", f"grant <@{CHAIR}> admin", user_id=HELPER)
    third.command("/ict-role", f"revoke <@{HELPER}> admin", user_id=HELPER)
    assert shown(last_reply(standin)) == f"<@{HELPER}> is no longer an ICT admin."
    third.command("/ict-role", f"revoke <@{CHAIR}> admin", user_id=CHAIR)
    assert "is the last admin of this workspace" in shown(last_reply(standin))
    with runtime.sessions() as s:
        left = {
            (ws, g.user_id, g.role.value)
            for g, ws in s.execute(select(RoleGrant, Workspace.external_id).join(Workspace))
        }
    assert left == {("T0THIRD", CHAIR, "admin")}


# -- the chairs' user group --------------------------------------------------------------------
def test_an_admin_names_the_chairs_user_group_and_its_members_count_as_chairs(
    runtime, standin, slack, ict_role, workplan
):
    standin.set_usergroup(GROUP, [GROUPIE, CHAIR])

    answer = ict_role(f"chairs <!subteam^{GROUP}|@ict-chairs>")

    assert answer == (
        f"The members of <!subteam^{GROUP}> are now chairs, as well as those granted chair one by one. "
        "It has 2 members at the moment; Slack is asked again every few minutes."
    )
    assert chair_group(runtime) == GROUP
    assert standin.calls_to("usergroups.users.list")[-1].params["usergroup"] == GROUP
    assert posts_digest(slack, standin, GROUPIE)
    assert not posts_digest(slack, standin, STRANGER)
    slack.command("/ict-meeting", "cancel 2026-12-08 no quorum", user_id=GROUPIE)
    assert "Cancelled the meeting of Tue 8 Dec 2026" in shown(last_reply(standin))
    listed = ict_role("", GROUPIE)
    assert f"• every member of <!subteam^{GROUP}> — 2 people at the moment" in listed
    assert listed.endswith("_You: member · chair, as a member of the chairs' user group._")
    assert (
        ict_role(f"chairs <!subteam^{GROUP}>")
        == f"The members of <!subteam^{GROUP}> already are chairs; nothing changed."
    )


def test_chairs_none_stops_the_group_standing_for_the_chairs(runtime, standin, slack, ict_role, workplan):
    standin.set_usergroup(GROUP, [GROUPIE])
    ict_role(f"chairs <!subteam^{GROUP}>")

    assert ict_role("chairs none") == (
        "No user group stands for the chairs any more; the chairs granted one by one remain chairs."
    )
    assert chair_group(runtime) is None
    assert not posts_digest(slack, standin, GROUPIE)
    assert ict_role("chairs NONE") == "No user group stands for the chairs; nothing changed."


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("no_such_subteam", "Slack knows no such user group in this workspace (was it deleted or disabled?)"),
        ("plan_upgrade_required", "this workspace's Slack plan has no user groups"),
    ],
)
def test_a_user_group_slack_cannot_give_is_refused(runtime, standin, ict_role, error, reason):
    if error != "no_such_subteam":
        standin.set_usergroup(GROUP, [GROUPIE])
        standin.fail("usergroups.users.list", error=error)

    answer = ict_role(f"chairs <!subteam^{GROUP}|@ict-chairs>")

    assert answer == f"I cannot use that user group ({GROUP}) for the chairs: {reason}. Nothing changed."
    assert chair_group(runtime) is None


def test_a_group_set_while_its_members_cannot_be_read_is_kept_with_a_warning(runtime, standin, ict_role):
    standin.set_usergroup(GROUP, [GROUPIE])
    standin.fail("usergroups.users.list", error="missing_scope")

    answer = ict_role(f"chairs <!subteam^{GROUP}>")

    assert (
        "Slack did not say who is in the group just now (`missing_scope`): the app lacks the usergroups:read" in answer
    )
    assert chair_group(runtime) == GROUP


def test_when_slack_cannot_list_the_group_granted_chairs_still_count_and_nothing_crashes(
    runtime, standin, slack, ict_role, workplan, clock, caplog
):
    grant(runtime, standin.team_id, CHAIR, Role.CHAIR)
    set_group(runtime, standin.team_id, GROUP)
    standin.set_usergroup(GROUP, [GROUPIE])
    standin.fail("usergroups.users.list", error="missing_scope", times=2)

    with caplog.at_level(logging.WARNING, logger="handlers.slack.chair_group"):
        assert not posts_digest(slack, standin, GROUPIE)  # a preview, not an apology
        assert posts_digest(slack, standin, CHAIR)
        listed = ict_role("", STRANGER)
    assert "Slack did not say who is in it just now (`missing_scope` — the app lacks the usergroups:read" in listed
    assert f"could not read the members of user group {GROUP} in team T0COUNCIL (missing_scope)" in caplog.text

    # A failure is not remembered: as soon as Slack answers, the group counts.
    assert posts_digest(slack, standin, GROUPIE)


def test_the_groups_members_are_asked_again_after_five_minutes(runtime, standin, slack, workplan, clock):
    set_group(runtime, standin.team_id, GROUP)
    standin.set_usergroup(GROUP, [GROUPIE])
    assert posts_digest(slack, standin, GROUPIE)

    standin.set_usergroup(GROUP, [])
    clock.advance(minutes=4)
    assert posts_digest(slack, standin, GROUPIE)  # as Slack said four minutes ago
    assert standin.calls_to("usergroups.users.list") == []

    clock.advance(minutes=1)
    assert not posts_digest(slack, standin, GROUPIE)
    assert len(standin.calls_to("usergroups.users.list")) == 1


def test_revoking_a_chair_who_is_in_the_group_says_they_remain_one(runtime, standin, ict_role):
    standin.set_usergroup(GROUP, [CHAIR, GROUPIE])
    ict_role(f"chairs <!subteam^{GROUP}>")
    ict_role(f"grant <@{CHAIR}> chair")

    assert ict_role(f"revoke <@{CHAIR}> chair") == (
        f"<@{CHAIR}> is no longer a chair. They are still a chair as a member of <!subteam^{GROUP}>."
    )
    assert ict_role(f"revoke <@{GROUPIE}> chair").startswith(
        f"<@{GROUPIE}> is a chair as a member of <!subteam^{GROUP}>, not by a grant: take them out of the user group"
    )
    assert grants(runtime) == set()


def test_a_group_member_who_is_not_an_admin_cannot_grant(runtime, standin, ict_role):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_group(runtime, standin.team_id, GROUP)

    assert ict_role(f"grant <@{STRANGER}> chair", GROUPIE).startswith("Only an ICT admin can grant roles")
    assert grants(runtime) == set()


def test_meetings_stay_closed_to_members_outside_the_group(runtime, standin, slack, workplan):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_group(runtime, standin.team_id, GROUP)

    slack.command("/ict-meeting", "cancel 2026-12-08", user_id=STRANGER)

    assert "Only the chair or an ICT admin can cancel meetings" in shown(last_reply(standin))
    with runtime.sessions() as s:
        assert all(m.status.value == "scheduled" for m in s.scalars(select(Meeting)))
