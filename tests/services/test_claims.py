"""The claim protocol, called directly: a claim is inserted exactly once however many race for it, the
outcome of a send is recorded only by the claim's holder, and the retries that sent again without a
look (RESENT) are found for the admins, per workspace."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.services import claims
from models import Meeting, MeetingStatus
from models.scheduling import DigestPost, Reminder, ReminderKind, ReminderStatus
from tests.conftest import DELEGATE, OWNER, START
from tests.helpers import RACERS, count, race, together_at

TEAM = "T0COUNCIL"
OTHER_TEAM = "T0ELSEWHERE"
DUE = START + timedelta(days=7)
LATER = START + timedelta(minutes=3)


class RolledBack(Exception):
    """Something after the claim failed: its transaction is rolled back."""


def new_meeting(runtime: Runtime, team: str = TEAM, day: date = date(2026, 12, 8)) -> tuple[int, int]:
    """A meeting of ``team``'s: (workspace id, meeting id)."""
    with runtime.unit(team) as (session, ws):
        meeting = Meeting(
            workspace_id=ws.id,
            occurrence=day,
            starts_at=datetime.combine(day, START.timetz()),
            status=MeetingStatus.SCHEDULED,
            updated_at=START,
        )
        session.add(meeting)
        session.flush()
        return ws.id, meeting.id


def reminder(
    where: tuple[int, int],
    *,
    user: str = OWNER,
    stage: str = "5d",
    holder: str | None = "a",
    due: datetime = DUE,
    status: ReminderStatus = ReminderStatus.CLAIMED,
    settlement: str | None = None,
) -> Reminder:
    ws_id, meeting_id = where
    return Reminder(
        workspace_id=ws_id,
        meeting_id=meeting_id,
        user_id=user,
        kind=ReminderKind.OWNER,
        stage=stage,
        status=status,
        due_at=due,
        attempts=1 if holder else None,
        claimed_by=holder,
        claimed_at=START if holder else None,
        first_claimed_at=START if holder else None,
        settlement=settlement,
    )


def digest_post(where: tuple[int, int], *, holder: str = "a", channel: str = "C0GOVERN") -> DigestPost:
    ws_id, meeting_id = where
    return DigestPost(
        workspace_id=ws_id,
        meeting_id=meeting_id,
        channel_id=channel,
        status=ReminderStatus.CLAIMED,
        due_at=DUE,
        attempts=1,
        claimed_by=holder,
        claimed_at=START,
        first_claimed_at=START,
    )


def insert(runtime: Runtime, row: Reminder | DigestPost) -> int | None:
    with runtime.sessions.begin() as session:
        return claims.insert_once(session, row)


Row = TypeVar("Row", Reminder, DigestPost)


def stored(runtime: Runtime, model: type[Row], row_id: int) -> Row:
    with runtime.sessions() as s:
        row = s.get(model, row_id)
        assert row is not None
        return row


# -- inserting a claim once ---------------------------------------------------------------------------


def test_a_claim_is_inserted_with_its_defaults_and_its_id_returned(runtime):
    where = new_meeting(runtime)
    row_id = insert(runtime, reminder(where, holder=None, status=ReminderStatus.SCHEDULED))

    assert row_id is not None
    row = stored(runtime, Reminder, row_id)
    assert (row.workspace_id, row.meeting_id, row.user_id, row.stage, row.status, row.due_at) == (
        *where,
        OWNER,
        "5d",
        ReminderStatus.SCHEDULED,
        DUE,
    )
    # What was left unset takes the column's default, as an ORM insert would have.
    assert (row.attempts, row.error, row.settlement, row.project_refs, row.claimed_by) == (0, "", "", "", None)


def test_a_claim_whose_key_is_taken_is_not_inserted_and_the_first_is_untouched(runtime):
    where = new_meeting(runtime)
    first = insert(runtime, reminder(where, holder="a"))

    assert insert(runtime, reminder(where, holder="b", due=DUE + timedelta(hours=1))) is None

    assert count(runtime, Reminder) == 1
    assert first is not None
    row = stored(runtime, Reminder, first)
    assert (row.claimed_by, row.due_at) == ("a", DUE)


def test_a_reminder_is_one_per_meeting_person_and_stage(runtime):
    where = new_meeting(runtime)
    other_meeting = new_meeting(runtime, day=date(2027, 1, 12))
    ids = [
        insert(runtime, reminder(where)),
        insert(runtime, reminder(where, stage="1d")),
        insert(runtime, reminder(where, user=DELEGATE)),
        insert(runtime, reminder(other_meeting)),
    ]
    assert None not in ids and len(set(ids)) == 4
    assert insert(runtime, reminder(where, stage="1d", holder="b")) is None


def test_a_digest_post_is_one_per_meeting_whatever_its_channel(runtime):
    where = new_meeting(runtime)
    assert insert(runtime, digest_post(where)) is not None
    assert insert(runtime, digest_post(where, holder="b", channel="C0ELSE")) is None
    assert insert(runtime, digest_post(new_meeting(runtime, day=date(2027, 1, 12)))) is not None
    assert count(runtime, DigestPost) == 2


def test_a_claim_refused_leaves_its_transaction_whole(runtime):
    where = new_meeting(runtime)
    insert(runtime, reminder(where))
    with runtime.sessions.begin() as session:
        assert claims.insert_once(session, reminder(where, holder="b")) is None
        later = claims.insert_once(session, reminder(where, stage="1d", holder="b"))
    assert later is not None and stored(runtime, Reminder, later).claimed_by == "b"


def test_a_claim_goes_with_its_transaction_when_that_is_rolled_back(runtime):
    where = new_meeting(runtime)
    with pytest.raises(RolledBack), runtime.sessions.begin() as session:
        assert claims.insert_once(session, reminder(where)) is not None
        assert claims.insert_once(session, digest_post(where)) is not None
        raise RolledBack
    assert count(runtime, Reminder) == 0 and count(runtime, DigestPost) == 0


@pytest.mark.parametrize(("model", "table"), [(Reminder, "reminder"), (DigestPost, "digest_post")])
def test_racing_claims_on_one_row_insert_it_exactly_once(runtime, engine, model, table):
    where = new_meeting(runtime)
    make = reminder if model is Reminder else digest_post

    def claim(i: int) -> int | None:
        with runtime.sessions.begin() as session:
            return claims.insert_once(session, make(where, holder=f"racer-{i}"))

    with together_at(engine, f"INSERT INTO {table} "):
        ids = race(RACERS, claim)

    won = [i for i, row_id in enumerate(ids) if row_id is not None]
    assert len(won) == 1, ids
    assert count(runtime, model) == 1
    assert stored(runtime, model, ids[won[0]]).claimed_by == f"racer-{won[0]}"  # the winner's claim stands


# -- confirming, recording, dropping ------------------------------------------------------------------


def claimed(runtime: Runtime, **kwargs: object) -> int:
    row_id = insert(runtime, reminder(new_meeting(runtime), **kwargs))  # type: ignore[arg-type]
    assert row_id is not None
    return row_id


def test_the_holder_confirms_its_claim_and_refreshes_it_nobody_else_does(runtime):
    row_id = claimed(runtime, holder="a")
    with runtime.sessions.begin() as session:
        assert not claims.confirm(session, Reminder, row_id, holder="b", now=LATER)
    assert stored(runtime, Reminder, row_id).claimed_at == START
    with runtime.sessions.begin() as session:
        assert claims.confirm(session, Reminder, row_id, holder="a", now=LATER)
    assert stored(runtime, Reminder, row_id).claimed_at == LATER
    with runtime.sessions.begin() as session:
        claims.record(session, Reminder, row_id, holder="a", now=LATER)
        assert not claims.confirm(session, Reminder, row_id, holder="a", now=LATER)  # sent: no longer a claim


def test_a_send_recorded_as_sent(runtime):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.record(session, Reminder, row_id, holder="a", now=LATER, channel_id="D0OWNER", message_ts="1.5")
    row = stored(runtime, Reminder, row_id)
    assert (row.status, row.sent_at, row.error, row.channel_id, row.message_ts, row.attempts) == (
        ReminderStatus.SENT,
        LATER,
        "",
        "D0OWNER",
        "1.5",
        1,
    )


def test_a_permanent_failure_is_recorded_cut_to_200_characters_keeping_where_it_was_posted(runtime):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.record(session, Reminder, row_id, holder="a", now=LATER, error="x" * 300, message_ts="1.5")
    row = stored(runtime, Reminder, row_id)
    assert (row.status, row.error, row.message_ts, row.sent_at) == (ReminderStatus.FAILED, "x" * 200, "1.5", None)


def test_a_transient_failure_keeps_the_claim_for_its_retry(runtime):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.record(session, Reminder, row_id, holder="a", now=LATER, error="ratelimited", permanent=False)
    row = stored(runtime, Reminder, row_id)
    assert (row.status, row.error, row.attempts, row.claimed_by) == (ReminderStatus.CLAIMED, "ratelimited", 1, "a")


def test_a_failure_before_anything_was_sent_does_not_use_up_the_retry(runtime):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.record(
            session, Reminder, row_id, holder="a", now=LATER, error="history: timeout", permanent=False, deferred=True
        )
    row = stored(runtime, Reminder, row_id)
    assert (row.status, row.error, row.attempts) == (ReminderStatus.CLAIMED, "history: timeout", 0)


def test_an_outcome_is_recorded_only_by_the_claim_s_holder(runtime):
    row_id = claimed(runtime, holder="a")
    with runtime.sessions.begin() as session:
        claims.record(session, Reminder, row_id, holder="b", now=LATER, settlement=claims.resent("why"))
    row = stored(runtime, Reminder, row_id)
    assert (row.status, row.sent_at, row.settlement) == (ReminderStatus.CLAIMED, None, "")


def test_a_dropped_claim_says_why_in_at_most_200_characters(runtime):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.drop(session, Reminder, row_id, "the meeting has started " + "." * 300)
    row = stored(runtime, Reminder, row_id)
    assert row.status is ReminderStatus.DROPPED
    assert row.error == ("the meeting has started " + "." * 300)[:200]


# -- sent again without a look (RESENT) ----------------------------------------------------------------


def test_resent_spells_the_settlement_after_the_one_prefix():
    assert claims.resent("history unreadable (missing_scope)") == "resent: history unreadable (missing_scope)"
    assert claims.resent("Teams cannot read history").startswith(claims.RESENT)


@pytest.mark.parametrize("error", [None, "channel_not_found"])
def test_the_settlement_is_kept_whatever_the_outcome(runtime, error):
    row_id = claimed(runtime)
    with runtime.sessions.begin() as session:
        claims.record(
            session, Reminder, row_id, holder="a", now=LATER, error=error, settlement=claims.resent("y" * 300)
        )
    row = stored(runtime, Reminder, row_id)
    assert row.status is (ReminderStatus.SENT if error is None else ReminderStatus.FAILED)
    assert row.settlement == ("resent: " + "y" * 300)[:200]


def settle(runtime: Runtime, row_id: int, model: type[Reminder] | type[DigestPost], settlement: str) -> None:
    with runtime.sessions.begin() as session:
        claims.record(session, model, row_id, holder="a", now=LATER, settlement=settlement)


def test_sent_again_lists_a_workspace_s_resent_rows_due_since_in_order(runtime):
    here = new_meeting(runtime)
    there = new_meeting(runtime, OTHER_TEAM)
    since = DUE - timedelta(days=1)
    rows = {
        "late": (reminder(here, stage="late", due=DUE + timedelta(hours=1)), claims.resent("history unreadable")),
        "early": (reminder(here, stage="early", due=since), claims.resent("Teams cannot read history")),
        "before": (reminder(here, stage="before", due=since - timedelta(seconds=1)), claims.resent("old")),
        "found": (reminder(here, stage="found", due=DUE), "found in history"),
        "quoted": (reminder(here, stage="quoted", due=DUE), "found in history, not resent: x"),
        "plain": (reminder(here, stage="plain", due=DUE), ""),
        "elsewhere": (reminder(there, stage="elsewhere", due=DUE), claims.resent("history unreadable")),
    }
    ids: dict[str, int] = {}
    for name, (row, settlement) in rows.items():
        row_id = insert(runtime, row)
        assert row_id is not None
        settle(runtime, row_id, Reminder, settlement)
        ids[name] = row_id
    digest_id = insert(runtime, digest_post(here))
    assert digest_id is not None
    settle(runtime, digest_id, DigestPost, claims.resent("history unreadable"))

    with runtime.sessions() as session:
        again = claims.sent_again(session, Reminder, here[0], since=since)
        digests = claims.sent_again(session, DigestPost, here[0], since=since)
        elsewhere = claims.sent_again(session, Reminder, there[0], since=since)
        assert claims.sent_again(session, DigestPost, there[0], since=since) == []
        assert claims.sent_again(session, Reminder, here[0], since=DUE + timedelta(hours=2)) == []

    assert [(r.stage, r.settlement) for r in again] == [
        ("early", "resent: Teams cannot read history"),
        ("late", "resent: history unreadable"),
    ]
    assert [d.id for d in digests] == [digest_id]
    assert [r.id for r in elsewhere] == [ids["elsewhere"]]


def test_sent_again_orders_rows_due_at_the_same_moment_by_id(runtime):
    here = new_meeting(runtime)
    ids = []
    for stage in ("b", "a", "c"):
        row_id = insert(runtime, reminder(here, stage=stage))
        assert row_id is not None
        settle(runtime, row_id, Reminder, claims.resent("history unreadable"))
        ids.append(row_id)
    with runtime.sessions() as session:
        assert [r.id for r in claims.sent_again(session, Reminder, here[0], since=DUE)] == sorted(ids)


def test_a_resent_row_is_found_whether_it_was_sent_or_failed(runtime):
    here = new_meeting(runtime)
    failed = insert(runtime, reminder(here))
    assert failed is not None
    with runtime.sessions.begin() as session:
        claims.record(
            session, Reminder, failed, holder="a", now=LATER, error="user_not_found", settlement=claims.resent("x")
        )
        assert [r.status for r in claims.sent_again(session, Reminder, here[0], since=DUE)] == [ReminderStatus.FAILED]
    with runtime.sessions() as session:
        assert session.scalars(select(Reminder.settlement)).all() == ["resent: x"]
