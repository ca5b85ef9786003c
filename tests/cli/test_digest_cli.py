"""`ictbot digest` and `ictbot report`: periods of local days, every format to stdout or a file, nothing on error."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import docx
import pytest

from bot.render.exceptions import HEADINGS
from bot.services import meetings, updates
from bot.services import projects as project_service
from bot.services.quickform import UpdateText
from models import ProjectStatus, Rag, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER
from tests.render.test_docx_report import labelled

EXCEPTION_HEADINGS = set(HEADINGS.values())
TEAM = "T0COUNCIL"
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
EVIL = "<!channel> <@U123> <https://x|y> <script>alert(1)</script> *bold* [x](http://y)"
RAW = ("<!channel>", "<@U123>", "<https://x|y>", "<script>", "[x](http://y)", "*bold*")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def plan(runtime, clock):
    """A Work Plan whose updates sit on either side of local midnights (BST in June, GMT in December).

    Meetings on the second Tuesday at 10:00: 13 Oct, 10 Nov and 8 Dec 2026; the CLI runs on 10 Dec.
    """
    clock.now = utc(2026, 1, 5, 9)
    with runtime.unit(TEAM, team_name="Darlington") as (session, ws):

        def add(ref: str, title: str, priority: str, owner: str = OWNER) -> None:
            project_service.add(session, ws, ref=ref, title=title, priority=priority, owner=owner, now=clock.now)

        def post(ref: str, rag: Rag, progress: str, when: datetime, **more: str) -> None:
            project = project_service.get(session, ws, ref)
            text = UpdateText(rag=rag, progress=progress, **more)
            updates.post(
                session, ws, project, user_id=ADMIN, is_admin=True, text=text, source=UpdateSource.COMMAND, now=when
            )

        add("SD-01", "Self-service portal", "SD")
        add("SD-02", "ITIL process review", "SD", DELEGATE)
        add("GOV-01", "PCI DSS quarterly tests", "GOV", ADMIN)
        add("GOV-02", "PSN submission", "GOV", ADMIN)
        add("NET-01", "Council network refresh", "ARCH")
        add("TRN-01", "Technical training programme", "WF", DELEGATE)
        post("SD-01", Rag.AMBER, "Design agreed", utc(2026, 4, 10, 9))
        post("SD-01", Rag.GREEN, "Portal live", utc(2026, 10, 1, 9), next_steps="Add council tax", risks="None known")
        post("GOV-01", Rag.GREEN, "Q1 tests passed", utc(2026, 5, 20, 9))
        post("GOV-01", Rag.RED, EVIL, utc(2026, 11, 20, 9), next_steps=EVIL, risks=EVIL)
        post("GOV-02", Rag.GREEN, "Submitted to the Cabinet Office", utc(2026, 8, 1, 9))
        project_service.set_status(
            session, ws, "GOV-02", ProjectStatus.COMPLETE, now=utc(2026, 9, 15, 12), tz=runtime.settings.timezone
        )
        # 23:30 and 00:30 BST either side of the start of 9 June.
        post("NET-01", Rag.AMBER, "Late on the 8th", utc(2026, 6, 8, 22, 30))
        post("NET-01", Rag.GREEN, "Just after midnight", utc(2026, 6, 8, 23, 30))
        # 23:30 and 00:30 GMT either side of the end of 8 December.
        post("TRN-01", Rag.GREEN, "Last evening of the period", utc(2026, 12, 8, 23, 30))
        post("TRN-01", Rag.AMBER, "The next morning", utc(2026, 12, 9, 0, 30))
        meetings.materialise(session, ws, now=utc(2026, 10, 1), default_timezone="Europe/London")
    clock.now = NOW
    return runtime


def ok(result) -> str:
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def digest_json(ictbot, *args: str) -> dict:
    return json.loads(ok(ictbot("digest", "--format", "json", *args)))


def projects(doc: dict) -> dict[str, dict]:
    return {p["ref"]: p for g in doc["priorities"] for p in g["projects"]}


class Html(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def chart_of(html: str) -> bytes:
    """The RAG-by-priority chart (the trends chart follows it: tests/cli/test_stats_cli.py)."""
    [src] = [a["src"] for t, a in Html(html).tags if t == "img" and a.get("alt") == "RAG by priority"]
    assert src is not None and src.startswith("data:image/png;base64,")
    return base64.b64decode(src.removeprefix("data:image/png;base64,"))


# -- the period ------------------------------------------------------------------------------------


def test_digest_without_dates_covers_the_time_since_the_last_meeting(ictbot, plan):
    md = ok(ictbot("digest"))
    assert md.startswith("# ICT progress digest: Darlington\n")
    assert "Period: 8 Dec 2026 10:00 to 10 Dec 2026 09:00 (Europe/London)." in md
    doc = digest_json(ictbot)
    assert (doc["start"], doc["end"]) == ("2026-12-08T10:00:00Z", "2026-12-10T09:00:00Z")
    assert projects(doc)["TRN-01"]["update"]["progress"] == "The next morning"


def test_from_and_to_are_whole_local_days(ictbot, plan):
    doc = digest_json(ictbot, "--from", "2026-06-09", "--to", "2026-12-08")
    # Midnight BST at the start of 9 June; the last instant of 8 December, GMT.
    assert (doc["start"], doc["end"]) == ("2026-06-08T23:00:00Z", "2026-12-08T23:59:59.999999Z")
    p = projects(doc)
    assert (p["NET-01"]["update"]["progress"], p["NET-01"]["previous_rag"]) == ("Just after midnight", "amber")
    assert (p["TRN-01"]["update"]["progress"], p["TRN-01"]["rag"]) == ("Last evening of the period", "green")
    assert [x["ref"] for x in doc["completed"]] == ["GOV-02"]
    assert [x["ref"] for x in doc["missing"]] == ["SD-02"]
    md = ok(ictbot("digest", "--from", "2026-06-09", "--to", "2026-12-08"))
    assert "Period: 9 Jun 2026 00:00 to 8 Dec 2026 23:59 (Europe/London)." in md


@pytest.mark.parametrize("to", ["2026-12-10", "2027-03-01"])
def test_a_to_of_today_or_later_ends_the_period_now(ictbot, plan, to):
    doc = digest_json(ictbot, "--from", "2026-12-09", "--to", to)
    assert (doc["start"], doc["end"]) == ("2026-12-09T00:00:00Z", "2026-12-10T09:00:00Z")


def test_only_to_starts_at_the_meeting_before_it_and_only_from_ends_now(ictbot, plan):
    doc = digest_json(ictbot, "--to", "2026-11-30")
    assert (doc["start"], doc["end"]) == ("2026-11-10T10:00:00Z", "2026-11-30T23:59:59.999999Z")
    assert projects(doc)["GOV-01"]["update"]["risks"] == EVIL
    doc = digest_json(ictbot, "--from", "2026-12-01")
    assert (doc["start"], doc["end"]) == ("2026-12-01T00:00:00Z", "2026-12-10T09:00:00Z")


# -- formats and where they go ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_each_digest_format_goes_to_stdout_or_to_the_output_file_alike(ictbot, plan, tmp_path, fmt):
    args = ("digest", "--format", fmt, "--from", "2026-06-09", "--to", "2026-12-08")
    shown = ok(ictbot(*args))
    target = tmp_path / f"digest.{fmt}"
    result = ictbot(*args, "--output", str(target))
    assert ok(result) == ""
    assert target.read_text(encoding="utf-8") == shown
    assert result.stderr == (
        f"Wrote the digest of workspace {TEAM} (6 projects, 2026-06-09 00:00 to 2026-12-08 23:59 Europe/London) "
        f"to {target}.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_the_html_digest_carries_the_chart_inside_it(ictbot, plan):
    html = ok(ictbot("digest", "--format", "html", "--from", "2026-06-09", "--to", "2026-12-08"))
    png = chart_of(html)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Self-service portal" in Html(html).text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_report_in_markdown_and_html_has_the_seed_shape(ictbot, plan, tmp_path, fmt):
    args = ("report", "--format", fmt, "--from", "2026-06-09", "--to", "2026-12-08")
    out = ok(ictbot(*args))
    text = out if fmt == "md" else Html(out).text
    for words in (
        "Purpose of the Report",
        "Recommendation",
        "It is recommended that progress on the implementation of the ICT Strategy be noted.",
        "The ICT Strategy 2014–2016 focusses on five strategic priorities:",
        "(a) ICT Service Development",
        "(e) ICT Competent Workforce",
        "from 9 June 2026 to 8 December 2026",
        "(SD-01, Green; one update in the period): Portal live. Next steps: Add council tax.",
        "One project under this priority has been completed since the last report to this committee:",
        "(a) PSN submission (GOV-02), completed 15 September 2026.",
        "One project has been completed since the last report to this committee, under ICT Governance.",
    ):
        assert words in text
    if fmt == "html":
        assert chart_of(out).startswith(b"\x89PNG")
    target = tmp_path / f"report.{fmt}"
    result = ictbot(*args, "--output", str(target))
    assert ok(result) == "" and target.read_text(encoding="utf-8") == out
    assert f"Wrote the committee report of workspace {TEAM} (6 projects, 1 project completed" in result.stderr


def test_the_report_as_a_word_document(ictbot, plan, tmp_path):
    target = tmp_path / "report.docx"
    result = ictbot("report", "--from", "2026-06-09", "--to", "2026-12-08", "--output", str(target))
    assert ok(result) == "" and "Wrote the committee report" in result.stderr
    doc = docx.Document(str(target))
    outline = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    assert outline[:2] == ["ICT STRATEGY – IMPLEMENTATION PROGRESS REPORT", "Exceptions"]
    assert [t for t in outline[2:] if t not in EXCEPTION_HEADINGS] == [
        "SUMMARY REPORT",
        "Purpose of the Report",
        "Summary",
        "Recommendation",
        "Reasons",
        "MAIN REPORT",
        "ICT Service Development",
        "ICT Governance",
        "ICT Strategic Architecture",
        "Business Development",
        "ICT Competent Workforce",
        "Projects completed since the last report to this committee",
    ]
    lines = [t for _, t in labelled(doc)]
    at = lines.index("2. The ICT Strategy 2014–2016 focusses on five strategic priorities:")
    assert lines[at + 1 : at + 6] == [
        "(a) ICT Service Development",
        "(b) ICT Governance",
        "(c) ICT Strategic Architecture",
        "(d) Business Development",
        "(e) ICT Competent Workforce",
    ]
    assert (
        "(a) Self-service portal (SD-01, Green; one update in the period): Portal live.\n"
        "Next steps: Add council tax.\nRisks and issues: None known." in lines
    )
    # The update at 23:30 BST on 8 June is before the period, the one an hour later in it.
    assert "(a) Council network refresh (NET-01, Green; one update in the period): Just after midnight." in lines
    gov = lines.index("ICT Governance")
    at = next(i for i, t in enumerate(lines) if i > gov and "under this priority has been completed" in t)
    assert lines[at].endswith(
        ". One project under this priority has been completed since the last report to this committee:"
    )
    assert lines[at + 1] == "(a) PSN submission (GOV-02), completed 15 September 2026."
    assert lines[at + 2] == "ICT Strategic Architecture"
    done = lines.index("Projects completed since the last report to this committee")
    assert lines[done + 1].endswith(
        ". One project has been completed since the last report to this committee, under ICT Governance."
    )
    picture, trends = doc.inline_shapes  # the RAG chart, then the RAG mix over the meetings
    assert trends._inline.docPr.get("title") == "RAG mix by priority over the last meetings"
    blip = picture._inline.graphic.graphicData.pic.blipFill.blip
    assert doc.part.related_parts[blip.embed].blob.startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


def test_a_workspace_with_no_projects_gets_a_report_without_a_chart(ictbot, runtime, tmp_path):
    with runtime.unit("T0EMPTY"):
        pass
    target = tmp_path / "empty.docx"
    ok(ictbot("report", "--from", "2026-06-09", "--to", "2026-12-08", "-o", str(target), "--team", "T0EMPTY"))
    doc = docx.Document(str(target))
    assert len(doc.inline_shapes) == 0
    assert any(
        p.text == "No projects have been completed since the last report to this committee." for p in doc.paragraphs
    )
    html = ok(ictbot("digest", "--format", "html", "--team", "T0EMPTY"))
    assert "<img" not in html


def test_a_workspace_with_no_meeting_yet_is_reported_up_to_now_in_words(ictbot, runtime, tmp_path):
    """No meeting before: the period has no start, and reads "up to …", never "the beginning to …"."""
    with runtime.unit("T0EMPTY"):
        pass
    target = tmp_path / "empty.md"
    result = ictbot("digest", "--team", "T0EMPTY", "-o", str(target))
    wrote = r"Wrote the digest of workspace T0EMPTY \(0 projects, up to [-0-9: ]+ Europe/London\) to (.*)\.\n"
    assert (m := re.fullmatch(wrote, result.stderr)) and m[1] == str(target)
    md = target.read_text(encoding="utf-8")
    assert re.search(r"Period: up to \d+ \w+ \d{4} \d\d:\d\d \(Europe/London\)\.", md) and "beginning" not in md
    assert "**No projects in the ICT Work Plan in this period.**" in md
    period = ("--from", "2026-06-09", "--to", "2026-12-08", "--team", "T0EMPTY")
    result = ictbot("report", *period, "-o", str(tmp_path / "empty.docx"))
    assert "(0 projects, none completed, 2026-06-09 00:00 to " in result.stderr
    report = ok(ictbot("report", "--format", "md", *period))
    assert "There were no projects in the ICT Work Plan in this period." in report
    assert "improved for" not in report and "0 had a progress update" not in report


# -- officer text stays text -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["digest", "report"])
def test_officer_text_is_inert_in_markdown_and_html(ictbot, plan, command):
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    md = ok(ictbot(command, "--format", "md", *period))
    for raw in RAW:
        assert raw not in md
    assert "\\<!channel\\> \\<\\@U123\\> \\<https\\://x\\|y\\> \\<script\\>alert(1)\\</script\\>" in md
    assert "\\*bold\\* \\[x\\](http\\://y)" in md
    html = ok(ictbot(command, "--format", "html", *period))
    page = Html(html)
    assert not {t for t, _ in page.tags} & {"script", "a", "iframe"}
    assert "<script>alert" not in html and EVIL in page.text


def test_officer_text_is_literal_text_in_the_word_document(ictbot, plan, tmp_path):
    target = tmp_path / "report.docx"
    ok(ictbot("report", "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(target)))
    [item] = [p for p in docx.Document(str(target)).paragraphs if p.text.startswith("PCI DSS quarterly tests")]
    assert item.text == (
        f"PCI DSS quarterly tests (GOV-01, Red; one update in the period): {EVIL}.\n"
        f"Next steps: {EVIL}.\nRisks and issues: {EVIL}."
    )


INVISIBLE = "\u202eGreen\u202c (was \u2066Red\u2069) on\u200b\u200ctime\ufeff\u200e\u200f\u061c\u2060"
SEEN = "Green (was Red) ontime"


def test_bidi_controls_and_zero_width_characters_reach_no_file(ictbot, plan, runtime, tmp_path):
    """Typed before the bot removed them (old rows hold them too): gone from the Markdown, the HTML and the
    Word document, the rest of the text kept as typed."""
    with runtime.unit(TEAM) as (session, ws):
        project = project_service.get(session, ws, "NET-01")
        text = UpdateText(Rag.GREEN, INVISIBLE, next_steps=INVISIBLE, risks=INVISIBLE)
        when = utc(2026, 11, 21, 9)
        updates.post(session, ws, project, user_id=OWNER, is_admin=True, text=text, source=UpdateSource.MODAL, now=when)
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    target = tmp_path / "report.docx"
    ok(ictbot("report", *period, "--output", str(target)))
    word = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    for command in ("digest", "report"):
        for fmt in ("md", "html"):
            out = ok(ictbot(command, "--format", fmt, *period))
            assert SEEN in out and not set(out) & set(INVISIBLE) - set(SEEN), (command, fmt)
    assert SEEN in word and not set(word) & set(INVISIBLE) - set(SEEN)


# -- refusals: exit status, message, and nothing written -------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13-01", "--to", "2026-12-08"), "'2026-13-01' is not a date such as 2026-06-09"),
        (("--from", "2026-06-09", "--to", "yesterday"), "'yesterday' is not a date"),
        (("--from", "2026-12-08", "--to", "2026-06-09"), "--from 2026-12-08 is after --to 2026-06-09"),
        (("--from", "2027-01-04", "--to", "2027-01-31"), "--from 2027-01-04 is after the end of the period"),
        (("--format", "pdf", "--from", "2026-06-09", "--to", "2026-12-08"), "'pdf' is not one of"),
    ],
)
@pytest.mark.parametrize("command", ["digest", "report"])
def test_bad_input_exits_2_and_writes_nothing(ictbot, plan, tmp_path, command, args, message):
    fresh, kept = tmp_path / "fresh.out", tmp_path / "kept.out"
    kept.write_text("the last one", encoding="utf-8")
    for target in (fresh, kept):
        result = ictbot(command, *args, "--output", str(target))
        assert result.exit_code == 2, result.output
        assert message in result.stderr and result.stdout == ""
    assert not fresh.exists() and kept.read_text(encoding="utf-8") == "the last one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.out"]


def test_the_report_needs_both_dates_or_neither_and_a_file_for_word(ictbot, plan, tmp_path):
    result = ictbot("report", "--format", "md", "--to", "2026-12-08")
    assert result.exit_code == 2 and "Give both --from and --to, or neither" in result.stderr
    result = ictbot("report", "--from", "2026-06-09", "--to", "2026-12-08")
    assert result.exit_code == 2 and "--format docx needs --output FILE.docx" in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_an_unknown_team_exits_1_and_writes_nothing(ictbot, plan, tmp_path):
    target = tmp_path / "digest.md"
    result = ictbot("digest", "--team", "T0NOPE", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"ictbot: There is no workspace T0NOPE in this database (it holds {TEAM}).\n"
    assert not target.exists()


def test_an_empty_database_is_refused(ictbot, tmp_path):
    result = ictbot("report", "--from", "2026-06-09", "--to", "2026-12-08", "-o", str(tmp_path / "r.docx"))
    assert result.exit_code == 1 and result.stderr.startswith("ictbot: This database holds no workspace yet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["digest", "report"])
def test_an_output_file_that_cannot_be_written_exits_1(ictbot, plan, tmp_path, command):
    target = tmp_path / "no-such-folder" / "out.docx"
    result = ictbot(command, "--from", "2026-06-09", "--to", "2026-12-08", "--output", str(target))
    assert result.exit_code == 1
    expected = f"ictbot: Cannot write {target}: the folder {target.parent} does not exist.\n"
    assert result.stderr == expected
    assert list(tmp_path.iterdir()) == []


def test_the_digest_is_read_in_a_transaction_that_writes_nothing(ictbot, plan, engine):
    """No meeting is materialised, no workspace created: the digest only reads."""
    from sqlalchemy import func, select

    from models import Meeting, Workspace

    def counts() -> tuple[int, int]:
        with engine.connect() as conn:
            return (
                int(conn.scalar(select(func.count()).select_from(Meeting)) or 0),
                int(conn.scalar(select(func.count()).select_from(Workspace)) or 0),
            )

    before = counts()
    ok(ictbot("digest"))
    ok(ictbot("report", "--format", "md", "--from", "2026-06-09", "--to", "2026-12-08"))
    assert counts() == before


def test_json_is_the_digests_data(ictbot, plan):
    doc = digest_json(ictbot, "--from", "2026-06-09", "--to", "2026-12-08")
    assert (doc["format"], doc["workspace"], doc["team_id"]) == ("ictbot-digest", "Darlington", TEAM)
    assert doc["generated_at"] == "2026-12-10T09:00:00Z"
    assert doc["headline"].startswith("1 project completed since the last report")
