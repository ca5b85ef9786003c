"""Reminders before each meeting: who gets one, when, exactly once, and what the buttons do."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bot.scheduling.reconciler import Reconciler
from bot.scheduling.turns import CONFIRM_TRIES
from bot.services import claims, meetings, reminders, roles, updates, workspaces
from bot.services import projects as project_service
from bot.services.quickform import UpdateText
from handlers.slack.blocks.rich_text import MAX_MESSAGE_SIZE, block_size
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import NO_CHANGE_ACTION, POST_UPDATE_ACTION, SNOOZE_ACTION, SlackDelivery
from models import Meeting, ProgressUpdate, Rag, Role, UpdateSource
from models.scheduling import Reminder, ReminderStatus
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER
from tests.helpers import last_reply, opened_view, shown

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """A local Europe/London wall time as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The default series materialised on 1 Nov 2026, so the 10 Nov meeting starts the Dec period."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


@pytest.fixture
def reconciler(runtime, standin):
    delivery = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    return Reconciler(runtime, delivery, holder="test-a", workers=4)


def tick_at(reconciler, clock, when):
    """A pass at ``when``, with the runtime's clock reading ``when`` too (as in production)."""
    clock.now = when
    return reconciler.tick(when)


def post(runtime, team, ref, user, when, rag=Rag.GREEN):
    with runtime.sessions.begin() as session:
        ws = runtime_ws(session, team)
        project = project_service.get(session, ws, ref)
        updates.post(
            session,
            ws,
            project,
            user_id=user,
            is_admin=True,
            text=UpdateText(rag=rag, progress="done"),
            source=UpdateSource.COMMAND,
            now=when,
        )


def runtime_ws(session, team):
    return workspaces.find(session, team)


def dms(standin) -> dict[str, list[str]]:
    """Who got a direct message (the stand-in's DM with U0X is D0X), and each message's text."""
    out: dict[str, list[str]] = {}
    for call in standin.calls_to("chat.postMessage"):
        user = "U" + call.params["channel"].removeprefix("D")
        text = shown({"blocks": call.params["blocks"]})
        out.setdefault(user, []).append(text)
    return out


def refs_in(text: str) -> list[str]:
    return sorted({w.strip("*") for w in text.split() if w.startswith("*") and "-0" in w})


def test_nothing_is_sent_before_the_first_stage(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-01 09:29"))
    assert report.sent == 0 and not standin.calls_to("chat.postMessage")


def test_each_stale_owner_and_delegate_gets_one_message_listing_all_their_projects(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-01 09:30"))
    assert report.sent == 3
    got = dms(standin)
    assert {u: refs_in(t[0]) for u, t in got.items()} == {
        OWNER: ["MOB-01", "NET-01"],
        DELEGATE: ["EFORM-01", "NET-01", "TRN-01"],
        ADMIN: ["PCI-01"],
    }
    assert "The ICT governance group meets on *8 Dec 2026 10:00*" in got[OWNER][0]
    assert "since the last meeting (10 Nov 2026 10:00)" in got[OWNER][0]


def test_a_second_tick_sends_nothing_again(reconciler, calendar, standin):
    reconciler.tick(at("2026-12-01 09:30"))
    report = reconciler.tick(at("2026-12-01 09:31"))
    assert report.sent == 0 and len(standin.calls_to("chat.postMessage")) == 3


def test_an_owner_who_has_updated_everything_gets_nothing(runtime, reconciler, calendar, standin):
    post(runtime, standin.team_id, "NET-01", OWNER, at("2026-11-20 12:00"))
    post(runtime, standin.team_id, "MOB-01", OWNER, at("2026-11-05 12:00"))  # before the last meeting: stale
    reconciler.tick(at("2026-12-01 09:30"))
    got = dms(standin)
    assert refs_in(got[OWNER][0]) == ["MOB-01"]
    assert refs_in(got[DELEGATE][0]) == ["EFORM-01", "TRN-01"]


def test_a_missed_stage_is_superseded_by_the_later_one(reconciler, calendar, standin, runtime):
    report = reconciler.tick(at("2026-12-07 09:30"))  # the process was down on 1 December
    assert report.sent == 3 + 1  # three owners once each, and the chair's notice (the admin stands in)
    with runtime.sessions() as s:
        stages = sorted({r.stage for r in s.scalars(select(Reminder))})
    assert stages == ["1d@0930", "chair"]


def test_later_stage_reminds_those_still_stale(reconciler, calendar, standin, runtime):
    reconciler.tick(at("2026-12-01 09:30"))
    post(runtime, standin.team_id, "PCI-01", ADMIN, at("2026-12-02 12:00"))
    standin.clear()
    reconciler.tick(at("2026-12-07 09:30"))
    owners = {u for u, msgs in dms(standin).items() for m in msgs if "meets on" in m}
    assert owners == {OWNER, DELEGATE}


def test_a_reminder_whose_meeting_has_started_is_dropped(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-08 10:00"))
    assert report.sent == 0 and not standin.calls_to("chat.postMessage")


def test_bank_holiday_before_the_meeting_moves_the_day_before_stage(runtime, standin, workplan, clock):
    """Meeting Tue 8 May 2029; Mon 7 May is the Early May bank holiday, so 1 working day before is Fri 4."""
    clock.now = at("2029-04-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meeting = session.scalar(select(Meeting).where(Meeting.starts_at == at("2029-05-08 10:00")))
        assert meeting is not None

        def stages(when: str) -> set[str]:
            due = reminders.due(session, ws, now=at(when), env_admins=runtime.settings.admins_for(ws.external_id))
            return {d.stage for d in due if d.meeting_id == meeting.id}

        assert stages("2029-04-30 09:29") == set()
        assert stages("2029-04-30 09:30") == {"5d@0930"}  # Mon 30 Apr: five working days before
        assert stages("2029-05-04 09:29") == {"5d@0930"}
        assert stages("2029-05-04 09:30") == {"1d@0930", "chair"}  # Fri 4 May, not the bank holiday


def reminder_rows(runtime):
    with runtime.sessions() as s:
        return s.scalars(select(Reminder).order_by(Reminder.id)).all()


def button(message_blocks, action_id, ref=None):
    for block in message_blocks:
        if block["type"] == "actions":
            for element in block["elements"]:
                if element["action_id"] == action_id and (ref is None or block["block_id"] == f"reminder-{ref}"):
                    return element
    raise AssertionError(f"no {action_id} button")


def owner_message(standin, user=OWNER):
    call = next(c for c in standin.calls_to("chat.postMessage") if c.params["channel"] == "D" + user[1:])
    return call.params["blocks"]


def test_the_chair_gets_the_missing_projects_the_working_day_before(runtime, reconciler, calendar, standin):
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by=ADMIN, now=runtime.now())
    post(runtime, standin.team_id, "PCI-01", ADMIN, at("2026-12-03 12:00"))
    reconciler.tick(at("2026-12-07 09:30"))
    notice = dms(standin)["U0CHAIR"][0]
    assert (
        "*ICT governance group, 8 Dec 2026 10:00*: 4 active projects still have no update since 10 Nov 2026" in notice
    )
    assert f"• *NET-01* Council network refresh — <@{OWNER}>" in notice and "PCI-01" not in notice


def test_moved_and_cancelled_meetings(runtime, reconciler, calendar, standin, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.move(
            session,
            ws,
            at("2026-12-08 10:00").date(),
            at("2026-12-15 10:00").date(),
            None,
            now=clock.now,
            by=ADMIN,
            default_timezone="Europe/London",
        )
    assert reconciler.tick(at("2026-12-01 09:30")).sent == 0  # five working days before the 15th is the 8th
    assert reconciler.tick(at("2026-12-08 09:30")).sent == 3
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.cancel(
            session, ws, at("2027-01-12 10:00").date(), now=clock.now, by=ADMIN, default_timezone="Europe/London"
        )
    standin.clear()
    assert reconciler.tick(at("2027-01-05 09:30")).sent == 0  # the cancelled January meeting chases nobody


def test_stage_times_follow_local_time_across_the_october_clock_change(runtime, standin, workplan, clock):
    """Last-Tuesday meetings: 27 Oct 2026 is after the change (GMT), its 5-day stage on 20 Oct is still BST."""
    clock.now = at("2026-10-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.set_series(
            session, ws, now=clock.now, by=ADMIN, default_timezone="Europe/London", rrule="FREQ=MONTHLY;BYDAY=-1TU"
        )
        meeting = session.scalar(select(Meeting).where(Meeting.starts_at == datetime(2026, 10, 27, 10, tzinfo=UTC)))
        assert meeting is not None

        def stages(when: datetime) -> set[str]:
            return {d.stage for d in reminders.due(session, ws, now=when) if d.meeting_id == meeting.id}

        assert stages(datetime(2026, 10, 20, 8, 29, tzinfo=UTC)) == set()
        assert stages(datetime(2026, 10, 20, 8, 30, tzinfo=UTC)) == {"5d@0930"}  # 09:30 BST
        assert stages(datetime(2026, 10, 26, 9, 30, tzinfo=UTC)) == {"1d@0930"}  # 09:30 GMT


def test_post_update_button_opens_the_modal_on_that_project(runtime, reconciler, calendar, standin, slack):
    reconciler.tick(at("2026-12-01 09:30"))
    value = button(owner_message(standin), POST_UPDATE_ACTION, calendar["MOB-01"])["value"]
    slack.button(POST_UPDATE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    view = opened_view(standin)
    project = next(b for b in view["blocks"] if b.get("block_id") == "project")["element"]
    assert project["initial_option"]["text"]["text"] == "MOB-01 — Mobile carrier cut-across"
    response = slack.submit_view(
        view, {"project": str(calendar["MOB-01"]), "rag": "green", "progress": "Cut over"}, user_id=OWNER
    )
    assert json.loads(response.body)["response_action"] == "update"
    with runtime.sessions() as s:
        assert s.scalars(select(ProgressUpdate.source)).one() is UpdateSource.REMINDER


def test_no_change_button_carries_the_last_rag_forward_once(runtime, reconciler, calendar, standin, slack, clock):
    post(runtime, standin.team_id, "MOB-01", OWNER, at("2026-10-20 12:00"), rag=Rag.AMBER)
    reconciler.tick(at("2026-12-01 09:30"))
    clock.now = at("2026-12-01 10:00")
    value = button(owner_message(standin), NO_CHANGE_ACTION, calendar["MOB-01"])["value"]
    slack.button(NO_CHANGE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    assert "Recorded *no change this month* for *MOB-01*: :large_orange_circle: Amber carried forward." in shown(
        last_reply(standin)
    )
    slack.button(NO_CHANGE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    assert "was already updated on" in shown(last_reply(standin))
    with runtime.sessions() as s:
        rows = s.scalars(select(ProgressUpdate).order_by(ProgressUpdate.id)).all()
        assert len(rows) == 2 and rows[-1].source is UpdateSource.REMINDER and rows[-1].current.rag is Rag.AMBER
        assert (
            rows[-1].current.progress == "No change this month: status carried forward from the update of 20 Oct 2026."
        )


def test_no_change_without_an_earlier_update_explains(runtime, reconciler, calendar, standin, slack):
    reconciler.tick(at("2026-12-01 09:30"))
    value = button(owner_message(standin), NO_CHANGE_ACTION, calendar["NET-01"])["value"]
    slack.button(NO_CHANGE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    assert "`NET-01` has no earlier update to carry forward" in shown(last_reply(standin))


def test_remind_me_tomorrow(runtime, reconciler, calendar, standin, slack, clock):
    reconciler.tick(at("2026-12-01 09:30"))
    clock.now = at("2026-12-01 11:00")
    slack.button(
        SNOOZE_ACTION, button(owner_message(standin), SNOOZE_ACTION)["value"], user_id=OWNER, channel_id="D0OWNER"
    )
    assert "I'll remind you again on 2 Dec 2026 09:30." in shown(last_reply(standin))
    standin.clear()
    assert reconciler.tick(at("2026-12-02 09:29")).sent == 0
    assert reconciler.tick(at("2026-12-02 09:30")).sent == 1 and list(dms(standin)) == [OWNER]
    assert reconciler.tick(at("2026-12-02 09:31")).sent == 0


def test_remind_me_tomorrow_with_nothing_due_says_so_and_schedules_nothing(
    runtime, reconciler, calendar, standin, slack, clock
):
    reconciler.tick(at("2026-12-01 09:30"))
    for ref in ("MOB-01", "NET-01"):  # the owner catches up on both projects in the reminder
        post(runtime, standin.team_id, ref, OWNER, at("2026-12-01 10:00"))
    clock.now = at("2026-12-01 11:00")

    slack.button(
        SNOOZE_ACTION, button(owner_message(standin), SNOOZE_ACTION)["value"], user_id=OWNER, channel_id="D0OWNER"
    )

    assert shown(last_reply(standin)) == (
        ":white_check_mark: You're up to date: each of your projects has an update for this meeting, "
        "so there is nothing to remind you of."
    )
    assert [r.stage for r in reminder_rows(runtime) if r.user_id == OWNER] == ["5d@0930"]  # nothing scheduled


def test_a_remind_me_tomorrow_is_rolled_back_with_the_request_that_asked(runtime, calendar, standin, clock):
    """Its row is the request's first write: on SQLite a savepoint around it would have committed it alone."""
    clock.now = at("2026-12-01 11:00")
    with runtime.sessions() as session:
        meeting_id = session.scalars(select(Meeting.id).order_by(Meeting.starts_at)).all()[1]  # 8 Dec

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), runtime.sessions.begin() as session:
        ws = runtime_ws(session, standin.team_id)
        assert reminders.snooze(session, ws, meeting_id=meeting_id, user_id=OWNER, now=clock.now) is not None
        raise Abandoned
    assert reminder_rows(runtime) == []


def test_a_claim_left_by_a_dead_process_is_retried_once_after_the_timeout(runtime, calendar, standin, clock):
    def dies(item):
        raise SystemError("killed between claim and send")

    crashed = Reconciler(runtime, dies, holder="crashed")
    assert tick_at(crashed, clock, at("2026-12-01 09:30")).retrying == 3
    assert {r.status for r in reminder_rows(runtime)} == {ReminderStatus.CLAIMED}
    survivor = Reconciler(runtime, SlackDelivery(web_client(BOT_TOKEN, standin.api_url)), holder="b")
    later = at("2026-12-01 09:30") + reminders.CLAIM_TIMEOUT
    assert tick_at(survivor, clock, later - timedelta(minutes=1)).sent == 0  # the claims may still be in flight
    assert tick_at(survivor, clock, later + timedelta(minutes=1)).sent == 3
    assert {r.status for r in reminder_rows(runtime)} == {ReminderStatus.SENT}
    assert all(r.attempts == 2 for r in reminder_rows(runtime))
    # Each retry looked in the DM first (the crashed process had posted nothing), then posted.
    assert len(standin.calls_to("conversations.history")) == 3
    assert {r.settlement for r in reminder_rows(runtime)} == {"not in history; posted"}


def test_a_claim_that_fails_again_is_recorded_as_failed(runtime, calendar, standin, clock):
    def dies(item):
        raise SystemError("boom")

    tick_at(Reconciler(runtime, dies, holder="a"), clock, at("2026-12-01 09:30"))
    tick_at(Reconciler(runtime, dies, holder="a"), clock, at("2026-12-01 09:45"))  # retried once, fails again
    tick_at(Reconciler(runtime, dies, holder="a"), clock, at("2026-12-01 10:00"))
    assert {(r.status, r.attempts) for r in reminder_rows(runtime)} == {(ReminderStatus.FAILED, 2)}


def test_a_permanent_slack_error_is_recorded_and_shown_to_the_chair(runtime, reconciler, calendar, standin):
    standin.fail("conversations.open", error="user_not_found")
    report = reconciler.tick(at("2026-12-01 09:30"))
    assert (report.sent, report.failed) == (2, 1)
    failed = [r for r in reminder_rows(runtime) if r.status is ReminderStatus.FAILED]
    assert len(failed) == 1 and failed[0].error == "user_not_found"
    standin.clear()
    reconciler.tick(at("2026-12-07 09:30"))
    notice = next(m for m in dms(standin)[ADMIN] if m.startswith("*ICT governance group"))
    assert f"1 reminder could not be delivered:\n• <@{failed[0].user_id}>: `user_not_found`" in notice


def test_slack_429_is_honoured_and_503_retried(runtime, reconciler, calendar, standin):
    standin.fail("chat.postMessage", status=429, retry_after=1)
    standin.fail("chat.postMessage", status=503)
    report = reconciler.tick(at("2026-12-01 09:30"))
    assert report.sent == 3
    faults = [c.params.get("_fault") for c in standin.calls_to("chat.postMessage")]
    assert sorted(f for f in faults if f) == [429, 503] and len(faults) == 5


def test_two_reconcilers_on_one_database_send_each_reminder_once(runtime, calendar, standin, clock):
    delivery = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    a = Reconciler(runtime, delivery, holder="a")
    b = Reconciler(runtime, delivery, holder="b")
    barrier = threading.Barrier(2)
    reports = {}

    clock.now = at("2026-12-01 09:30")

    def run(name, reconciler):
        barrier.wait()
        reports[name] = reconciler.tick(at("2026-12-01 09:30"))

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.sent for r in reports.values()) == [0, 3]
    assert sorted(len(v) for v in dms(standin).values()) == [1, 1, 1]
    # The pass gave the lease back as it ended: the other reconciler's next pass takes it, and sends
    # nothing twice; later it sends what is due then.
    holder = next(n for n, r in reports.items() if r.sent)
    other = b if holder == "a" else a
    again = tick_at(other, clock, at("2026-12-01 09:31"))
    assert again.held_lease and again.sent == 0
    assert tick_at(other, clock, at("2026-12-07 09:30")).sent == 3 + 1


def test_a_long_send_phase_keeps_its_claims_and_nothing_is_sent_twice(runtime, calendar, standin, clock):
    """A slow tick outlasts the claim time-out: it confirms the claims it has not reached yet again as it goes,
    so the second process's tick takes none of them over, and each person gets one message."""
    start = at("2026-12-01 09:30")
    clock.now = start
    slack = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    other = Reconciler(runtime, slack, holder="b", workers=1)
    sent_by_a: list[str] = []

    def slow(item):  # each send takes six minutes of the (fake) clock
        clock.now += timedelta(minutes=6)
        if len(sent_by_a) == 1:  # while the second is in flight, the other process ticks
            other.tick(clock.now)
        sent_by_a.append(item.user_id)
        return slack(item)

    Reconciler(runtime, slow, holder="a", workers=1).tick(start)
    posts = [c.params["channel"] for c in standin.calls_to("chat.postMessage")]
    assert sorted(posts) == ["D0ADMIN", "D0DELEG", "D0OWNER"]  # three people, one message each
    assert len(sent_by_a) == 3


def test_claims_another_process_took_meanwhile_are_not_sent(runtime, calendar, standin, clock):
    """Confirming again before a send, after a slow one, finds the claims another process has taken over
    meanwhile (as after a stall past the time-out): those are left to it."""
    start = at("2026-12-01 09:30")
    clock.now = start
    slack = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    sent_by_a: list[str] = []

    def slow_then_taken_over(item):
        if not sent_by_a:
            clock.now += timedelta(minutes=6)
            with runtime.sessions.begin() as session:  # what process b's takeover writes (claims.retake)
                session.execute(
                    update(Reminder)
                    .where(Reminder.user_id != item.user_id)
                    .values(claimed_by="b", claimed_at=clock.now)
                )
        sent_by_a.append(item.user_id)
        return slack(item)

    report = Reconciler(runtime, slow_then_taken_over, holder="a", workers=1).tick(start)
    assert len(sent_by_a) == 1 and len(standin.calls_to("chat.postMessage")) == 1
    assert sorted(o.error or "sent" for _, o in report.outcomes) == [
        "sent",
        "taken over by another process",
        "taken over by another process",
    ]
    with runtime.sessions() as session:
        assert sorted(session.scalars(select(Reminder.claimed_by))) == ["a", "b", "b"]


def test_a_failure_to_confirm_the_rest_of_a_slow_batch_again_leaves_it_for_the_retry(
    runtime, calendar, standin, clock, monkeypatch
):
    """The database refuses the second confirmation of a slow batch: the rest is not sent, the pass goes on to
    its end, and the retry after the claim time-out sends each of the rest once (nothing twice)."""
    start = at("2026-12-01 09:30")
    clock.now = start
    slack = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    confirmations = []
    real_confirm = claims.confirm_many

    def confirm_many(*args, **kwargs):
        confirmations.append(args[2])
        if len(confirmations) == 2:
            raise OperationalError("UPDATE reminder", {}, Exception("database is locked"))
        return real_confirm(*args, **kwargs)

    def slow(item):  # six minutes of the (fake) clock: past half the claim time-out
        clock.now += timedelta(minutes=6)
        return slack(item)

    monkeypatch.setattr(claims, "confirm_many", confirm_many)
    report = Reconciler(runtime, slow, holder="a", workers=1).tick(start)
    assert len(confirmations) == 2 and len(standin.calls_to("chat.postMessage")) == 1
    assert sorted(o.error or "sent" for _, o in report.outcomes) == ["OperationalError", "OperationalError", "sent"]

    monkeypatch.setattr(claims, "confirm_many", real_confirm)
    retry = tick_at(Reconciler(runtime, slack, holder="b"), clock, clock.now + reminders.CLAIM_TIMEOUT)
    assert retry.sent == 2
    posts = [c.params["channel"] for c in standin.calls_to("chat.postMessage")]
    assert sorted(posts) == ["D0ADMIN", "D0DELEG", "D0OWNER"]  # three people, one message each


@pytest.mark.parametrize("refusals", [1, CONFIRM_TRIES])
def test_a_batch_whose_claims_cannot_be_confirmed_is_tried_again_then_left_for_the_retry(
    runtime, calendar, standin, clock, monkeypatch, refusals
):
    """The database refuses a batch's first confirmation (SQLite busy with other writers): the batch is tried
    again at its next turns and sent; refused every time, none of it is sent, the pass still ends, and the
    retry after the claim time-out sends each once."""
    clock.now = at("2026-12-01 09:30")
    slack = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    real_confirm = claims.confirm_many
    refused = []

    def confirm_many(*args, **kwargs):
        if len(refused) < refusals:
            refused.append(args[2])
            raise OperationalError("UPDATE reminder", {}, Exception("database is locked"))
        return real_confirm(*args, **kwargs)

    monkeypatch.setattr(claims, "confirm_many", confirm_many)
    report = Reconciler(runtime, slack, holder="a", workers=1).tick(clock.now)
    gave_up = refusals == CONFIRM_TRIES
    assert len(standin.calls_to("chat.postMessage")) == (0 if gave_up else 3)
    assert sorted(o.error or "sent" for _, o in report.outcomes) == 3 * ["OperationalError" if gave_up else "sent"]

    monkeypatch.setattr(claims, "confirm_many", real_confirm)
    later = clock.now + reminders.CLAIM_TIMEOUT + timedelta(minutes=1)
    retry = tick_at(Reconciler(runtime, slack, holder="b"), clock, later)
    assert retry.sent == (3 if gave_up else 0)
    posts = [c.params["channel"] for c in standin.calls_to("chat.postMessage")]
    assert sorted(posts) == ["D0ADMIN", "D0DELEG", "D0OWNER"]  # three people, one message each


def test_every_reminder_payload_is_valid_block_kit_even_for_thirty_projects(runtime, reconciler, calendar, standin):
    from slack_sdk.models.blocks import Block

    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(30):
            project_service.add(
                session,
                ws,
                ref=f"BULK-{i:02d}",
                title=f"Bulk project {i} " + "x" * 150,
                priority="BD",
                owner=OWNER,
                now=runtime.now(),
            )
    reconciler.tick(at("2026-12-07 09:30"))  # owners' last stage and the chair's notice
    posts = standin.calls_to("chat.postMessage")
    assert posts
    for call in posts:
        blocks = call.params["blocks"]
        assert len(blocks) <= 50
        for block in blocks:
            Block.parse(block).validate_json()  # slack_sdk enforces Slack's field limits
        assert sum(block_size(b) for b in blocks) <= MAX_MESSAGE_SIZE  # what one message may hold
    [owner] = [c.params for c in posts if c.params["channel"] == "D" + OWNER[1:] and "meets on" in c.params["text"]]
    text = shown(owner)
    with_buttons = [b["block_id"] for b in owner["blocks"] if b.get("block_id", "").startswith("reminder-")][:-1]
    named = re.search(r"…and (\d+) more without an update: (.*)\. Post those with", text)
    assert named is not None and int(named[1]) + len(with_buttons) == 32  # 30 BULK, MOB-01 and NET-01
    assert text.count("*BULK-") == len(with_buttons) > 10  # each project shown has its own buttons
    assert named[2].endswith("BULK-29, MOB-01, NET-01")  # the rest named, none dropped


def test_outcomes_the_database_refuses_leave_the_claims_and_the_retry_finds_the_messages(
    runtime, reconciler, calendar, standin, clock, monkeypatch
):
    """Recording a batch's outcomes fails (the database is locked): the pass goes on, the claims stay, and their
    retry after the time-out finds each message in the DM instead of sending it again."""
    recorded = claims.record_many

    def locked(*_args, **_kwargs):
        raise OperationalError("UPDATE reminder", {}, Exception("database is locked"))

    monkeypatch.setattr(claims, "record_many", locked)
    first = tick_at(reconciler, clock, at("2026-12-01 09:30"))
    assert first.held_lease and first.sent == 3
    with runtime.sessions() as session:
        assert set(session.scalars(select(Reminder.status))) == {ReminderStatus.CLAIMED}
    monkeypatch.setattr(claims, "record_many", recorded)

    retry = tick_at(reconciler, clock, at("2026-12-01 09:30") + reminders.CLAIM_TIMEOUT + timedelta(minutes=1))
    assert retry.sent == 3 and {o.settled for _, o in retry.outcomes} == {"found in history"}
    assert len(standin.calls_to("chat.postMessage")) == 3  # one each, never again
    with runtime.sessions() as session:
        assert set(session.scalars(select(Reminder.status))) == {ReminderStatus.SENT}
