"""The report's and the digest's sentences read as a person would write them, for none, one and many, and say
the same in the Markdown, HTML and Word reports (and the Markdown and HTML digests)."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from markdown_it import MarkdownIt

from bot.render.digest import render_digest, render_report
from bot.render.prose import before_end, rag_tally, status_tally, tally, update_count
from bot.services import digest as ds
from bot.wording import listing
from models import ProjectStatus, Rag
from tests.render.test_docx_report import PRIORITIES, START, group, make_digest, open_docx, project
from tests.render.test_docx_report import render as render_docx

TYPED = "Core *network* <b>refresh</b> & [x](http://y)"  # a title full of markup: shown as typed everywhere


def plain(text: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def reports(d: ds.Digest) -> dict[str, str]:
    """The report's text as a reader sees it in each format, on one line (markup rendered, then dropped)."""
    md = MarkdownIt("commonmark").render(render_report(d, "md"))
    word = " ".join(p.text for p in open_docx(render_docx(d)).paragraphs)
    return {"md": plain(md), "html": plain(render_report(d, "html")), "docx": " ".join(word.split())}


def digests(d: ds.Digest) -> dict[str, str]:
    return {
        "md": plain(MarkdownIt("commonmark").render(render_digest(d, "md"))),
        "html": plain(render_digest(d, "html")),
    }


def in_one_priority(*projects: ds.ProjectEntry, start: datetime | None = START) -> ds.Digest:
    """A digest whose first priority holds ``projects`` and the others none."""
    code, name, desc = PRIORITIES[0]
    groups = [group(code, name, desc, list(projects))]
    groups += [group(c, n, s, []) for c, n, s in PRIORITIES[1:]]
    return make_digest(groups, start=start)


def updated(
    ref: str, title: str = "Project", rag: Rag = Rag.GREEN, previous: Rag | None = Rag.GREEN
) -> ds.ProjectEntry:
    return project(ref, title, rag=rag, previous=previous, progress="Work went on")


def each(texts: dict[str, str], expected: str) -> None:
    for fmt, text in texts.items():
        assert expected in text, (fmt, text)


def none_of(texts: dict[str, str], *unwanted: str) -> None:
    for fmt, text in texts.items():
        for u in unwanted:
            assert u not in text, (fmt, u)


# -- the main report's opening paragraph -----------------------------------------------------------


def test_no_rag_change_is_said_in_words_not_as_zeros():
    texts = reports(in_one_priority(updated("A-01"), updated("A-02")))
    each(texts, "No project's RAG status changed in the period.")
    none_of(texts, "improved for 0", "worsened for 0")


def test_from_the_beginning_there_is_no_rag_change_to_speak_of():
    texts = reports(in_one_priority(updated("A-01", previous=None), updated("A-02", previous=None), start=None))
    none_of(texts, "improved for", "worsened for", "RAG status changed")


def test_the_worsened_projects_are_named_by_title_and_ref_as_typed():
    d = in_one_priority(
        updated("A-01", "Self-service portal", Rag.GREEN, Rag.AMBER),
        updated("NET-01", TYPED, Rag.RED, Rag.GREEN),
        updated("GOV-01", "PCI DSS tests", Rag.AMBER, Rag.GREEN),
    )
    each(
        reports(d),
        f"The RAG status improved for 1 project and worsened for {TYPED} (NET-01) and PCI DSS tests (GOV-01).",
    )


def test_only_improved_or_only_worsened_reads_as_a_sentence():
    each(
        reports(in_one_priority(updated("A-01", rag=Rag.GREEN, previous=Rag.RED), updated("A-02", rag=Rag.GREEN))),
        "The RAG status improved for 1 project and worsened for none.",
    )
    each(
        reports(in_one_priority(updated("A-01", "Portal", Rag.RED, Rag.GREEN), updated("A-02"))),
        "The RAG status improved for no project and worsened for Portal (A-01).",
    )
    each(
        reports(in_one_priority(*(updated(f"A-0{i}", rag=Rag.GREEN, previous=Rag.AMBER) for i in range(3)))),
        "The RAG status improved for 3 projects and worsened for none.",
    )


def test_the_count_of_projects_and_updates_reads_right_for_none_one_two_and_many():
    each(reports(in_one_priority()), "There were no projects in the ICT Work Plan in this period.")
    each(
        reports(in_one_priority(updated("A-01"))),
        "The one project in the ICT Work Plan in this period had a progress update.",
    )
    each(
        reports(in_one_priority(project("A-01", "Idle"))),
        "The one project in the ICT Work Plan in this period had no progress update.",
    )
    each(
        reports(in_one_priority(updated("A-01"), updated("A-02"))),
        "Of the 2 projects in the ICT Work Plan in this period, both had a progress update.",
    )
    each(
        reports(in_one_priority(updated("A-01"), updated("A-02"), updated("A-03"))),
        "Of the 3 projects in the ICT Work Plan in this period, all had a progress update.",
    )
    each(
        reports(in_one_priority(updated("A-01"), project("A-02", "Idle"))),
        "Of the 2 projects in the ICT Work Plan in this period, 1 had a progress update and 1 active project had none.",
    )
    each(
        reports(in_one_priority(project("A-01", "Idle"), project("A-02", "Idle"))),
        "Of the 2 projects in the ICT Work Plan in this period, none had a progress update.",
    )
    none_of(reports(in_one_priority(updated("A-01"), updated("A-02"))), "0 active projects had none")


# -- each priority -----------------------------------------------------------------------------------


def test_progress_on_one_project_is_not_followed_by_these_include():
    texts = reports(in_one_priority(updated("A-01"), project("A-02", "Idle")))
    for text in texts.values():  # Word numbers its items itself: no "(a)" in its text
        assert re.search(
            r"during the period: (\(a\) )?Project \(A-01, Green; one update in the period\): Work went on\.", text
        ), text
    none_of(texts, "These include")
    each(
        reports(in_one_priority(updated("A-01"), updated("A-02"))),
        "Progress has been made on two projects during the period. These include:",
    )


def test_a_priority_with_no_update_speaks_of_its_only_project_or_its_projects():
    each(
        reports(in_one_priority(project("A-01", "Idle"))),
        "No progress update was received for the only project under this priority in the period.",
    )
    each(
        reports(in_one_priority(project("A-01", "Idle"), project("A-02", "Idle"))),
        "No progress update was received for the two projects under this priority in the period.",
    )


def test_the_projects_missing_an_update_are_listed_as_a_sentence_lists_them():
    d = in_one_priority(updated("A-01"), project("A-02", "Idle"), project("A-03", TYPED), project("A-04", "Late"))
    each(reports(d), f"No progress update was received for Idle (A-02), {TYPED} (A-03) and Late (A-04).")
    each(
        reports(in_one_priority(updated("A-01"), project("A-02", "Idle"))),
        "No progress update was received for Idle (A-02).",
    )


# -- completions under their priority, and how many updates a project had -----------------------------


def done(ref: str, title: str, day: int, rag: Rag | None = None, progress: str | None = None) -> ds.ProjectEntry:
    """A project completed on ``day`` September 2026, in the period."""
    completed_on = date(2026, 9, day)
    return project(ref, title, rag=rag, progress=progress, status=ProjectStatus.COMPLETE, completed_on=completed_on)


def in_priorities(**by_code: list[ds.ProjectEntry]) -> ds.Digest:
    """A digest with ``by_code[code]`` under each priority (and nothing under the others)."""
    return make_digest([group(c, n, s, by_code.get(c, [])) for c, n, s in PRIORITIES])


def section(text: str, code: str) -> str:
    """A priority's part of a report's text: from its description to the next priority's."""
    descriptions = [desc for _, _, desc in PRIORITIES]
    i = [c for c, _, _ in PRIORITIES].index(code)
    start = text.index(descriptions[i])
    return text[start : text.index(descriptions[i + 1], start)]


def test_completions_are_counted_and_listed_under_their_priority_for_none_one_and_many():
    d = in_priorities(
        SD=[updated("SD-01"), done("SD-02", "Portal", 1), done("SD-03", TYPED, 2), done("SD-04", "Kiosks", 3)],
        GOV=[done("GOV-02", "PSN submission", 15, rag=Rag.GREEN, progress="Submitted")],
        ARCH=[updated("NET-01")],
    )
    since = "since the last report to this committee"
    for fmt, text in reports(d).items():
        sd = section(text, "SD")
        assert f"Three projects under this priority have been completed {since}:" in sd, fmt
        for item in ("Portal (SD-02), completed 1 September 2026.", f"{TYPED} (SD-03), completed 2 September 2026."):
            assert item in sd, (fmt, item)
        gov = section(text, "GOV")
        assert f"One project under this priority has been completed {since}: " in gov, fmt
        assert "PSN submission (GOV-02), completed 15 September 2026." in gov, fmt
        # A priority with nothing completed says nothing of it.
        assert "completed" not in section(text, "ARCH"), fmt
        # The total, counted per priority, in the section that closes the report.
        assert text.rstrip().endswith(
            f"Four projects have been completed {since}: three under ICT Service Development and one under "
            "ICT Governance."
        ), fmt
    each(
        reports(in_priorities(SD=[done("SD-02", "Portal", 1)])),
        f"One project has been completed {since}, under ICT Service Development.",
    )
    each(
        reports(in_priorities(GOV=[done("G-1", "A", 1), done("G-2", "B", 2)])),
        f"Two projects have been completed {since}, all under ICT Governance.",
    )
    texts = reports(in_priorities(SD=[updated("SD-01")]))
    each(texts, f"No projects have been completed {since}.")
    none_of(texts, "under this priority have been completed", "under this priority has been completed")


def test_completions_from_the_beginning_are_counted_to_date_and_unfiled_ones_with_no_priority():
    d = make_digest(
        [group("SD", "ICT Service Development", "", [done("SD-02", "Portal", 1)])]
        + [group(c, n, s, []) for c, n, s in PRIORITIES[1:]]
        + [group(None, ds.NO_PRIORITY, "", [done("NOP-01", "Telephony", 4)])],
        start=None,
    )
    texts = reports(d)
    each(texts, "One project under this priority has been completed to date:")
    each(texts, "Two projects have been completed to date: one under ICT Service Development and one with no priority.")


def test_each_updated_project_says_how_many_updates_it_had_in_the_period():
    d = in_one_priority(
        project("A-01", "Portal", rag=Rag.GREEN, progress="Live", updates=3),
        project("A-02", "Kiosks", rag=Rag.AMBER, progress="Ordered"),
        project("A-03", "Idle"),
    )
    texts = reports(d)
    each(texts, "Portal (A-01, Green; three updates in the period): Live.")
    each(texts, "Kiosks (A-02, Amber; one update in the period): Ordered.")
    each(texts, "No progress update was received for Idle (A-03).")  # none: the missing wording, no count
    none_of(texts, "no update in the period", "1 update", "3 updates", "one updates")
    many = in_one_priority(project("A-01", "Portal", rag=Rag.GREEN, progress="Live", updates=14))
    each(reports(many), "Portal (A-01, Green; 14 updates in the period): Live.")


def test_the_update_count_reads_right_for_none_one_and_many():
    assert [update_count(n) for n in (0, 1, 2, 12, 13)] == [
        "no update in the period",
        "one update in the period",
        "two updates in the period",
        "twelve updates in the period",
        "13 updates in the period",
    ]


# -- the digest ------------------------------------------------------------------------------------


def test_a_digest_from_the_beginning_gives_its_period_as_up_to_its_end():
    texts = digests(in_one_priority(updated("A-01"), start=None))
    each(texts, "Period: up to 8 Dec 2026 10:00 (Europe/London).")
    none_of(texts, "the beginning")


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (0, "less than a day before the end of the period"),
        (1, "1 day before the end of the period"),
        (68, "68 days before the end of the period"),
    ],
)
def test_the_last_update_is_dated_against_the_end_of_the_period(days, shown):
    texts = digests(in_one_priority(replace(updated("A-01"), days_since_update=days)))
    each(texts, shown)
    none_of(texts, "0 days", "1 days")


def test_a_priority_counts_only_what_it_has():
    d = in_one_priority(updated("A-01", rag=Rag.AMBER), project("A-02", "Paused", status=ProjectStatus.ON_HOLD))
    each(digests(d), "RAG: 1 amber and 1 with no RAG yet. Status: 1 active and 1 on hold.")
    none_of(digests(d), "0 red", "0 planned")


def test_the_sentence_helpers_for_none_one_and_many():
    assert [listing(x) for x in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
    assert tally([(0, "red"), (0, "amber")]) == "none"
    assert rag_tally(ds.RagCounts(red=2, green=1)) == "2 red and 1 green"
    assert status_tally(ds.StatusCounts(active=1, planned=1, closed=3)) == "1 active, 1 planned and 3 closed"
    assert before_end(0) == "less than a day before the end of the period"
    assert timedelta(hours=23).days == 0  # what days_since_update is for an update on the period's last day


# -- the strategy's aims ---------------------------------------------------------------------------
def test_the_strategys_aims_follow_its_priorities_in_the_summary_of_every_format():
    d = in_one_priority(updated("SD-01"))
    aims = ("Deliver *excellent* <services> & value", "Keep data safe")
    with_aims = replace(d, strategy=replace(d.strategy, aims=aims))
    for fmt, text in reports(with_aims).items():
        lead = text.index("Its two aims are:")
        assert text.index(aims[0], lead) < text.index(aims[1], lead), fmt  # in order, shown as typed
        assert text.index("focusses on") < lead < text.index("This report summarises"), fmt
    each(reports(replace(d, strategy=replace(d.strategy, aims=aims[:1]))), "Its aim is: ")
    for fmt, text in reports(d).items():
        assert "aim" not in text.split("This report summarises")[0].split("focusses on")[1], fmt
