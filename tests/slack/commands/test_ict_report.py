"""`/ict-report`: anyone sees the draft paper; chairs and admins write its narrative (command or form)
and sign it off, through the real Bolt app and the stand-in Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services import projects, roles
from bot.services.paper import narrative as narrative_service
from handlers.slack.blocks.report import NARRATIVE_ACTION, NARRATIVE_MODAL
from models import NarrativeRevision, Rag, Role, Signoff
from tests.conftest import ADMIN, OWNER, STRANGER
from tests.helpers import count, last_reply, opened_view, shown, typed_shown_literally
from tests.slack.commands.test_ict_digest import post_update

CHAIR = "U0CHAIR"
APR = date(2026, 4, 1)
EVIL = "<!channel> *bold* <https://evil.example|click> @here `code`"


@pytest.fixture
def chair(runtime, standin) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return CHAIR


@pytest.fixture
def plan(runtime, standin, clock):
    """The conftest's Work Plan, made before the period being written (1 April to 30 September 2026)."""
    now = clock.now
    clock.now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = [("NET-01", "ARCH", OWNER), ("MOB-01", "ARCH", OWNER), ("PCI-01", "GOV", ADMIN), ("TRN-01", "WF", OWNER)]
    with runtime.unit(standin.team_id) as (session, ws):
        for ref, prio, owner in rows:
            projects.add(session, ws, ref=ref, title=f"Project {ref}", priority=prio, owner=owner, now=clock.now)
    clock.now = now


def narrative(runtime, standin, key: str) -> list[tuple[int, str, str]]:
    with runtime.unit(standin.team_id) as (session, ws):
        return [(r.number, r.author, r.text) for r in narrative_service.revisions(session, ws, APR, key)]


def test_anyone_sees_the_draft_of_the_period_that_ended(slack, standin, runtime, plan):
    post_update(runtime, standin.team_id, "NET-01", OWNER, datetime(2026, 6, 1, 9, tzinfo=UTC), rag=Rag.GREEN)
    slack.command("/ict-report", "", user_id=STRANGER)
    text = shown(last_reply(standin))
    assert "*Committee paper: 1 April 2026 to 30 September 2026* — the period has ended" in text
    assert "Not signed off yet" in text
    assert "• *the overall position*: none yet" in text and "• *ICT Governance*: none yet" in text
    assert "*No update in the period* (3)" in text
    assert f"• *PCI-01* Project PCI-01 — <@{ADMIN}>" in text and "NET-01" not in text.split("*No update")[1]
    buttons = [e for b in last_reply(standin)["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == ["position", "SD", "GOV", "ARCH", "BD", "WF"]
    assert buttons[2]["text"]["text"] == "Write ICT Governance"


def test_a_chair_writes_narrative_in_paragraphs_and_revisions_are_kept(slack, standin, runtime, chair):
    slack.command("/ict-report", "narrative GOV The group meets monthly.\n\nIt approves the Work Plan.", user_id=chair)
    text = shown(last_reply(standin))
    assert "Saved the narrative on *ICT Governance* for 1 April 2026 to 30 September 2026 (revision 1)" in text
    assert "• *ICT Governance*: revision 1 by" in text
    slack.command("/ict-report", "narrative ICT Governance The group meets monthly & approves.", user_id=ADMIN)
    assert "(revision 2)" in shown(last_reply(standin))
    assert narrative(runtime, standin, "GOV") == [
        (1, chair, "The group meets monthly.\n\nIt approves the Work Plan."),
        (2, ADMIN, "The group meets monthly & approves."),
    ]
    slack.command("/ict-report", "position A revised strategy is being developed.", user_id=chair)
    assert narrative(runtime, standin, "position") == [(1, chair, "A revised strategy is being developed.")]


def test_typed_narrative_is_shown_literally(slack, standin, runtime, chair):
    slack.command("/ict-report", f"position {EVIL}", user_id=chair)
    assert narrative(runtime, standin, "position")[0][2] == EVIL
    assert typed_shown_literally(last_reply(standin), EVIL)


def test_a_member_cannot_write_or_sign_off_and_nothing_is_written(slack, standin, runtime):
    for text in ("narrative GOV Words.", "position Words.", "signoff"):
        slack.command("/ict-report", text, user_id=OWNER)
        assert "Only the chair or an ICT admin can write the committee paper" in shown(last_reply(standin))
    assert count(runtime, NarrativeRevision) == 0 and count(runtime, Signoff) == 0


def test_an_unknown_priority_or_subcommand_is_explained(slack, standin, runtime, chair):
    slack.command("/ict-report", "narrative GOVERN Words.", user_id=chair)
    text = shown(last_reply(standin))
    assert "`GOVERN` is not a priority of ICT Strategy 2014–2016" in text and "GOV (ICT Governance)" in text
    slack.command("/ict-report", "publish", user_id=chair)
    assert "`publish` is not an `/ict-report` sub-command" in shown(last_reply(standin))
    assert count(runtime, NarrativeRevision) == 0


def test_the_form_opens_filled_and_its_text_is_saved_once(slack, standin, runtime, chair):
    slack.command("/ict-report", "narrative GOV First words.", user_id=chair)
    slack.command("/ict-report", "narrative GOV", user_id=chair)
    view = opened_view(standin)
    assert view["callback_id"] == NARRATIVE_MODAL
    assert view["blocks"][-1]["element"]["initial_value"] == "First words."
    long_text = "The Systems and Information Governance Group oversees the Work Plan.\n\n" + EVIL
    assert slack.submit_view(view, {"text": long_text}, user_id=chair).status == 200
    assert slack.submit_view(view, {"text": long_text}, user_id=chair).status == 200  # sent twice
    assert [n for n, _, _ in narrative(runtime, standin, "GOV")] == [1, 2]
    assert narrative(runtime, standin, "GOV")[-1][2] == long_text
    assert "Saved the narrative on *ICT Governance*" in shown(standin.calls_to("chat.postEphemeral")[-1].params)


def test_a_draft_button_opens_the_form_for_its_section(slack, standin, runtime, chair):
    slack.button(f"{NARRATIVE_ACTION}:position", "position", user_id=chair)
    view = opened_view(standin)
    assert "the overall position" in shown(view) and view["blocks"][-1]["element"].get("initial_value") is None
    slack.button(f"{NARRATIVE_ACTION}:GOV", "GOV", user_id=OWNER)
    assert "Only the chair or an ICT admin" in shown(last_reply(standin))
    assert len(standin.calls_to("views.open")) == 1


def test_a_member_s_form_submission_is_refused_on_the_form(slack, standin, runtime, chair):
    slack.command("/ict-report", "narrative GOV", user_id=chair)
    response = slack.submit_view(opened_view(standin), {"text": "Words."}, user_id=OWNER)
    assert '"response_action":"errors"' in response.body.replace(" ", "")
    assert "Only the chair or an ICT admin" in response.body
    assert count(runtime, NarrativeRevision) == 0


def test_sign_off_records_who_and_moves_the_draft_on(slack, standin, runtime, chair):
    slack.command("/ict-report", "signoff", user_id=chair)
    text = shown(last_reply(standin))
    assert "You approved the committee paper for 1 April 2026 to 30 September 2026" in text
    assert "*Committee paper: 1 October 2026 to 31 March 2027* — the period ends on 31 March 2027" in text
    assert count(runtime, Signoff) == 1
    # The signed period's narrative changes (e.g. a correction through the CLI's service): the draft says so.
    with runtime.unit(standin.team_id) as (session, ws):
        where = narrative_service.section(session, ws, "GOV")
        narrative_service.write(session, ws, APR, where, "Changed.", author=ADMIN, now=runtime.now())
    slack.command("/ict-report", "", user_id=STRANGER)
    assert "The paper for 1 April 2026 to 30 September 2026 has changed since" in shown(last_reply(standin))
    slack.command("/ict-report", "signoff", user_id=chair)
    assert "You approved the committee paper for 1 April 2026 to 30 September 2026" in shown(last_reply(standin))
    slack.command("/ict-report", "", user_id=STRANGER)
    assert "has changed since" not in shown(last_reply(standin))
