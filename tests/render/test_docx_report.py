"""The committee report as a Word document: seed 001's shape in real Word styles, text as typed, written whole."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml.ns import qn

from bot.render.charts import rag_by_priority_png
from bot.render.docx_report import ITEM_STYLE, PARAGRAPH_STYLE, TITLE, write_report_docx, xml_safe
from bot.services import digest as ds
from models import ProjectStatus, Rag, UpdateSource

OWNER = "U0OWNER"
START = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)
END = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
EVIL = "<!channel> <@U123> <https://x|y> <script>alert(1)</script> *bold* [x](http://y) & </w:t>"
PRIORITIES = (
    ("SD", "ICT Service Development", "Service improvement activities in the ICT Service Improvement Programme."),
    ("GOV", "ICT Governance", "Strategy monitoring, the ICT Work Plan, assurance (PCI DSS, PSN, internal audit)."),
    (
        "ARCH",
        "ICT Strategic Architecture",
        "Network, mobile, GIS, e-forms, server management, security and resilience.",
    ),
    ("BD", "Business Development", "Service-based projects from the Information & Systems Strategies."),
    ("WF", "ICT Competent Workforce", "Technical training for ICT teams and support for ICT users."),
)


# -- a Digest built by hand, no database: the shapes the renderers must cope with ------------------


def project(
    ref: str,
    title: str,
    *,
    rag: Rag | None = None,
    previous: Rag | None = None,
    progress: str | None = None,
    next_steps: str = "",
    risks: str = "",
    status: ProjectStatus = ProjectStatus.ACTIVE,
    completed_on: date | None = None,
    started: bool = False,
    owner: str = OWNER,
    updates: int = 1,
) -> ds.ProjectEntry:
    """A project; with ``progress``, it has ``updates`` updates in the period, the last of them saying it."""
    when = datetime(2026, 10, 1, 9, tzinfo=UTC)
    update = (
        ds.UpdateEntry(
            id=hash(ref) % 1000,
            author=owner,
            created_at=when,
            source=UpdateSource.COMMAND,
            revision=1,
            editor=owner,
            rag=rag or Rag.GREEN,
            progress=progress,
            next_steps=next_steps,
            risks=risks,
        )
        if progress is not None
        else None
    )
    return ds.ProjectEntry(
        id=hash(ref) % 1000,
        ref=ref,
        title=title,
        owner=owner,
        delegates=(),
        service_area="",
        status=status,
        target_date=None,
        completed_on=completed_on,
        created_at=datetime(2026, 7, 1, tzinfo=UTC) if started else datetime(2026, 1, 5, tzinfo=UTC),
        priority_code=None,
        priority_name=None,
        update=update,
        rag=rag,
        previous_rag=previous,
        trend=ds.trend(previous, rag),
        last_updated_at=when if rag else None,
        days_since_update=(END - when).days if rag else None,
        missing=status is ProjectStatus.ACTIVE and update is None,
        completed_in_period=completed_on is not None,
        started_in_period=started,
        updates=(*(earlier(update, k) for k in range(updates - 1, 0, -1)), update) if update else (),
    )


def earlier(latest: ds.UpdateEntry, weeks: int) -> ds.UpdateEntry:
    """An update ``weeks`` before ``latest``, amber, saying when it was made."""
    when = latest.created_at - timedelta(weeks=weeks)
    return replace(
        latest, id=latest.id + 1000 * weeks, created_at=when, rag=Rag.AMBER, progress=f"Done by {when:%-d %b}"
    )


def group(code: str | None, name: str, description: str, projects: list[ds.ProjectEntry]) -> ds.PriorityGroup:
    return ds.PriorityGroup(
        kind=ds.GroupKind.PRIORITY if code else ds.GroupKind.NONE,
        code=code,
        name=name,
        description=description,
        strategy="ICT Strategy 2014–2016" if code else None,
        note="" if code else "Projects not filed under any priority of the strategy.",
        rag=ds.RagCounts.of(p.rag for p in projects),
        status=ds.StatusCounts.of(p.status for p in projects),
        projects=tuple(replace(p, priority_code=code, priority_name=name if code else None) for p in projects),
    )


def make_digest(groups: list[ds.PriorityGroup], *, start: datetime | None = START) -> ds.Digest:
    ordered = [p for g in groups for p in g.projects]
    totals = ds.Totals(
        projects=len(ordered),
        updated=sum(p.update is not None for p in ordered),
        missing=sum(p.missing for p in ordered),
        completed=sum(p.completed_in_period for p in ordered),
        started=sum(p.started_in_period for p in ordered),
        improved=sum(p.trend is ds.Trend.IMPROVED for p in ordered),
        worse=sum(p.trend is ds.Trend.WORSE for p in ordered),
        rag=ds.RagCounts.of(p.rag for p in ordered),
        status=ds.StatusCounts.of(p.status for p in ordered),
    )
    return ds.Digest(
        workspace="Darlington",
        team_id="T0COUNCIL",
        strategy=ds.StrategyInfo(
            name="ICT Strategy 2014–2016",
            period="2014–2016",
            description="",
            priorities=tuple((code, name) for code, name, _ in PRIORITIES),
        ),
        start=start,
        end=END,
        generated_at=END,
        timezone="Europe/London",
        priorities=tuple(groups),
        missing=tuple(p for p in ordered if p.missing),
        completed=tuple(p for p in ordered if p.completed_in_period),
        started=tuple(p for p in ordered if p.started_in_period),
        totals=totals,
        headline=ds.headline(totals, since_last_report=start is not None),
    )


def sample_digest(*, progress: str = "Portal live for four services") -> ds.Digest:
    """Five priorities (one empty), every RAG, a missing, a completed and a started project, one with no priority."""
    projects = {
        "SD": [
            project(
                "SD-01",
                "Self-service portal",
                rag=Rag.GREEN,
                previous=Rag.AMBER,
                progress=progress,
                next_steps="Add council tax",
                risks="Supplier capacity in January",
                updates=3,
            ),
            project("SD-02", "ITIL process review"),
        ],
        "GOV": [
            project("GOV-01", "PCI DSS quarterly tests", rag=Rag.RED, previous=Rag.GREEN, progress="Q3 scan failed"),
            project(
                "GOV-02",
                "PSN submission",
                rag=Rag.GREEN,
                progress="Submitted to the Cabinet Office",
                status=ProjectStatus.COMPLETE,
                completed_on=date(2026, 9, 15),
            ),
        ],
        "ARCH": [
            project("GIS-01", "GIS upgrade", status=ProjectStatus.ON_HOLD),
            project("MOB-01", "Mobile carrier cut-across", rag=Rag.AMBER, progress="Contract signed", started=True),
            project("NET-01", "Council network refresh", rag=Rag.AMBER, previous=Rag.AMBER, progress="Links delayed"),
        ],
        "BD": [],
        "WF": [project("TRN-01", "Technical training programme", rag=Rag.GREEN, progress="Courses run")],
    }
    groups = [group(code, name, desc, projects[code]) for code, name, desc in PRIORITIES]
    groups.append(
        group(None, ds.NO_PRIORITY, "", [project("NOP-01", "Telephony review", rag=Rag.AMBER, progress="Options")])
    )
    return make_digest(groups)


# -- reading a .docx back ----------------------------------------------------------------------------


def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def render(d: ds.Digest, chart: bytes | None = None, **kwargs: object) -> bytes:
    out = io.BytesIO()
    write_report_docx(d, out, chart_png=chart, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def labelled(doc: DocxDocument) -> list[tuple[str, str]]:
    """(style, text) of every body paragraph, with the numbers Word shows: ``3. …`` and ``(b) …``."""
    out: list[tuple[str, str]] = []
    number = letter = 0
    for p in doc.paragraphs:
        style = p.style.name if p.style is not None else ""
        text = p.text
        if style == PARAGRAPH_STYLE:
            number, letter = number + 1, 0
            text = f"{number}. {text}"
        elif style == ITEM_STYLE:
            letter += 1
            text = f"({chr(ord('a') + letter - 1)}) {text}"
        out.append((style or "", text))
    return out


def test_the_report_has_seed_001s_headings_in_real_heading_styles():
    doc = open_docx(render(sample_digest(), rag_by_priority_png(sample_digest())))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style is not None and p.style.name != "Normal"]
    outline = [(s, t) for s, t in headings if s.startswith("Heading") or s == "Title"]
    assert outline == [
        ("Title", TITLE),
        ("Heading 1", "Exceptions"),
        ("Heading 1", "SUMMARY REPORT"),
        ("Heading 2", "Purpose of the Report"),
        ("Heading 2", "Summary"),
        ("Heading 2", "Recommendation"),
        ("Heading 2", "Reasons"),
        ("Heading 1", "MAIN REPORT"),
        ("Heading 2", "ICT Service Development"),
        ("Heading 2", "ICT Governance"),
        ("Heading 2", "ICT Strategic Architecture"),
        ("Heading 2", "Business Development"),
        ("Heading 2", "ICT Competent Workforce"),
        ("Heading 2", "No priority"),
        ("Heading 2", "Projects completed since the last report to this committee"),
    ]
    main = next(p for p in doc.paragraphs if p.text == "MAIN REPORT")
    assert main.paragraph_format.page_break_before is True
    assert doc.paragraphs[1].text == "Darlington: ICT Strategy 2014–2016, progress from 9 June 2026 to 8 December 2026."
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4


def test_paragraphs_are_numbered_and_the_priorities_lettered_by_word():
    doc = open_docx(render(sample_digest()))
    lines = [t for _, t in labelled(doc)]
    at = lines.index("2. The ICT Strategy 2014–2016 focusses on five strategic priorities:")
    assert lines[at + 1 : at + 7] == [
        "(a) ICT Service Development",
        "(b) ICT Governance",
        "(c) ICT Strategic Architecture",
        "(d) Business Development",
        "(e) ICT Competent Workforce",
        "3. This report summarises progress on the main activities within each of these priorities.",
    ]
    assert lines[lines.index("Purpose of the Report") + 1] == (
        "1. To report progress on the implementation of the ICT Strategy 2014–2016 from 9 June 2026 to 8 December 2026."
    )
    assert "4. It is recommended that progress on the implementation of the ICT Strategy be noted." in lines
    numbers = [int(t.split(".")[0]) for s, t in labelled(doc) if s == PARAGRAPH_STYLE]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 15
    # The numbers are Word's own: a two-level list, "1." then "(a)", linked to the two styles.
    numbering = doc.part.numbering_part.element
    style = doc.styles[ITEM_STYLE].element
    num_id = style.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    levels = [
        (lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val")))
        for lvl in abstract.findall(qn("w:lvl"))
    ]
    assert levels == [("decimal", "%1."), ("lowerLetter", "(%2)")]


def test_each_priority_lists_its_projects_with_ref_rag_progress_next_steps_and_risks():
    lines = [t for _, t in labelled(open_docx(render(sample_digest())))]
    sd = lines.index("ICT Service Development")
    assert lines[sd + 1 : sd + 5] == [
        "7. Service improvement activities in the ICT Service Improvement Programme.",
        "8. Progress has been made on one project during the period:",
        "(a) Self-service portal (SD-01, Green; three updates in the period): Portal live for four services.\n"
        "Next steps: Add council tax.\nRisks and issues: Supplier capacity in January.",
        "9. No progress update was received for ITIL process review (SD-02).",
    ]
    arch = lines.index("ICT Strategic Architecture")
    assert lines[arch + 3 : arch + 5] == [
        "(a) Mobile carrier cut-across (MOB-01, Amber; one update in the period): Contract signed.",
        "(b) Council network refresh (NET-01, Amber; one update in the period): Links delayed.",
    ]
    bd = lines.index("Business Development")
    assert lines[bd + 2].endswith(". There are no projects in the ICT Work Plan under this priority.")
    # GOV-02's completion is counted and listed under ICT Governance, after its progress.
    gov = lines.index("ICT Governance")
    assert lines[gov + 5 : gov + 7] == [
        "12. One project under this priority has been completed since the last report to this committee:",
        "(a) PSN submission (GOV-02), completed 15 September 2026.",
    ]
    assert lines[gov + 7] == "ICT Strategic Architecture"
    done = lines.index("Projects completed since the last report to this committee")
    assert lines[done + 1].endswith(
        ". One project has been completed since the last report to this committee, under ICT Governance."
    )
    assert lines[done + 2].endswith(". One new project was started in the period:")
    assert lines[done + 3] == "(a) Mobile carrier cut-across (MOB-01)."
    assert any("Of the 9 projects in the ICT Work Plan in this period, 7 had a progress update" in t for t in lines)


def test_a_project_title_is_bold_and_officer_text_is_plain_runs():
    doc = open_docx(render(sample_digest()))
    item = next(p for p in doc.paragraphs if p.text.startswith("Self-service portal"))
    assert [(r.text, bool(r.bold)) for r in item.runs][:3] == [
        ("Self-service portal", True),
        (" (SD-01, Green; three updates in the period): ", False),
        ("Portal live for four services.", False),
    ]


def test_the_chart_is_an_inline_picture_with_alt_text_and_the_rag_table_a_real_table():
    d = sample_digest()
    png = rag_by_priority_png(d)
    doc = open_docx(render(d, png))
    [shape] = doc.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    assert doc.part.related_parts[blip.embed].blob == png
    assert round(shape.width.mm) == 160
    descr = shape._inline.docPr.get("descr")
    assert descr.startswith("Bar chart of the projects' RAG status by priority.")
    assert "ICT Governance: 1 red, 0 amber, 1 green, 0 with no RAG yet" in descr
    assert any(p.text.startswith("Figure 1: RAG status") and p.style.name == "Caption" for p in doc.paragraphs)
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Priority", "Red", "Amber", "Green", "No RAG yet"]
    assert rows[1:] == [
        [g.name, str(g.rag.red), str(g.rag.amber), str(g.rag.green), str(g.rag.none)] for g in d.priorities
    ]
    # Without a chart there is no picture, and nothing else changes.
    assert open_docx(render(d)).inline_shapes.__len__() == 0


def test_officer_text_goes_in_literally_as_text():
    doc = open_docx(render(sample_digest(progress=EVIL)))
    item = next(p for p in doc.paragraphs if p.text.startswith("Self-service portal"))
    assert EVIL + "." in item.text
    xml = zipfile.ZipFile(io.BytesIO(render(sample_digest(progress=EVIL)))).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml and "<script>" not in xml
    assert "&lt;/w:t&gt;" in xml and "&amp; " in xml


def test_characters_xml_cannot_hold_are_removed_and_line_breaks_kept():
    typed = "Line one\x0bLine two\x00\x01\x1f end\r\nThird\tline\x0cFourth\ud800 \ufffe"
    assert xml_safe(typed) == "Line one\nLine two end\nThird\tline\nFourth "
    doc = open_docx(render(sample_digest(progress=typed)))
    item = next(p for p in doc.paragraphs if p.text.startswith("Self-service portal"))
    assert "Line one\nLine two end\nThird\tline\nFourth." in item.text
    # Anywhere else too: a title or a workspace name imported with a control character.
    d = sample_digest()
    d = replace(d, workspace="Darl\x0bington\x07", strategy=replace(d.strategy, name="ICT\x1b Strategy"))
    doc = open_docx(render(d))
    assert doc.paragraphs[1].text.startswith("Darl\nington: ICT Strategy,")


def test_owners_are_named_only_when_a_name_is_known():
    doc = open_docx(render(sample_digest(), people={OWNER: "Olive Owner"}))
    assert any(
        p.text.startswith("Self-service portal (SD-01, Green; Olive Owner; three updates in the period): ")
        for p in doc.paragraphs
    )
    assert all(OWNER not in p.text for p in open_docx(render(sample_digest())).paragraphs)


def test_a_report_from_the_beginning_speaks_of_completions_to_date():
    doc = open_docx(render(make_digest(list(sample_digest().priorities), start=None)))
    texts = [p.text for p in doc.paragraphs]
    assert "Projects completed to date" in texts
    assert doc.paragraphs[1].text.endswith("progress up to 8 December 2026.")


def test_writing_to_a_path_replaces_the_file_whole(tmp_path: Path):
    target = tmp_path / "report.docx"
    target.write_bytes(b"the last report")
    write_report_docx(sample_digest(), target, chart_png=None)
    assert docx.Document(str(target)).paragraphs[0].text == TITLE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


def test_a_failure_leaves_no_half_written_report_and_the_old_one_intact(tmp_path: Path):
    target = tmp_path / "report.docx"
    target.write_bytes(b"the last report")
    with pytest.raises(UnrecognizedImageError):
        write_report_docx(sample_digest(), target, chart_png=b"not a picture")
    assert target.read_bytes() == b"the last report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]
    fresh = tmp_path / "new.docx"
    with pytest.raises(UnrecognizedImageError):
        write_report_docx(sample_digest(), fresh, chart_png=b"not a picture")
    assert not fresh.exists()
