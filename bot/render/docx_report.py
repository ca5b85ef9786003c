"""The six-monthly committee report as a Word document, in the shape of seed 001 and ``report.md.j2``.

Built with python-docx from one :class:`Digest`, with Word's own structure throughout (Title and Heading
styles, paragraphs and items that Word numbers itself, a real table of RAG counts, the chart as a
captioned picture with alternative text) so that an officer can edit it like any other committee paper.
Officer-written text goes in as plain runs, never markup, once the characters XML cannot hold are
removed. :func:`write_report_docx` replaces its target whole or not at all.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.files import replace_atomically
from bot.literal import visible
from bot.render import exceptions as exceptions_text
from bot.render import paper as paper_text
from bot.render import prose
from bot.render.charts import Chart
from bot.render.prose import words as _words
from bot.services.digest import Digest, PriorityGroup, ProjectEntry
from bot.services.paper import POSITION, Paper

__all__ = ["ITEM_STYLE", "PARAGRAPH_STYLE", "TITLE", "write_report_docx", "xml_safe"]

TITLE = "ICT STRATEGY – IMPLEMENTATION PROGRESS REPORT"
PARAGRAPH_STYLE = "Report Paragraph"  # numbered 1., 2., … through the whole report
ITEM_STYLE = "Report Item"  # lettered (a), (b), … restarting under each numbered paragraph
FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
INDENT = 567  # twips: 1 cm, the hanging indent of a number or a letter


# Not allowed anywhere in an XML 1.0 document: python-docx refuses them with a ValueError.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with what XML cannot hold removed, and the invisible characters :func:`bot.literal.visible`
    removes (bidi controls, zero-width characters); line breaks normalised to ``\\n`` (VT and FF included)."""
    text = text.replace("\x0b", "\n").replace("\x0c", "\n")
    return _NOT_XML.sub("", visible(text))


def write_report_docx(
    digest: Digest,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    chart_png: bytes | None,
    people: Mapping[str, str] | None = None,
    paper: Paper | None = None,
    trends: Chart | None = None,
) -> None:
    """Write the committee report of ``digest`` as a .docx to a path (atomically) or a binary stream.

    ``chart_png`` (e.g. :func:`bot.render.charts.rag_by_priority_png`) is placed after the opening paragraph
    of the main report; None leaves it out. ``people`` (user ID → display name) names each project's
    owner where a name is known; user IDs are never printed in the report. ``paper`` brings the report
    settings, the narrative and the sign-off (:func:`bot.services.paper.paper_for`); without it, the defaults.
    ``trends`` (:func:`bot.render.charts.rag_trends_png` with its alternative text) follows the chart.
    """
    data = _document_bytes(digest, chart_png=chart_png, people=people or {}, paper=paper or Paper(), trends=trends)
    if isinstance(target, str | os.PathLike):
        replace_atomically(Path(target), data)
    else:
        target.write(data)


# -- the document ----------------------------------------------------------------------------------


def _document_bytes(
    digest: Digest, *, chart_png: bytes | None, people: Mapping[str, str], paper: Paper, trends: Chart | None
) -> bytes:
    doc = Document()
    _page(doc, paper.settings.title)
    _styles(doc)
    _properties(doc, digest, paper.settings.title)
    _Report(doc, digest, people, paper).write(chart_png, trends)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Report:
    """The report's text, in the order of ``report.md.j2``."""

    def __init__(self, doc: DocxDocument, digest: Digest, people: Mapping[str, str], paper: Paper) -> None:
        self.doc = doc
        self.d = digest
        self.people = people
        self.paper = paper
        self.since = "since the last report to this committee" if digest.start else "to date"

    def write(self, chart_png: bytes | None, trends: Chart | None = None) -> None:
        d, doc = self.d, self.doc
        strategy = d.strategy.name
        period = self.period()
        for line in paper_text.header(self.paper):
            heading = doc.add_paragraph(style="Normal")
            heading.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            heading.add_run(xml_safe(line)).bold = True
        doc.add_paragraph(xml_safe(self.paper.settings.title.upper()), style="Title")
        intro = f"{d.workspace}: " if d.workspace else ""
        doc.add_paragraph(xml_safe(f"{intro}{strategy}, progress {period}."), style="Subtitle")
        changed = paper_text.changed(self.paper, self.person, d.tz)
        if changed:
            doc.add_paragraph(style="Normal").add_run(xml_safe(changed)).bold = True
        self.exceptions()

        doc.add_heading("SUMMARY REPORT", level=1)
        doc.add_heading("Purpose of the Report", level=2)
        self.para(paper_text.purpose(self.paper, strategy, period))
        doc.add_heading("Summary", level=2)
        n = len(d.strategy.priorities)
        self.para(f"The {strategy} focusses on {_words(n)} strategic priorit{'y' if n == 1 else 'ies'}:")
        for _code, name in d.strategy.priorities:
            self.item(name)
        if d.strategy.aims:
            self.para(prose.aims_lead(len(d.strategy.aims)))
            for aim in d.strategy.aims:
                self.item(aim)
        self.para("This report summarises progress on the main activities within each of these priorities.")
        doc.add_heading("Recommendation", level=2)
        self.para(paper_text.recommendation(self.paper))
        doc.add_heading("Reasons", level=2)
        self.para(paper_text.reasons(self.paper))
        self.back_matter()

        main = doc.add_heading("MAIN REPORT", level=1)
        main.paragraph_format.page_break_before = True
        t = d.totals
        for paragraph in self.paper.paragraphs(POSITION):
            self.para(paragraph)
        self.para(prose.overview(d))
        if chart_png is not None:
            self.chart(chart_png)
        if trends is not None:
            self.trends(trends, figure=2 if chart_png is not None else 1)
        self.rag_table()
        for g in d.priorities:
            self.group(g)
            assurance = prose.assurance_paragraph(g)
            if assurance:
                self.para(assurance)
            self.completions(g)

        doc.add_heading(f"Projects completed {self.since}", level=2)
        self.para(prose.completed_total(d, self.since))
        if d.started:
            s = t.started
            self.para(f"{_words(s, capital=True)} new project{' was' if s == 1 else 's were'} started in the period:")
            for p in d.started:
                self.item(f"{p.title} ({p.ref}).")
        if self.paper.settings.consultation:
            doc.add_heading("Outcome of Consultation", level=2)
            self.para(self.paper.settings.consultation)

    def exceptions(self) -> None:
        """The Exceptions section, first: a heading per kind, an entry a line (its ref in bold, typed text as runs)."""
        self.doc.add_heading(exceptions_text.TITLE, level=1)
        found = exceptions_text.by_kind(self.d.exceptions)
        if not found:
            self.doc.add_paragraph(exceptions_text.NONE, style="Normal")
        for heading, entries in found:
            self.doc.add_heading(heading, level=2)
            for e in entries:
                line = self.doc.add_paragraph(style="List Bullet")
                line.add_run(xml_safe(e.ref)).bold = True
                line.add_run(xml_safe(f" {e.title} — {e.owner_name}: {e.why}").replace("\n", " "))

    def person(self, user_id: str) -> str:
        return self.people.get(user_id, user_id)

    def back_matter(self) -> None:
        """The author and their approval, background papers, the contact officer and the implications."""
        s, doc = self.paper.settings, self.doc
        if s.author.name or s.author.title:
            signature = doc.add_paragraph(style="Normal")
            signature.paragraph_format.space_before = Pt(12)
            signature.add_run(xml_safe(s.author.name)).bold = True
            if s.author.title:
                if s.author.name:
                    signature.add_run().add_break()
                signature.add_run(xml_safe(s.author.title)).bold = True
        approved = paper_text.approved(self.paper, self.person, self.d.tz)
        if approved:
            doc.add_paragraph(xml_safe(approved), style="Normal")
        if s.background_papers:
            doc.add_heading("Background Papers", level=2)
            for paper in s.background_papers:
                doc.add_paragraph(xml_safe(paper), style="Normal")
        contact = paper_text.contact(self.paper)
        if contact:
            doc.add_paragraph(xml_safe(contact), style="Normal").paragraph_format.space_before = Pt(12)
        if s.implications:
            self.implications()

    def implications(self) -> None:
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles["Table Grid"]
        for implication in self.paper.settings.implications:
            row = table.add_row().cells
            _cell(row[0], implication.heading, bold=True)
            _cell(row[1], implication.text)
        table.autofit = False
        for column, width in zip(table.columns, (Mm(55), Mm(105)), strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width
        self.doc.add_paragraph()

    def group(self, g: PriorityGroup) -> None:
        self.doc.add_heading(xml_safe(g.name), level=2)
        narrative = paper_text.narrative(self.paper, g)
        if g.note:
            for run in self.para(g.note).runs:
                run.italic = True
        elif g.description and not narrative:
            self.para(g.description)
        for paragraph in narrative:
            self.para(paragraph)
        if not g.projects:
            self.para("There are no projects in the ICT Work Plan under this priority.")
            return
        updated = g.updated
        if not updated:
            self.para(prose.none_updated(len(g.projects)))
            return
        self.para(prose.progress_made(len(updated)))
        for p in updated:
            self.activity(p)
        if g.missing:
            self.para(prose.no_update_for(g.missing))

    def completions(self, g: PriorityGroup) -> None:
        """The priority's projects completed in the period, counted and listed (nothing when none was)."""
        if g.completed:
            self.para(prose.completed_under(g, self.since))
        for p in g.completed:
            self.item(f"{p.title} ({p.ref}), completed {self.day(p.completed_on)}.")

    def activity(self, p: ProjectEntry) -> None:
        """One project's latest update: title, ref and RAG, then progress, next steps and risks as typed."""
        assert p.update is not None
        item = self.item("")
        item.add_run(xml_safe(p.title)).bold = True
        label = paper_text.activity_label(p, self.paper, self.people.get(p.owner, ""))
        item.add_run(xml_safe(f"{label}: "))
        item.add_run(_sentence(_officer(p.update.progress)))
        for label, text in (("Next steps", p.update.next_steps), ("Risks and issues", p.update.risks)):
            if text.strip():
                item.add_run().add_break()
                item.add_run(f"{label}: ").italic = True
                item.add_run(_sentence(_officer(text)))

    def chart(self, png: bytes) -> None:
        picture = self.doc.add_paragraph(style="Normal")
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        shape = picture.add_run().add_picture(io.BytesIO(png), width=Mm(160))
        summary = "; ".join(
            f"{g.name}: {g.rag.red} red, {g.rag.amber} amber, {g.rag.green} green, {g.rag.none} with no RAG yet"
            for g in self.d.priorities
            if g.projects
        )
        shape._inline.docPr.set("descr", xml_safe(f"Bar chart of the projects' RAG status by priority. {summary}."))
        shape._inline.docPr.set("title", "RAG status by priority")
        self.doc.add_paragraph(
            xml_safe(f"Figure 1: RAG status of the projects under each priority at {self.day(self.d.end)}."),
            style="Caption",
        )

    def trends(self, trends: Chart, *, figure: int) -> None:
        picture = self.doc.add_paragraph(style="Normal")
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        shape = picture.add_run().add_picture(io.BytesIO(trends.png), width=Mm(160))
        shape._inline.docPr.set("descr", xml_safe(trends.alt))
        shape._inline.docPr.set("title", "RAG mix by priority over the last meetings")
        self.doc.add_paragraph(xml_safe(f"Figure {figure}: {trends.caption}"), style="Caption")

    def rag_table(self) -> None:
        caption = self.doc.add_paragraph(
            xml_safe(f"Table 1: RAG by priority at {self.day(self.d.end)}."), style="Caption"
        )
        caption.paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=5)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))  # repeats on each page
        for i, (cell, text) in enumerate(
            zip(header.cells, ("Priority", "Red", "Amber", "Green", "No RAG yet"), strict=True)
        ):
            _cell(cell, text, bold=True, right=i > 0)
        for g in self.d.priorities:
            row = table.add_row().cells
            _cell(row[0], g.name)
            for cell, value in zip(row[1:], (g.rag.red, g.rag.amber, g.rag.green, g.rag.none), strict=True):
                _cell(cell, str(value), right=True)
        table.autofit = False
        for column, width in zip(table.columns, (Mm(68), Mm(22), Mm(22), Mm(22), Mm(26)), strict=True):
            column.width = width  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = width  # each cell's, which Word reads
        self.doc.add_paragraph()  # Word needs a paragraph between a table and what follows to edit there

    def para(self, text: str) -> Paragraph:
        return self.doc.add_paragraph(_officer(text), style=PARAGRAPH_STYLE)

    def item(self, text: str) -> Paragraph:
        return self.doc.add_paragraph(_officer(text), style=ITEM_STYLE)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.d.tz).date()
        return value.strftime("%-d %B %Y")

    def period(self) -> str:
        if self.d.start is None:
            return f"up to {self.day(self.d.end)}"
        return f"from {self.day(self.d.start)} to {self.day(self.d.end)}"


def _cell(cell: _Cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(xml_safe(text))
    run.font.size = Pt(11)
    run.bold = bold or None


# -- styles, numbering, page -----------------------------------------------------------------------


def _page(doc: DocxDocument, title: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(xml_safe(f"{title} – page "))
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))


def _styles(doc: DocxDocument) -> None:
    """Arial and black throughout, as committee papers are; the numbered and lettered styles added."""
    styles = doc.styles
    for name, size, bold in (
        ("Normal", 12, None),
        ("Title", 16, True),
        ("Subtitle", 12, None),
        ("Heading 1", 14, True),
        ("Heading 2", 12, True),
        ("Caption", 10, None),
    ):
        style = styles[name]
        assert isinstance(style, ParagraphStyle)
        _font(style, size, bold)
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.paragraph_format.space_after = Pt(6)
    title = styles["Title"]
    assert isinstance(title, ParagraphStyle)
    title.paragraph_format.space_after = Pt(6)
    subtitle = styles["Subtitle"]
    assert isinstance(subtitle, ParagraphStyle)
    subtitle.font.italic = False
    spacing = subtitle.element.get_or_add_rPr().find(qn("w:spacing"))
    if spacing is not None:  # the default template spreads the subtitle's letters out
        spacing.getparent().remove(spacing)
    subtitle.paragraph_format.space_after = Pt(18)
    heading1 = styles["Heading 1"]
    assert isinstance(heading1, ParagraphStyle)
    heading1.paragraph_format.space_before = Pt(18)
    heading1.paragraph_format.space_after = Pt(6)
    heading2 = styles["Heading 2"]
    assert isinstance(heading2, ParagraphStyle)
    heading2.paragraph_format.space_before = Pt(12)
    heading2.paragraph_format.space_after = Pt(6)

    num_id = _numbering(doc)
    for name, level in ((PARAGRAPH_STYLE, 0), (ITEM_STYLE, 1)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(style, ParagraphStyle)
        style.base_style = normal
        style.quick_style = True
        # The numbering first: python-docx then puts the spacing after it, in the schema's order.
        ilvl = f'<w:ilvl w:val="{level}"/>' if level else ""
        style.element.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}>{ilvl}<w:numId w:val="{num_id}"/></w:numPr>')
        )
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.widow_control = True
    item = styles[ITEM_STYLE]
    assert isinstance(item, ParagraphStyle)
    item.paragraph_format.space_after = Pt(4)


def _font(style: ParagraphStyle, size: int, bold: bool | None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = BLACK
    if bold is not None:
        style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        # A theme font attribute wins over a named one: drop them so the style's own font shows.
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:cs"), FONT)
    # The Title style of the default template underlines itself with a blue rule: not in a committee paper.
    ppr = style.element.pPr
    if ppr is not None:
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)


def _numbering(doc: DocxDocument) -> int:
    """A two-level list definition, ``1.`` then ``(a)``, linked to the report's two styles; its numId."""
    numbering = doc.part.numbering_part.element
    abstracts = numbering.findall(qn("w:abstractNum"))
    nums = numbering.findall(qn("w:num"))
    abstract_id = max((int(a.get(qn("w:abstractNumId")) or 0) for a in abstracts), default=-1) + 1
    num_id = max((int(n.get(qn("w:numId")) or 0) for n in nums), default=0) + 1
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:pStyle w:val="{style.replace(" ", "")}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{INDENT * (level + 1)}" w:hanging="{INDENT}"/></w:pPr></w:lvl>'
        for level, fmt, style, text in ((0, "decimal", PARAGRAPH_STYLE, "%1."), (1, "lowerLetter", ITEM_STYLE, "(%2)"))
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    # The schema's order: every abstractNum, then every num.
    if abstracts:
        abstracts[-1].addnext(abstract)
    else:
        numbering.insert(0, abstract)
    if nums:
        nums[-1].addnext(num)
    else:
        abstract.addnext(num)
    return num_id


def _properties(doc: DocxDocument, digest: Digest, title: str) -> None:
    props = doc.core_properties
    props.title = xml_safe(title)
    props.subject = xml_safe(digest.strategy.name)
    props.author = xml_safe(digest.workspace or "ictbot")
    props.last_modified_by = "ictbot"
    props.comments = xml_safe(digest.headline)
    props.keywords = ""
    props.category = ""
    props.created = props.modified = digest.generated_at.astimezone(UTC).replace(tzinfo=None)  # written as UTC
    props.revision = 1


# -- text ------------------------------------------------------------------------------------------


def _officer(text: str) -> str:
    """Text as typed, safe for XML; blank lines and the spaces around lines dropped (line breaks kept)."""
    return "\n".join(line.strip() for line in xml_safe(text).split("\n") if line.strip())


def _sentence(text: str) -> str:
    """Text ending as a sentence does, so that another can follow it."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:;" else text + "."
