"""The minutes as Markdown, HTML and Word: every section, people by name, typed text shown as typed."""

from __future__ import annotations

import io
import re

import docx
import pytest
from markdown_it import MarkdownIt

from bot.render.docx_minutes import minutes_docx
from bot.render.minutes import SECTIONS, render_minutes
from bot.services import meetings
from tests.services.test_minutes import EXCEPTION, HOSTILE, TZ, build, record_month


@pytest.fixture
def hostile(runtime):
    with runtime.unit("T0MINUTES", team_name="Darlington") as (session, ws):
        month = record_month(session, ws, text=HOSTILE)
        return build(session, ws, exceptions=[EXCEPTION]), month


def test_markdown_has_every_section_and_shows_typed_text_as_typed(hostile):
    m, month = hostile
    text = render_minutes(m, "md")
    assert text.startswith("# Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT: Darlington\n")
    for section, n in zip(SECTIONS, (1, 2, 2, 1, 4), strict=True):
        assert f"## {section} ({n})" in text
    assert f"**D{month.decisions[0]}** (NET-01): \\*Buy\\* " in text and "(recorded by Carol Chair)" in text
    assert f"**A{month.given[1]}**: Brief the members (owner Olive Owner, due 1 Dec 2026)" in text
    assert "Closed from 10 Nov 2026 10:00 to 8 Dec 2026 10:45 (Europe/London)." in text
    assert "risk updated 15 Nov 2026, score 20 (high: L4 × I5), review 1 Feb 2027" in text
    assert "issue closed 2 Dec 2026; owner Olive Owner; by Carol Chair): Fixed by the supplier" in text
    assert "Overdue action: **A99** Renew the PSN certificate (Olive Owner): due 1 Dec 2026" in text
    # Rendered, the typed text is text: no emphasis, link, HTML or mention comes of it.
    html = MarkdownIt("gfm-like").render(text)
    assert "<script>" not in html and "href=" not in html and "<em>x</em>" not in html
    assert html.count("*Buy* &lt;@U0BOSS&gt; &lt;!channel&gt; [site](https://evil.example)") >= 5


def test_html_is_escaped(hostile):
    m, _ = hostile
    page = render_minutes(m, "html")
    assert "<script>alert" not in page and "href=" not in page
    assert page.count("*Buy* &lt;@U0BOSS&gt; &lt;!channel&gt; [site](https://evil.example) &lt;script&gt;") >= 5
    assert "<h2>Decisions (2)</h2>" in page and "<h2>Exceptions (1)</h2>" in page


def test_word_reads_back_with_every_section_and_the_text_as_typed(hostile):
    m, month = hostile
    doc = docx.Document(io.BytesIO(minutes_docx(m)))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT")
    headings = [t for style, t in paragraphs if style == "Heading 1"]
    assert headings == [f"{s} ({n})" for s, n in zip(SECTIONS, (1, 2, 2, 1, 4), strict=True)]
    bullets = [t for style, t in paragraphs if style == "List Bullet"]
    assert f"D{month.decisions[0]} (NET-01): {HOSTILE} (recorded by Carol Chair)" in bullets
    assert sum(HOSTILE in t for t in bullets) >= 5
    assert doc.core_properties.title == paragraphs[0][1]


def test_empty_minutes_say_so(runtime):
    with runtime.unit("T0EMPTY") as (session, ws):
        meetings.materialise(session, ws, now=runtime.now(), default_timezone=TZ)
        m = build(session, ws)
    text = render_minutes(m, "md")
    for said in ("No exceptions.", "No decisions recorded.", "No actions given."):
        assert said in text
    assert len(re.findall(r"^None\.$", text, re.M)) == 2
    assert "Closed up to 8 Dec 2026 10:45 (Europe/London)." in text  # nothing held before: from the beginning
