"""Risks and issues: scores and high risks, who may raise and change them, what is refused, the history kept
for every change, and lookups that never reach another workspace's register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.runtime import Runtime
from bot.services import roles
from bot.services.registers import raid, raid_commands
from models import Role
from models.registers import ItemStatus, RaidItem, RaidKind, RaidRevision
from tests.conftest import ADMIN, DELEGATE, OWNER, START, STRANGER

TEAM = "T0COUNCIL"
OTHER_TEAM = "T0ELSEWHERE"
RISK, ISSUE = RaidKind.RISK, RaidKind.ISSUE
LATER = START + timedelta(days=2)
CHAIR = "U0CHAIR"


def who(user_id: str) -> raid.Actor:
    return raid.Actor(user_id, env_admins=(ADMIN,))


def add(runtime: Runtime, kind: RaidKind, target: str, text: str, by: str = OWNER, team: str = TEAM, **kw):
    with runtime.unit(team) as (session, ws):
        return raid.raise_item(session, ws, kind, target, text, actor=who(by), now=START, **kw)


def revisions(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(RaidRevision)) or 0


@pytest.fixture
def chair(runtime: Runtime, workplan) -> str:
    with runtime.unit(TEAM) as (s, ws):
        roles.grant(s, ws, CHAIR, Role.CHAIR, by=ADMIN, now=START)
    return CHAIR


def test_a_risk_scores_likelihood_times_impact_and_fifteen_or_more_is_high(runtime, workplan):
    low = add(runtime, RISK, "NET-01", "Supplier late", likelihood=3, impact=4)
    top = add(runtime, RISK, "net-01", "Core switch fails", likelihood=3, impact=5)
    assert (low.score, low.high, top.score, top.high) == (12, False, 15, True)
    assert (low.label, low.owner, low.target.ref, low.target.name) == (
        f"R{low.id}",
        OWNER,
        "NET-01",
        "Council network refresh",
    )
    with runtime.unit(TEAM) as (s, ws):
        assert [v.id for v in raid.high(s, ws)] == [top.id]
        assert [v.id for v in raid.list_items(s, ws, RISK)] == [top.id, low.id]  # highest score first


def test_the_threshold_is_exactly_fifteen():
    assert [raid.is_high(*li) for li in ((3, 5), (2, 7), (4, 4), (1, 5), (None, 5))] == [
        True,
        False,
        True,
        False,
        False,
    ]


def test_an_issue_has_no_score_and_its_owner_defaults_to_whoever_raised_it(runtime, workplan):
    issue = add(runtime, ISSUE, "EFORM-01", "Forms down", by=DELEGATE)
    assert (issue.label, issue.score, issue.high, issue.owner, issue.raised_by) == (
        f"I{issue.id}",
        None,
        False,
        DELEGATE,
        DELEGATE,
    )


def test_a_risk_on_a_priority_by_code_or_name_is_for_a_chair(runtime, workplan, chair):
    by_code = add(runtime, RISK, "GOV", "No quorum", by=chair, likelihood=2, impact=2)
    by_name = add(runtime, RISK, "ict governance", "Audit slips", by=ADMIN, likelihood=2, impact=3, owner=OWNER)
    assert (by_code.target.ref, by_name.target.ref, by_name.target.name, by_name.owner) == (
        "GOV",
        "GOV",
        "ICT Governance",
        OWNER,
    )
    with pytest.raises(NotAllowed, match="Only the chair or an ICT admin can raise"):
        add(runtime, RISK, "GOV", "Mine", by=OWNER, likelihood=1, impact=1)


def test_on_a_project_only_its_owner_delegates_chairs_and_admins_may_raise(runtime, workplan, chair):
    add(runtime, ISSUE, "NET-01", "by the delegate", by=DELEGATE)
    add(runtime, ISSUE, "NET-01", "by the chair", by=chair)
    with pytest.raises(NotAllowed, match="its owner, a delegate, the chair"):
        add(runtime, ISSUE, "NET-01", "by a stranger", by=STRANGER)
    with pytest.raises(NotAllowed):
        add(runtime, ISSUE, "EFORM-01", "not mine", by=OWNER)
    assert revisions(runtime) == 2


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"likelihood": 0, "impact": 3}, "likelihood is 1 to 5"),
        ({"likelihood": 3, "impact": 6}, "impact is 1 to 5"),
        ({"likelihood": 3}, "needs its likelihood and its impact"),
    ],
)
def test_likelihood_and_impact_outside_one_to_five_are_refused_and_nothing_is_written(runtime, workplan, kw, match):
    with pytest.raises(InvalidInput, match=match):
        add(runtime, RISK, "NET-01", "x", **kw)
    assert revisions(runtime) == 0


def test_an_unknown_target_is_refused_with_suggestions_and_the_priorities(runtime, workplan):
    with pytest.raises(InvalidInput, match="NET-1` is neither a project") as caught:
        add(runtime, ISSUE, "NET-1", "x")
    assert "Did you mean NET-01" in caught.value.message and "GOV (ICT Governance)" in caught.value.message
    with pytest.raises(InvalidInput, match="text is empty"):
        add(runtime, ISSUE, "NET-01", "   ")
    with pytest.raises(InvalidInput, match="no likelihood, impact or review date"):
        add(runtime, ISSUE, "NET-01", "x", likelihood=2, impact=2)
    assert revisions(runtime) == 0


def test_bad_dates_are_refused_with_the_format_to_use():
    for typed in ("2027-02-30", "31/01/2027", "soon"):
        with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
            raid.parse_day(typed)
    assert raid.parse_day(" 2027-01-31 ") == date(2027, 1, 31)


def test_every_change_is_a_revision_with_who_when_and_what_changed(runtime, workplan, chair):
    r = add(runtime, RISK, "NET-01", "Supplier late", likelihood=3, impact=4, review_on=date(2026, 12, 1))
    with runtime.unit(TEAM) as (s, ws):
        changes = raid.Changes(likelihood=4, impact=5, review_on=date(2027, 1, 31))
        updated = raid.update(s, ws, RISK, r.id, changes, actor=who(OWNER), now=LATER)
        assert (updated.score, updated.high, updated.text) == (20, True, "Supplier late")
        raid.update(s, ws, RISK, r.id, raid.Changes(owner=DELEGATE), actor=who(chair), now=LATER)
        closed = raid.close(s, ws, RISK, r.id, "Supplier delivered", actor=who(DELEGATE), now=LATER + timedelta(1))
        assert (closed.status, closed.closed_by, closed.close_note) == (
            ItemStatus.CLOSED,
            DELEGATE,
            "Supplier delivered",
        )
        shown = raid.history(s, ws, RISK, r.id)
    assert [(h.change, h.actor, h.at, h.changed) for h in shown] == [
        ("raised", OWNER, START, ()),
        ("updated", OWNER, LATER, ("likelihood", "impact", "review_on")),
        ("updated", chair, LATER, ("owner",)),
        ("closed", DELEGATE, LATER + timedelta(1), ("status",)),
    ]
    assert (shown[1].likelihood, shown[1].impact, shown[-1].note) == (4, 5, "Supplier delivered")


def test_a_change_that_changes_nothing_or_a_closed_item_is_refused(runtime, workplan):
    r = add(runtime, RISK, "NET-01", "Supplier late", likelihood=3, impact=4)
    with runtime.unit(TEAM) as (s, ws):
        with pytest.raises(InvalidInput, match="changes nothing"):
            raid.update(
                s, ws, RISK, r.id, raid.Changes(likelihood=3, text="Supplier late"), actor=who(OWNER), now=LATER
            )
        raid.close(s, ws, RISK, r.id, "", actor=who(OWNER), now=LATER)
    with runtime.unit(TEAM) as (s, ws), pytest.raises(InvalidInput, match="closed already"):
        raid.close(s, ws, RISK, r.id, "", actor=who(OWNER), now=LATER)
    assert revisions(runtime) == 2


def test_only_the_owner_the_raiser_a_chair_or_an_admin_may_change_it(runtime, workplan):
    r = add(runtime, RISK, "NET-01", "Supplier late", by=DELEGATE, likelihood=3, impact=4, owner=OWNER)
    with runtime.unit(TEAM) as (s, ws), pytest.raises(NotAllowed, match="owner, whoever raised it"):
        raid.close(s, ws, RISK, r.id, "", actor=who(STRANGER), now=LATER)
    with runtime.unit(TEAM) as (s, ws):
        raid.update(s, ws, RISK, r.id, raid.Changes(text="by the raiser"), actor=who(DELEGATE), now=LATER)
        raid.update(s, ws, RISK, r.id, raid.Changes(text="by the owner"), actor=who(OWNER), now=LATER)
        raid.update(s, ws, RISK, r.id, raid.Changes(text="by an admin"), actor=who(ADMIN), now=LATER)
    assert revisions(runtime) == 4


def test_an_issue_s_id_does_not_name_a_risk_and_another_workspace_s_id_names_nothing(runtime, workplan):
    issue = add(runtime, ISSUE, "NET-01", "Forms down")
    with runtime.unit(OTHER_TEAM) as (s, ws):
        for call in (
            lambda: raid.get(s, ws, ISSUE, issue.id),
            lambda: raid.close(s, ws, ISSUE, issue.id, "", actor=who(OWNER), now=LATER),
            lambda: raid.history(s, ws, ISSUE, issue.id),
            lambda: raid.update(s, ws, ISSUE, issue.id, raid.Changes(text="x"), actor=who(ADMIN), now=LATER),
        ):
            with pytest.raises(DomainError, match=f"There is no issue I{issue.id}"):
                call()
        assert raid.open_items(s, ws) == []
    with runtime.unit(TEAM) as (s, ws), pytest.raises(DomainError, match=f"There is no risk R{issue.id}"):
        raid.get(s, ws, RISK, issue.id)
    with runtime.sessions() as s:
        assert s.get(RaidItem, issue.id).status == ItemStatus.OPEN


def test_the_helpers_for_reminders_exceptions_and_minutes(runtime, workplan):
    stale = add(runtime, RISK, "NET-01", "stale", likelihood=1, impact=1, review_on=date(2026, 11, 30))
    due_today = add(runtime, RISK, "NET-01", "today", likelihood=5, impact=5, review_on=date(2026, 12, 1))
    issue = add(runtime, ISSUE, "NET-01", "an issue")
    with runtime.unit(TEAM) as (s, ws):
        assert [v.id for v in raid.past_review(s, ws, date(2026, 12, 1))] == [stale.id]
        assert [v.id for v in raid.high(s, ws)] == [due_today.id]
        assert [v.id for v in raid.open_items(s, ws)] == [due_today.id, stale.id, issue.id]
        assert [v.id for v in raid.open_items(s, ws, ISSUE)] == [issue.id]
        raid.close(s, ws, RISK, stale.id, "", actor=who(OWNER), now=LATER)
        assert raid.past_review(s, ws, date(2026, 12, 1)) == []
        window = raid.changed_between(s, ws, LATER, LATER + timedelta(hours=1))
        assert [(v.label, v.change) for v in window] == [(f"R{stale.id}", "closed")]
        assert len(raid.changed_between(s, ws, START, LATER + timedelta(hours=1))) == 4
    with runtime.unit(OTHER_TEAM) as (s, ws):
        assert raid.changed_between(s, ws, START, LATER + timedelta(hours=1)) == []


def test_lists_by_target_and_owner(runtime, workplan, chair):
    on_net = add(runtime, RISK, "NET-01", "a", likelihood=2, impact=2)
    on_gov = add(runtime, RISK, "GOV", "b", by=chair, likelihood=3, impact=3)
    with runtime.unit(TEAM) as (s, ws):
        net = raid.resolve_target(s, ws, "NET-01")
        gov = raid.resolve_target(s, ws, "gov")
        assert [v.id for v in raid.list_items(s, ws, RISK, target=net)] == [on_net.id]
        assert [v.id for v in raid.list_items(s, ws, RISK, target=gov)] == [on_gov.id]
        assert [v.id for v in raid.list_items(s, ws, RISK, owner=chair)] == [on_gov.id]


# -- the typed grammar -----------------------------------------------------------------------------


def owner_of(typed: str) -> str:
    if not typed.startswith("@"):
        raise InvalidInput("not a person")
    return typed[1:].upper()


def test_the_add_grammar_reads_the_options_after_bars():
    form = raid_commands.parse_add(RISK, "NET-01 4 5 Core switch fails | owner @jo | review 2027-01-31", owner_of, "c")
    assert form == raid_commands.AddForm("NET-01", "Core switch fails", 4, 5, "JO", date(2027, 1, 31))
    assert raid_commands.parse_add(ISSUE, "GOV No quorum", owner_of, "c") == raid_commands.AddForm("GOV", "No quorum")
    with pytest.raises(InvalidInput, match="Usage"):
        raid_commands.parse_add(RISK, "NET-01 4 text", owner_of, "c")
    with pytest.raises(InvalidInput, match="impact is a whole number from 1 to 5"):
        raid_commands.parse_add(RISK, "NET-01 4 9 text", owner_of, "c")
    with pytest.raises(InvalidInput, match=r"After a \| write"):
        raid_commands.parse_add(ISSUE, "NET-01 text | review 2027-01-31", owner_of, "c")
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        raid_commands.parse_add(RISK, "NET-01 1 1 text | review 2027-02-30", owner_of, "c")


def test_the_update_grammar_takes_a_new_score_text_owner_and_review_each_optional():
    parse = raid_commands.parse_update
    assert parse(RISK, "R12 4 5 | review 2027-01-31", owner_of, "c") == raid_commands.UpdateForm(
        12, raid.Changes(likelihood=4, impact=5, review_on=date(2027, 1, 31))
    )
    assert parse(RISK, "r12 3 suppliers are late", owner_of, "c").changes == raid.Changes(text="3 suppliers are late")
    assert parse(RISK, "12", owner_of, "c").changes.empty()
    assert parse(ISSUE, "I7 | owner @ann", owner_of, "c").changes == raid.Changes(owner="ANN")
    with pytest.raises(InvalidInput, match="not a risk number"):
        parse(RISK, "I7 new text", owner_of, "c")
