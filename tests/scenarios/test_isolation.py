"""Workspace isolation: a user in workspace B can neither see nor change anything of workspace A,
through any command, button, modal, options load, shortcut, event or CLI call.

Workspace A (T0AAAAAA) holds a rich Work Plan in which everything that is A's own is recognisable: the
marker SECRET-A in every text, its refs, its people, its channel, its chairs' user group, its meeting
time (16:45), its name, and the ids of its projects, updates and meetings. Workspace B (T0BBBBBB) holds
a small plan of its own; its attacker is a member, an admin and a chair of B, so every refusal below is
about the workspace, not about rights. A third workspace, C, is a Teams tenant with an attacker of its
own. Each attack is a test case of its own and checks that:

- nothing of A reaches the attacker: every call the Slack stand-in recorded (Web API, response_url,
  the files shared) and the HTTP answer to the request itself (options and modal submissions answer in
  it), or the Teams reply, or the CLI's output and files, serialised and searched; A's ids are looked
  for where they would be rendered (button values, private_metadata, menu options, card data);
- every row A owns (every table ``retention._owned_tables()`` names, A's workspace row and what is kept
  for A by team ID) is exactly as it was, column by column, and no row anywhere points into another
  workspace (a B update on A's project would change none of A's rows);
- the request reached its listener and got the answer it should (so no case passes by doing nothing).

What the attacker typed may be echoed back ("There is no project `ANET-01`"): each case names that
text, which is removed from what was sent before the search; nothing else is excused. The same Slack
attacks run once more with each workspace installed over OAuth, where every call made for B must carry
B's token; the reconciler's messages for B are searched too. ``test_the_checks_see_a_when_a_asks``
shows the checks find A in what A's own people get, and ``test_every_entry_point_is_attacked`` fails
when a listener, a sub-command, a Teams command or card action, or a CLI command appears that the
cases do not cover.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import logging
import re
import time
import typing
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import pytest
from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Label,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    union_all,
)

from bot.cli import cli
from bot.dev.local import InlineExecutor, LocalSlack, signed_headers
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.server import asgi_app
from bot.services import (
    digest_posts,
    home_views,
    meetings,
    paper,
    project_commands,
    projects,
    reminders,
    retention,
    roles,
    updates,
    workspaces,
)
from bot.services import people as directory
from bot.services import strategy as strategy_service
from bot.services.assurance import loader as assurance_loader
from bot.services.assurance import reminders as assurance_reminders
from bot.services.assurance import results as assurance_results
from bot.services.digest_posts import DigestDue
from bot.services.paper import settings as paper_settings
from bot.services.quickform import QuickForm, UpdateText
from bot.services.registers import actions as register
from bot.services.registers import raid, raid_commands
from bot.services.reminders import Due
from bot.settings import Settings
from handlers.slack.app import create_app
from handlers.slack.blocks.chase import ACTION_DONE
from handlers.slack.blocks.home import (
    HOME_FIRST,
    HOME_MORE,
    HOME_NO_CHANGE,
    HOME_POST_DIGEST,
    HOME_POST_UPDATE,
    HOME_PREVIEW_REMINDERS,
    page_value,
)
from handlers.slack.blocks.raid import RAID_MODAL
from handlers.slack.blocks.report import NARRATIVE_ACTION, NARRATIVE_BUTTONS
from handlers.slack.blocks.search import MORE_ACTION as SEARCH_MORE
from handlers.slack.blocks.search import more_value as search_more_value
from handlers.slack.blocks.trends import TRENDS_ACTION
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, HISTORY_ACTION, PROJECT_ACTION, UPDATE_MODAL
from handlers.slack.chair_group import ScheduledChairGroups
from handlers.slack.client import web_client
from handlers.slack.commands import ict_meeting, ict_project, ict_registers, ict_report, ict_role
from handlers.slack.delivery.assurance import RECORD_RESULT_ACTION, record_value
from handlers.slack.delivery.digest import SlackDigestDelivery
from handlers.slack.delivery.reminders import (
    NO_CHANGE_ACTION,
    POST_UPDATE_ACTION,
    SNOOZE_ACTION,
    SlackDelivery,
    button_value,
)
from handlers.slack.home_publish import SlackHomeRefresh
from handlers.slack.modal_assurance import ASSURANCE_MODAL, assurance_modal
from handlers.slack.modal_registers import ACTION_MODAL, DECISION_MODAL
from handlers.slack.shortcuts.log_as_update import LOG_AS_UPDATE
from handlers.slack.tokens import SingleToken
from handlers.teams import cards as teams_cards
from handlers.teams import references
from handlers.teams import roles as teams_roles
from handlers.teams.cards.assurance import ACTION_ASSURANCE_RECORD
from handlers.teams.cards.help import HELP_LINES as TEAMS_HELP_LINES
from handlers.teams.identity import TeamsUser
from handlers.teams.identity import key as teams_key
from handlers.teams.messages import TeamsReply, handle_submit, handle_text
from handlers.teams.package import COMMANDS as TEAMS_COMMANDS
from models import (
    Base,
    InboundDelivery,
    ProgressUpdate,
    ProjectStatus,
    Rag,
    ReferenceKind,
    Role,
    UpdateSource,
    Workspace,
)
from models.install import slack_bots, slack_installations
from models.registers import RaidKind
from models.scheduling import ReminderKind
from tests.cli.conftest import Ictbot
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, Clock, TableRows, every_row, put_back
from tests.helpers import opened_view, shown
from tests.slack import test_oauth as oauth_tests
from tests.test_manifest import registered

TEAM_A, TEAM_B = "T0AAAAAA", "T0BBBBBB"
A_NAME, B_NAME = "Alpha council", "Bravo council"
MARK = "SECRET-A"
A_OWNER, A_DELEG, A_CHAIR, A_ADMIN, A_EXTRA = "U0AOWNER", "U0ADELEG", "U0ACHAIR", "U0AADMIN", "U0AEXTRA"
MALLORY, B_OWNER = "U0BMALLORY", "U0BOWNER"  # B's attacker (member, admin and chair of B) and B's officer
A_CHANNEL, A_GROUP, B_CHANNEL = "C0ASECRET", "S0ASECRET", "C0BGOVERN"
# A third workspace, in Microsoft Teams (a tenant), whose attacker (admin and chair there) is known by an Entra id.
TENANT_C, C_NAME = "0c0c0c0c-0000-4000-8000-00000000000c", "Charlie council"
TEAMS_ATTACKER = TeamsUser(id="29:1-charlie", aad_object_id="0c0c0c0c-0000-4000-8000-0000000000a1", name="Carol")
A_TEAMS_CHANNEL = f"19:{MARK}@thread.tacv2"  # A's row in the Teams references table
TEAMS_MEMBER = TeamsUser(id="29:1-craig", aad_object_id="0c0c0c0c-0000-4000-8000-0000000000b2", name="Craig")
TEAMS_CARD_ACTIONS = frozenset(v for k, v in vars(teams_cards).items() if k.startswith("ACTION_"))
A_REFS = ("ANET-01", "AFIN-02", "AHR-03", "AOLD-04")
A_TIME = "16:45"  # A meets on the first Thursday at 16:45; B on the second Tuesday at 10:00 (the default)
ADMINS = f"{TEAM_A}:{A_ADMIN}"  # ICTBOT_ADMINS: an admin of A only
TZ = "Europe/London"
BUILT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ATTACK = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # A meets tomorrow at 16:45, B on 8 December
A_NEXT, A_CANCELLED, A_MOVED, A_CLOSURE = date(2026, 12, 3), date(2027, 1, 7), date(2027, 2, 5), date(2027, 3, 4)
A_STRATEGY = {
    "name": f"{MARK} ICT Strategy 2026-2029",
    "period": "2026-2029",
    "description": f"{MARK} the council's own priorities",
    "aims": [f"{MARK} to keep the lights on"],
    "priorities": [
        {"code": "ASEC", "name": f"{MARK} Security", "description": f"{MARK} cyber assurance"},
        {"code": "AOPS", "name": f"{MARK} Operations"},
    ],
}
# What must never reach B: words (searched in everything serialised) …
A_ASSURANCE = (
    (Path(__file__).parents[2] / "bot" / "data" / "assurance_example.yaml")
    .read_text(encoding="utf-8")
    .replace("priority: GOV", "priority: ASEC")
    .replace("priority: ARCH", "priority: AOPS")
    .replace("ict.infrastructure@", "ict.security@")
    .replace("evidence: ", f"evidence: {MARK} ")
)
A_WORDS = (MARK, *A_REFS, A_OWNER, A_DELEG, A_CHAIR, A_ADMIN, A_EXTRA, A_CHANNEL, A_GROUP, TEAM_A, A_NAME, A_TIME)
A_ICS_TIME = "T164500"  # … and A's meeting time as an iCalendar file writes it


# -- the two workspaces -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ids:
    """The ids of what ``build`` made, for the attacks to aim at."""

    a_projects: dict[str, int]  # by ref
    a_updates: tuple[int, ...]
    a_meetings: dict[date, int]  # by local day: the next, the cancelled and the moved meeting
    b_projects: dict[str, int]
    b_update: int
    b_meeting: int  # B's next meeting
    c_workspace: int  # the Teams workspace
    a_raid: dict[str, int] = field(default_factory=dict)  # A's risk and issue, by kind
    b_raid: dict[str, int] = field(default_factory=dict)  # B's own risk
    a_decision: int = 0  # A's decision and open action, recorded at its next meeting
    a_action: int = 0


@dataclass
class World:
    rt: Runtime
    standin: SlackStandIn
    a: LocalSlack  # A's Slack, for A's own activity
    b: LocalSlack  # B's Slack: every attack comes through here
    ids: Ids
    a_live_update: int  # the update A's officer posted through Slack just before the attack

    @property
    def a_updates(self) -> tuple[int, ...]:
        return (*self.ids.a_updates, self.a_live_update)

    def sent(self) -> list[tuple[str, Any]]:
        """(where, payload) of everything Slack received since the last clear, files shared included."""
        calls: list[tuple[str, Any]] = [(c.method, c.params) for c in self.standin.calls]
        files = [
            (f"file {u.filename}", (u.data or b"").decode("utf-8", "replace")) for u in self.standin.uploads.values()
        ]
        return calls + files


def sent_ok(item: Due | DigestDue) -> Outcome:
    """Delivery for the reconciler: A's delegate has left Slack (a reminder that fails for good)."""
    if isinstance(item, Due) and item.user_id == A_DELEG and item.kind is ReminderKind.OWNER:
        return Outcome(error="user_not_found", permanent=True)
    return Outcome(channel_id="D0DM", message_ts="1700000000.000100")


def tick(rt: Runtime, now: datetime) -> None:
    Reconciler(rt, sent_ok, post_digest=sent_ok).tick(now)


def build(rt: Runtime, clock: Clock) -> Ids:
    """A with a row in every table a workspace owns; B small, its attacker an admin and a chair."""
    clock.now = now = BUILT
    tz = ZoneInfo(TZ)
    with rt.sessions.begin() as s:
        ws_a = workspaces.get_or_create(s, TEAM_A, name=A_NAME, now=now)
        strategy_service.load(s, ws_a, A_STRATEGY, now=now)
        net = projects.add(
            s,
            ws_a,
            ref="ANET-01",
            title=f"{MARK} core network re-cabling",
            priority="ASEC",
            owner=A_OWNER,
            delegates=[A_DELEG],
            service_area=f"{MARK} estates",
            target_date=date(2027, 3, 31),
            now=now,
        )
        fin = projects.add(
            s, ws_a, ref="AFIN-02", title=f"{MARK} ledger migration", priority="AOPS", owner=A_DELEG, now=now
        )
        hr = projects.add(
            s, ws_a, ref="AHR-03", title=f"{MARK} HR self-service", priority="AOPS", owner=A_OWNER, now=now
        )
        old = projects.add(
            s,
            ws_a,
            ref="AOLD-04",
            title=f"{MARK} mainframe exit",
            priority="ASEC",
            owner=A_EXTRA,
            status=ProjectStatus.CLOSED,
            now=now,
        )
        first = updates.post(
            s,
            ws_a,
            net,
            user_id=A_OWNER,
            is_admin=False,
            text=UpdateText(Rag.AMBER, f"{MARK} fibre pulled", f"{MARK} splice", f"{MARK} asbestos survey"),
            source=UpdateSource.COMMAND,
            now=now,
        )
        updates.correct(
            s,
            ws_a,
            updates.get(s, ws_a, first.update_id),
            user_id=A_OWNER,
            is_admin=False,
            text=UpdateText(Rag.RED, f"{MARK} fibre cut by a contractor", f"{MARK} re-pull", f"{MARK} budget"),
            now=now,
        )
        ledger = updates.post(
            s,
            ws_a,
            fin,
            user_id=A_DELEG,
            is_admin=False,
            text=UpdateText(Rag.GREEN, f"{MARK} ledger reconciled"),
            source=UpdateSource.MODAL,
            now=now,
        )
        people = updates.post(
            s,
            ws_a,
            hr,
            user_id=A_ADMIN,
            is_admin=True,
            text=UpdateText(Rag.GREEN, f"{MARK} self-service live"),
            source=UpdateSource.SHORTCUT,
            now=now,
        )
        projects.set_status(s, ws_a, hr.ref, ProjectStatus.COMPLETE, now=now, tz=tz)
        roles.grant(s, ws_a, A_CHAIR, Role.CHAIR, by=A_ADMIN, now=now)
        roles.grant(s, ws_a, A_EXTRA, Role.ADMIN, by=A_ADMIN, now=now)
        directory.record(s, ws_a, [directory.Entry(A_OWNER, f"{MARK} Olive", f"{MARK} Head of ICT")], now=now)
        home_views.take(s, ws_a, A_OWNER, now=now)  # A's owner has opened Home
        digest_posts.record_sent(  # A's chair posted a digest by hand: no Home in B may show it
            s, ws_a, channel_id=A_CHANNEL, message_ts="1.1", start=None, end=now, user_id=A_CHAIR, now=now
        )
        roles.set_chair_usergroup(ws_a, A_GROUP)
        meetings.set_series(
            s,
            ws_a,
            now=now,
            by=A_CHAIR,
            default_timezone=TZ,
            rrule="FREQ=MONTHLY;BYDAY=+1TH",
            local_time=clock_time(16, 45),
        )
        meetings.set_channel(s, ws_a, A_CHANNEL, now=now, by=A_CHAIR, default_timezone=TZ)
        meetings.add_closure(s, ws_a, A_CLOSURE, f"{MARK} audit week", now=now, by=A_CHAIR, default_timezone=TZ)
        meetings.cancel(s, ws_a, A_CANCELLED, now=now, by=A_CHAIR, default_timezone=TZ, note=f"{MARK} no quorum")
        meetings.move(
            s, ws_a, date(2027, 2, 4), A_MOVED, now=now, by=A_CHAIR, default_timezone=TZ, note=f"{MARK} budget day"
        )

        # (a Teams conversation reference: the table is the point, as in tests/bot/test_retention.py)
        where = references.Where(service_url="https://smba.example/a/", bot_id="28:a", tenant_id=f"{MARK}-tenant")
        references.remember(s, ws_a, ReferenceKind.CHANNEL, A_TEAMS_CHANNEL, where, now=now)
        # The committee paper: A's settings, narrative on one of A's priorities and the position, a sign-off.
        a_settings = f"committee: {MARK} committee\nauthor: {{name: {MARK} author}}\nconsultation: {MARK} none"
        paper_settings.load(s, ws_a, paper.parse_yaml(a_settings), now=now)
        for where in ("ASEC", "position"):
            paper.write_narrative(
                s, ws_a, where, f"{MARK} {where} narrative", author=A_CHAIR, now=now, default_timezone=TZ
            )
        paper.sign_off(s, ws_a, user_id=A_CHAIR, now=now, default_timezone=TZ)
        # The assurance calendar: the example file on A's priorities, its owner A's by e-mail; a failed
        # result, and a reminder claimed (as a pass before the scan's due date would).
        directory.record(
            s, ws_a, [directory.Entry(A_OWNER, f"{MARK} Olive", email="ict.security@example.gov.uk")], now=now
        )
        assurance_loader.load(s, ws_a, A_ASSURANCE, now)
        assurance_results.record(s, ws_a, "PCI-ASV", "fail", f"{MARK} findings", "https://a.example/asv", A_OWNER, now)
        assurance_reminders.claim_due(s, ws_a, holder="build", now=now, at=datetime(2026, 12, 16, 12, tzinfo=UTC))
        # A's risks and issues: a high risk past its review, changed once; an issue on a priority; one closed.
        risk = raid.raise_item(
            s, ws_a, RISK_KIND, "ANET-01", f"{MARK} core switch", actor=raid.Actor(A_OWNER), now=now,
            likelihood=4, impact=5, review_on=date(2026, 11, 1),
        )  # fmt: skip
        changed = raid.Changes(text=f"{MARK} core switch failing", owner=A_DELEG)
        raid.update(s, ws_a, RISK_KIND, risk.id, changed, actor=raid.Actor(A_OWNER), now=now)
        issue = raid.raise_item(
            s, ws_a, ISSUE_KIND, "ASEC", f"{MARK} audit finding", actor=raid.Actor(A_CHAIR), now=now
        )
        gone = raid.raise_item(s, ws_a, ISSUE_KIND, "AFIN-02", f"{MARK} ledger", actor=raid.Actor(A_DELEG), now=now)
        raid.close(s, ws_a, ISSUE_KIND, gone.id, f"{MARK} fixed", actor=raid.Actor(A_DELEG), now=now)
        a_raid = {"risk": risk.id, "issue": issue.id}
        # The meetings' register: a decision and an open action on A's project.
        a_decision = register.record_decision(s, ws_a, f"{MARK} decision", "ANET-01", A_CHAIR, now)
        a_action = register.give_action(s, ws_a, A_OWNER, A_NEXT, f"{MARK} action", "ANET-01", A_CHAIR, now)
        a_register = {"a_decision": a_decision.id, "a_action": a_action.id}

        ws_b = workspaces.get_or_create(s, TEAM_B, name=B_NAME, now=now)
        bnet = projects.add(s, ws_b, ref="BNET-01", title="Bravo network", priority="ARCH", owner=B_OWNER, now=now)
        bweb = projects.add(s, ws_b, ref="BWEB-02", title="Bravo website", priority="BD", owner=MALLORY, now=now)
        b_update = updates.post(
            s,
            ws_b,
            bnet,
            user_id=B_OWNER,
            is_admin=False,
            text=UpdateText(Rag.AMBER, "Bravo links ordered"),
            source=UpdateSource.COMMAND,
            now=now,
        )
        roles.grant(s, ws_b, MALLORY, Role.ADMIN, by="cli", now=now)
        roles.grant(s, ws_b, MALLORY, Role.CHAIR, by="cli", now=now)
        meetings.set_channel(s, ws_b, B_CHANNEL, now=now, by=MALLORY, default_timezone=TZ)
        meetings.materialise(s, ws_b, now=now, default_timezone=TZ)
        b_risk = raid.raise_item(
            s, ws_b, RISK_KIND, "BNET-01", "Bravo risk", actor=raid.Actor(B_OWNER), now=now, likelihood=2, impact=2
        )
        b_raid = {"risk": b_risk.id}

        ws_c = workspaces.get_or_create(s, TENANT_C, name=C_NAME, platform="teams", now=now)
        attacker = teams_key(TEAMS_ATTACKER)
        projects.add(s, ws_c, ref="CNET-01", title="Charlie network", priority="ARCH", owner=attacker, now=now)
        roles.grant(s, ws_c, attacker, Role.ADMIN, by="cli", now=now)
        roles.grant(s, ws_c, attacker, Role.CHAIR, by="cli", now=now)
        meetings.materialise(s, ws_c, now=now, default_timezone=TZ)
        c_workspace = ws_c.id
        a_projects = {p.ref: p.id for p in (net, fin, hr, old)}
        b_projects = {p.ref: p.id for p in (bnet, bweb)}
        a_updates = (first.update_id, ledger.update_id, people.update_id)

    # A's reminders (five working days before 3 December; its delegate's fails for good), a "remind me
    # tomorrow" sent, then the last reminders, the chairs' notice and the digest the day before.
    tick(rt, datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    with rt.sessions.begin() as s:
        ws_a = workspaces.get_or_create(s, TEAM_A, now=now)
        next_id = meetings.find_meeting(s, ws_a, A_NEXT, now=BUILT).id
        reminders.snooze(s, ws_a, meeting_id=next_id, user_id=A_OWNER, now=datetime(2026, 11, 26, 10, tzinfo=UTC))
    tick(rt, datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    with rt.sessions.begin() as s:  # and one "remind me tomorrow" still waiting
        ws_a = workspaces.get_or_create(s, TEAM_A, now=now)
        reminders.snooze(s, ws_a, meeting_id=next_id, user_id=A_OWNER, now=datetime(2026, 12, 2, 12, 30, tzinfo=UTC))
        a_meetings = {day: meetings.find_meeting(s, ws_a, day, now=BUILT).id for day in (A_NEXT, A_CANCELLED, A_MOVED)}
        ws_b = workspaces.get_or_create(s, TEAM_B, now=now)
        b_meeting = meetings.next_meetings(s, ws_b, ATTACK, 1)[0].id
    return Ids(
        a_projects, a_updates, a_meetings, b_projects, b_update.update_id, b_meeting, c_workspace, a_raid, b_raid,
        **a_register,
    )  # fmt: skip


# The two workspaces are built once per database (it takes a while: two reconciler passes and a year of
# meetings each) and copied back, row for row, for every test: the engine fixture empties every table
# after each test, and the ids the database gave stay free, so the copy has the very same ids. The copy
# includes the update A's officer posted through Slack just before the attack (``world``).
@dataclass(frozen=True)
class Built:
    rows: TableRows
    ids: Ids
    live_update: int  # A's update through Slack, recorded as a request of A's ...
    signed_at: float  # ... with trigger id 1, signed at this time

    def signed_again(self, signed_at: float) -> TableRows:
        """The copy, A's request recorded as signed at ``signed_at``: B's first request, signed then, carries
        the very trigger id of A's (Bolt refuses requests signed more than five minutes before)."""
        was, now = (f"trigger:{A_TRIGGER}.{int(at)}.localtrigger" for at in (self.signed_at, signed_at))
        recorded = self.rows["inbound_delivery"]
        assert [r["key"] for r in recorded if r["team_id"] == TEAM_A] == [was], "LocalSlack's trigger ids changed"
        return {**self.rows, "inbound_delivery": [{**r, "key": now} if r["key"] == was else r for r in recorded]}


A_TRIGGER = 1
_BUILT: dict[str, Built] = {}


@pytest.fixture
def iso_runtime(runtime: Runtime) -> Runtime:
    values = {**runtime.settings.model_dump(), "ICTBOT_ADMINS": ADMINS}
    return replace(runtime, settings=Settings(**values))


@pytest.fixture
def world(iso_runtime: Runtime, standin: SlackStandIn, clock: Clock) -> World:
    rt = iso_runtime
    url = rt.settings.DATABASE_URL
    for user, name in ((MALLORY, "Mallory Bravo"), (B_OWNER, "Bob Bravo")):
        standin.add_user(user, name=name)
    app = create_app(rt, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=InlineExecutor())
    # One signing time for both, and both count their trigger ids from 1: B's first request carries the very
    # trigger id of A's below. Were requests recorded for retries (handlers.slack.dedupe) across workspaces, B's
    # would be taken for a repeat of A's and never acted on, and the attack's ``expect`` would fail.
    signed_at = float(int(time.time()))

    def driver(team: str, first_id: int = A_TRIGGER) -> LocalSlack:
        return LocalSlack(
            app=app,
            signing_secret=SIGNING_SECRET,
            response_url=standin.response_url,
            team_id=team,
            team_domain=team.lower(),
            clock=lambda: signed_at,
            on_ack=standin.acknowledged_with,
            first_id=first_id,
        )

    if url in _BUILT:
        built = _BUILT[url]
        put_back(rt.engine, built.signed_again(signed_at), empty_first=True)
    else:
        ids = build(rt, clock)
        clock.now = ATTACK
        # A's own Slack, just before the attack: an update through the command, recorded as a request of A's.
        driver(TEAM_A).command(
            "/ict-update", f"AFIN-02 amber {MARK} ledger late | risks: {MARK} auditors", user_id=A_DELEG
        )
        with rt.sessions() as s:
            ws_a = workspaces.get_or_create(s, TEAM_A, now=ATTACK)
            latest = updates.latest(s, ws_a, projects.get(s, ws_a, "AFIN-02"))
            assert latest is not None and latest.id not in ids.a_updates
        built = _BUILT[url] = Built(every_row(rt.engine), ids, latest.id, signed_at)
    clock.now = ATTACK
    standin.clear()
    a = driver(TEAM_A, first_id=A_TRIGGER + 1)  # A's next request is not a retry of that one
    return World(rt=rt, standin=standin, a=a, b=driver(TEAM_B), ids=built.ids, a_live_update=built.live_update)


# -- what A owns, row by row -----------------------------------------------------------------------------
Rows = dict[str, list[str]]


def owned_rows(rt: Runtime, team: str) -> Rows:
    """Every row of ``team``'s, by table, every column (as a JSON array, in the order of the JSON text): the
    workspace's own tables (read from the schema, as the purge reads them), its workspace row, and what is
    kept for it by team ID. One statement, a UNION ALL of the tables, built once: this is read before and
    after every attack, and a statement a table cost each attack as much again as the attack."""
    with rt.engine.connect() as conn:
        ws_id = conn.scalar(select(Workspace.id).where(Workspace.external_id == team))
        assert ws_id is not None
        every, names = _every_owned_row(conn.dialect.name)
        rows: Rows = {name: [] for name in names}
        for table, row in conn.execute(every, {"ws_id": ws_id, "team": team}):
            rows[table].append(row)
    return {table: sorted(found) for table, found in rows.items()}


@functools.cache
def _every_owned_row(dialect: str) -> tuple[CompoundSelect, tuple[str, ...]]:
    """The UNION ALL of ``owned_rows`` for one workspace (``:ws_id``, ``:team``), and the tables it reads."""
    ws_id, team = bindparam("ws_id"), bindparam("team")
    ws = Workspace.__table__
    delivery = InboundDelivery.__table__
    assert isinstance(ws, Table) and isinstance(delivery, Table)
    where: list[tuple[Table, ColumnElement[bool]]] = [(t, belongs(ws_id)) for t, belongs in retention._owned_tables()]
    where += [
        (ws, ws.c.id == ws_id),
        (delivery, delivery.c.team_id == team),
        (slack_bots, slack_bots.c.team_id == team),
        (slack_installations, slack_installations.c.team_id == team),
    ]
    array = func.json_array if dialect == "sqlite" else func.json_build_array
    every = union_all(*(select(literal(t.name), cast(array(*t.c), String)).where(w) for t, w in where))
    return every, tuple(t.name for t, _ in where)


def changes(before: Rows, after: Rows) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per table: (rows gone or changed, rows new or changed)."""
    out = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            out[name] = ([r for r in old if r not in new], [r for r in new if r not in old])
    return out


def cross_links(rt: Runtime) -> dict[str, int]:
    """Rows that point at a row of another workspace, by ``table.column``: a write to B that took A's id
    (a B update on A's project, a B reminder for A's meeting) changes none of A's rows, yet links into A.

    For each foreign key of a workspace's table to another of its tables, the workspace of the row pointed
    at is found through that table's own keys (a priority's through its strategy). Every count is read in
    one statement: this runs after every attack."""
    with rt.engine.connect() as conn:
        counts = conn.execute(select(*_cross_link_counts())).one()._mapping
    return {str(name): int(n) for name, n in counts.items() if n}


@functools.cache
def _cross_link_counts() -> tuple[Label[int], ...]:
    counts = []
    for table in Base.metadata.sorted_tables:
        if "workspace_id" not in table.c or table.name in retention.NOT_BY_WORKSPACE_ID:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if not isinstance(parent, Table) or parent.name in retention.NOT_BY_WORKSPACE_ID:
                continue
            theirs = _workspace_of(parent, fk.column, fk.parent)
            linked = (
                select(func.count()).select_from(table).where(fk.parent.is_not(None), table.c.workspace_id != theirs)
            )
            counts.append(linked.scalar_subquery().label(f"{table.name}.{fk.parent.name}"))
    return tuple(counts)


def _workspace_of(table: Table, key: Any, value: Any) -> Any:
    """The workspace id of the row of ``table`` whose ``key`` is ``value``, through its parents if need be."""
    joined: Any = table
    current = table
    while "workspace_id" not in current.c:
        fk = next(fk for fk in current.foreign_keys if isinstance(fk.column.table, Table))  # its one parent
        parent = fk.column.table
        assert isinstance(parent, Table)
        joined = joined.join(parent, fk.parent == fk.column)
        current = parent
    return select(current.c.workspace_id).select_from(joined).where(key == value).scalar_subquery()


# -- what B was sent ---------------------------------------------------------------------------------------
def leaks(w: World, payloads: list[tuple[str, Any]], echo: frozenset[str]) -> list[str]:
    """What of A's is in ``payloads``: A's words (once the attacker's own ``echo`` is taken out) and A's ids
    where they would be rendered."""
    found: list[str] = []
    a_updates, a_projects, a_meetings = set(w.a_updates), set(w.ids.a_projects.values()), set(w.ids.a_meetings.values())
    for where, payload in payloads:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
        for typed in sorted(echo, key=len, reverse=True):
            text = text.replace(typed, "")
        found += [f"{where}: {word!r}" for word in (*A_WORDS, A_ICS_TIME) if word in text]
        for node in _walk(payload):
            action, value = node.get("action_id"), node.get("value")
            if action == EDIT_UPDATE_ACTION and str(value).isdigit() and int(value) in a_updates:
                found.append(f"{where}: the Correct button of A's update {value}")
            if action in (POST_UPDATE_ACTION, NO_CHANGE_ACTION, SNOOZE_ACTION, HOME_POST_UPDATE, HOME_NO_CHANGE):
                ids = json.loads(str(value))
                if ids.get("p") in a_projects or ids.get("m") in a_meetings:
                    found.append(f"{where}: a reminder button for A's {ids}")
            if action is None and ("text" in node or "title" in node) and isinstance(value, str) and value.isdigit():
                if int(value) in a_projects:  # an option of the project menu (Slack's, or a Teams card's choice)
                    found.append(f"{where}: A's project {value} offered as an option")
            if node.get("action") in TEAMS_CARD_ACTIONS:  # a Teams card's button data
                if node.get("project_id") in a_projects or node.get("meeting_id") in a_meetings:
                    found.append(f"{where}: a card button for A's {node}")
                if node.get("action") == teams_cards.ACTION_MARK_DONE and node.get("action_id") == w.ids.a_action:
                    found.append(f"{where}: a Mark done button for A's action {node}")
            meta = node.get("private_metadata")
            if isinstance(meta, str) and meta.startswith("{") and json.loads(meta).get("update_id") in a_updates:
                found.append(f"{where}: a modal correcting A's update {json.loads(meta)['update_id']}")
    return found


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    elif isinstance(value, str) and value[:1] in "[{":  # JSON inside a field (a view, blocks, a response)
        try:
            yield from _walk(json.loads(value))
        except ValueError:
            return


def answers(responses: list[BoltResponse]) -> list[tuple[str, Any]]:
    """The HTTP answers to the requests themselves (options and modal submissions are answered there)."""
    return [(f"answer {r.status}", _parsed(r.body)) for r in responses if r.body]


def _parsed(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


def everything(w: World, responses: list[BoltResponse]) -> str:
    """Everything Slack received, as JSON, then each message as a person reads it (rich text: tests.helpers)."""
    payloads = [*w.sent(), *answers(responses)]
    read = [shown(m) for m in _walk([p for _, p in payloads]) if isinstance(m.get("blocks"), list)]
    return "\n".join([json.dumps(payloads, ensure_ascii=False, default=str), *read])


# -- the attacks through Slack ---------------------------------------------------------------------------
Run = Callable[[World], list[BoltResponse]]


@dataclass(frozen=True)
class Attack:
    id: str
    entry: tuple[str, str]  # (kind of listener, its command / action_id / callback_id / event)
    run: Run
    expect: str  # in what Slack received: the answer the request should get
    sub: str = ""  # the sub-command (or /ict-update form) it goes through
    echo: tuple[str, ...] = ()  # what the attacker typed that may come back


def command(name: str, text: str, *, user: str = MALLORY) -> Run:
    return lambda w: [w.b.command(name, text, user_id=user)]


def with_ids(name: str, text: Callable[[World], str], *, user: str = MALLORY) -> Run:
    return lambda w: [w.b.command(name, text(w), user_id=user)]


def b_modal(w: World) -> tuple[BoltResponse, dict[str, Any]]:
    """The update modal as B's attacker opens it with `/ict-update`."""
    opened = w.b.command("/ict-update", "", user_id=MALLORY)
    return opened, opened_view(w.standin)


def submit_for_a_project(w: World) -> list[BoltResponse]:
    opened, view = b_modal(w)
    inputs = {"project": str(w.ids.a_projects["ANET-01"]), "rag": "green", "progress": "SECRET-B overwrite"}
    return [opened, w.b.submit_view(view, inputs, user_id=MALLORY)]


def submit_correction_of_a(w: World) -> list[BoltResponse]:
    """The correction modal of B's own update (the attacker is B's admin), its metadata pointing at A's."""
    pressed = w.b.button(EDIT_UPDATE_ACTION, str(w.ids.b_update), user_id=MALLORY)
    view = opened_view(w.standin)
    meta = {**json.loads(view["private_metadata"]), "update_id": w.a_updates[0]}
    view = {**view, "private_metadata": json.dumps(meta)}
    return [pressed, w.b.submit_view(view, {"rag": "green", "progress": "SECRET-B overwrite"}, user_id=MALLORY)]


def submit_new_with_a_update_id(w: World) -> list[BoltResponse]:
    """A new-update modal whose metadata carries A's update id: it becomes a correction, refused."""
    opened, view = b_modal(w)
    meta = {**json.loads(view["private_metadata"]), "update_id": w.a_updates[-1]}
    view = {**view, "private_metadata": json.dumps(meta)}
    inputs = {"project": str(w.ids.b_projects["BWEB-02"]), "rag": "red", "progress": "SECRET-B overwrite"}
    return [opened, w.b.submit_view(view, inputs, user_id=MALLORY)]


def submit_narrative_for_a_priority(w: World) -> list[BoltResponse]:
    """B's narrative form, its metadata pointing at one of A's priorities: refused on the form."""
    opened = w.b.command(REPORT, "narrative GOV", user_id=MALLORY)
    view = opened_view(w.standin)
    view = {**view, "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "section": "ASEC"})}
    return [opened, w.b.submit_view(view, {"text": "SECRET-B overwrite"}, user_id=MALLORY)]


def a_obligation(w: World) -> int:
    """The id of A's PCI DSS scan obligation."""
    with w.rt.sessions() as s:
        ws_a = workspaces.find(s, TEAM_A)
        assert ws_a is not None
        return assurance_results.find(s, ws_a, "PCI-ASV").id


def submit_assurance_for_a_obligation(w: World) -> list[BoltResponse]:
    """A Record result form whose metadata names A's obligation, submitted in B: refused on the form."""
    view = {**assurance_modal("PCI-ASV", "SECRET-B", date(2026, 12, 31), a_obligation(w)), "id": "V0B", "hash": "1.b"}
    return [w.b.submit_view(view, {"outcome": "pass", "note": "SECRET-B"}, user_id=MALLORY)]


def on_a_raid(name: str, kind: str, words: str) -> Run:
    """B's chair naming A's risk or issue (``R12``) in ``name``'s ``words`` (``{id}`` where the id goes)."""
    letter = "R" if kind == "risk" else "I"
    return lambda w: [w.b.command(name, words.format(id=f"{letter}{w.ids.a_raid[kind]}"), user_id=MALLORY)]


def submit_raid_form_for_a_risk(w: World) -> list[BoltResponse]:
    """B's form changing B's own risk, its metadata pointing at A's: refused, nothing written."""
    opened = w.b.command(RISK, f"update R{w.ids.b_raid['risk']}", user_id=MALLORY)
    view = opened_view(w.standin)
    view = {
        **view,
        "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "item": w.ids.a_raid["risk"]}),
    }
    inputs = {"likelihood": "L1", "impact": "I1", "text": "SECRET-B overwrite", "owner": MALLORY}
    return [opened, w.b.submit_view(view, inputs, user_id=MALLORY)]


def button(action: str, value: Callable[[World], str], *, user: str = MALLORY) -> Run:
    return lambda w: [w.b.button(action, value(w), user_id=user)]


def home_button(action: str, value: Callable[[World], str], *, user: str = MALLORY) -> Run:
    """A button on B's attacker's App Home: from a view, with no channel and no response_url."""
    return lambda w: [w.b.home_button(action, value(w), user_id=user)]


def search(query: str) -> Run:
    def run(w: World) -> list[BoltResponse]:
        opened, view = b_modal(w)
        return [opened, w.b.block_suggestion(view, PROJECT_ACTION, query, user_id=MALLORY)]

    return run


def shortcut(text: str) -> Run:
    return lambda w: [w.b.message_shortcut(LOG_AS_UPDATE, user_id=MALLORY, message_text=text, author_id=B_OWNER)]


_event_ids = itertools.count(1)


def send_event(driver: LocalSlack, event: dict[str, Any]) -> BoltResponse:
    body = json.dumps(
        {
            "token": "local-verification-token",
            "team_id": driver.team_id,
            "api_app_id": "A0ICTBOT",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev0ISO{next(_event_ids):06d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": driver.team_id, "is_bot": True, "user_id": "U0ICTBOT"}],
        }
    )
    headers = signed_headers(driver.signing_secret, body, content_type="application/json")
    return driver.app.dispatch(BoltRequest(body=body, headers=headers))


def event(payload: dict[str, Any]) -> Run:
    return lambda w: [send_event(w.b, payload)]


def a_update(i: int) -> Callable[[World], str]:
    return lambda w: str(w.a_updates[i])


def reminder(project: Callable[[World], int] | None, meeting: Callable[[World], int]) -> Callable[[World], str]:
    def value(w: World) -> str:
        return button_value(m=meeting(w)) if project is None else button_value(p=project(w), m=meeting(w))

    return value


def a_project(ref: str) -> Callable[[World], int]:
    return lambda w: w.ids.a_projects[ref]


def b_project(ref: str) -> Callable[[World], int]:
    return lambda w: w.ids.b_projects[ref]


def a_meeting(day: date) -> Callable[[World], int]:
    return lambda w: w.ids.a_meetings[day]


def b_meeting(w: World) -> int:
    return w.ids.b_meeting


UPDATE, PROJECT, MEETING, DIGEST, ROLE = "/ict-update", "/ict-project", "/ict-meeting", "/ict-digest", "/ict-role"
REPORT = "/ict-report"
ASSURANCE = "/ict-assurance"
RISK, ISSUE = "/ict-risk", "/ict-issue"
RISK_KIND, ISSUE_KIND = RaidKind.RISK, RaidKind.ISSUE
NO_RISK, NO_ISSUE, NOT_A_TARGET = "There is no risk R", "There is no issue I", "is neither a project in the Work Plan"
DECISION, ACTION = "/ict-decision", "/ict-action"
SEARCH = "/ict-search"


def submit_register_form(w: World, name: str, text: str, inputs: dict[str, str | None]) -> list[BoltResponse]:
    """B's decision or action form, submitted with A's project's ref: refused on the form."""
    opened = w.b.command(name, text, user_id=MALLORY)
    return [opened, w.b.submit_view(opened_view(w.standin), inputs, user_id=MALLORY)]


NO_PROJECT = "There is no project `ANET-01` in the Work Plan."
MODAL_OPENED = f'"callback_id": "{UPDATE_MODAL}"'
GONE_UPDATE = "That update no longer exists."
GONE_PROJECT = "That project is no longer in the Work Plan"
GONE_MEETING = "That meeting is no longer on the calendar"
NO_MEETING = "There is no meeting on"

ATTACKS: tuple[Attack, ...] = (
    # /ict-update: every form
    Attack(
        "update-quick-form-a-ref",
        ("command", UPDATE),
        command(UPDATE, "ANET-01 green SECRET-B"),
        NO_PROJECT,
        "update",
        ("ANET-01",),
    ),
    Attack(
        "update-quick-form-as-a-user-in-both",  # Enterprise Grid: one user ID in both workspaces
        ("command", UPDATE),
        command(UPDATE, "ANET-01 red SECRET-B", user=A_OWNER),
        NO_PROJECT,
        "update",
        ("ANET-01", A_OWNER),
    ),
    Attack(
        "update-edit-a-ref",
        ("command", UPDATE),
        command(UPDATE, "edit ANET-01 amber SECRET-B"),
        NO_PROJECT,
        "edit",
        ("ANET-01",),
    ),
    Attack(
        "update-correct-a-ref-as-its-author",
        ("command", UPDATE),
        command(UPDATE, "correct AFIN-02 red SECRET-B", user=A_DELEG),
        "There is no project `AFIN-02`",
        "edit",
        ("AFIN-02", A_DELEG),
    ),
    Attack(
        "update-edit-a-update-id",
        ("command", UPDATE),
        with_ids(UPDATE, lambda w: f"edit {w.a_updates[0]} amber SECRET-B"),
        "There is no project",
    ),
    Attack(
        "update-quick-form-own-project",  # a write to B: A's rows stay as they were
        ("command", UPDATE),
        command(UPDATE, "BWEB-02 green Bravo website live"),
        "Update saved for *BWEB-02 Bravo website*",
        "update",
    ),
    Attack("update-mine", ("command", UPDATE), command(UPDATE, "mine"), "*Your projects* (1)", "mine"),
    Attack(
        "update-mine-as-a-user-in-both",
        ("command", UPDATE),
        command(UPDATE, "mine", user=A_OWNER),
        "You own no open project",
        "mine",
        (A_OWNER,),
    ),
    Attack("update-modal", ("command", UPDATE), command(UPDATE, ""), "BNET-01 — Bravo network", "modal"),
    Attack("update-help", ("command", UPDATE), command(UPDATE, "help"), "/ict-update mine", "help"),
    Attack(
        "update-history-a-ref",
        ("command", UPDATE),
        command(UPDATE, "history ANET-01 50"),
        NO_PROJECT,
        "history",
        ("ANET-01",),
    ),
    Attack(
        "update-history-a-ref-as-a-user-in-both",
        ("command", UPDATE),
        command(UPDATE, "history AFIN-02", user=A_DELEG),
        "There is no project `AFIN-02`",
        "history",
        ("AFIN-02", A_DELEG),
    ),
    Attack("update-history-own", ("command", UPDATE), command(UPDATE, "history BNET-01"), "*History of BNET-01*"),
    # /ict-project
    Attack("project-no-text", ("command", PROJECT), command(PROJECT, ""), "/ict-project add", "help"),
    Attack("project-help", ("command", PROJECT), command(PROJECT, "help"), "/ict-project add", "help"),
    Attack("project-list", ("command", PROJECT), command(PROJECT, "list"), "BNET-01", "list"),
    Attack("project-list-all", ("command", PROJECT), command(PROJECT, "list all"), "BWEB-02", "list"),
    Attack(
        "project-add-a-ref",  # B may have a project ANET-01 of its own: A's is not touched
        ("command", PROJECT),
        command(PROJECT, "add ANET-01 ARCH <@U0BOWNER> Bravo copy"),
        "Added `ANET-01` Bravo copy",
        "add",
        ("ANET-01",),
    ),
    Attack(
        "project-add-with-a-priority",
        ("command", PROJECT),
        command(PROJECT, "add BNEW-03 ASEC <@U0BOWNER> Bravo security"),
        "`ASEC` is not a priority of ICT Strategy 2014–2016",
        "add",
    ),
    Attack(
        "project-reassign-a-ref",
        ("command", PROJECT),
        command(PROJECT, f"reassign ANET-01 <@{MALLORY}>"),
        NO_PROJECT,
        "reassign",
        ("ANET-01",),
    ),
    Attack(
        "project-close-a-ref",
        ("command", PROJECT),
        command(PROJECT, "close ANET-01"),
        NO_PROJECT,
        "close",
        ("ANET-01",),
    ),
    Attack(
        "project-close-a-closed-ref",
        ("command", PROJECT),
        command(PROJECT, "close AOLD-04"),
        "There is no project `AOLD-04`",
        "close",
        ("AOLD-04",),
    ),
    Attack(
        "project-complete-a-ref",
        ("command", PROJECT),
        command(PROJECT, "complete AFIN-02"),
        "There is no project `AFIN-02`",
        "complete",
        ("AFIN-02",),
    ),
    Attack(
        "project-complete-a-complete-ref",
        ("command", PROJECT),
        command(PROJECT, "complete AHR-03"),
        "There is no project `AHR-03`",
        "complete",
        ("AHR-03",),
    ),
    Attack(
        "project-reopen-a-closed-ref",
        ("command", PROJECT),
        command(PROJECT, "reopen AOLD-04"),
        "There is no project `AOLD-04`",
        "reopen",
        ("AOLD-04",),
    ),
    # /ict-meeting: A meets on 3 Dec 2026, cancelled 7 Jan 2027, moved to 5 Feb 2027, closed 4 Mar 2027
    Attack("meeting-no-text", ("command", MEETING), command(MEETING, ""), "Tue 8 Dec 2026", "next"),
    Attack("meeting-next-12", ("command", MEETING), command(MEETING, "next 12"), "Tue 9 Nov 2027", "next"),
    Attack("meeting-list", ("command", MEETING), command(MEETING, "list 12"), "Tue 12 Jan 2027", "list"),
    Attack("meeting-help", ("command", MEETING), command(MEETING, "help"), "/ict-meeting move", "help"),
    Attack(
        "meeting-minutes",  # B's own minutes, in B's governance channel
        ("command", MEETING),
        command(MEETING, "minutes"),
        "Posted the minutes of the meeting of",
        "minutes",
    ),
    Attack(
        "meeting-minutes-of-a-meeting",
        ("command", MEETING),
        command(MEETING, "minutes 2026-12-03"),
        NO_MEETING,
        "minutes",
    ),
    Attack(
        "meeting-move-a-meeting",
        ("command", MEETING),
        command(MEETING, "move 2026-12-03 to 2026-12-04 SECRET-B"),
        NO_MEETING,
        "move",
    ),
    Attack(
        "meeting-move-a-moved-meeting",
        ("command", MEETING),
        command(MEETING, "move 2027-02-05 to 2027-02-10"),
        NO_MEETING,
        "move",
    ),
    Attack(
        "meeting-cancel-a-meeting",
        ("command", MEETING),
        command(MEETING, "cancel 2026-12-03 SECRET-B"),
        NO_MEETING,
        "cancel",
    ),
    Attack(
        "meeting-cancel-a-cancelled-meeting",
        ("command", MEETING),
        command(MEETING, "cancel 2027-01-07"),
        NO_MEETING,
        "cancel",
    ),
    Attack(
        "meeting-series-as-a",  # B takes A's very rule and time: B's own meetings, A's untouched
        ("command", MEETING),
        command(MEETING, "series FREQ=MONTHLY;BYDAY=+1TH at 16:45"),
        "The meeting series is changed",
        "series",
        (A_TIME,),
    ),
    Attack(
        "meeting-reminders",
        ("command", MEETING),
        command(MEETING, "reminders 3@10:00"),
        "Reminders now go out",
        "reminders",
    ),
    Attack(
        "meeting-digest", ("command", MEETING), command(MEETING, "digest 2@09:00"), "The digest is now posted", "digest"
    ),
    Attack(
        "meeting-channel-a-channel",
        ("command", MEETING),
        command(MEETING, f"channel <#{A_CHANNEL}|a-governance>"),
        "The governance channel is set.",
        "channel",
        (A_CHANNEL,),
    ),
    Attack(
        "meeting-closure-list",
        ("command", MEETING),
        command(MEETING, "closure list"),
        "No closure days to come",
        "closure",
    ),
    Attack(
        "meeting-closure-bare", ("command", MEETING), command(MEETING, "closure"), "No closure days to come", "closure"
    ),
    Attack(
        "meeting-closure-add-a-day",
        ("command", MEETING),
        command(MEETING, "closure add 2027-03-04 SECRET-B"),
        "Added Thu 4 Mar 2027 as a closure day",
        "closure",
    ),
    Attack(
        "meeting-closure-remove-a-day",
        ("command", MEETING),
        command(MEETING, "closure remove 2027-03-04"),
        "is not a closure day; nothing changed",
        "closure",
    ),
    # /ict-digest: the attacker is B's chair, so it is posted; B's officer gets the preview
    Attack("digest-since-last-meeting", ("command", DIGEST), command(DIGEST, ""), "Bravo network", "post"),
    Attack(
        "digest-period",
        ("command", DIGEST),
        command(DIGEST, "from 2026-11-01 to 2026-12-02"),
        "Bravo network",
        "post",
    ),
    Attack("digest-from", ("command", DIGEST), command(DIGEST, "from 2026-06-01"), "Bravo network", "post"),
    Attack(
        "digest-preview",
        ("command", DIGEST),
        command(DIGEST, "", user=B_OWNER),
        "A preview only you can see",
        "preview",
    ),
    Attack("digest-help", ("command", DIGEST), command(DIGEST, "help"), "/ict-digest from", "help"),
    Attack(
        "digest-exceptions", ("command", DIGEST), command(DIGEST, "exceptions"), "Exceptions, 2 Dec 2026", "exceptions"
    ),
    Attack(
        "digest-exceptions-preview",
        ("command", DIGEST),
        command(DIGEST, "exceptions", user=B_OWNER),
        "post the exceptions in a channel",
        "exceptions",
    ),
    # /ict-role
    Attack("role-no-text", ("command", ROLE), command(ROLE, ""), f"<@{MALLORY}>", "list"),
    Attack("role-list", ("command", ROLE), command(ROLE, "list"), f"<@{MALLORY}>", "list"),
    Attack("role-help", ("command", ROLE), command(ROLE, "help"), "/ict-role grant", "help"),
    Attack(
        "role-grant-a-chair",  # B's admin may make anyone a chair of B; nothing of A changes
        ("command", ROLE),
        command(ROLE, f"grant <@{A_CHAIR}> admin"),
        "is now an ICT admin",
        "grant",
        (A_CHAIR,),
    ),
    Attack(
        "role-revoke-a-chair",
        ("command", ROLE),
        command(ROLE, f"revoke <@{A_CHAIR}> chair"),
        "is not a chair by a grant; nothing changed",
        "revoke",
        (A_CHAIR,),
    ),
    Attack(
        "role-revoke-a-admin",
        ("command", ROLE),
        command(ROLE, f"revoke <@{A_EXTRA}> admin"),
        "is not an ICT admin by a grant; nothing changed",
        "revoke",
        (A_EXTRA,),
    ),
    Attack(
        "role-chairs-a-group",
        ("command", ROLE),
        command(ROLE, f"chairs <!subteam^{A_GROUP}|@a-chairs>"),
        "I cannot use that user group",
        "chairs",
        (A_GROUP,),
    ),
    Attack(
        "role-chairs-none",
        ("command", ROLE),
        command(ROLE, "chairs none"),
        "No user group stands for the chairs",
        "chairs",
    ),
    # the update modal's submission
    Attack("modal-submit-a-project", ("view", UPDATE_MODAL), submit_for_a_project, GONE_PROJECT),
    Attack("modal-correct-a-update", ("view", UPDATE_MODAL), submit_correction_of_a, GONE_UPDATE),
    Attack("modal-new-with-a-update-id", ("view", UPDATE_MODAL), submit_new_with_a_update_id, GONE_UPDATE),
    # buttons
    Attack(
        "button-correct-a-update", ("action", EDIT_UPDATE_ACTION), button(EDIT_UPDATE_ACTION, a_update(0)), GONE_UPDATE
    ),
    Attack(
        "button-correct-a-update-as-its-author",
        ("action", EDIT_UPDATE_ACTION),
        button(EDIT_UPDATE_ACTION, a_update(1), user=A_DELEG),
        GONE_UPDATE,
        echo=(A_DELEG,),
    ),
    Attack(
        "button-history-a-ref",
        ("action", HISTORY_ACTION),
        button(HISTORY_ACTION, lambda w: "ANET-01"),
        NO_PROJECT,
        echo=("ANET-01",),
    ),
    Attack(
        "button-history-a-ref-as-a-user-in-both",
        ("action", HISTORY_ACTION),
        button(HISTORY_ACTION, lambda w: "AFIN-02", user=A_DELEG),
        "There is no project `AFIN-02`",
        echo=("AFIN-02", A_DELEG),
    ),
    Attack(
        "button-history-own",
        ("action", HISTORY_ACTION),
        button(HISTORY_ACTION, lambda w: "BNET-01"),
        "*History of BNET-01*",
    ),
    Attack(
        "button-post-update-a-project",
        ("action", POST_UPDATE_ACTION),
        button(POST_UPDATE_ACTION, reminder(a_project("ANET-01"), a_meeting(A_NEXT))),
        MODAL_OPENED,
    ),
    Attack(
        "button-no-change-a-project",
        ("action", NO_CHANGE_ACTION),
        button(NO_CHANGE_ACTION, reminder(a_project("ANET-01"), a_meeting(A_NEXT))),
        GONE_PROJECT,
    ),
    Attack(
        "button-no-change-a-project-b-meeting",
        ("action", NO_CHANGE_ACTION),
        button(NO_CHANGE_ACTION, reminder(a_project("AFIN-02"), b_meeting)),
        GONE_PROJECT,
    ),
    Attack(
        "button-no-change-b-project-a-meeting",
        ("action", NO_CHANGE_ACTION),
        button(NO_CHANGE_ACTION, reminder(b_project("BWEB-02"), a_meeting(A_NEXT))),
        GONE_MEETING,
    ),
    Attack(
        "button-snooze-a-meeting",
        ("action", SNOOZE_ACTION),
        button(SNOOZE_ACTION, reminder(None, a_meeting(A_NEXT))),
        GONE_MEETING,
    ),
    Attack(
        "button-snooze-a-moved-meeting",
        ("action", SNOOZE_ACTION),
        button(SNOOZE_ACTION, reminder(None, a_meeting(A_MOVED))),
        GONE_MEETING,
    ),
    # the searchable project menu
    Attack("options-a-ref", ("options", PROJECT_ACTION), search("ANET"), '"option_groups": []'),
    Attack("options-a-title", ("options", PROJECT_ACTION), search("SECRET-A"), '"option_groups": []'),
    Attack("options-everything", ("options", PROJECT_ACTION), search(""), "BWEB-02 — Bravo website"),
    # the message shortcut
    Attack(
        "shortcut-log-a-ref",
        ("message_shortcut", LOG_AS_UPDATE),
        shortcut("ANET-01 is done, SECRET-B"),
        MODAL_OPENED,
        echo=("ANET-01",),
    ),
    # /ict-risk and /ict-issue: A's ids, refs and priorities name nothing in B
    Attack("risk-list", ("command", RISK), command(RISK, "list"), "Bravo risk", "list"),
    Attack("risk-list-high", ("command", RISK), command(RISK, "list high"), "No open risks scoring 15", "list"),
    Attack("risk-list-a-ref", ("command", RISK), command(RISK, "list ANET-01"), NOT_A_TARGET, "list", ("ANET-01",)),
    Attack("risk-add-a-ref", ("command", RISK), command(RISK, "add ANET-01 5 5 x"), NOT_A_TARGET, "add", ("ANET-01",)),
    Attack("risk-add-a-priority", ("command", RISK), command(RISK, "add ASEC 5 5 x"), NOT_A_TARGET, "add", ("ASEC",)),
    Attack("risk-add-form", ("command", RISK), command(RISK, "add"), "Raise a risk", "add"),
    Attack("risk-update-a-risk", ("command", RISK), on_a_raid(RISK, "risk", "update {id} 1 1 x"), NO_RISK, "update"),
    Attack("risk-update-form-a-risk", ("command", RISK), on_a_raid(RISK, "risk", "update {id}"), NO_RISK, "update"),
    Attack("risk-close-a-risk", ("command", RISK), on_a_raid(RISK, "risk", "close {id} x"), NO_RISK, "close"),
    Attack("risk-history-a-risk", ("command", RISK), on_a_raid(RISK, "risk", "history {id}"), NO_RISK, "history"),
    Attack("risk-help", ("command", RISK), command(RISK, "help"), "/ict-risk add REF L I text", "help"),
    Attack("risk-form-a-risk", ("view", RAID_MODAL), submit_raid_form_for_a_risk, NO_RISK),
    Attack("issue-list", ("command", ISSUE), command(ISSUE, "list"), "No open issues", "list"),
    Attack("issue-list-a-ref", ("command", ISSUE), command(ISSUE, "list AFIN-02"), NOT_A_TARGET, "list", ("AFIN-02",)),
    Attack("issue-add-a-ref", ("command", ISSUE), command(ISSUE, "add ANET-01 x"), NOT_A_TARGET, "add", ("ANET-01",)),
    Attack("issue-update-a-issue", ("command", ISSUE), on_a_raid(ISSUE, "issue", "update {id} x"), NO_ISSUE, "update"),
    Attack("issue-close-a-issue", ("command", ISSUE), on_a_raid(ISSUE, "issue", "close {id}"), NO_ISSUE, "close"),
    Attack("issue-history-a-issue", ("command", ISSUE), on_a_raid(ISSUE, "issue", "history {id}"), NO_ISSUE, "history"),
    Attack("issue-help", ("command", ISSUE), command(ISSUE, "help"), "/ict-issue add REF text", "help"),
    # /ict-report: B's own paper; A's priorities name nothing in B
    Attack("report-draft", ("command", REPORT), command(REPORT, ""), "Committee paper", "draft"),
    Attack("report-draft-word", ("command", REPORT), command(REPORT, "draft"), "Committee paper", "draft"),
    Attack("report-help", ("command", REPORT), command(REPORT, "help"), "/ict-report signoff", "help"),
    Attack(
        "report-narrative-a-code",
        ("command", REPORT),
        command(REPORT, "narrative ASEC SECRET-B overwrite"),
        "is not a priority of ICT Strategy 2014",
        "narrative",
        ("ASEC",),
    ),
    Attack(
        "report-narrative", ("command", REPORT), command(REPORT, "narrative GOV Bravo words"), "Saved the", "narrative"
    ),
    Attack(
        "report-narrative-form",
        ("command", REPORT),
        command(REPORT, "narrative GOV"),
        '"callback_id": "ict_report_narrative"',
        "narrative",
    ),
    Attack("report-position", ("command", REPORT), command(REPORT, "position Bravo"), "Saved the", "position"),
    Attack("report-signoff", ("command", REPORT), command(REPORT, "signoff"), "You approved", "signoff"),
    Attack(
        "report-button-a-section",
        ("action", str(NARRATIVE_BUTTONS)),
        button(f"{NARRATIVE_ACTION}:ASEC", lambda w: "ASEC"),
        "is not a priority of ICT Strategy 2014",
        echo=("ASEC",),
    ),
    Attack(
        "report-form-a-section",
        ("view", "ict_report_narrative"),
        submit_narrative_for_a_priority,
        "is not a priority of ICT Strategy 2014",
        echo=("ASEC",),
    ),
    # /ict-assurance: A's codes and A's obligation ids name nothing in B
    Attack("assurance-list", ("command", ASSURANCE), command(ASSURANCE, ""), "No assurance obligations", "list"),
    Attack("assurance-help", ("command", ASSURANCE), command(ASSURANCE, "help"), "/ict-assurance", "help"),
    Attack(
        "assurance-record-a-code",
        ("command", ASSURANCE),
        command(ASSURANCE, "record PCI-ASV pass SECRET-B | https://b.example/x"),
        "There is no assurance obligation `PCI-ASV`",
        "record",
        ("PCI-ASV",),
    ),
    Attack(
        "assurance-button-a-obligation",
        ("action", RECORD_RESULT_ACTION),
        button(RECORD_RESULT_ACTION, lambda w: record_value(a_obligation(w), "2026-12-31")),
        "That assurance obligation is no longer on the calendar.",
    ),
    Attack(
        "assurance-form-a-obligation",
        ("view", ASSURANCE_MODAL),
        submit_assurance_for_a_obligation,
        "That assurance obligation is no longer on the calendar.",
        echo=("PCI-ASV",),
    ),
    # the meetings' register: A's action and project named from B
    Attack("decision-record", ("command", DECISION), command(DECISION, "Bravo decides"), "Recorded *D", "record"),
    Attack(
        "decision-on-a-project",
        ("command", DECISION),
        command(DECISION, "Bravo decides | project ANET-01"),
        "There is no project `ANET-01`",
        "record",
        echo=("ANET-01",),
    ),
    Attack("decision-list-a-day", ("command", DECISION), command(DECISION, "list 2026-12-03"), "no meeting", "list"),
    Attack("decision-help", ("command", DECISION), command(DECISION, "help"), "/ict-decision list", "help"),
    Attack(
        "decision-form-a-project",
        ("view", DECISION_MODAL),
        lambda w: submit_register_form(w, DECISION, "", {"text": "Bravo", "project": "ANET-01"}),
        "There is no project ANET-01",
        echo=("ANET-01",),
    ),
    Attack(
        "action-done-a-s-action",
        ("command", ACTION),
        with_ids(ACTION, lambda w: f"done A{w.ids.a_action} SECRET-B"),
        "There is no action A",
        "done",
    ),
    Attack(
        "action-add-on-a-project",
        ("command", ACTION),
        command(ACTION, f"add <@{MALLORY}> 2026-12-10 Bravo | project ANET-01"),
        "There is no project `ANET-01`",
        "add",
        echo=("ANET-01",),
    ),
    Attack("action-list-open", ("command", ACTION), command(ACTION, "list open"), "Open actions", "list"),
    Attack("action-help", ("command", ACTION), command(ACTION, "help"), "/ict-action done ID", "help"),
    Attack(
        "action-form-a-project",
        ("view", ACTION_MODAL),
        lambda w: submit_register_form(
            w, ACTION, "add", {"owner": MALLORY, "due": "2026-12-10", "text": "Bravo", "project": "ANET-01"}
        ),
        "There is no project ANET-01",
        echo=("ANET-01",),
    ),
    Attack(
        "action-mark-done-button-on-a-s-action",
        ("action", ACTION_DONE),
        button(ACTION_DONE, lambda w: json.dumps({"a": w.ids.a_action})),
        "There is no action A",
    ),
    Attack(  # B's chair posting the trends under a digest: B's own meetings and projects only
        "digest-trends-button",
        ("action", TRENDS_ACTION),
        button(TRENDS_ACTION, lambda w: json.dumps({"ts": "1764680400.000100"})),
        "Trends: RAG mix by priority at the last meeting, on 10 November 2026.",
    ),
    # /ict-search: B finds its own updates, never A's (by A's words, A's marker, A's project, or the button)
    Attack("search-a-words", ("command", SEARCH), command(SEARCH, "fibre"), "No update matches", "search"),
    Attack("search-a-marker", ("command", SEARCH), command(SEARCH, "secret"), "No update matches", "search"),
    Attack(
        "search-in-a-ref", ("command", SEARCH), command(SEARCH, "fibre in ANET-01"), NO_PROJECT, "search", ("ANET-01",)
    ),
    Attack("search-own", ("command", SEARCH), command(SEARCH, "links"), "*1 update matches*", "search"),
    Attack("search-help", ("command", SEARCH), command(SEARCH, "help"), "/ict-search switch in NET-01", "help"),
    Attack(
        "search-more-button-for-a-s-words",
        ("action", SEARCH_MORE),
        button(SEARCH_MORE, lambda w: search_more_value("fibre ledger", 0)),
        "No update matches",
    ),
    # the App Home tab in B
    Attack(
        "event-home-opened",
        ("event", "app_home_opened"),
        event({"type": "app_home_opened", "user": MALLORY, "tab": "home", "channel": "D0B"}),
        '"type": "home"',
    ),
    Attack(  # B's event naming A's owner's user id shows nothing of A's owner's projects
        "event-home-opened-as-a-s-user-id",
        ("event", "app_home_opened"),
        event({"type": "app_home_opened", "user": A_OWNER, "tab": "home", "channel": "D0B"}),
        "You own no open project",
        echo=(A_OWNER,),
    ),
    Attack(
        "home-post-update-a-project",
        ("action", HOME_POST_UPDATE),
        home_button(HOME_POST_UPDATE, lambda w: json.dumps({"p": w.ids.a_projects["ANET-01"]})),
        MODAL_OPENED,
    ),
    Attack(
        "home-no-change-a-project",
        ("action", HOME_NO_CHANGE),
        home_button(HOME_NO_CHANGE, reminder(a_project("ANET-01"), a_meeting(A_NEXT))),
        GONE_PROJECT,
    ),
    Attack(
        "home-no-change-b-project-a-meeting",
        ("action", HOME_NO_CHANGE),
        home_button(HOME_NO_CHANGE, reminder(b_project("BWEB-02"), a_meeting(A_NEXT))),
        GONE_MEETING,
    ),
    Attack(
        "home-show-more",
        ("action", HOME_MORE),
        home_button(HOME_MORE, lambda w: page_value("missing", 1)),
        '"type": "home"',
    ),
    Attack(
        "home-back-to-the-start",
        ("action", HOME_FIRST),
        home_button(HOME_FIRST, lambda w: page_value("projects", 0)),
        '"type": "home"',
    ),
    Attack(
        "home-post-digest",
        ("action", HOME_POST_DIGEST),
        home_button(HOME_POST_DIGEST, lambda w: "post"),
        f"The digest is posted in <#{B_CHANNEL}>",
    ),
    Attack(
        "home-preview-reminders",
        ("action", HOME_PREVIEW_REMINDERS),
        home_button(HOME_PREVIEW_REMINDERS, lambda w: "preview"),
        "no reminder would be sent now",
    ),
    # the app's life in B
    Attack("event-app-uninstalled", ("event", "app_uninstalled"), event({"type": "app_uninstalled"}), ""),
    Attack(  # B's event naming A's owner's user id renames nobody in A
        "event-user-change-of-a-s-user-id",
        ("event", "user_change"),
        event({"type": "user_change", "user": {"id": A_OWNER, "profile": {"display_name": "SECRET-B rename"}}}),
        "",
    ),
    Attack(
        "event-tokens-revoked",
        ("event", "tokens_revoked"),
        event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0ICTBOT"]}}),
        "",
    ),
)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_workspace_b_can_neither_see_nor_change_workspace_a(world, attack):
    before = owned_rows(world.rt, TEAM_A)

    responses = attack.run(world)

    assert [r.status for r in responses] == [200] * len(responses)
    assert attack.expect in everything(world, responses)
    assert leaks(world, [*world.sent(), *answers(responses)], frozenset(attack.echo)) == []
    assert changes(before, owned_rows(world.rt, TEAM_A)) == {}
    assert cross_links(world.rt) == {}


# -- the same from a Teams workspace -----------------------------------------------------------------------
@dataclass(frozen=True)
class TeamsAttack:
    id: str
    entry: tuple[str, str]  # ("command", the word after the @mention) or ("card", the card's action)
    run: Callable[[World], TeamsReply]
    expect: str
    sub: str = ""
    echo: tuple[str, ...] = ()


def teams_workspace(w: World) -> Workspace:
    with w.rt.sessions() as s:
        ws = s.get_one(Workspace, w.ids.c_workspace)
        s.expunge(ws)
    return ws


def said(text: str, *, user: TeamsUser = TEAMS_ATTACKER, channel: str | None = None) -> Callable[[World], TeamsReply]:
    return lambda w: handle_text(w.rt, teams_workspace(w), user, text, ATTACK, channel=channel)


def clicked(data: Callable[[World], dict[str, Any]]) -> Callable[[World], TeamsReply]:
    return lambda w: handle_submit(w.rt, teams_workspace(w), TEAMS_ATTACKER, data(w), ATTACK)


def teams_on_a_raid(kind: str, words: str) -> Callable[[World], TeamsReply]:
    """Teams' attacker naming A's risk or issue (``R12``) after ``kind``."""
    letter = "R" if kind == "risk" else "I"
    return lambda w: handle_text(
        w.rt, teams_workspace(w), TEAMS_ATTACKER, f"{kind} " + words.format(id=f"{letter}{w.ids.a_raid[kind]}"), ATTACK
    )


TEAMS_ATTACKS: tuple[TeamsAttack, ...] = (
    TeamsAttack(
        "update-a-ref",
        ("command", "update"),
        said("update ANET-01 green SECRET-C"),
        "There is no project ANET-01",
        "update",
        ("ANET-01",),
    ),
    TeamsAttack(
        "update-edit-a-ref",
        ("command", "update"),
        said("update edit AFIN-02 red SECRET-C"),
        "There is no project AFIN-02",
        "edit",
        ("AFIN-02",),
    ),
    TeamsAttack("update-form", ("command", "update"), said("update"), "CNET-01", "modal"),
    TeamsAttack("home", ("command", "home"), said("home"), "ICT governance"),
    TeamsAttack(
        "action-done-a-s-action",
        ("command", "action"),
        lambda w: handle_text(w.rt, teams_workspace(w), TEAMS_ATTACKER, f"action done A{w.ids.a_action}", ATTACK),
        "There is no action A",
        "done",
    ),
    TeamsAttack(
        "action-add-on-a-project",
        ("command", "action"),
        said("action add me 2026-12-10 SECRET-C | project ANET-01"),
        "There is no project ANET-01",
        "add",
        ("ANET-01",),
    ),
    TeamsAttack("action-list-open", ("command", "action"), said("action list open"), "*Open actions* (0)", "list"),
    TeamsAttack(
        "decision-on-a-project",
        ("command", "decision"),
        said("decision SECRET-C | project ANET-01"),
        "There is no project ANET-01",
        "record",
        ("ANET-01",),
    ),
    TeamsAttack("decision-list-a-day", ("command", "decision"), said("decision list 2026-12-03"), "no meeting", "list"),
    TeamsAttack("decision-form", ("command", "decision"), said("decision"), "Record a decision", "form"),
    TeamsAttack("action-add-form", ("command", "action"), said("action add"), "Give an action", "add-form"),
    TeamsAttack(
        "card-action-done-a-s-action",
        ("card", teams_cards.ACTION_MARK_DONE),
        clicked(lambda w: {"action": teams_cards.ACTION_MARK_DONE, "action_id": w.ids.a_action}),
        "There is no action A",
    ),
    TeamsAttack(
        "card-action-form-a-project",
        ("card", teams_cards.ACTION_ACTION_SUBMIT),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_ACTION_SUBMIT,
                "form": "0123456789abcdef",
                "owner": "me",
                "due": "2026-12-10",
                "text": "SECRET-C",
                "project": "ANET-01",
            }
        ),
        "There is no project ANET-01",
        echo=("ANET-01",),
    ),
    TeamsAttack(
        "card-decision-form-a-project",
        ("card", teams_cards.ACTION_DECISION_SUBMIT),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_DECISION_SUBMIT,
                "form": "0123456789abcdef",
                "text": "SECRET-C",
                "project": "ANET-01",
            }
        ),
        "There is no project ANET-01",
        echo=("ANET-01",),
    ),
    TeamsAttack("update-mine", ("command", "update"), said("update mine"), "CNET-01", "mine"),
    TeamsAttack("update-help", ("command", "update"), said("update help"), "update REF RAG what was done", "help"),
    TeamsAttack(
        "update-history-a-ref",
        ("command", "update"),
        said("update history ANET-01 5"),
        "There is no project ANET-01",
        "history",
        ("ANET-01",),
    ),
    TeamsAttack(
        "history-a-ref",
        ("command", "history"),
        said("history ANET-01"),
        "There is no project ANET-01",
        echo=("ANET-01",),
    ),
    TeamsAttack("history-own", ("command", "history"), said("history CNET-01"), "Charlie network"),
    TeamsAttack("mine", ("command", "mine"), said("mine"), "CNET-01"),
    TeamsAttack("help", ("command", "help"), said("help"), "ICT governance bot"),
    TeamsAttack("digest", ("command", "digest"), said("digest"), "Charlie network", "post"),
    TeamsAttack(
        "digest-period", ("command", "digest"), said("digest from 2026-06-01 to 2026-12-02"), "Charlie network", "post"
    ),
    TeamsAttack(
        "digest-preview",
        ("command", "digest"),
        said("digest", user=TEAMS_MEMBER),
        "A preview of the summary",
        "preview",
    ),
    TeamsAttack("digest-help", ("command", "digest"), said("digest help"), "digest from", "help"),
    TeamsAttack(
        "digest-exceptions", ("command", "digest"), said("digest exceptions"), "Exceptions, 2 Dec 2026", "exceptions"
    ),
    TeamsAttack("meeting", ("command", "meeting"), said("meeting"), "Tue 8 Dec 2026", "next"),
    TeamsAttack("meeting-list", ("command", "meeting"), said("meeting list 12"), "Tue 9 Nov 2027", "list"),
    TeamsAttack("meeting-help", ("command", "meeting"), said("meeting help"), "meeting move", "help"),
    TeamsAttack(
        "meeting-minutes", ("command", "meeting"), said("meeting minutes"), "Minutes of the ICT governance", "minutes"
    ),
    TeamsAttack(
        "meeting-minutes-of-a", ("command", "meeting"), said("meeting minutes 2026-12-03"), NO_MEETING, "minutes"
    ),
    TeamsAttack(
        "meeting-move-a", ("command", "meeting"), said("meeting move 2026-12-03 to 2026-12-04"), NO_MEETING, "move"
    ),
    TeamsAttack("meeting-cancel-a", ("command", "meeting"), said("meeting cancel 2027-01-07"), NO_MEETING, "cancel"),
    TeamsAttack(
        "meeting-series-as-a",
        ("command", "meeting"),
        said("meeting series FREQ=MONTHLY;BYDAY=+1TH at 16:45"),
        "The meeting series is changed",
        "series",
        (A_TIME,),
    ),
    TeamsAttack(
        "meeting-reminders",
        ("command", "meeting"),
        said("meeting reminders 3@10:00"),
        "Reminders now go out",
        "reminders",
    ),
    TeamsAttack(
        "meeting-digest", ("command", "meeting"), said("meeting digest 2@09:00"), "The digest is now posted", "digest"
    ),
    TeamsAttack(
        "meeting-channel-a-channel",  # C's governance channel set to the id of A's: C's own setting, A untouched
        ("command", "meeting"),
        said("meeting channel", channel=A_TEAMS_CHANNEL),
        "now the governance channel",
        "channel",
        (A_TEAMS_CHANNEL,),
    ),
    TeamsAttack(
        "meeting-channel-in-a-chat",
        ("command", "meeting"),
        said("meeting channel"),
        "this chat is not a channel",
        "channel",
    ),
    TeamsAttack("meeting-closure-list", ("command", "meeting"), said("meeting closure"), "No closure days", "closure"),
    TeamsAttack(
        "meeting-closure-remove-a-day",
        ("command", "meeting"),
        said("meeting closure remove 2027-03-04"),
        "is not a closure day; nothing changed",
        "closure",
    ),
    TeamsAttack(
        "card-submit-a-project",
        ("card", teams_cards.ACTION_UPDATE_SUBMIT),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_UPDATE_SUBMIT,
                "project": str(w.ids.a_projects["ANET-01"]),
                "rag": "green",
                "progress": "SECRET-C",
            }
        ),
        GONE_PROJECT,
    ),
    TeamsAttack(
        "card-open-form-a-project",
        ("card", teams_cards.ACTION_OPEN_FORM),
        clicked(lambda w: {"action": teams_cards.ACTION_OPEN_FORM, "project_id": w.ids.a_projects["AFIN-02"]}),
        GONE_PROJECT,
    ),
    TeamsAttack(
        "card-no-change-a-project",
        ("card", teams_cards.ACTION_NO_CHANGE),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_NO_CHANGE,
                "project_id": w.ids.a_projects["ANET-01"],
                "meeting_id": w.ids.a_meetings[A_NEXT],
            }
        ),
        GONE_PROJECT,
    ),
    TeamsAttack(
        "card-snooze-a-meeting",
        ("card", teams_cards.ACTION_SNOOZE),
        clicked(lambda w: {"action": teams_cards.ACTION_SNOOZE, "meeting_id": w.ids.a_meetings[A_NEXT]}),
        GONE_MEETING,
    ),
    TeamsAttack("report", ("command", "report"), said("report"), "The committee paper being written"),
    TeamsAttack("risk-list", ("command", "risk"), said("risk list"), "No open risks in this workspace", "list"),
    TeamsAttack(
        "risk-add-a-ref", ("command", "risk"), said("risk add ANET-01 5 5 x"), NOT_A_TARGET, "add", ("ANET-01",)
    ),
    TeamsAttack("risk-close-a-risk", ("command", "risk"), teams_on_a_raid("risk", "close {id} x"), NO_RISK, "close"),
    TeamsAttack(
        "risk-update-a-risk", ("command", "risk"), teams_on_a_raid("risk", "update {id} 1 1"), NO_RISK, "update"
    ),
    TeamsAttack(
        "risk-history-a-risk", ("command", "risk"), teams_on_a_raid("risk", "history {id}"), NO_RISK, "history"
    ),
    TeamsAttack("risk-help", ("command", "risk"), said("risk help"), "risk add REF L I text", "help"),
    TeamsAttack("issue-close-a-issue", ("command", "issue"), teams_on_a_raid("issue", "close {id}"), NO_ISSUE, "close"),
    TeamsAttack(
        "risk-form-a-ref",
        ("card", teams_cards.ACTION_RAID_SUBMIT),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_RAID_SUBMIT,
                "kind": "risk",
                "target": "ANET-01",
                "likelihood": "L5",
                "impact": "I5",
                "text": "SECRET-C",
                "owner": "",
                "review": "",
            }
        ),
        NOT_A_TARGET,
        echo=("ANET-01",),
    ),
    TeamsAttack(
        "report-narrative-a-priority",
        ("command", "report narrative"),
        said("report narrative ASEC SECRET-C"),
        "is not a priority of",
        echo=("ASEC",),
    ),
    TeamsAttack(
        "report-position", ("command", "report position"), said("report position SECRET-C"), "Narrative saved for"
    ),
    TeamsAttack("report-signoff", ("command", "report signoff"), said("report signoff"), "Approved"),
    TeamsAttack(
        "card-narrative-a-priority",
        ("card", teams_cards.ACTION_NARRATIVE_SUBMIT),
        clicked(
            lambda w: {
                "action": teams_cards.ACTION_NARRATIVE_SUBMIT,
                "section": "ASEC",
                "period": "2026-04-01",
                "text": "SECRET-C",
            }
        ),
        "is not a priority of",
        echo=("ASEC",),
    ),
    TeamsAttack("assurance-list", ("command", "assurance"), said("assurance"), "No assurance obligations", "list"),
    TeamsAttack(
        "assurance-record-a-code",
        ("command", "assurance"),
        said("assurance record PCI-ASV pass SECRET-C"),
        "There is no assurance obligation",
        "record",
        ("PCI-ASV",),
    ),
    TeamsAttack(
        "card-assurance-a-obligation",
        ("card", ACTION_ASSURANCE_RECORD),
        clicked(
            lambda w: {
                "action": ACTION_ASSURANCE_RECORD,
                "obligation_id": a_obligation(w),
                "occurrence": "2026-12-31",
                "outcome": "pass",
            }
        ),
        "That assurance obligation is no longer on the calendar.",
    ),
    # search: the Teams workspace finds nothing of A's, by A's words, A's project or the More results button
    TeamsAttack("search-a-words", ("command", "search"), said("search fibre"), "No update matches", "search"),
    TeamsAttack(
        "search-in-a-ref", ("command", "search"), said("search fibre in ANET-01"), "no project", "search", ("ANET-01",)
    ),
    TeamsAttack(
        "search-more-button-for-a-s-words",
        ("card", teams_cards.ACTION_SEARCH_MORE),
        clicked(lambda w: {"action": teams_cards.ACTION_SEARCH_MORE, "q": "fibre ledger", "o": 0}),
        "No update matches",
    ),
)


TEAMS_ATTACKS += (
    TeamsAttack("project-list", ("command", "project"), said("project list"), "Charlie network", "list"),
    TeamsAttack("project-list-all", ("command", "project"), said("project list all"), "CNET-01", "list"),
    TeamsAttack("project-help", ("command", "project"), said("project help"), "Keep the ICT Work Plan", "help"),
    TeamsAttack(  # C's own project, under A's ref: C's row, nothing of A's
        "project-add-an-a-ref",
        ("command", "project"),
        said("project add ANET-01 ARCH me SECRET-C"),
        "Added",
        "add",
        ("ANET-01",),
    ),
    TeamsAttack(
        "project-add-under-an-a-priority",
        ("command", "project"),
        said("project add CNEW-01 ASEC me SECRET-C"),
        "is not a priority of",
        "add",
        ("ASEC",),
    ),
    *(
        TeamsAttack(
            f"project-{sub}-an-a-ref",
            ("command", "project"),
            said(f"project {sub} AFIN-02" + (" me" if sub == "reassign" else "")),
            "There is no project AFIN-02",
            sub,
            ("AFIN-02",),
        )
        for sub in ("reassign", "close", "complete", "reopen")
    ),
    TeamsAttack("role-list", ("command", "role"), said("role"), "Roles in ICT governance", "list"),
    TeamsAttack("role-help", ("command", "role"), said("role help"), "Roles in ICT governance", "help"),
    TeamsAttack("role-grant", ("command", "role"), said("role grant me chair"), "already is a chair", "grant"),
    TeamsAttack(
        "role-grant-an-a-person",
        ("command", "role"),
        said(f"role grant {A_CHAIR} admin"),
        "is not a person the bot can read",
        "grant",
        (A_CHAIR,),
    ),
    TeamsAttack(
        "role-revoke-an-a-admin",
        ("command", "role"),
        said(f"role revoke {A_ADMIN} admin"),
        "is not a person the bot can read",
        "revoke",
        (A_ADMIN,),
    ),
    TeamsAttack(
        "role-chairs-an-a-group",
        ("command", "role"),
        said(f"role chairs {A_GROUP}"),
        "Teams has no counterpart of Slack's user groups",
        "chairs",
    ),
)


@pytest.mark.parametrize("attack", TEAMS_ATTACKS, ids=[a.id for a in TEAMS_ATTACKS])
def test_a_teams_workspace_can_neither_see_nor_change_workspace_a(world, attack):
    before = owned_rows(world.rt, TEAM_A)

    reply = attack.run(world)

    shown = [("Teams reply", dataclasses.asdict(reply))]
    assert attack.expect in json.dumps(shown, ensure_ascii=False), shown
    assert leaks(world, shown, frozenset(attack.echo)) == []
    assert changes(before, owned_rows(world.rt, TEAM_A)) == {}
    assert cross_links(world.rt) == {}


# -- the same with each workspace's own installation ----------------------------------------------------------
@pytest.fixture
def installed(world: World, iso_runtime: Runtime, standin: SlackStandIn) -> World:
    """The two workspaces, each having installed the app over Slack's OAuth (multi-workspace mode): the
    same attacks then reach a Bolt app that answers each team with that team's own bot token."""
    values = {
        **iso_runtime.settings.model_dump(),
        "SLACK_BOT_TOKEN": None,
        "SLACK_CLIENT_ID": oauth_tests.CLIENT_ID,
        "SLACK_CLIENT_SECRET": oauth_tests.CLIENT_SECRET,
        "SLACK_STATE_SECRET": oauth_tests.STATE_SECRET,
    }
    rt = replace(iso_runtime, settings=Settings(**values))
    standin.oauth.add_app(oauth_tests.CLIENT_ID, oauth_tests.CLIENT_SECRET)
    bolt = create_app(rt, listener_executor=InlineExecutor())
    with oauth_tests.TestClient(asgi_app(rt, bolt), base_url=oauth_tests.HTTPS) as http:
        for team, name in ((TEAM_A, A_NAME), (TEAM_B, B_NAME)):
            assert oauth_tests.install(http, standin, team, name).status_code == 200
    a, b = (replace(driver, app=bolt) for driver in (world.a, world.b))
    standin.clear()
    return replace(world, rt=rt, a=a, b=b)


def test_in_multi_workspace_mode_b_is_answered_with_its_own_token_and_nothing_of_a(installed):
    """Every attack again, each on a fresh copy of both workspaces, now with an installation each: besides
    the checks above, every Web API call made for B carries B's token, never A's."""
    w = installed
    rows = every_row(w.rt.engine)
    before = owned_rows(w.rt, TEAM_A)
    token_b = set(w.standin.oauth.tokens_of(TEAM_B))
    assert token_b and not token_b & set(w.standin.oauth.tokens_of(TEAM_A))
    failures: dict[str, list[str]] = {}
    spoke: list[str] = []  # the attacks that made B's bot call the Web API
    for attack in ATTACKS:
        put_back(w.rt.engine, rows, empty_first=True)
        w.standin.clear()
        w.standin.uploads.clear()

        responses = attack.run(w)

        problems = leaks(w, [*w.sent(), *answers(responses)], frozenset(attack.echo))
        tokens = {c.token for c in w.standin.calls if c.method not in ("response_url", "upload_url", "ack")}
        problems += [f"a call with the token {t}" for t in tokens - token_b]
        spoke += [attack.id] if tokens else []
        problems += [f"answered {r.status}" for r in responses if r.status != 200]
        problems += [] if attack.expect in everything(w, responses) else [f"no {attack.expect!r}"]
        problems += [f"A's {table} changed" for table in changes(before, owned_rows(w.rt, TEAM_A))]
        problems += [f"{link} points into another workspace" for link in cross_links(w.rt)]
        if problems:
            failures[attack.id] = problems
    assert failures == {}
    assert len(spoke) >= 15, spoke


def test_what_the_scheduler_sends_for_b_holds_nothing_of_a(world):
    """B's reminders, chairs' notice and scheduled digest, sent through Slack by the reconciler."""
    w = world
    client = web_client(BOT_TOKEN, w.standin.api_url)
    reconciler = Reconciler(  # unpaced: the pace is not what is tested here
        w.rt,
        SlackDelivery(client),
        post_digest=SlackDigestDelivery(client),
        chair_group_members=ScheduledChairGroups(client, w.rt.chair_groups),
        refresh_home=SlackHomeRefresh(w.rt, client, tokens=SingleToken(BOT_TOKEN)),
    )
    reconciler.tick(datetime(2026, 12, 3, 9, 30, tzinfo=UTC))  # A's "remind me tomorrow" only
    assert any(MARK in found for found in leaks(w, w.sent(), frozenset())), w.sent()
    w.standin.clear()
    w.standin.uploads.clear()
    before = owned_rows(w.rt, TEAM_A)

    report = reconciler.tick(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # B's last reminders, notice and digest

    assert TEAM_B in {item.team_id for item, _ in report.outcomes} and report.digests_sent == 1
    assert TEAM_A not in {item.team_id for item, _ in report.outcomes}
    assert {c.params["user_id"] for c in w.standin.calls_to("views.publish")} >= {MALLORY}  # B's Home, refreshed
    assert leaks(w, w.sent(), frozenset()) == []
    # (a pass also forgets every team's requests older than a day: Slack retries within minutes)
    assert set(changes(before, owned_rows(w.rt, TEAM_A))) <= {"inbound_delivery"}
    assert cross_links(w.rt) == {}


# -- the same through the command line ---------------------------------------------------------------------
@dataclass(frozen=True)
class CliAttack:
    id: str
    command: str  # the click command's path
    args: tuple[str, ...]  # {tmp}: a folder of files to read and write; its out/ is searched too
    expect: str  # in the output
    echo: tuple[str, ...] = ()
    exit_code: int = 0
    reads: bool = True  # with --team T0AAAAAA instead, it shows A (see test_the_checks_see_a_when_a_asks)
    setup: tuple[str, ...] = ()  # a command run first
    slack: bool = False  # with SLACK_BOT_TOKEN, the Web API at the stand-in


def team_b(*args: str) -> tuple[str, ...]:
    return (*args, "--team", TEAM_B)


CLI_ATTACKS: tuple[CliAttack, ...] = (
    CliAttack("projects-list", "projects list", team_b("projects", "list"), "BNET-01"),
    CliAttack("projects-list-all", "projects list", team_b("projects", "list", "--all"), "BWEB-02"),
    # A project's history is read by ref: B's ref shows B's project, and A's ref names nothing in B (no
    # suggestion of A's refs either). Neither is run with --team A: B's ref names no project there.
    CliAttack(
        "projects-history",
        "projects history",
        team_b("projects", "history", "BNET-01"),
        "created as active",
        reads=False,
    ),
    CliAttack(
        "projects-history-a-ref",
        "projects history",
        team_b("projects", "history", "ANET-01"),
        "There is no project `ANET-01` in the Work Plan.",
        echo=("ANET-01",),
        exit_code=1,
        reads=False,
    ),
    CliAttack("export-json", "export", team_b("export"), '"BNET-01"'),
    CliAttack("export-csv", "export", team_b("export", "--format", "csv"), "BNET-01"),
    CliAttack("export-file", "export", team_b("export", "-o", "{tmp}/out/b.json"), "Wrote 2 projects"),
    CliAttack("digest-md", "digest", team_b("digest"), "Bravo network"),
    CliAttack("stats-md", "stats", team_b("stats"), "| 10 Nov 2026 | 2 |"),
    CliAttack("stats-json", "stats", team_b("stats", "--format", "json", "--from", "2026-01-01"), '"ictbot-trends"'),
    CliAttack(
        "stats-csv", "stats", team_b("stats", "--format", "csv", "-o", "{tmp}/out/stats.csv"), "Wrote the trends"
    ),
    CliAttack("minutes-md", "minutes", team_b("minutes", "--format", "md"), "Minutes of the ICT governance meeting"),
    CliAttack("minutes-docx", "minutes", team_b("minutes", "--format", "docx", "-o", "{tmp}/out/m.docx"), "Wrote"),
    CliAttack(
        "minutes-of-a-meeting",
        "minutes",
        team_b("minutes", "--format", "html", "--meeting", "2026-12-03"),
        NO_MEETING,
        exit_code=2,
        reads=False,
    ),
    CliAttack(
        "digest-json-period",
        "digest",
        team_b("digest", "--format", "json", "--from", "2026-06-01", "--to", "2026-12-02"),
        "Bravo network",
    ),
    CliAttack(
        "report-md", "report", team_b("report", "--format", "md", "--from", "2026-06-01", "--to", "2026-12-02"), "Bravo"
    ),
    CliAttack(
        "report-docx",
        "report",
        team_b("report", "--from", "2026-06-01", "--to", "2026-12-02", "-o", "{tmp}/out/report.docx"),
        "Bravo network",
    ),
    CliAttack(
        "report-default-period",
        "report",
        team_b("report", "--format", "html", "--meeting", "2026-12-14", "--item", "7"),
        "AUDIT COMMITTEE",
    ),
    CliAttack(
        "report-settings-show", "report settings show", team_b("report", "settings", "show", "--all"), "committee:"
    ),
    CliAttack(
        "report-settings-load",
        "report settings load",
        team_b("report", "settings", "load", "{tmp}/settings.yaml"),
        f"Loaded the report settings of workspace {TEAM_B}",
        reads=False,
    ),
    CliAttack(
        "assurance-load",
        "assurance load",
        team_b("assurance", "load", "{tmp}/assurance.yaml"),
        f"Loaded the assurance calendar of workspace {TEAM_B}",
        reads=False,
    ),
    CliAttack("assurance-list", "assurance list", team_b("assurance", "list"), "has no assurance obligations"),
    CliAttack("meetings-list", "meetings list", team_b("meetings", "list"), "2026-12-08"),
    CliAttack("meetings-list-all", "meetings list", team_b("meetings", "list", "--all"), "2027-01-12"),
    CliAttack("meetings-export", "meetings export", team_b("meetings", "export"), "BEGIN:VCALENDAR"),
    CliAttack("roles-list", "roles list", team_b("roles", "list"), MALLORY),
    CliAttack(
        "reminders-preview-when-b-is-due",
        "reminders preview",
        team_b("reminders", "preview", "--at", "2026-12-07T09:30"),
        f"Due in workspace {TEAM_B}",
    ),
    CliAttack(
        "reminders-preview-when-a-is-due",  # five working days before A's meeting of 5 February
        "reminders preview",
        team_b("reminders", "preview", "--at", "2027-01-29T09:30"),
        f"Nothing is due in workspace {TEAM_B}",
    ),
    CliAttack(
        "reminders-failures",
        "reminders failures",
        team_b("reminders", "failures", "--since", "2026-01-01"),
        "No reminder has failed",
    ),
    CliAttack("strategy-list", "strategy list", team_b("strategy", "list"), "ICT Strategy 2014"),
    CliAttack(
        "people-list", "people list", team_b("people", "list"), f"directory of workspace {TEAM_B} ({B_NAME}) is empty"
    ),
    # writes with --team T0BBBBBB
    CliAttack(
        "strategy-load-as-named-in-a",  # strategy names are per workspace
        "strategy load",
        team_b("strategy", "load", "{tmp}/strategy.yaml"),
        f"Loaded {A_STRATEGY['name']} (1 priorities) into workspace {TEAM_B}",
        echo=(str(A_STRATEGY["name"]),),
        reads=False,
    ),
    CliAttack(
        "strategy-activate-as-named-in-a",  # B has no strategy of that name: A's is not made active, nor shown
        "strategy activate",
        team_b("strategy", "activate", str(A_STRATEGY["name"])),
        "This workspace has no strategy called",
        echo=(str(A_STRATEGY["name"]),),
        exit_code=1,
        reads=False,
    ),
    CliAttack(
        "strategy-activate-b-s-earlier",  # A's 2014–2016 of the same name stays inactive, A's own stays active
        "strategy activate",
        team_b("strategy", "activate", "ICT Strategy 2014–2016"),
        f"ICT Strategy 2014–2016 is now the active strategy of workspace {TEAM_B}",
        reads=False,
        setup=team_b("strategy", "load", "{tmp}/strategy.yaml"),
    ),
    CliAttack(
        "projects-import-a-refs",  # refs are per workspace: B's own ANET-01 and AFIN-02 are created
        "projects import",
        team_b("projects", "import", "{tmp}/plan.csv"),
        "2 created, 0 updated",
        reads=False,
    ),
    CliAttack(
        "import-a-export",
        "import",
        team_b("import", "{tmp}/a.json"),
        f"Workspace {TEAM_B} already holds data",
        exit_code=1,
        reads=False,
    ),
    CliAttack(
        "import-a-export-into-b-emptied",  # the operator copies A's export under B's team ID: A is not touched
        "import",
        team_b("import", "{tmp}/a.json"),
        f"Restored workspace {TEAM_B} (exported as {TEAM_A})",
        echo=(TEAM_A,),
        reads=False,
        setup=("workspaces", "purge", "--team", TEAM_B, "--yes"),
    ),
    CliAttack(
        "roles-grant-a-chair",
        "roles grant",
        team_b("roles", "grant", A_CHAIR, "--role", "admin"),
        "Granted admin",
        echo=(A_CHAIR,),
        reads=False,
    ),
    CliAttack(
        "roles-revoke-a-admin",
        "roles revoke",
        team_b("roles", "revoke", A_EXTRA, "--role", "admin"),
        "had no granted admin role",
        echo=(A_EXTRA,),
        reads=False,
    ),
    CliAttack(
        "roles-chairs-group-of-a",
        "roles chairs-group",
        team_b("roles", "chairs-group", A_GROUP),
        "are now chairs",
        echo=(A_GROUP,),
        reads=False,
    ),
    CliAttack(
        "people-refresh",  # Slack's users.list goes into B's directory, A's is not touched
        "people refresh",
        team_b("people", "refresh"),
        f"from Slack into the directory of workspace {TEAM_B}",
        reads=False,
        slack=True,
    ),
    CliAttack(
        "meetings-generate", "meetings generate", team_b("meetings", "generate"), "Meetings of workspace", reads=False
    ),
    CliAttack(
        "workspaces-purge",
        "workspaces purge",
        ("workspaces", "purge", "--team", TEAM_B, "--yes"),
        f"Purged workspace {TEAM_B}",
        reads=False,
    ),
    # Global by design: every workspace's team ID, name, first contact and install state (A's among them, so
    # A's team ID and name are excused here), and nothing of any workspace's data.
    CliAttack("workspaces-list", "workspaces list", ("workspaces", "list"), A_NAME, echo=(TEAM_A, A_NAME), reads=False),
    CliAttack(
        "workspaces-purged", "workspaces purged", ("workspaces", "purged"), "No workspace has been purged", reads=False
    ),
    CliAttack(
        "workspaces-add",  # a third workspace, with the default strategy of its own
        "workspaces add",
        ("workspaces", "add", "T0CCCCCC", "Charlie"),
        "Added workspace T0CCCCCC (Charlie)",
        reads=False,
    ),
)
# Commands without --team that no case above runs, and why.
CLI_NOT_PER_WORKSPACE = {
    "tick": "one reconcile pass over every workspace, as the scheduler runs it (tests/bot, tests/test_oauth.py)",
    "worker": "the scheduler's reconcile passes over every workspace, on their own (tests/test_server_shutdown.py)",
    "db upgrade": "the schema, no workspace's rows",
    "config": "the settings and where they came from: no workspace's rows",
    "serve": "runs the Bolt app: its requests are the Slack attacks above",
    "socket": "runs the Bolt app over Socket Mode: the same listeners",
    "run": "serve, socket or shell, by the settings",
    "shell": "drives the Bolt app (or the Teams app) as a local workspace: the same listeners",
    "teams": "serves the Teams front end alone: its commands and cards are the Teams attacks above",
    "teams package": "builds the Teams app package (a manifest and icons): no workspace's data",
}


def cli_commands() -> dict[str, click.Command]:
    """Every command of ``ictbot``, by its path (``projects list``)."""
    found: dict[str, click.Command] = {}

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            if not isinstance(command, click.Group) or command.invoke_without_command:
                found[" ".join((*path, name))] = command
            if isinstance(command, click.Group):
                walk(command, (*path, name))

    walk(cli, ())
    return found


@pytest.fixture
def _cli_logging() -> Iterator[None]:
    """The CLI configures the root logger (onto CliRunner's stderr); put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def ictbot(world: World, clock: Clock, _cli_logging: None) -> Ictbot:
    return Ictbot(world.rt.settings.DATABASE_URL, clock, {"ICTBOT_ADMINS": ADMINS})


def cli_files(ictbot: Ictbot, tmp: Path) -> None:
    """What the attacks read: A's own export, a strategy named as A's, a Work Plan with A's refs."""
    (tmp / "out").mkdir()
    exported = ictbot("export", "--team", TEAM_A, "-o", str(tmp / "a.json"))
    assert exported.exit_code == 0, exported.stderr
    (tmp / "strategy.yaml").write_text(
        f"name: {A_STRATEGY['name']}\npriorities:\n  - code: BOPS\n    name: Bravo operations\n", encoding="utf-8"
    )
    (tmp / "settings.yaml").write_text("committee: Bravo scrutiny\n", encoding="utf-8")
    (tmp / "assurance.yaml").write_text(  # A's code, loaded in B: B's own obligation
        "obligations:\n  - {code: PCI-ASV, name: Bravo scan, owner: U0BMALLORY, priority: GOV, due: 2027-01-29}\n",
        encoding="utf-8",
    )
    (tmp / "plan.csv").write_text(
        "ref,title,priority,owner\nANET-01,Bravo cabling,ARCH,U0BOWNER\nAFIN-02,Bravo ledger,GOV,U0BMALLORY\n",
        encoding="utf-8",
    )


def run_cli(ictbot: Ictbot, tmp: Path, args: tuple[str, ...]) -> tuple[int, list[tuple[str, Any]]]:
    """Exit code, and everything the command wrote: its output and the files it made."""
    result = ictbot(*(a.replace("{tmp}", str(tmp)) for a in args))
    shown: list[tuple[str, Any]] = [("stdout", result.stdout), ("stderr", result.stderr)]
    for path in sorted((tmp / "out").iterdir()):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                text = " ".join(docx.read(n).decode("utf-8") for n in docx.namelist() if n.endswith(".xml"))
            shown.append((path.name, re.sub(r"<[^>]+>", "", text)))
        else:
            shown.append((path.name, path.read_text(encoding="utf-8")))
    return result.exit_code, shown


@pytest.mark.parametrize("attack", CLI_ATTACKS, ids=[a.id for a in CLI_ATTACKS])
def test_the_cli_for_workspace_b_neither_shows_nor_changes_workspace_a(world, ictbot, tmp_path, attack):
    cli_files(ictbot, tmp_path)
    if attack.setup:
        assert ictbot(*(a.replace("{tmp}", str(tmp_path)) for a in attack.setup)).exit_code == 0
    before = owned_rows(world.rt, TEAM_A)

    exit_code, shown = run_cli(ictbot.with_slack(world.standin) if attack.slack else ictbot, tmp_path, attack.args)

    assert exit_code == attack.exit_code, shown
    assert attack.expect in "\n".join(str(text) for _, text in shown), shown
    assert leaks(world, shown, frozenset(attack.echo)) == []
    assert changes(before, owned_rows(world.rt, TEAM_A)) == {}
    assert cross_links(world.rt) == {}


# -- the checks themselves ---------------------------------------------------------------------------------
def test_a_is_built_with_a_row_in_every_table_a_workspace_owns(world):
    """So the attacks would catch a change to any table (a new table must be given a row in ``build``)."""
    rows = owned_rows(world.rt, TEAM_A)
    empty = [name for name, found in rows.items() if not found and name not in ("slack_bots", "slack_installations")]
    assert empty == []
    owned = {t.name for t, _ in retention._owned_tables()}
    assert owned | retention.NOT_BY_WORKSPACE_ID >= {t.name for t in Base.metadata.sorted_tables}


def test_the_checks_see_a_when_a_asks(world, ictbot, tmp_path):
    """The same checks, on what A's own people get, find A: they would find a leak to B."""
    w = world
    for name, text in ((UPDATE, "mine"), (PROJECT, "list all"), (MEETING, "next 3"), (ROLE, "list"), (DIGEST, "")):
        w.standin.clear()
        asker = A_CHAIR if name == DIGEST else A_OWNER
        w.a.command(name, text, user_id=asker)
        assert leaks(w, w.sent(), frozenset({asker})), (name, text)
    w.standin.clear()
    opened = w.a.command(UPDATE, "", user_id=A_OWNER)
    options = w.a.block_suggestion(opened_view(w.standin), PROJECT_ACTION, "", user_id=A_OWNER)
    assert any("offered as an option" in found for found in leaks(w, answers([opened, options]), frozenset()))
    w.standin.clear()
    w.a.button(EDIT_UPDATE_ACTION, str(w.ids.a_updates[0]), user_id=A_OWNER)
    assert any("a modal correcting A's update" in found for found in leaks(w, w.sent(), frozenset()))
    # a change to A is seen, column by column
    before = owned_rows(w.rt, TEAM_A)
    w.a.command(PROJECT, "close ANET-01", user_id=A_ADMIN)
    # (the workspace's row: the change marks it for the next reconcile pass, models.wake)
    assert set(changes(before, owned_rows(w.rt, TEAM_A))) == {
        "project",
        "project_event",
        "inbound_delivery",
        "workspace",
    }
    # a row of B's pointing at A's is seen
    assert cross_links(w.rt) == {}
    with w.rt.engine.begin() as conn:
        b_id = conn.scalar(select(Workspace.id).where(Workspace.external_id == TEAM_B))
        bad = dict(
            workspace_id=b_id,
            project_id=w.ids.a_projects["AFIN-02"],
            author_user_id=MALLORY,
            source=UpdateSource.COMMAND,
            created_at=ATTACK,
        )
        conn.execute(insert(ProgressUpdate), bad)
    assert cross_links(w.rt) == {"progress_update.project_id": 1}
    # and the command line for A shows A
    cli_files(ictbot, tmp_path)
    for attack in (a for a in CLI_ATTACKS if a.reads):
        args = tuple(TEAM_A if arg == TEAM_B else arg for arg in attack.args)
        exit_code, out = run_cli(ictbot, tmp_path, args)
        assert exit_code == 0 and leaks(w, out, frozenset()), (attack.id, out)
        for path in (tmp_path / "out").iterdir():
            path.unlink()


def test_every_entry_point_is_attacked():
    """A new listener, sub-command or CLI command must get its attack above (or, for a command without
    --team, a reason in CLI_NOT_PER_WORKSPACE)."""
    seen = registered()
    listeners = (
        {("command", str(c)) for c in seen.commands}
        | {("action", str(a)) for a in seen.actions}
        | {("view", str(v)) for v in seen.views}
        | {("options", str(o)) for o in seen.options}
        | {("message_shortcut", str(s)) for s in seen.message_shortcuts}
        | {("shortcut", str(s)) for s in (*seen.global_shortcuts, *seen.any_shortcuts)}
        | {("event", str(e)) for e in seen.events}
    )
    attacked = {a.entry for a in ATTACKS}
    assert listeners - attacked == set()
    assert attacked - listeners == set()

    forms = {
        UPDATE: typing.get_args(typing.get_type_hints(QuickForm)["kind"]),
        PROJECT: ict_project.SUBCOMMANDS,
        MEETING: ict_meeting.SUBCOMMANDS,
        ROLE: ict_role.SUBCOMMANDS,
        DIGEST: ("post", "preview", "help", "exceptions"),
        REPORT: ict_report.SUBCOMMANDS,
        ASSURANCE: ("list", "record", "help"),
        RISK: raid_commands.SUBCOMMANDS,
        ISSUE: raid_commands.SUBCOMMANDS,
        DECISION: ict_registers.DECISION_SUBCOMMANDS,
        ACTION: ict_registers.ACTION_SUBCOMMANDS,
        SEARCH: ("search", "help"),  # words [in REF] [from …] [to …], or help
    }
    assert set(forms) == {str(c) for c in seen.commands}
    for name, subs in forms.items():
        assert set(subs) - {a.sub for a in ATTACKS if a.entry == ("command", name)} == set(), name

    # The menu holds at most ten; the help card lists every command.
    teams_commands = {c.title for c in TEAMS_COMMANDS} | {line.split()[0] for line, _ in TEAMS_HELP_LINES}
    teams_entries = {("command", c) for c in teams_commands} | {("card", a) for a in TEAMS_CARD_ACTIONS}
    assert teams_entries - {a.entry for a in TEAMS_ATTACKS} == set()
    teams_forms = {
        "update": forms[UPDATE],
        "meeting": ict_meeting.SUBCOMMANDS,
        "digest": ("post", "preview", "help", "exceptions"),
        "project": project_commands.SUBCOMMANDS,
        "role": teams_roles.SUBCOMMANDS,
    }
    for name, subs in teams_forms.items():
        assert set(subs) - {a.sub for a in TEAMS_ATTACKS if a.entry == ("command", name)} == set(), name

    commands = cli_commands()
    per_workspace = {path for path, c in commands.items() if any(p.name == "team" for p in c.params)}
    run = {a.command for a in CLI_ATTACKS}
    assert per_workspace - run == set()
    assert set(commands) - run == set(CLI_NOT_PER_WORKSPACE)
