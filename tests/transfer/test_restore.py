"""Restoring a workspace from its export: everything back as it was, all or nothing, never twice sent."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, select

from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import digest_posts, meetings, paper, people, reminders, roles, strategy, updates, workspaces
from bot.services import projects as project_service
from bot.services.assurance import loader as assurance_loader
from bot.services.assurance import results as assurance_results
from bot.services.assurance.reminders import AssuranceDue
from bot.services.digest_posts import DigestDue
from bot.services.paper import settings as paper_settings
from bot.services.quickform import UpdateText
from bot.services.registers import actions, raid
from bot.services.reminders import Due
from bot.timefmt import iso
from bot.transfer import export, restore
from handlers.slack.client import web_client
from handlers.slack.delivery.digest import SlackDigestDelivery
from handlers.slack.delivery.reminders import SlackDelivery
from models import Base, Meeting, ProgressUpdate, ProjectStatus, Rag, Role, UpdateSource, Workspace
from models.registers import RaidKind
from models.scheduling import DigestPost, Reminder
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, START, Clock, Kept

LONDON = ZoneInfo("Europe/London")
TEAM = "T0COUNCIL"
CHAIR = "U0CHAIR"
DEPUTY = "U0DEPUTY"
CHANNEL = "C0GOVERN"
# Officer text that must come back byte for byte: Slack markup, quotes, SQL, and more than ASCII.
EVIL = (
    "<!channel> <!here> <@U0OTHER> said \"it's done\" – 'quoted'; DROP TABLE x; --\n"
    "Ünïcödé ✓ 🚀 Ωμέγα 中文 & <b>bold</b> *not bold* =SUM(A1) \\ back\\slash \t tab"
)
EVIL_TOO = "'; DROP TABLE x; --  \"); DELETE FROM project; -- <!everyone> ␀ \u200b zero-width"
REFRESHED = {
    "name": "ICT Strategy 2017–2020 «refreshed»",
    "period": "2017–2020",
    "description": "The refresh: cloud first, and the old ARCH code kept on purpose.",
    "aims": ["To put services in the cloud – «first» ✓", EVIL_TOO, "To keep 'ARCH' as it was <b>&amp;</b>"],
    "priorities": [
        {"code": "CLOUD", "name": "Cloud first", "description": "Move services to the cloud."},
        {"code": "ARCH", "name": "Architecture (new)", "description": "Same code as 2014–2016, another priority."},
    ],
}


OLIVE = "olive.owner@example.gov.uk"
# The assurance calendar, first on 2014–2016's GOV, then (PSN left out, so retired) on the refreshed strategy's
# CLOUD and ARCH: its ARCH has the code of 2014–2016's, and the export tells them apart by strategy.
ASSURANCE_BEFORE = {
    "obligations": [
        {"code": "PSN", "name": "PSN submission – «annual»", "owner": OLIVE.upper(), "priority": "GOV",
         "rrule": "FREQ=YEARLY", "start": "2026-06-30", "evidence": EVIL, "remind_days": 20},
        {"code": "PCI-ASV", "name": "PCI DSS scan", "owner": ADMIN, "priority": "GOV",
         "rrule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", "start": "2026-03-31", "evidence": "ASV report"},
    ]
}  # fmt: skip
ASSURANCE_AFTER = {
    "obligations": [
        {**ASSURANCE_BEFORE["obligations"][1], "priority": "CLOUD", "remind_days": 10},
        {"code": "IA-VSE", "name": "Internal audit <!here>", "owner": OLIVE, "priority": "ARCH", "due": "2026-12-04",
         "evidence": EVIL_TOO},
        {"code": "DR-TEST", "name": "Disaster recovery test", "owner": DELEGATE, "priority": "ARCH",
         "due": "2026-12-09", "remind_days": 5},
    ]
}  # fmt: skip


def at(text: str) -> datetime:
    """A local Europe/London wall time as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


# -- building a workspace with a bit of everything ------------------------------------------------------


def _post(runtime: Runtime, ref: str, user: str, text: UpdateText, source: UpdateSource) -> int:
    with runtime.unit(TEAM) as (session, ws):
        project = project_service.get(session, ws, ref)
        return updates.post(
            session, ws, project, user_id=user, is_admin=True, text=text, source=source, now=runtime.now()
        ).update_id


def _correct(runtime: Runtime, update_id: int, user: str, text: UpdateText) -> None:
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, update_id)
        updates.correct(session, ws, update, user_id=user, is_admin=True, text=text, now=runtime.now())


class _Sender:
    """Reminders and digests 'sent' without Slack: Slack refuses the delegate's DMs for good."""

    def __init__(self) -> None:
        self.sent = 0

    def deliver(self, item: Due | AssuranceDue) -> Outcome:
        if item.user_id == DELEGATE:
            return Outcome(error="cannot_dm_user", permanent=True)
        self.sent += 1
        return Outcome(channel_id="D" + item.user_id[1:], message_ts=f"1764580000.{self.sent:06d}")

    def post_digest(self, item: DigestDue) -> Outcome:
        return Outcome(channel_id=item.channel_id, message_ts="1765108800.000100")


def build_rich_workspace(runtime: Runtime, clock: Clock) -> dict[str, int]:
    """The stand-in's council with a year of governance: the Work Plan (the ``workplan`` fixture), a
    refreshed strategy, corrected updates full of markup, roles, a meeting series with a closure, a
    moved, a cancelled and dropped meetings, reminders sent, failed and dropped, and a digest posted.
    Returns the ids of the updates by name."""
    tz = "Europe/London"
    ids: dict[str, int] = {}
    clock.now = at("2026-11-24 11:00")
    ids["net"] = _post(runtime, "NET-01", OWNER, UpdateText(Rag.AMBER, "Links delayed"), UpdateSource.COMMAND)
    clock.now = at("2026-11-24 12:00")
    _correct(runtime, ids["net"], OWNER, UpdateText(Rag.RED, EVIL, next_steps=EVIL_TOO, risks="=cmd|' /C calc'!A0"))
    clock.now = at("2026-11-24 12:30")
    with runtime.unit(TEAM) as (session, ws):  # the assurance calendar, its owner by e-mail, a result
        people.record(session, ws, [people.Entry(OWNER, "Olive", email=OLIVE)], now=clock.now)
        assurance_loader.load(session, ws, json.dumps(ASSURANCE_BEFORE, ensure_ascii=False), clock.now)
        assurance_results.record(session, ws, "PSN", "pass", "", "https://e.example/psn?a=1&b=<2>", OWNER, clock.now)
    clock.now = at("2026-11-25 09:00")
    with runtime.unit(TEAM) as (session, ws):
        strategy.load(session, ws, strategy.parse_yaml(json.dumps(REFRESHED)), now=clock.now)
        project_service.add(
            session,
            ws,
            ref="CLOUD-01",
            title="Cloud migration – «phase 1» 'pilot'",
            priority="ARCH",  # the refreshed strategy's ARCH, not 2014–2016's
            owner=OWNER,
            delegates=[DELEGATE, ADMIN],
            service_area="Resources & Governance ✓",
            status=ProjectStatus.PLANNED,
            target_date=date(2027, 3, 31),
            now=clock.now,
        )
        project_service.set_status(session, ws, "TRN-01", ProjectStatus.COMPLETE, now=clock.now, tz=LONDON)
        project_service.reassign(session, ws, "CLOUD-01", ADMIN, now=clock.now, actor=DEPUTY)
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=clock.now)
        people.record(session, ws, [people.Entry(OWNER, "Olive «O» Owner", "Head of ICT")], now=clock.now)
        people.fill(session, ws, {DELEGATE: "Dan from the CSV"})
        assurance_loader.load(session, ws, json.dumps(ASSURANCE_AFTER, ensure_ascii=False), clock.now)  # PSN retired
        roles.grant(session, ws, DEPUTY, Role.ADMIN, by=ADMIN, now=clock.now)
        roles.grant(session, ws, DEPUTY, Role.CHAIR, by=ADMIN, now=clock.now)
        meetings.materialise(session, ws, now=clock.now, default_timezone=tz)
        meetings.set_channel(session, ws, f"<#{CHANNEL}|ict-governance>", now=clock.now, by=ADMIN, default_timezone=tz)
        meetings.set_series(session, ws, now=clock.now, by=ADMIN, default_timezone=tz, digest_stage="1@12:00")

    sender = _Sender()
    reconciler = Reconciler(
        runtime,
        sender.deliver,
        holder="builder",
        workers=2,
        post_digest=sender.post_digest,
        remind_assurance=sender.deliver,
    )

    def tick(when: str) -> None:
        clock.now = at(when)
        reconciler.tick(clock.now)

    tick("2026-12-01 09:30")  # five working days before 8 Dec: MOB-01's owner, EFORM-01's (fails), PCI-01's
    clock.now = at("2026-12-01 10:00")
    with runtime.unit(TEAM) as (session, ws):
        meeting = meetings.find_meeting(session, ws, date(2026, 12, 8), now=clock.now)
        reminders.snooze(session, ws, meeting_id=meeting.id, user_id=OWNER, now=clock.now)
    clock.now = at("2026-12-01 15:00")
    ids["mob"] = _post(runtime, "MOB-01", OWNER, UpdateText(Rag.GREEN, "Cut across ✓"), UpdateSource.REMINDER)
    tick("2026-12-02 09:30")  # the snooze is dropped: its owner caught up
    tick("2026-12-07 09:30")  # the day before: the 1d stage and the chairs' notice
    tick("2026-12-07 12:00")  # the digest in the governance channel
    clock.now = at("2026-12-07 12:30")
    with runtime.unit(TEAM) as (session, ws):  # a chair posts a digest by hand too, from the beginning
        digest_posts.record_sent(
            session, ws, channel_id=CHANNEL, message_ts="1765110600.000200", start=None, end=clock.now,
            user_id=CHAIR, now=clock.now,
        )  # fmt: skip
    clock.now = at("2026-12-07 13:00")
    ids["pci"] = _post(runtime, "PCI-01", ADMIN, UpdateText(Rag.GREEN, "Q3 scan passed"), UpdateSource.MODAL)
    clock.now = at("2026-12-07 13:05")
    _correct(runtime, ids["pci"], ADMIN, UpdateText(Rag.AMBER, "Q3 scan passed, one finding", risks=EVIL_TOO))
    clock.now = at("2026-12-07 13:10")
    _correct(runtime, ids["pci"], DEPUTY, UpdateText(Rag.GREEN, "Finding closed"))
    for when, outcome in (("2026-12-07 13:15", "fail"), ("2026-12-07 13:20", "partial")):  # the latest counts
        clock.now = at(when)
        with runtime.unit(TEAM) as (session, ws):
            assurance_results.record(session, ws, "PCI-ASV", outcome, EVIL, "", ADMIN, clock.now)
    clock.now = at("2026-12-09 10:00")
    with runtime.unit(TEAM) as (session, ws):
        meetings.cancel(session, ws, date(2027, 1, 12), now=clock.now, by=CHAIR, default_timezone=tz, note=EVIL)
        meetings.move(
            session, ws, date(2027, 2, 9), date(2027, 2, 16), None, now=clock.now, by=CHAIR, default_timezone=tz
        )
        meetings.add_closure(
            session, ws, date(2027, 3, 9), "Staff day – «closed»", now=clock.now, by=ADMIN, default_timezone=tz
        )
    clock.now = at("2026-12-10 10:00")
    with runtime.unit(TEAM) as (session, ws):  # every other month from now: the March meeting is dropped
        meetings.set_series(
            session, ws, now=clock.now, by=CHAIR, default_timezone=tz, rrule="FREQ=MONTHLY;BYDAY=+2TU;INTERVAL=2"
        )
    clock.now = at("2026-12-11 09:00")
    with runtime.unit(TEAM) as (session, ws):  # the committee paper: settings, narrative, a sign-off
        paper_settings.load(session, ws, paper.parse_yaml("committee: Audit Committee\nshow_rag: false"), now=clock.now)
        paper.write_narrative(session, ws, "CLOUD", EVIL, author=CHAIR, now=clock.now, default_timezone=tz)
        paper.write_narrative(
            session, ws, "CLOUD", "Second thoughts.", author=ADMIN, now=clock.now, default_timezone=tz
        )
        paper.sign_off(session, ws, user_id=CHAIR, now=clock.now, default_timezone=tz)
    clock.now = at("2026-12-12 09:00")
    with runtime.unit(TEAM) as (session, ws):  # risks and issues: on a project and a priority, changed, closed
        risk = raid.raise_item(
            session, ws, RaidKind.RISK, "NET-01", EVIL, actor=raid.Actor(OWNER), now=clock.now,
            likelihood=3, impact=5, review_on=date(2027, 1, 31),
        )  # fmt: skip
        raid.update(
            session, ws, RaidKind.RISK, risk.id, raid.Changes(likelihood=4), actor=raid.Actor(OWNER), now=clock.now
        )
        issue = raid.raise_item(
            session, ws, RaidKind.ISSUE, "CLOUD", "No quorum", actor=raid.Actor(CHAIR), now=clock.now
        )
        raid.close(session, ws, RaidKind.ISSUE, issue.id, "Quorum «met»", actor=raid.Actor(CHAIR), now=clock.now)
    clock.now = at("2026-12-11 10:00")
    with runtime.unit(TEAM) as (session, ws):  # the 8 Dec meeting's decisions and actions
        actions.record_decision(session, ws, EVIL, "CLOUD-01", CHAIR, clock.now)
        actions.record_decision(session, ws, "Adopt the «cloud» policy", None, CHAIR, clock.now)
        done = actions.give_action(session, ws, OWNER, date(2026, 12, 1), EVIL_TOO, "NET-01", CHAIR, clock.now)
        actions.give_action(session, ws, DEPUTY, date(2027, 2, 1), "Brief the board", None, ADMIN, clock.now)
        actions.done(session, ws, done.id, OWNER, "Sent – «all»", clock.now, False)
    return ids


RICH = Kept(build_rich_workspace)


@pytest.fixture
def rich(runtime: Runtime, workplan: dict[str, int], clock: Clock) -> dict[str, int]:
    return RICH(runtime.engine, clock, runtime, clock)


# -- helpers ---------------------------------------------------------------------------------------------


def exported(runtime: Runtime, team: str = TEAM) -> dict[str, Any]:
    """The JSON export of ``team`` as ``ictbot export`` writes it, read back."""
    with runtime.sessions() as session:
        ws = workspaces.find(session, team)
        assert ws is not None
        doc = export.to_document(export.gather(session, ws, exported_at=runtime.now()))
    return json.loads(json.dumps(doc, ensure_ascii=False))


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without what may differ between two exports of the same records: when it was
    taken, and the database ids of the updates (numbered in document order instead)."""
    doc = copy.deepcopy(doc)
    del doc["exported_at"]
    for i, u in enumerate(doc["updates"]):
        u["id"] = i
    return doc


def wipe(engine: Engine) -> None:
    """A fresh, empty database: every row of every table gone (the schema stays)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables}


def restore_text(runtime: Runtime, text: str | bytes, *, team: str | None = None) -> restore.RestoreSummary:
    with runtime.sessions.begin() as session:
        return restore.restore(session, restore.load(text), team=team)


def as_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """A version 1 document, as ictbot wrote before the calendar was exported."""
    keep = ("format", "version", "exported_at", "workspace", "strategies", "projects", "updates")
    return {**{k: copy.deepcopy(doc[k]) for k in keep}, "version": 1}


# -- the round trip --------------------------------------------------------------------------------------


def test_the_rich_workspace_has_a_bit_of_everything(runtime, rich):
    doc = exported(runtime)
    assert doc["version"] == 2
    assert [s["active"] for s in doc["strategies"]] == [False, True]
    assert [s["aims"] for s in doc["strategies"]] == [[], REFRESHED["aims"]]
    assert {(p["ref"], p["strategy"], p["priority_code"]) for p in doc["projects"]} >= {
        ("NET-01", "ICT Strategy 2014–2016", "ARCH"),
        ("CLOUD-01", REFRESHED["name"], "ARCH"),
    }
    assert {len(u["revisions"]) for u in doc["updates"]} == {1, 2, 3}
    assert {(r["role"], r["user_id"]) for r in doc["roles"]} == {("chair", CHAIR), ("admin", DEPUTY), ("chair", DEPUTY)}
    assert doc["meeting_series"]["channel_id"] == CHANNEL and "INTERVAL=2" in doc["meeting_series"]["rrule"]
    assert [c["day"] for c in doc["closures"]] == ["2027-03-09"]
    states = {(m["status"], m["moved"]) for m in doc["meetings"]}
    assert {("scheduled", False), ("scheduled", True), ("cancelled", False), ("dropped", False)} <= states
    assert {(r["status"], r["kind"]) for r in doc["reminders"]} == {
        ("sent", "owner"),
        ("failed", "owner"),
        ("dropped", "owner"),
        ("sent", "chair"),
    }
    [post] = doc["digest_posts"]
    assert (post["meeting"], post["status"], post["channel_id"]) == ("2026-12-08", "sent", CHANNEL)
    assert doc["digests_sent"] == [
        {
            "channel_id": CHANNEL,
            "message_ts": "1765110600.000200",
            "period_start": None,
            "period_end": iso(at("2026-12-07 12:30")),
            "posted_by": CHAIR,
            "posted_at": iso(at("2026-12-07 12:30")),
        }
    ]
    # The projects' history: each change with who made it, when and how; the workplan fixture's are by no one.
    changed = iso(at("2026-11-25 09:00"))

    def event(ref: str, when: str, actor: str, field: str, old: str, new: str) -> dict[str, str]:
        return {"project_ref": ref, "at": when, "actor": actor, "via": "chat", "field": field, "old": old, "new": new}

    assert [e for e in doc["history"] if e["project_ref"] in ("CLOUD-01", "TRN-01")] == [
        event("CLOUD-01", changed, "", "created", "", "planned"),
        event("CLOUD-01", changed, DEPUTY, "owner", OWNER, ADMIN),
        event("CLOUD-01", changed, DEPUTY, "delegates", f"{ADMIN},{DELEGATE}", DELEGATE),
        event("TRN-01", iso(START), "", "created", "", "active"),
        event("TRN-01", changed, "", "status", "active", "complete"),
    ]


def test_export_then_restore_into_an_empty_database_gives_the_same_export(runtime, engine, rich):
    first = exported(runtime)
    wipe(engine)

    summary = restore_text(runtime, json.dumps(first, ensure_ascii=False).encode())

    second = exported(runtime)
    assert comparable(second) == comparable(first)
    assert summary.created_workspace and summary.team_id == TEAM and summary.version == 2
    assert (summary.projects, summary.updates, summary.revisions) == (6, 3, 6)
    assert dict(summary.update_ids) == {
        a["id"]: b["id"] for a, b in zip(first["updates"], second["updates"], strict=True)
    }
    net = next(u for u in second["updates"] if u["project_ref"] == "NET-01")
    assert (net["revisions"][1]["progress"], net["revisions"][1]["next_steps"]) == (EVIL, EVIL_TOO)
    assert second["strategies"][1]["aims"] == REFRESHED["aims"]  # in order, byte for byte
    with runtime.unit(TEAM) as (session, ws):
        assert strategy.active_view(session, ws).aims == tuple(REFRESHED["aims"])


def test_restore_beside_another_workspace_gives_new_ids_and_keeps_the_rest(runtime, rich):
    """--team: the same records under another team ID, in a database that still holds the original."""
    first = exported(runtime)

    summary = restore_text(runtime, json.dumps(first), team="T0MOVED")

    moved = exported(runtime, "T0MOVED")
    assert summary.team_id == "T0MOVED" and summary.created_workspace
    assert moved["workspace"] == {**first["workspace"], "team_id": "T0MOVED"}
    assert comparable({**moved, "workspace": first["workspace"]}) == comparable(first)
    old_ids = [u["id"] for u in first["updates"]]
    new_ids = [u["id"] for u in moved["updates"]]
    assert not set(old_ids) & set(new_ids)
    assert dict(summary.update_ids) == dict(zip(old_ids, new_ids, strict=True))
    assert comparable(exported(runtime, TEAM)) == comparable(first)  # the original is untouched


def test_a_version_1_document_restores_what_it_holds(runtime, engine, rich):
    first = exported(runtime)
    wipe(engine)

    summary = restore_text(runtime, json.dumps(as_v1(first)))

    second = exported(runtime)
    assert summary.version == 1 and (summary.roles, summary.meetings, summary.reminders) == (0, 0, 0)
    assert comparable(as_v1(second)) == comparable(as_v1(first))
    assert (second["roles"], second["meeting_series"], second["meetings"], second["reminders"]) == ([], None, [], [])


def test_a_version_1_document_as_written_by_the_old_exporter_restores():
    text = json.dumps(
        {
            "format": "ictbot-export",
            "version": 1,
            "exported_at": "2026-11-26T10:30:00Z",
            "workspace": {"team_id": "T0OLD", "platform": "slack", "name": "", "created_at": "2026-11-24T09:30:00Z"},
            "strategies": [
                {
                    "name": "S",
                    "period": "",
                    "description": "",
                    "active": True,
                    "created_at": "2026-11-24T09:30:00Z",
                    "priorities": [{"position": 1, "code": "SD", "name": "Service", "description": ""}],
                }
            ],
            "projects": [
                {
                    "ref": "NET-01",
                    "title": "Network",
                    "strategy": "S",
                    "priority_code": "SD",
                    "priority_name": "Service",
                    "owner": OWNER,
                    "delegates": [DELEGATE],
                    "service_area": "",
                    "status": "active",
                    "target_date": None,
                    "completed_on": None,
                    "created_at": "2026-11-24T09:30:00Z",
                }
            ],
            "updates": [
                {
                    "id": 7,
                    "project_ref": "NET-01",
                    "author": OWNER,
                    "source": "command",
                    "created_at": "2026-11-24T09:30:00Z",
                    "revisions": [
                        {
                            "number": 1,
                            "rag": "amber",
                            "progress": "Links delayed",
                            "next_steps": "",
                            "risks": "",
                            "editor": OWNER,
                            "created_at": "2026-11-24T09:30:00Z",
                        }
                    ],
                }
            ],
        }
    )
    doc = restore.load(text)
    assert isinstance(doc, restore.DocumentV1) and doc.updates[0].revisions[0].rag is Rag.AMBER
    assert doc.strategies[0].aims == []  # written before strategies had aims


def test_a_version_2_document_without_aims_restores_its_strategies_without_aims(runtime, engine, rich):
    first = exported(runtime)
    for s in first["strategies"]:
        del s["aims"]  # as ictbot wrote before strategies had aims
    wipe(engine)

    restore_text(runtime, json.dumps(first))

    assert [s["aims"] for s in exported(runtime)["strategies"]] == [[], []]


def test_a_document_without_history_starts_each_project_s_history_as_the_migration_does(runtime, engine, rich):
    first = exported(runtime)
    del first["history"]  # as ictbot wrote before projects had a history
    wipe(engine)

    restore_text(runtime, json.dumps(first))

    assert exported(runtime)["history"] == [
        {
            "project_ref": p["ref"],
            "at": p["created_at"],
            "actor": "",
            "via": "backfill",
            "field": "created",
            "old": "",
            "new": p["status"],
        }
        for p in sorted(first["projects"], key=lambda p: p["ref"])
    ]


def test_an_empty_aim_in_a_document_is_refused_with_its_path(runtime, rich):
    doc = exported(runtime)
    doc["strategies"][1]["aims"][1] = ""

    with pytest.raises(restore.InvalidExport, match=r"strategies\[1\]\.aims\[1\]"):
        restore.load(json.dumps(doc))


# -- what an existing workspace may hold ----------------------------------------------------------------


def test_a_workspace_with_data_is_refused_and_nothing_changes(runtime, engine, rich):
    text = json.dumps(exported(runtime))
    before = row_counts(engine)

    with pytest.raises(restore.WorkspaceInUse) as caught:
        restore_text(runtime, text)

    assert "Workspace T0COUNCIL already holds data in this database (6 projects, 3 updates, " in caught.value.message
    assert "Nothing was imported" in caught.value.message
    assert row_counts(engine) == before


def test_an_empty_workspace_made_on_first_use_takes_the_restore(runtime, engine, rich):
    """The workspace row and its seeded default strategy (and default calendar) give way to the export's."""
    first = exported(runtime)
    wipe(engine)
    with runtime.unit(TEAM, team_name="Darlington") as (session, ws):  # first contact: the default strategy
        meetings.materialise(session, ws, now=runtime.now(), default_timezone="Europe/London")  # a scheduler tick

    summary = restore_text(runtime, json.dumps(first))

    assert not summary.created_workspace
    second = exported(runtime)
    assert second["workspace"] == {**first["workspace"], "name": "Darlington"}  # the export's name was empty
    assert comparable({**second, "workspace": first["workspace"]}) == comparable(first)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 1


def test_a_version_1_restore_keeps_the_default_calendar_of_an_empty_workspace(runtime, engine, rich):
    v1 = as_v1(exported(runtime))
    wipe(engine)
    with runtime.unit(TEAM) as (session, ws):
        meetings.materialise(session, ws, now=runtime.now(), default_timezone="Europe/London")
    with runtime.sessions() as session:
        held = session.scalar(select(func.count()).select_from(Meeting))

    restore_text(runtime, json.dumps(v1))

    second = exported(runtime)
    assert comparable(as_v1(second)) == comparable(v1)
    assert second["meeting_series"]["updated_by"] == "default" and len(second["meetings"]) == held


@pytest.mark.parametrize(
    ("change", "holds"),
    [
        (
            lambda s, ws, now: strategy.load(s, ws, strategy.parse_yaml(json.dumps(REFRESHED)), now=now),
            "1 strategy besides the default",
        ),
        (lambda s, ws, now: roles.grant(s, ws, CHAIR, Role.CHAIR, by=ADMIN, now=now), "1 granted role"),
        (
            lambda s, ws, now: meetings.set_channel(
                s, ws, CHANNEL, now=now, by=ADMIN, default_timezone="Europe/London"
            ),
            f"a meeting series set by {ADMIN}",
        ),
        (
            lambda s, ws, now: assurance_loader.load(
                s, ws, json.dumps({"obligations": [{**ASSURANCE_AFTER["obligations"][2], "priority": "GOV"}]}), now
            ),
            "1 assurance obligation",
        ),
        (
            lambda s, ws, now: digest_posts.record_sent(
                s, ws, channel_id=CHANNEL, message_ts="1.0", start=None, end=now, user_id=CHAIR, now=now
            ),
            "1 digest posted by hand",
        ),
    ],
)
def test_a_workspace_in_use_without_projects_is_refused_too(runtime, engine, change, holds):
    with runtime.unit("T0NEW") as (session, ws):
        text = json.dumps(export.to_document(export.gather(session, ws, exported_at=runtime.now())))
    with runtime.unit("T0BUSY") as (session, ws):
        change(session, ws, runtime.now())
    before = row_counts(engine)

    with pytest.raises(restore.WorkspaceInUse, match=holds):
        restore_text(runtime, text, team="T0BUSY")

    assert row_counts(engine) == before


def test_a_failure_while_writing_leaves_nothing_behind(runtime, engine, rich, monkeypatch):
    first = exported(runtime)
    wipe(engine)
    real = restore._write_calendar

    def fail_half_way(session, ws, doc):
        real(session, ws, doc)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(restore, "_write_calendar", fail_half_way)

    with pytest.raises(RuntimeError, match="disk is full"):
        restore_text(runtime, json.dumps(first))

    assert set(row_counts(engine).values()) == {0}


# -- what is refused, and why ----------------------------------------------------------------------------


Mutation = Callable[[dict[str, Any]], Any]


def _set(path: list[str | int], value: Any) -> Mutation:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list[str | int]) -> Mutation:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _duplicate_project(doc: dict[str, Any]) -> None:
    doc["projects"].append(copy.deepcopy(doc["projects"][0]))


BAD_DOCUMENTS: list[tuple[str, Mutation, str]] = [
    ("wrong format", _set(["format"], "ictbot-digest"), "format: 'ictbot-digest' is not 'ictbot-export'"),
    ("no format", _drop(["format"]), "format: is missing, so this is not an ictbot export"),
    (
        "newer version",
        _set(["version"], 3),
        "version: 3 is not a version this ictbot reads (1 or 2); it was written by a newer ictbot",
    ),
    ("version as text", _set(["version"], "2"), "version: must be a whole number (1 or 2), not the text '2'"),
    ("missing field", _drop(["projects", 0, "owner"]), "projects[0].owner: is missing"),
    ("missing section", _drop(["meetings"]), "meetings: is missing"),
    ("unknown field", _set(["projects", 1, "colour"], "red"), "projects[1].colour: is not a field of an ictbot export"),
    (
        "bad status",
        _set(["projects", 3, "status"], "done"),
        "projects[3].status: 'done' is not one of planned, active, on_hold, complete, closed",
    ),
    (
        "bad rag",
        _set(["updates", 0, "revisions", 1, "rag"], "purple"),
        "updates[0].revisions[1].rag: 'purple' is not one of red, amber, green",
    ),
    ("number as text", _set(["updates", 0, "id"], "12"), "updates[0].id: must be a whole number, not the text '12'"),
    (
        "naive time",
        _set(["updates", 0, "created_at"], "2026-11-24T11:00:00"),
        "updates[0].created_at: '2026-11-24T11:00:00' has no time zone; give it in UTC",
    ),
    (
        "bad date",
        _set(["closures", 0, "day"], "9 March"),
        "closures[0].day: '9 March' is not a date such as 2026-11-24",
    ),
    ("too long", _set(["projects", 0, "ref"], "X" * 33), "projects[0].ref: is longer than 32 characters"),
    ("empty owner", _set(["projects", 0, "owner"], ""), "projects[0].owner: must not be empty"),
    (
        "dangling update",
        _set(["updates", 0, "project_ref"], "NOPE-01"),
        "updates[0].project_ref: 'NOPE-01' is not the ref of a project in the export",
    ),
    (
        "dangling priority",
        _set(["projects", 0, "priority_code"], "ZZ"),
        f"projects[0].priority_code: 'ZZ' is not a priority of {REFRESHED['name']!r} (it has CLOUD, ARCH)",
    ),
    (
        "dangling strategy",
        _set(["projects", 0, "strategy"], "Nope"),
        "projects[0].strategy: 'Nope' is not one of the export's strategies",
    ),
    (
        "dangling meeting",
        _set(["reminders", 0, "meeting"], "2026-12-09"),
        "reminders[0].meeting: 2026-12-09 is not the occurrence of a meeting in the export",
    ),
    (
        "dangling history",
        _set(["history", 0, "project_ref"], "NOPE-01"),
        "history[0].project_ref: 'NOPE-01' is not the ref of a project in the export",
    ),
    ("unknown via", _set(["history", 0, "via"], "fax"), "history[0].via: 'fax' is not one of chat, import, backfill"),
    (
        "duplicate project ref",
        _duplicate_project,
        "projects[6]: the project ref 'CLOUD-01' is given twice (also at projects[0])",
    ),
    (
        "revisions out of order",
        _set(["updates", 0, "revisions", 1, "number"], 3),
        "updates[0].revisions[1].number: is 3 where 2 belongs: revisions are numbered 1, 2, 3, … in order",
    ),
    ("no revisions", _set(["updates", 0, "revisions"], []), "updates[0].revisions: must hold at least 1 entry"),
    ("two active strategies", _set(["strategies", 0, "active"], True), "strategies: 2 strategies are active"),
    ("bad rule", _set(["meeting_series", "rrule"], "FREQ=HOURLY"), "meeting_series.rrule: FREQ=HOURLY is not allowed"),
    (
        "bad time zone",
        _set(["meeting_series", "timezone"], "Mars/Olympus"),
        "meeting_series.timezone: 'Mars/Olympus' is not a time zone",
    ),
    (
        "bad region",
        _set(["meeting_series", "holiday_region"], "FR"),
        "meeting_series.holiday_region: 'FR' is not one of ENG, WLS, SCT, NIR",
    ),
    ("empty object", lambda doc: doc.clear(), "format: is missing"),
]


_EXPORTS: dict[str, dict[str, Any]] = {}  # the rich workspace's export, by database


@pytest.fixture
def rich_export(request: pytest.FixtureRequest, db_url: str) -> dict[str, Any]:
    """A copy of the rich workspace's export, built once per database: reading a document needs no database,
    and each bad-document test changes only its own copy."""
    if db_url not in _EXPORTS:
        request.getfixturevalue("rich")
        _EXPORTS[db_url] = exported(request.getfixturevalue("runtime"))
    return copy.deepcopy(_EXPORTS[db_url])


@pytest.mark.parametrize(("change", "message"), [pytest.param(c, m, id=name) for name, c, m in BAD_DOCUMENTS])
def test_a_bad_document_is_refused_with_its_path_and_reason(rich_export, change, message):
    doc = rich_export
    assert doc["projects"][0]["ref"] == "CLOUD-01" and doc["projects"][3]["ref"] == "NET-01"
    change(doc)

    with pytest.raises(restore.InvalidExport) as caught:
        restore.load(json.dumps(doc, ensure_ascii=False))

    assert message in caught.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "it is empty; make one with `ictbot export --format json`."),
        (b'{"format": "ictbot-export",\n "version": 2,,}', "it is not valid JSON: Expecting property name"),
        (
            b"project_ref,project_title,strategy\r\nNET-01,Network,S\r\n",
            "it is CSV, and `ictbot import` reads only the JSON export",
        ),
        (b"\xff\xfe{}", "it is not UTF-8 text"),
        (b"[1, 2]", "it is a list, not the JSON object an ictbot export is"),
    ],
)
def test_a_file_that_is_not_an_export_at_all_says_what_it_is(data, message):
    with pytest.raises(restore.InvalidExport) as caught:
        restore.load(data)
    assert message in caught.value.message
    assert [path for path, _ in caught.value.problems] == [""]


def test_many_problems_are_counted_beyond_the_first_twenty(runtime, rich):
    doc = exported(runtime)
    for u in doc["updates"]:
        for r in u["revisions"]:
            r.update(rag="purple", editor="", progress=5, risks=None)

    with pytest.raises(restore.InvalidExport) as caught:
        restore.load(json.dumps(doc))

    assert len(caught.value.problems) == restore.MAX_PROBLEMS
    assert caught.value.message.endswith("… and 4 more problems")  # six revisions, four problems each
    assert "updates[0].revisions[0].progress: must be text, not the number 5" in caught.value.message


def test_channel_and_message_ids_may_be_as_long_as_their_columns(runtime, engine, rich):
    """A Teams conversation id is far longer than a Slack channel ID: the lengths are the columns'."""
    doc = exported(runtime)
    conversation = "19:" + "a" * 230 + "@thread.tacv2"
    doc["meeting_series"]["channel_id"] = doc["digest_posts"][0]["channel_id"] = conversation
    doc["reminders"][0]["channel_id"], doc["reminders"][0]["message_ts"] = conversation, "1" * 255
    wipe(engine)

    restore_text(runtime, json.dumps(doc))

    again = exported(runtime)
    assert again["meeting_series"]["channel_id"] == again["digest_posts"][0]["channel_id"] == conversation
    assert (again["reminders"][0]["channel_id"], again["reminders"][0]["message_ts"]) == (conversation, "1" * 255)
    doc["digest_posts"][0]["channel_id"] = "C" * 256
    with pytest.raises(restore.InvalidExport, match=r"digest_posts\[0\]\.channel_id: is longer than 255 characters"):
        restore.load(json.dumps(doc))


# -- the restored bot carries on where the old one stopped ----------------------------------------------


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """As in test_reminders: the default series from 1 Nov 2026, with a governance channel."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.set_channel(session, ws, CHANNEL, now=clock.now, by=ADMIN, default_timezone="Europe/London")
    return workplan


def slack_reconciler(runtime: Runtime, standin: SlackStandIn, holder: str) -> Reconciler:
    client = web_client(BOT_TOKEN, standin.api_url)
    return Reconciler(runtime, SlackDelivery(client), holder=holder, workers=2, post_digest=SlackDigestDelivery(client))


def test_after_a_restore_the_reminders_and_digest_already_sent_are_not_sent_again(
    runtime, engine, standin, calendar, clock
):
    clock.now = at("2026-12-07 12:00")  # the 1d reminders, the chairs' notice and the digest, all due
    report = slack_reconciler(runtime, standin, "old-server").tick(clock.now)
    assert (report.sent, report.digests_sent) == (4, 1)
    sent = len(standin.calls_to("chat.postMessage"))
    doc = exported(runtime, standin.team_id)
    wipe(engine)
    restore_text(runtime, json.dumps(doc))
    standin.clear()

    clock.now = at("2026-12-07 12:01")
    report = slack_reconciler(runtime, standin, "new-server").tick(clock.now)

    assert (report.sent, report.digests_sent, report.failed) == (0, 0, 0)
    assert standin.calls_to("chat.postMessage") == [] and sent > 0
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 4
        assert session.scalar(select(func.count()).select_from(DigestPost)) == 1


def test_without_the_reminder_history_the_restored_bot_would_send_them_again(runtime, engine, standin, calendar, clock):
    """The control for the test above: it is the history in the export that stops a second send."""
    clock.now = at("2026-12-07 12:00")
    slack_reconciler(runtime, standin, "old-server").tick(clock.now)
    doc = exported(runtime, standin.team_id)
    doc["reminders"], doc["digest_posts"] = [], []
    wipe(engine)
    restore_text(runtime, json.dumps(doc))

    clock.now = at("2026-12-07 12:01")
    report = slack_reconciler(runtime, standin, "new-server").tick(clock.now)

    assert (report.sent, report.digests_sent) == (4, 1)


def test_restored_updates_keep_their_times_for_the_reminders(runtime, engine, rich):
    """An update restored with its original time still counts for its period: no reminder for it."""
    first = exported(runtime)
    wipe(engine)
    restore_text(runtime, json.dumps(first))
    with runtime.sessions() as session:
        times = sorted(session.scalars(select(ProgressUpdate.created_at)))
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        stale = {p.ref for p, _ in reminders.stale_projects(session, ws, at("2026-12-01 00:00"))}
    assert times == sorted(datetime.fromisoformat(u["created_at"]) for u in first["updates"])
    assert "MOB-01" not in stale and "PCI-01" not in stale and "EFORM-01" in stale


def test_the_committee_paper_travels_and_its_sign_off_still_holds(runtime, engine, rich):
    doc = exported(runtime)
    assert [(n["section"], n["number"], n["author"]) for n in doc["narrative"]] == [
        ("CLOUD", 1, CHAIR),
        ("CLOUD", 2, ADMIN),
    ]
    assert doc["report_settings"] == {**doc["report_settings"], "committee": "Audit Committee", "show_rag": False}
    assert [s["user_id"] for s in doc["signoffs"]] == [CHAIR]
    wipe(engine)
    with runtime.sessions.begin() as session:
        restore.restore(session, restore.load(json.dumps(doc)))
    assert comparable(exported(runtime)) == comparable(doc)
    with runtime.unit(TEAM) as (session, ws):
        shown = paper.draft(session, ws, now=runtime.now(), default_timezone="Europe/London")
    # Restored ids differ; the approved paper is the same paper.
    assert shown.changed_before is None and shown.period.start == date(2026, 10, 1)


def test_the_chairs_user_group_travels_with_the_export(runtime, engine, rich):
    with runtime.sessions.begin() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        ws.chair_usergroup_id = "S0CHAIRS"
    first = exported(runtime)
    assert first["workspace"]["chair_usergroup_id"] == "S0CHAIRS"
    wipe(engine)

    restore_text(runtime, json.dumps(first).encode())

    with runtime.sessions() as session:
        restored = workspaces.find(session, TEAM)
        assert restored is not None and restored.chair_usergroup_id == "S0CHAIRS"


def test_the_meetings_decisions_and_actions_travel_with_their_meeting_and_project(runtime, engine, rich):
    doc = exported(runtime)
    assert [(d["meeting"], d["project_ref"], d["recorded_by"]) for d in doc["decisions"]] == [
        ("2026-12-08", "CLOUD-01", CHAIR),
        ("2026-12-08", None, CHAIR),
    ]
    assert [(a["owner"], a["status"], a["done_note"], a["project_ref"]) for a in doc["actions"]] == [
        (OWNER, "closed", "Sent – «all»", "NET-01"),
        (DEPUTY, "open", "", None),
    ]
    wipe(engine)
    with runtime.sessions.begin() as session:
        restore.restore(session, restore.load(json.dumps(doc)))
    assert comparable(exported(runtime)) == comparable(doc)
    with runtime.unit(TEAM) as (session, ws):
        (open_action,) = actions.open_for(session, ws, None)
    assert (open_action.owner, open_action.meeting_day, open_action.text) == (
        DEPUTY,
        date(2026, 12, 8),
        "Brief the board",
    )


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        ("actions", "meeting", "2026-12-09", "is not the occurrence of a meeting in the export"),
        ("decisions", "project_ref", "NOPE-1", "is not the ref of a project in the export"),
    ],
)
def test_a_decision_or_action_naming_what_the_export_lacks_is_refused(runtime, rich, section, field, value, message):
    doc = exported(runtime)
    doc[section][0][field] = value
    with pytest.raises(restore.InvalidExport) as err:
        restore.load(json.dumps(doc))
    assert any(path == f"{section}[0].{field}" and message in why for path, why in err.value.problems)
