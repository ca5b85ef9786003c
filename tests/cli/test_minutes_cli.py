"""`ictbot minutes`: the meeting's record as Markdown, HTML or Word, for one workspace; errors exit non-zero."""

from __future__ import annotations

import docx

from tests.cli.test_digest_cli import ok
from tests.services.test_minutes import DURING, HOSTILE, record_month

TEAM = "T0COUNCIL"
OTHER = "T0OTHERCO"


def month(runtime, clock, team: str = TEAM, text: str = "Adopt the cloud-first policy"):
    clock.now = DURING
    with runtime.unit(team, team_name="Darlington") as (session, ws):
        return record_month(session, ws, text=text)


def test_markdown_goes_to_standard_output(ictbot, runtime, clock):
    made = month(runtime, clock)
    result = ictbot("minutes", "--format", "md")
    text = ok(result)
    assert text.startswith("# Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT: Darlington")
    assert f"**D{made.decisions[0]}** (NET-01): Adopt the cloud-first policy (recorded by Carol Chair)" in text
    assert f"**A{made.closed_in}**: Chase the supplier" in text
    assert result.stderr == ""


def test_html_of_an_earlier_meeting_to_a_file(ictbot, runtime, clock, tmp_path):
    made = month(runtime, clock)
    out = tmp_path / "november.html"
    result = ictbot("minutes", "--meeting", "2026-11-10", "--format", "html", "--output", str(out))
    ok(result)
    page = out.read_text(encoding="utf-8")
    assert "Tue 10 Nov 2026, 10:00 GMT" in page and f"D{made.nov_decision}" in page
    assert f"D{made.decisions[0]}" not in page
    assert "Wrote the minutes of the meeting of 2026-11-10 (1 decision, 2 actions given)" in result.stderr


def test_word_goes_to_a_file_named_by_the_meetings_date(ictbot, runtime, clock, tmp_path, monkeypatch):
    month(runtime, clock, text=HOSTILE)
    monkeypatch.chdir(tmp_path)
    result = ictbot("minutes", "--format", "docx")
    assert ok(result) == ""
    assert "to minutes-2026-12-08.docx." in result.stderr
    document = docx.Document(str(tmp_path / "minutes-2026-12-08.docx"))
    assert sum(HOSTILE in p.text for p in document.paragraphs) >= 5


def test_a_day_with_no_meeting_is_refused_with_the_next_meetings(ictbot, runtime, clock):
    month(runtime, clock)
    result = ictbot("minutes", "--meeting", "2026-12-09", "--format", "md")
    assert result.exit_code == 2 and result.stdout == ""
    assert "There is no meeting on 2026-12-09. The next ones are on 2027-01-12" in result.stderr


def test_bad_options_are_refused(ictbot, runtime, clock):
    month(runtime, clock)
    assert "is not a date such as" in ictbot("minutes", "--meeting", "8/12/2026", "--format", "md").stderr
    missing = ictbot("minutes")
    assert missing.exit_code == 2 and "Missing option '--format'" in missing.stderr
    assert ictbot("minutes", "--format", "pdf").exit_code == 2


def test_no_calendar_is_said_so(ictbot, runtime, clock):
    clock.now = DURING
    with runtime.unit(TEAM):
        pass
    result = ictbot("minutes", "--format", "md")
    assert result.exit_code == 1
    assert "There are no meetings in the calendar yet" in result.stderr


def test_team_names_the_workspace_and_shows_only_its_rows(ictbot, runtime, clock):
    made = month(runtime, clock)
    month(runtime, clock, OTHER, text="Theirs only")
    mine = ok(ictbot("minutes", "--format", "md", "--team", TEAM))
    theirs = ok(ictbot("minutes", "--format", "md", "--team", OTHER))
    assert "Adopt the cloud-first policy" in mine and "Theirs only" not in mine
    assert "Theirs only" in theirs and "Adopt the cloud-first policy" not in theirs
    assert f"**D{made.decisions[0]}**" not in theirs
    unknown = ictbot("minutes", "--format", "md", "--team", "T0NOBODY")
    assert unknown.exit_code != 0 and unknown.stdout == ""
    assert ictbot("minutes", "--format", "md").exit_code != 0  # two workspaces: --team is needed
