"""`ictbot stats`: the trends of the meeting cycles as Markdown, JSON and CSV, each workspace its own, nothing
on bad input; and the trends chart in the HTML digest and the committee report."""

from __future__ import annotations

import base64
import csv
import io
import json

import docx
import pytest

from bot.services import people
from tests.cli.test_digest_cli import Html, ok, plan  # noqa: F401 - the fixture
from tests.conftest import ADMIN, DELEGATE, OWNER
from tests.services.test_trends import OTHER, TEAM, history  # noqa: F401 - the fixture

MEETINGS = ["1 Sep 2026", "6 Oct 2026", "3 Nov 2026", "1 Dec 2026"]


def test_markdown_is_a_table_of_the_cycles_and_one_per_measure(ictbot, history):  # noqa: F811
    out = ok(ictbot("stats", "--team", TEAM))
    lines = out.splitlines()
    assert lines[0] == f"# Trends: {TEAM}"
    assert lines[2] == "4 meetings, 1 Sep 2026 to 1 Dec 2026 (Europe/London)."  # ICTBOT_TIMEZONE: no series here
    at = lines.index("| Meeting | Due | On time | Red | Amber | Green | No update | Exceptions |")
    assert lines[at + 2 : at + 6] == [
        "| 1 Sep 2026 | 4 | 3/4 (75%) | 0 | 1 | 2 | 2 | 1 |",
        "| 6 Oct 2026 | 4 | 2/4 (50%) | 1 | 1 | 1 | 2 | 4 |",
        "| 3 Nov 2026 | 4 | 3/4 (75%) | 2 | 1 | 1 | 2 | 2 |",
        "| 1 Dec 2026 | 4 | 2/4 (50%) | 3 | 1 | 1 | 1 | 4 |",
    ]
    owners = lines[lines.index("## On-time updates by owner") + 2 :]
    assert owners[0] == "| Owner | " + " | ".join(MEETINGS) + " |"
    assert owners[2:5] == [
        "| Ada Admin | 1/1 (100%) | 1/1 (100%) | 1/1 (100%) | 0/1 (0%) |",
        "| Dan Delegate | 1/1 (100%) | 0/1 (0%) | 1/1 (100%) | 2/2 (100%) |",
        "| Olive Owner | 1/2 (50%) | 1/2 (50%) | 1/2 (50%) | 0/1 (0%) |",
    ]
    assert "| ICT Strategic Architecture | 2/2 (100%) | 1/2 (50%) | 2/2 (100%) | 1/2 (50%) |" in lines
    assert "| Business Development | — | — | 1/1 (100%) | 0/1 (0%) |" in lines
    assert "| ICT Governance | 0 R · 0 A · 0 G · 2 none |" not in lines
    assert (
        "| ICT Governance | 0 R · 1 A · 0 G · 1 none | 1 R · 0 A · 0 G · 1 none | 1 R · 0 A · 0 G · 1 none "
        "| 1 R · 0 A · 0 G · 1 none |"
    ) in lines
    assert "not counted: assurance" in out


def test_json_has_every_figure(ictbot, history):  # noqa: F811
    doc = json.loads(ok(ictbot("stats", "--team", TEAM, "--format", "json")))
    assert (doc["format"], doc["version"], doc["team_id"]) == ("ictbot-trends", 1, TEAM)
    assert [c["meeting_at"] for c in doc["cycles"]] == [
        "2026-09-01T09:00:00Z",
        "2026-10-06T09:00:00Z",
        "2026-11-03T09:00:00Z",
        "2026-12-01T09:00:00Z",
    ]
    last = doc["cycles"][-1]
    assert last["cycle_start"] == "2026-11-03T09:00:00Z"
    assert last["on_time"] == {"due": 4, "on_time": 2, "rate": 0.5}
    assert {o["user_id"]: (o["on_time"], o["due"]) for o in last["by_owner"]} == {
        OWNER: (0, 1),
        DELEGATE: (2, 2),
        ADMIN: (0, 1),
    }
    assert last["rag"] == {"red": 3, "amber": 1, "green": 1, "no_update": 1}
    assert [c["exceptions"] for c in doc["cycles"]] == [1, 4, 2, 4]
    assert [p["code"] for p in doc["priorities"]] == [r["code"] for r in last["by_priority"]]


def test_csv_is_flat_rows_a_spreadsheet_shows_as_text(ictbot, runtime, history):  # noqa: F811
    with runtime.unit(TEAM) as (session, ws):
        people.fill(session, ws, {ADMIN: '=HYPERLINK("http://x","Ada")'})
    out = ok(ictbot("stats", "--team", TEAM, "--format", "csv", "--from", "2026-11-01"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["meeting"] for r in rows} == {"2026-11-03T09:00:00Z", "2026-12-01T09:00:00Z"}
    last = [r for r in rows if r["meeting"] == "2026-12-01T09:00:00Z"]
    [everyone] = [r for r in last if (r["measure"], r["scope"]) == ("on_time", "all")]
    assert (everyone["due"], everyone["on_time"], everyone["rate"]) == ("4", "2", "0.5000")
    [admin] = [r for r in last if r["scope"] == "owner" and r["key"] == ADMIN]
    assert admin["name"] == '\'=HYPERLINK("http://x","Ada")'
    [rag] = [r for r in last if (r["measure"], r["scope"]) == ("rag", "all")]
    assert (rag["red"], rag["amber"], rag["green"], rag["no_update"]) == ("3", "1", "1", "1")
    [ex] = [r for r in last if r["measure"] == "exceptions"]
    assert ex["exceptions"] == "4" and ex["due"] == ""
    assert out.startswith("meeting,cycle_start,measure,scope,key,name,due,on_time,rate,red,amber,green,no_update,")


def test_from_and_to_choose_the_meetings(ictbot, history, tmp_path):  # noqa: F811
    doc = json.loads(
        ok(ictbot("stats", "--team", TEAM, "--format", "json", "--from", "2026-10-06", "--to", "2026-11-03"))
    )
    assert [c["meeting_at"][:10] for c in doc["cycles"]] == ["2026-10-06", "2026-11-03"]
    target = tmp_path / "stats.md"
    result = ictbot("stats", "--team", TEAM, "--to", "2026-10-31", "-o", str(target))
    assert ok(result) == "" and f"Wrote the trends of workspace {TEAM} (2 meetings)" in result.stderr
    assert "| 6 Oct 2026 |" in target.read_text(encoding="utf-8")
    empty = ictbot("stats", "--team", TEAM, "--to", "2026-08-01")
    assert "No governance meeting was held in this range." in ok(empty)
    assert "No governance meeting was held in that range" in empty.stderr


def test_each_workspace_sees_only_its_own(ictbot, history):  # noqa: F811
    doc = json.loads(ok(ictbot("stats", "--team", OTHER, "--format", "json")))
    assert [c["meeting_at"] for c in doc["cycles"]] == ["2026-10-06T09:00:00Z"]
    assert doc["cycles"][0]["rag"] == {"red": 1, "amber": 0, "green": 0, "no_update": 0}
    assert [o["user_id"] for o in doc["cycles"][0]["by_owner"]] == [OWNER]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (
            ["--team", TEAM, "--from", "2026-12-01", "--to", "2026-11-01"],
            2,
            "--from 2026-12-01 is after --to 2026-11-01",
        ),
        (["--team", TEAM, "--from", "2027-03-01"], 2, "--from 2027-03-01 has not come yet"),
        (["--team", TEAM, "--from", "1 Sep"], 2, "is not a date such as 2026-06-09"),
        (["--team", TEAM, "--format", "xlsx"], 2, "'xlsx' is not one of 'md', 'json', 'csv'"),
        (["--team", "T0NOBODY"], 1, "T0NOBODY"),
        ([], 1, "--team"),  # two workspaces: which one must be said
    ],
)
def test_bad_input_says_what_to_put_right_and_writes_nothing(ictbot, history, tmp_path, args, status, message):  # noqa: F811
    target = tmp_path / "stats.md"
    result = ictbot("stats", *args, "--output", str(target))
    assert result.exit_code == status, result.stderr
    assert message in result.stderr
    assert result.stdout == "" and not target.exists()


# -- the trends chart in the digest and the report -------------------------------------------------


def images(html: str) -> list[dict[str, str | None]]:
    return [a for t, a in Html(html).tags if t == "img"]


def test_the_html_digest_carries_the_trends_chart_after_the_rag_chart(ictbot, plan):  # noqa: F811
    html = ok(ictbot("digest", "--format", "html", "--to", "2026-12-09"))
    rag, trends = images(html)
    assert rag["alt"] == "RAG by priority"
    assert trends["alt"] is not None and trends["alt"].startswith(
        "Bar charts, one per priority, of the open projects by RAG status at each of the last 3 meetings "
        "(13 Oct 2026 to 8 Dec 2026)."
    )
    assert trends["src"] is not None and base64.b64decode(trends["src"].split(",", 1)[1]).startswith(b"\x89PNG")
    assert html.index(rag["src"] or "") < html.index(trends["src"])
    assert len(images(ok(ictbot("report", "--format", "html", "--from", "2026-06-09", "--to", "2026-12-08")))) == 2
    assert "<img" not in ok(ictbot("digest", "--format", "md"))


def test_the_word_report_carries_the_trends_chart_as_figure_2(ictbot, plan, tmp_path):  # noqa: F811
    target = tmp_path / "report.docx"
    ok(ictbot("report", "--from", "2026-06-09", "--to", "2026-12-08", "--output", str(target)))
    doc = docx.Document(str(target))
    _rag, trends = doc.inline_shapes
    assert trends._inline.docPr.get("descr").startswith("Bar charts, one per priority, of the open projects")
    blip = trends._inline.graphic.graphicData.pic.blipFill.blip
    assert doc.part.related_parts[blip.embed].blob.startswith(b"\x89PNG")
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert captions[:2] == [
        "Figure 1: RAG status of the projects under each priority at 8 December 2026.",
        "Figure 2: RAG mix by priority at each of the last 3 meetings, from 13 October 2026 to 8 December 2026.",
    ]
