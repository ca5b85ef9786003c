"""A meeting's minutes as a Word document, with Word's own structure (Title, Heading and List Bullet styles)
so that the secretary can edit it like any other minutes. Typed text goes in as plain runs, never markup,
once the characters XML cannot hold are removed (:func:`bot.render.docx_report.xml_safe`). The document
is written whole to a stream; the command puts it in its file.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import IO

from docx import Document
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

from bot.render.docx_report import xml_safe
from bot.render.jinja import local_time
from bot.render.minutes import SECTIONS, change_words, closed_words, due_words, kind_name, title, window_words
from bot.services.minutes import Minutes

__all__ = ["minutes_docx", "write_minutes_docx"]

BULLET = "List Bullet"


def minutes_docx(m: Minutes) -> bytes:
    """The minutes as the bytes of a .docx file."""
    out = io.BytesIO()
    write_minutes_docx(m, out)
    return out.getvalue()


def write_minutes_docx(m: Minutes, target: IO[bytes]) -> None:
    """Write the minutes of ``m`` as a .docx to a binary stream."""
    doc = Document()
    _properties(doc, m)
    doc.add_paragraph(xml_safe(title(m)), style="Title")
    if m.workspace or m.meeting.note:
        doc.add_paragraph(xml_safe(" · ".join(t for t in (m.workspace, m.meeting.note) if t)), style="Subtitle")
    _Writer(doc, m).write()
    doc.add_paragraph(xml_safe(f"Generated {local_time(m.generated_at, m.tz)}."), style="Normal")
    doc.save(target)


class _Writer:
    """The five sections, in the order of ``minutes.md.j2``."""

    def __init__(self, doc: DocxDocument, m: Minutes) -> None:
        self.doc = doc
        self.m = m

    def write(self) -> None:
        self.exceptions()
        self.decisions()
        self.actions()
        self.closed()
        self.raid()

    def heading(self, i: int, n: int) -> None:
        self.doc.add_heading(f"{SECTIONS[i]} ({n})", level=1)

    def none(self, words: str) -> None:
        self.doc.add_paragraph(words, style="Normal")

    def item(self, ref: str, on: str | None = None) -> Paragraph:
        """A bullet opening with a bold reference (and its project's or priority's, as typed)."""
        p = self.doc.add_paragraph(style=BULLET)
        p.add_run(xml_safe(ref)).bold = True
        if on:
            p.add_run(xml_safe(f" ({on})"))
        p.add_run(": ")
        return p

    def exceptions(self) -> None:
        self.heading(0, len(self.m.exceptions))
        for e in self.m.exceptions:
            p = self.doc.add_paragraph(style=BULLET)
            p.add_run(f"{kind_name(e)}: ")
            p.add_run(xml_safe(e.ref)).bold = True
            p.add_run(xml_safe(f" {e.title} ({e.owner_name}): {e.why}"))
        if not self.m.exceptions:
            self.none("No exceptions.")

    def decisions(self) -> None:
        self.heading(1, len(self.m.decisions))
        for d in self.m.decisions:
            p = self.item(d.label, d.project)
            p.add_run(_typed(d.text))
            p.add_run(xml_safe(f" (recorded by {d.by_name})")).italic = True
        if not self.m.decisions:
            self.none("No decisions recorded.")

    def actions(self) -> None:
        self.heading(2, len(self.m.actions))
        for a in self.m.actions:
            p = self.item(a.label, a.project)
            p.add_run(_typed(a.text))
            p.add_run(xml_safe(f" (owner {a.owner_name}, {due_words(a)})")).italic = True
        if not self.m.actions:
            self.none("No actions given.")

    def closed(self) -> None:
        self.heading(3, len(self.m.closed))
        self.none(f"Closed {window_words(self.m)} ({self.m.tz.key}).")
        for a in self.m.closed:
            p = self.item(a.label, a.project)
            p.add_run(_typed(a.text))
            p.add_run(xml_safe(f" (owner {a.owner_name}, {closed_words(self.m, a)} by {a.done_by_name})")).italic = True
            if a.note:
                p.add_run(": " + _typed(a.note))
        if not self.m.closed:
            self.none("None.")

    def raid(self) -> None:
        self.heading(4, len(self.m.raid))
        for r in self.m.raid:
            p = self.item(r.label, r.on)
            p.add_run(_typed(r.text))
            words = f" ({change_words(self.m, r)}; owner {r.owner_name}; by {r.actor_name})"
            p.add_run(xml_safe(words)).italic = True
            if r.note:
                p.add_run(": " + _typed(r.note))
        if not self.m.raid:
            self.none("None.")


def _typed(text: str) -> str:
    """Typed text as it is, safe for XML; blank lines and the spaces around lines dropped (breaks kept)."""
    return "\n".join(line.strip() for line in xml_safe(text).split("\n") if line.strip())


def _properties(doc: DocxDocument, m: Minutes) -> None:
    props = doc.core_properties
    props.title = xml_safe(title(m))
    props.author = xml_safe(m.workspace or "ictbot")
    props.last_modified_by = "ictbot"
    props.created = props.modified = m.generated_at.astimezone(UTC).replace(tzinfo=None)  # written as UTC
    props.revision = 1
