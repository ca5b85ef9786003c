"""`/ict-risk` and `/ict-issue` through the real Bolt app and the stand-in Slack: the one-line forms, the
list (scores, high, owners by name, past review), changes and their history, the modal opened and
submitted (refusals shown on their field, nothing written), and typed text shown literally."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.services import roles
from bot.services.registers import raid
from handlers.slack.blocks.raid import RAID_MODAL
from models import Role
from models.registers import ItemStatus, RaidItem, RaidKind, RaidRevision
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, last_reply, opened_view, shown, typed_shown_literally

CHAIR = "U0CHAIR"
EVIL = "<!channel> *bold* <https://evil.example|click> @here `code`"


@pytest.fixture
def people(standin):
    standin.add_user(OWNER, name="Olive Owner")
    standin.add_user(DELEGATE, name="Dee Delegate")


@pytest.fixture
def chair(runtime, standin) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return CHAIR


def items(runtime) -> list[RaidItem]:
    with runtime.sessions() as s:
        rows = list(s.query(RaidItem).order_by(RaidItem.id))
        s.expunge_all()
        return rows


def test_raising_a_risk_in_one_line_with_an_owner_and_a_review_date(slack, standin, runtime, workplan, people):
    slack.command(
        "/ict-risk", f"add NET-01 4 5 Core switch may fail | owner <@{DELEGATE}|dee> | review 2027-01-31", user_id=OWNER
    )
    (item,) = items(runtime)
    text = shown(last_reply(standin))
    assert f"Raised *R{item.id}* · L4 × I5 = 20, *high* · on NET-01 · owner Dee Delegate · review 2027-01-31" in text
    assert (item.owner_user_id, item.raised_by, item.likelihood, item.impact, item.review_on) == (
        DELEGATE,
        OWNER,
        4,
        5,
        date(2027, 1, 31),
    )
    assert count(runtime, RaidRevision) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("add NET-01 4 9 text", "impact is a whole number from 1 to 5, not `9`"),
        ("add NET-01 4 text", "Usage: `/ict-risk add REF L I text"),
        ("add NET-01 1 1 text | review 31/01/2027", "give the review date as YYYY-MM-DD"),
        ("add NOPE 1 1 text", "`NOPE` is neither a project in the Work Plan nor a priority"),
        ("add NET-01 1 1 text | owner jo", "give the owner as an @mention"),
        ("add GOV 1 1 on a priority", "Only the chair or an ICT admin can raise a risk or issue on priority GOV"),
        ("frobnicate", "`frobnicate` is not a `/ict-risk` sub-command"),
    ],
)
def test_bad_input_is_answered_and_nothing_is_written(slack, standin, runtime, workplan, typed, message):
    slack.command("/ict-risk", typed, user_id=OWNER)
    assert message in shown(last_reply(standin))
    assert count(runtime, RaidItem) == 0


def test_the_list_shows_open_ones_highest_first_with_owners_by_name_and_past_review(
    slack, standin, runtime, workplan, people, chair, clock
):
    slack.command("/ict-risk", "add NET-01 2 2 Minor delay | review 2026-11-01", user_id=OWNER)
    slack.command("/ict-risk", f"add GOV 5 3 {EVIL}", user_id=chair)
    slack.command("/ict-issue", "add EFORM-01 Payments page down", user_id=DELEGATE)
    low, top, _ = items(runtime)
    slack.command("/ict-risk", "list", user_id=STRANGER)
    reply = last_reply(standin)
    text = shown(reply)
    assert text.index(f"*R{top.id}*") < text.index(f"*R{low.id}*")
    assert "*Open risks in this workspace* (2)" in text
    assert "L5 × I3 = 15, *high* · on GOV · owner U0CHAIR" in text
    assert "owner Olive Owner · review 2026-11-01 :warning: *past review* — Minor delay" in text
    assert typed_shown_literally(reply, EVIL)
    slack.command("/ict-risk", "list high", user_id=STRANGER)
    assert f"R{low.id}" not in shown(last_reply(standin)) and f"R{top.id}" in shown(last_reply(standin))
    slack.command("/ict-risk", "list NET-01", user_id=STRANGER)
    assert f"*R{low.id}*" in shown(last_reply(standin)) and f"R{top.id}" not in shown(last_reply(standin))
    slack.command("/ict-risk", "list mine", user_id=OWNER)
    assert "*Open risks that you own* (1)" in shown(last_reply(standin))
    slack.command("/ict-issue", "list", user_id=STRANGER)
    assert "owner Dee Delegate — Payments page down" in shown(last_reply(standin))


def test_update_close_and_history(slack, standin, runtime, workplan, people):
    slack.command("/ict-risk", "add NET-01 3 4 Supplier late", user_id=OWNER)
    (item,) = items(runtime)
    slack.command("/ict-risk", f"update R{item.id} 4 5 | review 2027-01-31", user_id=OWNER)
    assert f"Updated *R{item.id}* · L4 × I5 = 20, *high*" in shown(last_reply(standin))
    slack.command("/ict-risk", f"update r{item.id} Supplier very late | owner <@{DELEGATE}>", user_id=OWNER)
    slack.command("/ict-risk", f"close {item.id} Delivered in the end", user_id=STRANGER)
    assert "Only R" in shown(last_reply(standin)) and "owner, whoever raised it" in shown(last_reply(standin))
    slack.command("/ict-risk", f"close {item.id} Delivered in the end", user_id=DELEGATE)
    assert f"Closed *R{item.id}*" in shown(last_reply(standin))
    assert items(runtime)[0].status == ItemStatus.CLOSED
    slack.command("/ict-risk", f"history R{item.id}", user_id=STRANGER)
    text = shown(last_reply(standin))
    assert f"*History of R{item.id}* on NET-01 (closed)" in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert [line.split(" — ")[1] for line in lines] == [
        "Olive Owner raised it",
        "Olive Owner updated it",
        "Olive Owner updated it",
        "Dee Delegate closed it",
    ]
    assert "L4 × I5 = 20, *high*\n    review 2027-01-31" in text
    assert "owner Dee Delegate\n    text: Supplier very late" in text and "note: Delivered in the end" in text
    slack.command("/ict-issue", f"history I{item.id}", user_id=STRANGER)
    assert f"There is no issue I{item.id}" in shown(last_reply(standin))


def test_add_alone_opens_the_form_and_its_submission_raises_one(slack, standin, runtime, workplan, people):
    slack.command("/ict-risk", "add", user_id=OWNER)
    view = opened_view(standin)
    assert view["callback_id"] == RAID_MODAL
    assert [b["block_id"] for b in view["blocks"]] == ["target", "likelihood", "impact", "text", "owner", "review"]
    inputs = {"target": "NET-01", "likelihood": "L3", "impact": "I5", "text": EVIL, "owner": DELEGATE}
    bad = slack.submit_view(view, {**inputs, "target": "NOPE"}, user_id=OWNER)
    assert json.loads(bad.body)["errors"]["target"].startswith("NOPE is neither a project")
    refused = slack.submit_view(view, {**inputs, "target": "GOV"}, user_id=OWNER)
    assert "Only the chair or an ICT admin" in json.loads(refused.body)["errors"]["target"]
    assert count(runtime, RaidItem) == 0
    assert slack.submit_view(view, {**inputs, "review": "2027-03-01"}, user_id=OWNER).status == 200
    (item,) = items(runtime)
    assert (item.text, item.owner_user_id, item.likelihood * item.impact, item.review_on) == (
        EVIL,
        DELEGATE,
        15,
        date(2027, 3, 1),
    )
    told = standin.calls_to("chat.postEphemeral")[-1].params
    assert f"Raised *R{item.id}* · L3 × I5 = 15, *high*" in shown(told)


def test_update_alone_opens_the_form_filled_in_and_its_submission_changes_it_once(
    slack, standin, runtime, workplan, people
):
    slack.command("/ict-issue", "add EFORM-01 Payments page down", user_id=DELEGATE)
    (item,) = items(runtime)
    slack.command("/ict-issue", f"update I{item.id}", user_id=STRANGER)
    assert "Only I" in shown(last_reply(standin))
    assert standin.calls_to("views.open") == []
    slack.command("/ict-issue", f"update I{item.id}", user_id=DELEGATE)
    view = opened_view(standin)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["text", "owner"]
    assert view["blocks"][1]["element"]["initial_value"] == "Payments page down"
    same = slack.submit_view(view, {"text": "Payments page down", "owner": DELEGATE}, user_id=DELEGATE)
    assert "That changes nothing" in json.loads(same.body)["errors"]["text"]
    assert slack.submit_view(view, {"text": "Fixed in part", "owner": OWNER}, user_id=DELEGATE).status == 200
    with runtime.unit(standin.team_id) as (s, ws):
        shown_history = raid.history(s, ws, RaidKind.ISSUE, item.id)
    assert [(h.change, h.changed) for h in shown_history] == [("raised", ()), ("updated", ("text", "owner"))]


def test_help_for_both_commands(slack, standin, workplan):
    slack.command("/ict-risk", "help", user_id=STRANGER)
    assert "`/ict-risk add REF L I text | owner @person | review YYYY-MM-DD`" in shown(last_reply(standin))
    slack.command("/ict-issue", "help", user_id=STRANGER)
    assert "`/ict-issue add REF text | owner @person`" in shown(last_reply(standin))
