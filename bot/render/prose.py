"""The sentences the digest and the report share across formats, in plain text, right for none, one and many.

Each returns the bot's words with typed names (titles, refs, the strategy's name) inside them as they are:
the Markdown templates pass a sentence through ``md_line``, HTML autoescapes it, Word writes it as a run.
Nothing here knows a format.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.services.digest import Digest, GroupKind, PriorityGroup, ProjectEntry, RagCounts, StatusCounts, Trend
from bot.services.digest.model import AssuranceTally
from bot.wording import count, listing
from models import AssuranceOutcome

__all__ = [
    "aims_lead",
    "assurance",
    "assurance_paragraph",
    "before_end",
    "completed_total",
    "completed_under",
    "named",
    "no_update_for",
    "none_updated",
    "overview",
    "progress_made",
    "rag_changes",
    "rag_tally",
    "status_tally",
    "tally",
    "update_count",
    "words",
]

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def words(n: int, capital: bool = False) -> str:
    """``no``, ``one``… ``twelve``, then digits: a number as a committee paper writes it."""
    text = _WORDS[n] if 0 <= n < len(_WORDS) else str(n)
    return text[:1].upper() + text[1:] if capital else text


def aims_lead(n: int) -> str:
    """The sentence that leads the strategy's aims: ``Its aim is:``, ``Its nine aims are:``."""
    return "Its aim is:" if n == 1 else f"Its {words(n)} aims are:"


def named(p: ProjectEntry) -> str:
    """``Council network refresh (NET-01)``: a project as the report names it."""
    return f"{p.title} ({p.ref})"


def overview(d: Digest) -> str:
    """The main report's opening paragraph: the projects, how many were updated, and whose RAG changed."""
    t = d.totals
    text = f"Progress on the priorities of the {d.strategy.name} is described below. "
    if t.projects == 0:
        return text + "There were no projects in the ICT Work Plan in this period."
    if t.projects == 1:
        text += f"The one project in the ICT Work Plan in this period had {'a' if t.updated else 'no'} progress update."
    else:
        if t.updated == t.projects:
            updated = "both" if t.projects == 2 else "all"
        else:
            updated = "none" if t.updated == 0 else str(t.updated)
        missing = f" and {count(t.missing, 'active project')} had none" if t.missing and t.updated else ""
        text += (
            f"Of the {count(t.projects, 'project')} in the ICT Work Plan in this period, "
            f"{updated} had a progress update{missing}."
        )
    changes = rag_changes(d)
    return f"{text} {changes}" if changes else text


def rag_changes(d: Digest) -> str:
    """Whose RAG status improved and whose worsened, the worsened named; empty when there is nothing to say."""
    improved = d.totals.improved
    worse = [named(p) for p in d.projects if p.trend is Trend.WORSE]
    if not improved and not worse:
        # From the beginning there is no earlier RAG to compare with: no change to speak of.
        return "No project's RAG status changed in the period." if d.start is not None and d.projects else ""
    better = count(improved, "project") if improved else "no project"
    return f"The RAG status improved for {better} and worsened for {listing(worse) if worse else 'none'}."


def progress_made(k: int) -> str:
    """The opening of a priority's list of updated projects (``k`` of them, at least one)."""
    if k == 1:
        return "Progress has been made on one project during the period:"
    return f"Progress has been made on {words(k)} projects during the period. These include:"


def none_updated(k: int) -> str:
    """A priority none of whose ``k`` projects (at least one) had an update in the period."""
    if k == 1:
        return "No progress update was received for the only project under this priority in the period."
    return f"No progress update was received for the {words(k)} projects under this priority in the period."


def no_update_for(projects: Sequence[ProjectEntry]) -> str:
    """The active projects of a priority with no update in the period, named."""
    return f"No progress update was received for {listing([named(p) for p in projects])}."


def before_end(days: int) -> str:
    """``3 days before the end of the period``: how long before its end a project was last updated."""
    if days <= 0:
        return "less than a day before the end of the period"
    return f"{count(days, 'day')} before the end of the period"


def tally(counts: Sequence[tuple[int, str]]) -> str:
    """``1 amber and 2 green``: the counts that are not zero, listed (``none`` when all are)."""
    return listing([f"{n} {label}" for n, label in counts if n]) or "none"


def rag_tally(r: RagCounts) -> str:
    """``1 red and 2 with no RAG yet``."""
    return tally([(r.red, "red"), (r.amber, "amber"), (r.green, "green"), (r.none, "with no RAG yet")])


def status_tally(s: StatusCounts) -> str:
    """``2 active and 1 on hold``."""
    counts = [(s.active, "active"), (s.planned, "planned"), (s.on_hold, "on hold"), (s.complete, "complete")]
    return tally([*counts, (s.closed, "closed")])


def update_count(n: int) -> str:
    """``no update in the period``, ``one update in the period``, ``three updates in the period``."""
    return f"{words(n)} update{'' if n <= 1 else 's'} in the period"


def completed_under(g: PriorityGroup, since: str) -> str:
    """The sentence that leads a priority's completed projects (``since``: ``since the last report to this
    committee`` or ``to date``); empty when it has none, as a paper says nothing of what did not happen."""
    k = len(g.completed)
    if k == 0:
        return ""
    if k == 1:
        return f"One project under this priority has been completed {since}:"
    return f"{words(k, capital=True)} projects under this priority have been completed {since}:"


def completed_total(d: Digest, since: str) -> str:
    """All the period's completions, counted per priority: ``Three projects have been completed since …:
    two under ICT Governance and one under Business Development.``"""
    groups = [g for g in d.priorities if g.completed]
    n = sum(len(g.completed) for g in groups)
    if n == 0:
        return f"No projects have been completed {since}."
    if n == 1:
        return f"One project has been completed {since}, {_under(groups[0])}."
    where = listing([f"{words(len(g.completed))} {_under(g)}" for g in groups])
    if len(groups) == 1:
        return f"{words(n, capital=True)} projects have been completed {since}, all {_under(groups[0])}."
    return f"{words(n, capital=True)} projects have been completed {since}: {where}."


def _under(g: PriorityGroup) -> str:
    return "with no priority" if g.kind is GroupKind.NONE else f"under {g.name}"


_NOT_PASSED = {AssuranceOutcome.FAIL: "failed", AssuranceOutcome.PARTIAL: "partly passed", None: "no result for"}


def assurance(t: AssuranceTally) -> str:
    """One obligation's results in the period: ``PCI DSS external scan (PCI-Q) passed all four quarterly
    tests.``, ``… passed three of the four quarterly tests (failed 21 Nov 2026).``"""
    tests = f"{t.frequency} tests" if t.frequency else "tests"
    n = len(t.occurrences)
    if n == 1:
        day, outcome = t.occurrences[0]
        test = f"its {t.frequency} test" if t.frequency else "its test"
        if outcome is None:
            return f"{t.name} ({t.code}) has no result recorded for {test}, due {_short(day)}."
        did = "passed" if outcome is AssuranceOutcome.PASS else _NOT_PASSED[outcome]
        return f"{t.name} ({t.code}) {did} {test}, due {_short(day)}."
    passed = sum(outcome is AssuranceOutcome.PASS for _, outcome in t.occurrences)
    if passed == n:
        return f"{t.name} ({t.code}) passed {'both' if n == 2 else f'all {words(n)}'} {tests}."
    others = "; ".join(f"{_NOT_PASSED[o]} {_short(d)}" for d, o in t.occurrences if o is not AssuranceOutcome.PASS)
    return f"{t.name} ({t.code}) passed {words(passed)} of the {words(n)} {tests} ({others})."


def assurance_paragraph(g: PriorityGroup) -> str:
    """The assurance results of a priority's obligations in the period, a sentence each; empty when none."""
    return " ".join(assurance(t) for t in g.assurance)


def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
