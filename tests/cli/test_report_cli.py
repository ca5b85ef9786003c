"""`ictbot report settings load|show` and `ictbot report` with the paper: settings, narrative, sign-off."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib.resources import files

import docx
import pytest

from bot.services import paper, strategy
from tests.cli.test_digest_cli import TEAM, ok, plan  # noqa: F401 - the fixture
from tests.conftest import ADMIN

EXAMPLE = files("bot") / "data" / "report_settings_example.yaml"


def test_settings_load_and_show(ictbot, plan, tmp_path):  # noqa: F811
    result = ictbot("report", "settings", "show")
    assert ok(result) == "# (no key set)\n" and "none loaded: the defaults" in result.stderr
    settings = tmp_path / "settings.yaml"
    settings.write_text("committee: Scrutiny Committee\nauthor: {name: Ian Miles}\n", encoding="utf-8")
    assert "(2 keys set; the others take their defaults)" in ok(ictbot("report", "settings", "load", str(settings)))
    shown = ictbot("report", "settings", "show")
    assert ok(shown) == "committee: Scrutiny Committee\nauthor:\n  name: Ian Miles\n"
    assert "loaded Thu 2026-12-10 09:00 GMT" in shown.stderr
    everything = ok(ictbot("report", "settings", "show", "--all"))
    assert "show_refs: true" in everything and "period_months: 6" in everything
    # What show prints loads back as it is.
    again = tmp_path / "again.yaml"
    again.write_text(everything, encoding="utf-8")
    ok(ictbot("report", "settings", "load", str(again)))
    assert ok(ictbot("report", "settings", "show", "--all")) == everything


def test_the_example_file_loads(ictbot, plan):  # noqa: F811
    assert "keys set" in ok(ictbot("report", "settings", "load", str(EXAMPLE)))


def test_an_unknown_key_is_refused_and_nothing_is_loaded(ictbot, plan, tmp_path):  # noqa: F811
    settings = tmp_path / "settings.yaml"
    settings.write_text("commitee: Audit Committee\n", encoding="utf-8")
    result = ictbot("report", "settings", "load", str(settings))
    assert result.exit_code == 1
    assert result.stderr == (
        "ictbot: commitee: unknown key in the report settings file (did you mean `committee`?); the keys are "
        + ", ".join(paper.PaperSettings.model_fields)
        + ".\n"
    )
    assert ok(ictbot("report", "settings", "show")) == "# (no key set)\n"


def test_the_report_of_the_period_being_written_has_its_narrative_and_front_matter(ictbot, plan, tmp_path):  # noqa: F811
    ok(ictbot("report", "settings", "load", str(EXAMPLE)))
    now = datetime(2026, 12, 10, 9, tzinfo=UTC)
    with plan.unit(TEAM) as (session, ws):
        paper.write_narrative(
            session,
            ws,
            "position",
            "A revised strategy is being developed.",
            author=ADMIN,
            now=now,
            default_timezone="Europe/London",
        )
        paper.write_narrative(
            session,
            ws,
            "GOV",
            "The group meets monthly.\n\nIt approves the Work Plan.",
            author=ADMIN,
            now=now,
            default_timezone="Europe/London",
        )
    target = tmp_path / "paper.docx"
    result = ictbot("report", "--meeting", "2027-01-20", "--item", "7", "-o", str(target))
    assert ok(result) == "" and "1 April 2026" not in result.stderr
    assert "2026-04-01 00:00 to 2026-09-30 23:59 Europe/London" in result.stderr
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert texts[:3] == [
        "ITEM NO. 7",
        "AUDIT COMMITTEE – 20 JANUARY 2027",
        "ICT STRATEGY – IMPLEMENTATION PROGRESS REPORT",
    ]
    assert texts[texts.index("Purpose of the Report") + 1] == (
        "The Chief Officers Board (COB) is required to report six monthly to the Audit Committee on progress in "
        "relation to the implementation of the ICT Strategy 2014–2016."
    )
    main = texts.index("MAIN REPORT")
    assert texts[main + 1] == "A revised strategy is being developed."
    gov = texts.index("ICT Governance", main)
    assert texts[gov + 1 : gov + 3] == ["The group meets monthly.", "It approves the Work Plan."]
    assert "Ian Miles\nAssistant Director – Xentrall Shared Services" in texts
    assert "Ian Miles – Extension 157012" in texts
    assert texts[-2:] == [
        "Outcome of Consultation",
        "There has been no formal consultation in the preparation of this report.",
    ]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_period_that_is_not_a_report_period_has_no_narrative(ictbot, plan, fmt):  # noqa: F811
    with plan.unit(TEAM) as (session, ws):
        paper.write_narrative(
            session,
            ws,
            "position",
            "Narrative of April to September.",
            author=ADMIN,
            now=datetime(2026, 12, 10, 9, tzinfo=UTC),
            default_timezone="Europe/London",
        )
    odd = ictbot("report", "--format", fmt, "--from", "2026-06-09", "--to", "2026-12-08")
    assert "Narrative of April to September." not in ok(odd)
    assert "2026-06-09 to 2026-12-08 is not a report period (1 October 2026 to 31 March 2027 is)" in odd.stderr
    exact = ictbot("report", "--format", fmt, "--from", "2026-04-01", "--to", "2026-09-30")
    assert "Narrative of April to September." in ok(exact) and "not a report period" not in exact.stderr


def test_a_signed_off_paper_says_who_approved_it_and_a_later_change_is_flagged(ictbot, plan, tmp_path):  # noqa: F811
    when = datetime(2026, 12, 10, 9, tzinfo=UTC)
    with plan.unit(TEAM) as (session, ws):
        signed = paper.sign_off(session, ws, user_id=ADMIN, now=when, default_timezone="Europe/London")
    assert signed.period == paper.ReportPeriod(date(2026, 4, 1), date(2026, 9, 30))
    args = ("report", "--format", "md", "--from", "2026-04-01", "--to", "2026-09-30")
    text = ok(ictbot(*args))
    assert f"Approved by {ADMIN} on 10 December 2026." in text and "has changed" not in text
    with plan.unit(TEAM) as (session, ws):
        from bot.services.paper import narrative

        narrative.write(
            session, ws, date(2026, 4, 1), narrative.section(session, ws, "GOV"), "New.", author=ADMIN, now=when
        )
    result = ictbot(*args)
    assert "The data for this period has changed since" in ok(result)
    assert "changed since the paper was signed off" in result.stderr


def test_a_refreshed_strategy_s_narrative_is_not_printed_under_the_old_priority_of_the_same_code(ictbot, plan):  # noqa: F811
    refreshed = "name: ICT Strategy 2027\npriorities:\n  - {code: GOV, name: Governance and assurance}\n"
    with plan.unit(TEAM) as (session, ws):
        strategy.load(session, ws, strategy.parse_yaml(refreshed), now=datetime(2026, 12, 1, tzinfo=UTC))
        paper.write_narrative(
            session,
            ws,
            "GOV",
            "Narrative of the new priority.",
            author=ADMIN,
            now=datetime(2026, 12, 10, 9, tzinfo=UTC),
            default_timezone="Europe/London",
        )
    text = ok(ictbot("report", "--format", "md", "--from", "2026-04-01", "--to", "2026-09-30"))
    assert "### ICT Governance" in text and "### Governance and assurance" in text  # the old one, still in use
    assert text.count("Narrative of the new priority.") == 1
    assert text.index("Narrative of the new priority.") > text.index("### Governance and assurance")
    assert text.index("Narrative of the new priority.") < text.index("### ICT Governance", text.index("## MAIN"))
