"""The committee paper in Teams (``report``): the draft being written, the narrative form, and the answers
to writing narrative and signing off. Priority names, narrative and people's names are typed text: they go
in text runs only (:mod:`.pieces`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from bot.render.jinja import local_time
from bot.services.digest import ProjectEntry
from bot.services.paper import (
    MAX_TEXT,
    POSITION,
    Draft,
    NarrativeView,
    Paper,
    ReportPeriod,
    Section,
    SectionState,
    long_date,
)
from handlers.teams.cards.pieces import (
    BOLD,
    MAX_CARD_BYTES,
    Card,
    Element,
    Inline,
    card_size,
    make_card,
    officer_blocks,
    ref_title,
    rich_block,
    short_label,
    submit_button,
    text_block,
    text_run,
    typed_runs,
)

__all__ = ["ACTION_NARRATIVE_SUBMIT", "narrative_form", "narrative_saved_card", "report_card", "signed_card"]

ACTION_NARRATIVE_SUBMIT = "report_narrative_submit"
FIRST_LINE = 160  # characters of a section's narrative shown in the draft
HOW_TO_WRITE = (
    "**How to write it** (the chair or an ICT admin):\n"
    "- **report position** and the text: the overall position.\n"
    "- **report narrative CODE** and the text: a priority's narrative, by its code (above) or its name. "
    "Without the text, a form to write it in.\n"
    "- **report signoff**: approve the paper as it stands."
)

People = Mapping[str, str]


def report_card(draft: Draft, *, people: People | None = None) -> Card:
    """The draft paper: its period, each section's narrative, the projects with no update in the period,
    the sign-off, and how to write. Projects are left out at the end of the list if the card would pass
    Teams' size limit (the digest of the period lists them all)."""
    person = _person(people)
    tz = draft.digest.tz
    missing = list(draft.missing)
    shown = len(missing)
    while True:
        card = _report(draft, missing[:shown], len(missing) - shown, person, tz)
        if card_size(card) <= MAX_CARD_BYTES or shown == 0:
            return card
        shown = max(0, shown - max(1, shown // 10))


def _report(
    draft: Draft, missing: list[ProjectEntry], left_out: int, person: Callable[[str], str], tz: ZoneInfo
) -> Card:
    period = draft.period
    body: list[Element] = [
        text_block("The committee paper being written", size="medium", weight="bolder", style="heading"),
        text_block(f"For the period {period.label}.", spacing="none"),
        text_block(
            f"The period ended on {long_date(period.end)}: the paper can be completed and signed off."
            if draft.has_ended
            else f"The period runs until {long_date(period.end)}; the paper shows it up to now.",
            spacing="none",
            isSubtle=True,
        ),
    ]
    if draft.changed_before is not None:
        body += _changed_before(draft.changed_before, person, tz)
    body += _signoff(draft.paper, person, tz)
    body.append(text_block("**Narrative**", separator=True))
    body += [block for state in draft.sections for block in _section(state, person, tz)]
    body.append(text_block(f"**Projects with no update in the period ({len(draft.missing)})**", separator=True))
    for p in missing:
        last = f"last updated {local_time(p.last_updated_at, tz)}" if p.last_updated_at else "never updated"
        runs = [text_run("• "), *ref_title(p.ref, p.title), text_run(" — owner "), *typed_runs(person(p.owner))]
        body.append(rich_block([*runs, text_run(f", {last}")], spacing="small"))
    if left_out:
        whole = f"digest from {period.start.isoformat()} to {period.end.isoformat()}"
        body.append(
            text_block(
                f"{left_out} more not listed, to keep this card within Teams' size limit: **{whole}** lists them all.",
                isSubtle=True,
            )
        )
    if not draft.missing:
        body.append(text_block("Every active project has an update in the period."))
    body.append(text_block(HOW_TO_WRITE, separator=True))
    return make_card(body, fallback=f"The committee paper for {period.label}")


def _section(state: SectionState, person: Callable[[str], str], tz: ZoneInfo) -> list[Element]:
    s, view = state.section, state.narrative
    icon = "✅ " if view is not None else "➖ "
    name = [text_run(icon), *_section_name(s, bolder=True)]
    if view is None:
        return [rich_block([*name, text_run(": no narrative yet (the report uses its generated text)")])]
    said = [*name, text_run(f": revision {view.number} by "), *typed_runs(person(view.author))]
    first = short_label(view.text.split("\n", 1)[0], FIRST_LINE)
    return [
        rich_block([*said, text_run(f", {local_time(view.at, tz)}")]),
        rich_block([text_run("“", isSubtle=True), *typed_runs(first, isSubtle=True), text_run("”", isSubtle=True)]),
    ]


def _section_name(s: Section, *, bolder: bool = False) -> list[Inline]:
    style = BOLD if bolder else {}
    if s.key == POSITION:
        return [text_run("The overall position", **style), text_run(" (position)")]
    return [*typed_runs(s.label, **style), text_run(" ("), *typed_runs(s.key), text_run(")")]


def _signoff(paper: Paper, person: Callable[[str], str], tz: ZoneInfo) -> list[Element]:
    signed = paper.signoff
    if signed is None:
        return [text_block("Not signed off yet.", separator=True)]
    runs = [
        text_run("✅ Approved by "),
        *typed_runs(person(signed.user_id)),
        text_run(f" on {local_time(signed.at, tz)}"),
    ]
    blocks = [rich_block(runs, separator=True)]
    if paper.changed_since_signoff:
        blocks.append(
            text_block(
                "⚠️ **Changed since sign-off: needs approving again** (**report signoff**).",
                color="attention",
                spacing="none",
            )
        )
    return blocks


def _changed_before(before: Paper, person: Callable[[str], str], tz: ZoneInfo) -> list[Element]:
    assert before.period is not None and before.signoff is not None
    signed = before.signoff
    runs = [
        text_run(f"⚠️ The paper for {before.period.label} was approved by ", color="attention"),
        *typed_runs(person(signed.user_id), color="attention"),
        text_run(f" on {local_time(signed.at, tz)}, but its data has changed since: ", color="attention"),
        text_run("it needs approving again", color="attention", weight="bolder"),
        text_run(". ", color="attention"),
        text_run("report signoff", color="attention", weight="bolder"),
        text_run(" approves it as it stands now.", color="attention"),
    ]
    return [rich_block(runs, separator=True)]


def narrative_form(where: Section, period: ReportPeriod, current: NarrativeView | None) -> Card:
    """A form to write a section's narrative for ``period``, filled with its current text (left empty if
    that text would take the card past Teams' size limit). Saving it empty withdraws the narrative."""
    head: list[Element] = [
        rich_block([text_run("Narrative: ", size="medium", weight="bolder"), *_title_runs(where)]),
        text_block(f"For the period {period.label}.", spacing="none"),
    ]
    data = {"action": ACTION_NARRATIVE_SUBMIT, "section": where.key, "period": period.start.isoformat()}
    for value in (current.text if current is not None else "", ""):
        field: Element = {
            "type": "Input.Text",
            "id": "text",
            "label": "Paragraphs (a blank line between two); leave it empty to withdraw the narrative",
            "isMultiline": True,
            "maxLength": MAX_TEXT,
        }
        if value:
            field["value"] = value
        note = (
            []
            if value or current is None
            else [text_block("The current narrative is too long to fill in here; type it again.", isSubtle=True)]
        )
        card = make_card(
            [*head, *note, field],
            [submit_button("Save narrative", data, style="positive")],
            fallback=f"The narrative form for the period {period.label}",
        )
        if card_size(card) <= MAX_CARD_BYTES:
            break
    return card


def _title_runs(where: Section) -> list[Inline]:
    big = {"size": "medium", "weight": "bolder"}
    if where.key == POSITION:
        return [text_run("the overall position", **big)]
    return typed_runs(where.label, **big)


def narrative_saved_card(
    where: Section, view: NarrativeView, period: ReportPeriod, *, people: People | None = None
) -> Card:
    """The narrative saved (or withdrawn, when empty): the section, its revision, the period, the text."""
    person = _person(people)
    verb = "✅ Narrative saved for " if view.text else "➖ Narrative withdrawn for "
    head = [
        text_run(verb),
        *_section_name(where, bolder=True),
        text_run(f": revision {view.number}, for the period {period.label}, by "),
        *typed_runs(person(view.author)),
        text_run("."),
    ]
    fallback = f"{verb.split(' ', 1)[1]}the period {period.label}"
    tail = [text_block("Say **report** to see the whole draft.", isSubtle=True)]
    if not view.text:
        note = text_block("The report uses its generated text there until narrative is written again.")
        return make_card([rich_block(head), note, *tail], fallback=fallback)
    text = officer_blocks([text_run("Text:", **BOLD)], view.text)
    shown = len(text)
    while True:  # the whole text, unless it would take the card past Teams' size limit
        rest = [] if shown == len(text) else [text_block("… and the rest of the text, saved too.", isSubtle=True)]
        card = make_card([rich_block(head), *text[:shown], *rest, *tail], fallback=fallback)
        if card_size(card) <= MAX_CARD_BYTES or shown <= 1:
            return card
        shown -= 1


def signed_card(paper: Paper, tz: ZoneInfo, *, people: People | None = None) -> Card:
    """The paper approved: for which period, by whom and when."""
    assert paper.period is not None and paper.signoff is not None
    person = _person(people)
    signed = paper.signoff
    runs = [
        text_run("✅ Approved", **BOLD),
        text_run(f" the committee paper for the period {paper.period.label}: signed off by "),
        *typed_runs(person(signed.user_id)),
        text_run(f" on {local_time(signed.at, tz)}."),
    ]
    body = [
        rich_block(runs),
        text_block(
            "A Word report of the period now says who approved it; if the period's data changes, **report** "
            "says so and it needs approving again.",
            isSubtle=True,
        ),
    ]
    return make_card(body, fallback=f"Approved the committee paper for the period {paper.period.label}")


def _person(people: People | None) -> Callable[[str], str]:
    names = people or {}

    def person(user_id: str) -> str:
        return names.get(user_id) or user_id

    return person
