"""``report`` in Teams, through the real Teams app and the stand-in: the draft committee paper, the chair's
narrative (typed, or in the form), and sign-off; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from bot.runtime import Runtime
from bot.services import paper, projects, roles, updates, workspaces
from bot.services.paper import narrative as narrative_service
from bot.services.paper import signoff as signoff_service
from bot.services.quickform import UpdateText
from handlers.teams import cards
from models import Rag, Role, UpdateSource
from tests.scenarios.test_officer_text import HOSTILE, SHOWN
from tests.teams.conftest import DAN_AAD, OLIVE_AAD, TeamsClient, shows
from tests.teams.test_cards import check
from tests.teams.test_officer_text import assert_teams_shows_literally, teams_said

APR_SEP = paper.ReportPeriod(date(2026, 4, 1), date(2026, 9, 30))  # the clock starts on 24 November 2026
OCT_MAR = paper.ReportPeriod(date(2026, 10, 1), date(2027, 3, 31))
REFUSED = "Only the chair or an ICT admin can write or sign off the committee paper."


@pytest.fixture
def plan(teams_runtime: Runtime, teams: TeamsStandIn, olive: TeamsUserAccount, dan: TeamsUserAccount) -> None:
    """The stand-in's tenant: Olive is a chair and owns NET-01, updated in April to September; Dan owns
    EFORM-01 and GOV-02, never updated, and is no chair."""
    rt = teams_runtime
    with rt.sessions.begin() as s:
        ws = workspaces.get_or_create(s, teams.tenant_id, platform="teams", name="Darlington", now=rt.now())
        for ref, title, prio, owner in (
            ("NET-01", "Council network refresh", "ARCH", OLIVE_AAD),
            ("EFORM-01", "E-forms for online services", "BD", DAN_AAD),
            ("GOV-02", "Information governance review", "GOV", DAN_AAD),
        ):
            projects.add(s, ws, ref=ref, title=title, priority=prio, owner=owner, now=rt.now() - timedelta(days=300))
        roles.grant(s, ws, OLIVE_AAD, Role.CHAIR, by="test", now=rt.now())
        net = projects.get(s, ws, "NET-01")
        text = UpdateText(rag=Rag.GREEN, progress="Switches refreshed", next_steps="", risks="")
        when = rt.now().replace(month=6)
        updates.post(s, ws, net, user_id=OLIVE_AAD, is_admin=True, text=text, source=UpdateSource.MODAL, now=when)


def say(client: TeamsClient, teams: TeamsStandIn, who: TeamsUserAccount, typed: str) -> dict[str, Any]:
    """What the bot answered ``who`` for ``typed``: the one activity it sent."""
    before = len(teams.sent())
    client.post(teams.message(who, typed))
    [answer] = [c.body for c in teams.sent()[before:]]
    return answer


def press(client: TeamsClient, teams: TeamsStandIn, who: TeamsUserAccount, data: dict[str, Any]) -> dict[str, Any]:
    before = len(teams.sent())
    client.post(teams.submit(who, data))
    [answer] = [c.body for c in teams.sent()[before:]]
    return answer


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    return attachment["content"]


def history(rt: Runtime, teams: TeamsStandIn, key: str, period: paper.ReportPeriod = APR_SEP) -> list[Any]:
    with rt.sessions() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        return [(r.number, r.author, r.text) for r in narrative_service.revisions(s, ws, period.start, key)]


def signed(
    rt: Runtime, teams: TeamsStandIn, period: paper.ReportPeriod = APR_SEP
) -> signoff_service.SignoffView | None:
    with rt.sessions() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        return signoff_service.latest(s, ws, period.start)


# -- the draft -------------------------------------------------------------------------------------


def test_anyone_sees_the_draft_its_narrative_missing_projects_and_how_to_write(client, teams, olive, dan, plan):
    say(client, teams, olive, "report narrative gov The group meets monthly.\n\nIt approves the Work Plan.")

    shown = shows(say(client, teams, dan, "report"))  # Dan is no chair: he may look

    assert "For the period 1 April 2026 to 30 September 2026." in shown
    assert "The period ended on 30 September 2026: the paper can be completed and signed off." in shown
    assert "Not signed off yet." in shown
    assert "➖ The overall position (position): no narrative yet (the report uses its generated text)" in shown
    assert "✅ ICT Governance (GOV): revision 1 by 0a11ce00-0000-4000-8000-00000000011e, 24 Nov 2026 09:30" in shown
    assert "“The group meets monthly.”" in shown  # its first line
    assert "It approves the Work Plan." not in shown
    assert "➖ ICT Strategic Architecture (ARCH): no narrative yet" in shown
    sections = [line[2:].split(" (")[0] for line in shown.split("\n") if line[:2] in ("✅ ", "➖ ")]
    assert sections == [
        "The overall position",
        "ICT Service Development",
        "ICT Governance",
        "ICT Strategic Architecture",
        "Business Development",
        "ICT Competent Workforce",
    ]
    assert "Projects with no update in the period (2)" in shown
    assert "• GOV-02 Information governance review — owner Dan Delegate, never updated" in shown  # the viewer
    assert "• EFORM-01 E-forms for online services — owner Dan Delegate, never updated" in shown
    assert "NET-01" not in shown  # updated in June
    assert "**report narrative CODE** and the text" in shown and "**report signoff**" in shown


def test_the_viewer_is_named_and_a_running_period_says_when_it_ends(client, teams, olive, plan):
    say(client, teams, olive, "report position A revised strategy is being developed.")
    say(client, teams, olive, "report signoff")

    shown = shows(say(client, teams, olive, "report"))

    assert "For the period 1 October 2026 to 31 March 2027." in shown  # April to September is signed off
    assert "The period runs until 31 March 2027; the paper shows it up to now." in shown
    assert "Projects with no update in the period (3)" in shown
    say(client, teams, olive, "report position Written for the new period.")
    assert "✅ The overall position (position): revision 1 by Olive Owner, 24 Nov 2026 09:30" in shows(
        say(client, teams, olive, "report")
    )


# -- narrative -------------------------------------------------------------------------------------


def test_writing_narrative_says_what_was_saved_and_each_text_is_a_new_revision(
    client, teams, olive, plan, teams_runtime
):
    first = shows(say(client, teams, olive, "report narrative GOV The group meets monthly."))
    assert (
        "✅ Narrative saved for ICT Governance (GOV): revision 1, for the period 1 April 2026 to 30 September 2026, "
        "by Olive Owner." in first
    )
    assert "Text: The group meets monthly." in first

    second = shows(
        say(client, teams, olive, "report narrative ict governance It meets monthly\nand approves the plan.")
    )
    assert "ICT Governance (GOV): revision 2, for the period 1 April 2026" in second
    assert "It meets monthly\nand approves the plan." in second  # a line a block
    same = shows(say(client, teams, olive, "report narrative gov It meets monthly\nand approves the plan."))
    assert "ICT Governance (GOV): revision 2" in same  # the same text again is the same revision
    position = shows(say(client, teams, olive, "report position Good progress overall."))
    assert "✅ Narrative saved for The overall position (position): revision 1" in position

    assert history(teams_runtime, teams, "GOV") == [
        (1, OLIVE_AAD, "The group meets monthly."),
        (2, OLIVE_AAD, "It meets monthly\nand approves the plan."),
    ]
    assert history(teams_runtime, teams, "position") == [(1, OLIVE_AAD, "Good progress overall.")]


def test_someone_who_is_no_chair_is_refused_and_nothing_is_written(client, teams, dan, plan, teams_runtime):
    assert REFUSED in shows(say(client, teams, dan, "report narrative GOV I would like to write this."))
    assert REFUSED in shows(say(client, teams, dan, "report position Mine."))
    assert REFUSED in shows(say(client, teams, dan, "report narrative GOV"))  # not even the form
    assert REFUSED in shows(say(client, teams, dan, "report signoff"))
    form = {"action": cards.ACTION_NARRATIVE_SUBMIT, "section": "GOV", "period": "2026-04-01", "text": "Mine."}
    assert REFUSED in shows(press(client, teams, dan, form))

    assert history(teams_runtime, teams, "GOV") == history(teams_runtime, teams, "position") == []
    assert signed(teams_runtime, teams) is None


def test_a_bad_code_names_the_choices_and_writes_nothing(client, teams, olive, plan, teams_runtime):
    shown = shows(say(client, teams, olive, "report narrative GOVERN Some text."))

    assert "GOVERN is not a priority of ICT Strategy 2014–2016; use one of SD (ICT Service Development), " in shown
    assert "GOV (ICT Governance)" in shown and "or position for the overall position." in shown
    assert history(teams_runtime, teams, "GOV") == []


def test_no_text_gives_the_usage_and_a_form_filled_with_the_current_narrative(client, teams, olive, plan):
    assert "**report narrative CODE text**" in shows(say(client, teams, olive, "report narrative"))
    say(client, teams, olive, "report narrative GOV The group meets monthly.\n\nIt approves the Work Plan.")

    answer = say(client, teams, olive, "report narrative gov")

    assert answer["text"].startswith("Type the narrative after the command (**report narrative CODE text**")
    form = card_of(answer)
    [field] = [e for e in form["body"] if e["type"] == "Input.Text"]
    assert (field["id"], field["isMultiline"], field["maxLength"]) == ("text", True, paper.MAX_TEXT)
    assert field["value"] == "The group meets monthly.\n\nIt approves the Work Plan."
    [button] = form["actions"]
    assert button["data"]["action"] == cards.ACTION_NARRATIVE_SUBMIT
    assert (button["data"]["section"], button["data"]["period"]) == ("GOV", "2026-04-01")
    assert "Narrative: ICT Governance" in shows(answer)
    empty = card_of(say(client, teams, olive, "report position"))  # no narrative yet: an empty form
    [blank] = [e for e in empty["body"] if e["type"] == "Input.Text"]
    assert "value" not in blank
    assert empty["actions"][0]["data"]["section"] == "position"


def test_the_form_saves_once_withdraws_when_empty_and_writes_the_period_it_was_opened_for(
    client, teams, olive, plan, teams_runtime
):
    button = card_of(say(client, teams, olive, "report narrative GOV"))["actions"][0]["data"]
    form = {**button, "text": "Written in the form.\n\nA second paragraph."}

    saved = shows(press(client, teams, olive, form))
    assert "✅ Narrative saved for ICT Governance (GOV): revision 1, for the period 1 April 2026" in saved
    again = shows(press(client, teams, olive, form))  # a double click
    assert "✅ Narrative saved for ICT Governance (GOV): revision 1," in again
    withdrawn = shows(press(client, teams, olive, {**button, "text": ""}))
    assert "➖ Narrative withdrawn for ICT Governance (GOV): revision 2" in withdrawn
    assert [(n, t) for n, _, t in history(teams_runtime, teams, "GOV")] == [
        (1, "Written in the form.\n\nA second paragraph."),
        (2, ""),
    ]

    say(client, teams, olive, "report signoff")  # the paper being written is now October to March
    late = shows(press(client, teams, olive, {**button, "text": "Written late."}))
    assert "revision 3, for the period 1 April 2026 to 30 September 2026" in late
    assert history(teams_runtime, teams, "GOV", OCT_MAR) == []
    assert "it needs approving again" in shows(say(client, teams, olive, "report"))

    for damaged in ({"period": "2026-04-02"}, {"period": "April"}, {"text": ["not", "text"]}, {"section": 7}):
        answer = shows(press(client, teams, olive, {**button, "text": "Damaged.", **damaged}))
        assert answer == "That form came back damaged, so nothing was saved. Say “report narrative CODE” for a new one."
    assert len(history(teams_runtime, teams, "GOV")) == 3


# -- sign-off --------------------------------------------------------------------------------------


def test_signoff_approves_the_period_and_a_later_change_asks_for_it_again(
    client, teams, olive, plan, teams_runtime, clock
):
    answer = shows(say(client, teams, olive, "report signoff"))

    assert (
        "✅ Approved the committee paper for the period 1 April 2026 to 30 September 2026: signed off by Olive Owner "
        "on 24 Nov 2026 09:30." in answer
    )
    got = signed(teams_runtime, teams)
    assert got is not None and (got.user_id, got.at) == (OLIVE_AAD, teams_runtime.now())

    with teams_runtime.sessions.begin() as s:  # the signed period's narrative changes afterwards
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        where = narrative_service.section(s, ws, "ARCH")
        narrative_service.write(s, ws, APR_SEP.start, where, "Changed.", author=OLIVE_AAD, now=teams_runtime.now())
    shown = shows(say(client, teams, olive, "report"))
    assert (
        "⚠️ The paper for 1 April 2026 to 30 September 2026 was approved by Olive Owner on 24 Nov 2026 09:30, "
        "but its data has changed since: it needs approving again. report signoff approves it as it stands now."
        in shown
    )
    clock.advance(hours=1)
    assert "for the period 1 April 2026 to 30 September 2026" in shows(say(client, teams, olive, "report signoff"))
    assert "needs approving again" not in shows(say(client, teams, olive, "report"))


def test_a_paper_signed_off_while_its_period_runs_says_when_it_changed(client, teams, olive, plan, teams_runtime):
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        paper.sign_off(s, ws, user_id=OLIVE_AAD, now=teams_runtime.now(), default_timezone="Europe/London")
    say(client, teams, olive, "report signoff")  # October to March, while it runs
    assert "Approved by Olive Owner on 24 Nov 2026 09:30" in shows(say(client, teams, olive, "report"))

    say(client, teams, olive, "report position Written after the sign-off.")

    shown = shows(say(client, teams, olive, "report"))
    assert "⚠️ **Changed since sign-off: needs approving again** (**report signoff**)." in shown


# -- typed text shown as typed -----------------------------------------------------------------------


def test_narrative_and_titles_typed_by_officers_are_shown_as_typed(client, teams, olive, plan, teams_runtime):
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        when = teams_runtime.now() - timedelta(days=300)
        projects.add(s, ws, ref="PCI-06", title=HOSTILE, priority="GOV", owner=OLIVE_AAD, now=when)
    typed = "*Bold* <at>Olive</at> [x](https://evil.example) {{DATE(2017-02-14T06:08:39Z)}} # not a heading"

    client.post(teams.message(olive, "report narrative GOV " + HOSTILE))
    assert_teams_shows_literally(teams_said(teams)[-1:], SHOWN.rstrip())  # a narrative's lines are trimmed
    client.post(teams.message(olive, "report position " + typed))
    assert_teams_shows_literally(teams_said(teams)[-1:], typed)
    client.post(teams.message(olive, "report"))
    draft = teams_said(teams)[-1:]
    assert_teams_shows_literally(draft, typed)  # the position's first line
    assert_teams_shows_literally(draft, SHOWN)  # PCI-06's title, with no update in the period
    assert_teams_shows_literally(draft, SHOWN.split("\n", 1)[0])  # GOV's first line


# -- Teams' limits -----------------------------------------------------------------------------------


def test_every_report_card_is_valid_and_within_teams_size_limit(client, teams, olive, plan, teams_runtime):
    wide = "é€" * 3_000  # a narrative as long as may be, each character escaped in the card's JSON
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.find(s, teams.tenant_id, platform="teams")
        assert ws is not None
        when = teams_runtime.now() - timedelta(days=300)
        for n in range(150):
            title = f"Project {n} " + "ü" * 180
            projects.add(s, ws, ref=f"BIG-{n:03}", title=title, priority="BD", owner=OLIVE_AAD, now=when)
    for section in ("position", "SD", "GOV", "ARCH", "BD", "WF"):
        saved = say(client, teams, olive, f"report narrative {section} {wide}")
        check(card_of(saved))
    assert "… and the rest of the text, saved too." in shows(saved)

    draft = say(client, teams, olive, "report")

    check(card_of(draft))
    shown = shows(draft)
    assert "Projects with no update in the period (152)" in shown
    listed = shown.count(" — owner ")
    assert 0 < listed < 152
    assert f"{152 - listed} more not listed, to keep this card within Teams' size limit" in shown
    assert "**digest from 2026-04-01 to 2026-09-30** lists them all." in shown
    form = say(client, teams, olive, "report narrative WF")
    check(card_of(form))
    assert "The current narrative is too long to fill in here; type it again." in shows(form)
    check(card_of(say(client, teams, olive, "report signoff")))
    check(cards.help_card())
