"""The progress digest as cards: the exceptions and the summary (also the preview), a card or more per
priority, then the missing, completed and started projects; or the exceptions alone. A digest is split
across as many cards as it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.render import exceptions as exceptions_text
from bot.render.digest import trend_text
from bot.render.jinja import local_time, rag_label
from bot.services.digest import Digest, PriorityGroup, ProjectEntry
from handlers.teams.cards.pieces import (
    MAX_CARD_BYTES,
    NO_RAG_ICON,
    RAG_ICON,
    Card,
    Element,
    card_size,
    make_card,
    officer_blocks,
    rag_counts,
    ref_title,
    rich_block,
    short_label,
    text_block,
    text_run,
    typed_blocks,
    typed_runs,
)

__all__ = [
    "EXCEPTIONS_PREVIEW",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "detail_cards",
    "digest_cards",
    "exceptions_cards",
    "summary_cards",
]

POSTED_FOOTER = "The detail for each priority follows, then the missing, completed and started projects."
PREVIEW_FOOTER = "A preview of the summary. A chair or an ICT admin can post the whole digest here with **digest**."
EXCEPTIONS_PREVIEW = "A preview. A chair or an ICT admin can post the exceptions here with **digest exceptions**."


def digest_cards(digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = POSTED_FOOTER) -> list[Card]:
    """Everything to post in the channel, in order: the summary, then a card (or more) per priority with
    projects, then the missing, completed and started projects. Each card is under the size limit."""
    return [*summary_cards(digest, people=people, footer=footer), *detail_cards(digest, people=people)]


def summary_cards(
    digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = POSTED_FOOTER
) -> list[Card]:
    """The exceptions, then the summary: the headline, totals and RAG by priority. It is also the preview."""
    d = digest
    title = _title(d)
    strategy = typed_runs(d.strategy.name)
    if d.strategy.period:
        strategy += [text_run(" ("), *typed_runs(d.strategy.period), text_run(")")]
    if d.workspace:
        strategy += [text_run(" · "), *typed_runs(d.workspace)]
    for run in strategy:
        run["isSubtle"] = True
    head = [text_block(title, size="large", weight="bolder", style="heading")]
    groups: list[Element] = [
        *_exception_blocks(d, people),
        rich_block(strategy, separator=True),
        text_block(f"Period: {_period(d)} ({d.tz.key})", spacing="none"),
        text_block(f"**{d.headline}**"),  # the bot's words: counts
        text_block("**RAG by priority**", separator=True),
    ]
    for g in d.priorities:
        name = typed_runs(g.name, weight="bolder")
        if g.kind == "retired":
            name += [
                text_run(" (a priority of ", italic=True),
                *typed_runs(g.strategy or "", italic=True),
                text_run(")", italic=True),
            ]
        value = (
            (rag_counts(g.rag) + (f" · {len(g.missing)} missing" if g.missing else "")) if g.projects else "no projects"
        )
        groups.append(rich_block([*name, text_run(f": {value}")], spacing="small"))
    t = d.totals
    groups.append(text_block(f"**All priorities**: {rag_counts(t.rag)}", spacing="small"))
    groups.append(
        text_block(
            f"⚠️ **{t.missing}** active project{'s' if t.missing != 1 else ''} missing an update · "
            f"✅ **{t.completed}** completed · 🌱 **{t.started}** started · "
            f"⬆️ {t.improved} improved · ⬇️ {t.worse} worse",
            separator=True,
        )
    )
    tail = [text_block(footer, isSubtle=True, size="small", separator=True)] if footer else []
    return _pack(
        [[b] for b in groups],
        head=head,
        tail=tail,
        continued=text_block(f"{title}: the summary, continued.", isSubtle=True),
        fallback=title,
    )


def exceptions_cards(digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = "") -> list[Card]:
    """The Exceptions section alone (**digest exceptions**), in as many cards as it needs."""
    day = digest.generated_at.astimezone(digest.tz)
    title = f"Exceptions, {day.day} {day:%b %Y}"
    return _pack(
        [[b] for b in _exception_blocks(digest, people)[1:]],
        head=[text_block(title, size="large", weight="bolder", style="heading")],
        tail=[text_block(footer, isSubtle=True, size="small", separator=True)] if footer else [],
        continued=text_block(f"{title}, continued.", isSubtle=True),
        fallback=title,
    )


def _exception_blocks(d: Digest, people: Mapping[str, str] | None) -> list[Element]:
    """The Exceptions heading, then a heading per kind and a block per entry (typed text as it is)."""
    names = people or {}
    blocks: list[Element] = [text_block(f"**{exceptions_text.TITLE}**", size="medium")]
    found = exceptions_text.by_kind(d.exceptions)
    if not found:
        blocks.append(text_block(exceptions_text.NONE, spacing="none"))
    for heading, entries in found:
        blocks.append(text_block(f"_{heading}_", spacing="small"))
        for e in entries:
            owner = names.get(e.owner_user_id) or e.owner_name
            runs = [*ref_title(e.ref, e.title), text_run(" — "), *typed_runs(owner), text_run(": ")]
            blocks.append(rich_block([*runs, *typed_runs(e.why)], spacing="none"))
    return blocks


def detail_cards(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[Card]:
    """Each priority with projects, its projects in full; then the missing, completed and started lists."""
    person = _person(people)
    cards: list[Card] = []
    for g in digest.priorities:
        if not g.projects:
            continue
        cards += _pack(
            [_project_blocks(p, digest.tz, person) for p in g.projects],
            head=_priority_head(g),
            continued=rich_block(
                [*typed_runs(g.name, weight="bolder", isSubtle=True), text_run(", continued.", isSubtle=True)]
            ),
            fallback=f"ICT progress digest: {short_label(g.name, 200)}",
        )
    cards += _pack(
        [[b] for b in _lists_blocks(digest, person)],
        head=[text_block("Missing, completed and started projects", size="medium", weight="bolder", style="heading")],
        continued=text_block("Missing, completed and started projects, continued.", isSubtle=True),
        fallback="ICT progress digest: missing, completed and started projects",
    )
    return cards


def _priority_head(g: PriorityGroup) -> list[Element]:
    heading = {"size": "medium", "weight": "bolder"}
    name = typed_runs(g.name, **heading)
    if g.code:
        name += [text_run(" (", **heading), *typed_runs(g.code, **heading), text_run(")", **heading)]
    head = [rich_block(name)]
    if g.note:
        head += typed_blocks([], g.note, style={"italic": True, "isSubtle": True}, spacing="none")
    missing = f", {len(g.missing)} missing" if g.missing else ""
    missing += f", {len(g.completed)} completed" if g.completed else ""
    head.append(
        text_block(
            f"{rag_counts(g.rag)} · {len(g.updated)} of {len(g.projects)} updated in the period{missing}",
            spacing="none",
        )
    )
    return head


def _project_blocks(p: ProjectEntry, tz: ZoneInfo, person: Callable[[str], str]) -> list[Element]:
    icon = RAG_ICON[p.rag] if p.rag else NO_RAG_ICON
    trend = f" ({trend_text(p)})" if trend_text(p) else ""
    status = p.status.value.replace("_", " ").capitalize()
    people = [text_run(f"{rag_label(p.rag)}{trend} · {status} · owner "), *typed_runs(person(p.owner))]
    if p.delegates:
        people.append(text_run(f", delegate{'s' if len(p.delegates) != 1 else ''} "))
        for i, delegate in enumerate(p.delegates):
            people += [text_run(", ")] if i else []
            people += typed_runs(person(delegate))
    for run in people:
        run["isSubtle"] = True
    blocks = [
        rich_block([text_run(f"{icon} "), *ref_title(p.ref, p.title)], separator=True),
        rich_block(people, spacing="none"),
    ]
    if p.update is not None:
        u = p.update
        corrected = ", corrected" if u.revision > 1 else ""
        bold = {"weight": "bolder"}
        label = [
            text_run("Progress (", **bold),
            *typed_runs(person(u.author), **bold),
            text_run(f", {local_time(u.created_at, tz)}{corrected}):", **bold),
        ]
        blocks += officer_blocks(label, u.progress, spacing="small")
        if u.next_steps:
            blocks += officer_blocks([text_run("Next steps:", **bold)], u.next_steps, spacing="small")
        if u.risks:
            blocks += officer_blocks([text_run("Risks and issues:", **bold)], u.risks, spacing="small")
    elif p.last_updated_at:
        blocks.append(text_block(f"⚠️ _No update in this period; last updated {local_time(p.last_updated_at, tz)}._"))
    else:
        blocks.append(text_block("⚠️ _Never updated._"))
    return blocks


def _lists_blocks(d: Digest, person: Callable[[str], str]) -> list[Element]:
    tz = d.tz
    blocks: list[Element] = [text_block(f"**Missing an update ({len(d.missing)})**")]
    for p in d.missing:
        last = f"last updated {local_time(p.last_updated_at, tz)}" if p.last_updated_at else "never updated"
        blocks.append(
            rich_block(
                [*ref_title(p.ref, p.title), text_run(" — "), *typed_runs(person(p.owner)), text_run(f", {last}")]
            )
        )
    if not d.missing:
        blocks.append(text_block("Every active project has an update in the period. 🎉"))
    blocks.append(text_block(f"**Completed in the period ({len(d.completed)})**", separator=True))
    for p in d.completed:
        blocks.append(rich_block([*ref_title(p.ref, p.title), text_run(f", completed {_day(p.completed_on, tz)}")]))
    if not d.completed:
        blocks.append(text_block("None."))
    blocks.append(text_block(f"**Started in the period ({len(d.started)})**", separator=True))
    for p in d.started:
        blocks.append(rich_block([*ref_title(p.ref, p.title), text_run(" — "), *typed_runs(person(p.owner))]))
    if not d.started:
        blocks.append(text_block("None."))
    return blocks


def _pack(
    groups: Sequence[Sequence[Element]],
    *,
    head: Sequence[Element] = (),
    tail: Sequence[Element] = (),
    continued: Element,
    fallback: str,
) -> list[Card]:
    """Groups of blocks (a project each) in cards under :data:`MAX_CARD_BYTES`: ``head`` opens the first
    card, ``tail`` closes the last, and every further card opens with a ``continued`` note. A group goes
    whole into the next card when it does not fit in this one, and is split only when it fits in none."""
    pages: list[list[Element]] = []
    body: list[Element] = list(head)
    opening = len(head)

    def fits(extra: Sequence[Element]) -> bool:
        return card_size(make_card([*body, *extra], fallback=f"{fallback} (part 99 of 99)")) <= MAX_CARD_BYTES

    def turn_page() -> None:
        nonlocal body, opening
        pages.append(body)
        body = [continued]
        opening = 1

    for group in [*groups, tail]:
        if not group:
            continue
        if not fits(group) and len(body) > opening:
            turn_page()
        for block in group:
            if not fits([block]) and len(body) > opening:
                turn_page()
            body.append(block)
    pages.append(body)
    n = len(pages)
    return [
        make_card(page, fallback=f"{fallback} (part {i} of {n})" if n > 1 else fallback)
        for i, page in enumerate(pages, 1)
    ]


def _title(d: Digest) -> str:
    day = d.end.astimezone(d.tz)
    return f"ICT progress digest, {day.day} {day:%b %Y}"


def _day(value: date | datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return f"{value.day} {value:%b %Y}"


def _period(d: Digest) -> str:
    return f"{_day(d.start, d.tz)} to {_day(d.end, d.tz)}" if d.start else f"up to {_day(d.end, d.tz)}"


def _person(people: Mapping[str, str] | None) -> Callable[[str], str]:
    names = people or {}

    def person(user_id: str) -> str:
        return names.get(user_id) or user_id

    return person
