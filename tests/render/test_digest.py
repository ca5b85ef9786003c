"""The HTML digest's timeline of each project's updates in the period: oldest first, officer text inert."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from bot.render.digest import render_digest
from models import Rag
from tests.render.test_docx_report import PRIORITIES, group, make_digest, project

TYPED = "Q3 scan <script>alert(1)</script> & <b>passed</b> &amp; filed"


class Timelines(HTMLParser):
    """Each ``ol.timeline`` of an HTML page: its items' text, and the tags met inside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.timelines: list[list[str]] = []
        self.inside: list[str] | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ol" and ("class", "timeline") in attrs:
            self.inside = []
            self.timelines.append(self.inside)
        elif self.inside is not None:
            self.tags.append(tag)
            if tag == "li":
                self.inside.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol":
            self.inside = None

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.inside[-1] += data


def timelines(html: str) -> Timelines:
    parser = Timelines()
    parser.feed(html)
    parser.close()
    return parser


def digest_with(*projects):
    code, name, desc = PRIORITIES[0]
    return make_digest([group(code, name, desc, list(projects))] + [group(c, n, s, []) for c, n, s in PRIORITIES[1:]])


def test_each_project_with_several_updates_shows_them_oldest_first_with_date_rag_and_progress():
    p = project("SD-01", "Self-service portal", rag=Rag.GREEN, progress="Portal live", updates=3)
    html = render_digest(digest_with(p), "html")
    [timeline] = timelines(html).timelines
    assert [" ".join(item.split()) for item in timeline] == [
        "17 Sep 2026 10:00 Amber Done by 17 Sep",  # in London, BST
        "24 Sep 2026 10:00 Amber Done by 24 Sep",
        "1 Oct 2026 10:00 Green Portal live",
    ]
    assert "Updates in the period" in html and "Three updates in the period:" in html
    assert '<time datetime="2026-09-17T09:00:00Z">' in html
    assert html.count('class="rag rag-amber"') == 2  # the two earlier updates' RAG, as a badge


def test_a_corrected_update_is_shown_as_corrected():
    p = project("SD-01", "Portal", rag=Rag.GREEN, progress="Live for four services", updates=2)
    latest = replace(p.updates[-1], revision=2)
    p = replace(p, updates=(p.updates[0], latest), update=latest)
    [timeline] = timelines(render_digest(digest_with(p), "html")).timelines
    assert timeline[-1].strip().endswith("Live for four services (corrected)")
    assert "corrected" not in timeline[0]


def test_officer_text_in_the_timeline_is_escaped_never_markup():
    p = project("GOV-01", "PCI DSS quarterly tests", rag=Rag.RED, progress="Q4 scan failed", updates=2)
    typed = replace(p.updates[0], progress=TYPED)
    p = replace(p, updates=(typed, p.updates[1]))
    html = render_digest(digest_with(p), "html")
    found = timelines(html)
    [timeline] = found.timelines
    assert TYPED in timeline[0]  # as typed, once the browser has read the entities
    assert set(found.tags) == {"li", "time", "span"}  # no <script>, no <b> from the officer's text
    assert "Q3 scan &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;passed&lt;/b&gt; &amp;amp; filed" in html
    assert "<script>" not in html


def test_a_project_with_one_update_or_none_has_no_timeline():
    one = project("SD-01", "Portal", rag=Rag.GREEN, progress="Live")
    none = project("SD-02", "Idle")
    html = render_digest(digest_with(one, none), "html")
    assert timelines(html).timelines == []
    assert "Updates in the period" not in html
    assert re.search(r"Live</span>", html)  # the one update is shown as the project's progress
