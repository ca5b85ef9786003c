"""`ictbot people refresh|list`, and the people directory's names in the CLI's other outputs: the Work Plan,
the roles, the reminders, the digest and the committee report (ids kept where an admin acts on them)."""

from __future__ import annotations

import json

import docx
import pytest

from bot.services import people
from bot.services.people import Entry
from models import Person
from tests.cli.conftest import rows
from tests.cli.test_digest_cli import NOW, TEAM, plan  # noqa: F401  (the fixture)
from tests.cli.test_reminders_cli import FIRST_STAGE, calendar, line_with  # noqa: F401  (the fixture)
from tests.conftest import ADMIN, DELEGATE, OWNER, START


def ok(result) -> str:
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def named(runtime, team: str, **names: str) -> None:
    """Put ``names`` (user id → name) in the directory of ``team``, as Slack gave them at START."""
    with runtime.unit(team) as (session, ws):
        people.record(session, ws, [Entry(u, n) for u, n in names.items()], now=START)


# -- ictbot people refresh / list --------------------------------------------------------------------


def test_refresh_reads_every_page_of_users_list_into_the_directory(ictbot, standin, runtime, engine):
    for n in range(250):
        standin.add_user(f"U1{n:05d}", name=f"Person {n}")
    standin.add_user(OWNER, name="Olive Owner", display_name="Olive", title="Head of ICT")

    out = ok(ictbot.with_slack(standin)("people", "refresh", "--team", standin.team_id))

    assert out == f"Read 254 people from Slack into the directory of workspace {standin.team_id}.\n"
    assert len(standin.calls_to("users.list")) == 2  # 200 a page
    assert rows(engine, Person) == 254
    with runtime.unit(standin.team_id) as (session, ws):
        (olive,) = [p for p in people.everyone(session, ws) if p.user_id == OWNER]
    assert (olive.name, olive.title, olive.refreshed_at) == ("Olive", "Head of ICT", START)

    listed = ok(ictbot("people", "list"))
    assert f"People in workspace {standin.team_id}" in listed
    line = line_with(listed, OWNER)
    assert "Olive" in line and "Head of ICT" in line and "Slack, 2026-11-24" in line
    assert "254 people." in listed


def test_refresh_needs_the_bot_token_and_a_slack_workspace(ictbot, runtime):
    result = ictbot("people", "refresh")
    assert result.exit_code == 1
    assert result.stderr == "ictbot: `ictbot people refresh` reads the names from Slack: set SLACK_BOT_TOKEN.\n"
    tenant = "0d3c7f4e-2a51-4b8e-9f10-6c2d8e4a7b35"
    with runtime.unit(tenant):
        pass
    teams = ictbot("people", "refresh", "--team", tenant, SLACK_BOT_TOKEN="xoxb-x")
    assert teams.exit_code == 1 and "is in Microsoft Teams" in teams.stderr


def test_a_slack_refusal_is_one_line(ictbot, standin):
    standin.fail("users.list", error="missing_scope")
    result = ictbot.with_slack(standin)("people", "refresh", "--team", standin.team_id)
    assert result.exit_code == 1
    assert result.stderr.startswith("ictbot: Slack refused users.list (missing_scope)")


def test_an_empty_directory_says_how_to_fill_it(ictbot, runtime):
    with runtime.unit("T0LOCAL"):
        pass
    assert "`ictbot people refresh` fills it from Slack" in ok(ictbot("people", "list"))


def test_a_name_from_the_work_plan_csv_is_listed_as_such(ictbot, runtime, workplan, standin, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("ref,title,priority,owner,owner_name\nNEW-01,New thing,ARCH,U0NEWBIE,Nina Newbie\n")
    ok(ictbot("projects", "import", str(path), "--team", standin.team_id))
    assert "Nina Newbie" in line_with(ok(ictbot("people", "list")), "U0NEWBIE")
    assert "Work Plan CSV" in line_with(ok(ictbot("people", "list")), "U0NEWBIE")


# -- names in the other outputs ----------------------------------------------------------------------


def test_the_work_plan_shows_owners_and_delegates_by_name_with_their_ids(ictbot, runtime, workplan, standin):
    named(runtime, standin.team_id, **{OWNER: "Olive Owner", DELEGATE: "Dan Delegate"})
    out = ok(ictbot("projects", "list"))
    assert f"Olive Owner ({OWNER})" in line_with(out, "NET-01")
    assert f"+Dan Delegate ({DELEGATE})" in out
    assert ADMIN in line_with(out, "PCI-01")  # no name known: the id


def test_roles_show_names_with_their_ids(ictbot, runtime, standin):
    named(runtime, standin.team_id, U0CHAIR="Chris Chair")
    granted = ok(ictbot("roles", "grant", "U0CHAIR", "--role", "chair", "--team", standin.team_id))
    assert granted == f"Granted chair to Chris Chair (U0CHAIR) in workspace {standin.team_id}.\n"
    assert "Chris Chair (U0CHAIR)" in line_with(ok(ictbot("roles", "list")), "U0CHAIR")


def test_reminders_show_the_person_s_name(ictbot, runtime, standin, calendar):  # noqa: F811
    named(runtime, standin.team_id, **{OWNER: "Olive Owner"})
    out = ok(ictbot.with_slack(standin)("reminders", "preview", "--at", FIRST_STAGE))
    assert f"Olive Owner ({OWNER})" in line_with(out, "MOB-01")


def test_the_digest_shows_names_and_its_json_keeps_ids_and_adds_names(ictbot, runtime, plan):  # noqa: F811
    named(runtime, TEAM, **{OWNER: "Olive Owner", ADMIN: "Ada Admin"})
    md = ok(ictbot("digest", "--from", "2026-01-01"))
    assert "Owner: Olive Owner" in md and "Ada Admin" in md
    assert OWNER not in md and ADMIN not in md
    assert DELEGATE in md  # no name: shown by its id

    doc = json.loads(ok(ictbot("digest", "--from", "2026-01-01", "--format", "json")))
    assert doc["people"] == {ADMIN: "Ada Admin", OWNER: "Olive Owner"}
    owners = {p["owner"] for g in doc["priorities"] for p in g["projects"]}
    assert OWNER in owners  # still ids


def test_the_committee_report_names_owners(ictbot, runtime, plan, tmp_path):  # noqa: F811
    named(runtime, TEAM, **{OWNER: "Olive Owner"})
    target = tmp_path / "report.docx"
    ok(ictbot("report", "--from", "2026-01-01", "--to", "2026-12-09", "--output", str(target)))
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Olive Owner" in text and OWNER not in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_digest_without_a_directory_shows_ids(ictbot, plan, fmt):  # noqa: F811
    assert OWNER in ok(ictbot("digest", "--from", "2026-01-01", "--format", fmt))
