"""A meeting's minutes as Adaptive Cards: the title, then each section (exceptions, decisions, actions given,
actions closed, risks and issues changed). Typed text goes only in text runs (:mod:`.pieces`); the bot's
words and the section headings in text blocks. Split across cards under the size limit, nothing cut off.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.jinja import local_time
from bot.render.minutes import SECTIONS, change_words, closed_words, due_words, kind_name, title, window_words
from bot.services.minutes import Minutes
from handlers.teams.cards.pieces import (
    BOLD,
    MAX_CARD_BYTES,
    Card,
    Element,
    Inline,
    card_size,
    make_card,
    text_block,
    text_run,
    typed_blocks,
    typed_runs,
)

__all__ = ["minutes_cards"]


def minutes_cards(m: Minutes) -> list[Card]:
    """The minutes as one card, or several when they are long (each after the first marked as continued)."""
    head = [text_block(title(m), size="large", weight="bolder", style="heading")]
    if m.workspace:
        head += typed_blocks([], m.workspace, spacing="none", isSubtle=True)
    sections = [_exceptions(m), _decisions(m), _actions(m), _closed(m), _raid(m)]
    tail = [text_block(f"Generated {local_time(m.generated_at, m.tz)}.", isSubtle=True, separator=True)]
    return _pack([head, *sections, tail], fallback=title(m))


def _heading(i: int, n: int) -> Element:
    return text_block(f"**{SECTIONS[i]} ({n})**", separator=True)


def _line(ref: str, on: str | None, text: str, after: str, note: str = "") -> list[Element]:
    """One entry: its ref in bold (and its project's or priority's), its typed text, the bot's words after it in
    italics, then a note as typed."""
    lead: list[Inline] = [text_run("• "), *typed_runs(ref, **BOLD)]
    if on:
        lead += [text_run(" ("), *typed_runs(on), text_run(")")]
    blocks = typed_blocks([*lead, text_run(": ")], text, spacing="small")
    blocks.append({"type": "RichTextBlock", "inlines": typed_runs(after, italic=True), "spacing": "none"})
    if note:
        blocks += typed_blocks([text_run("Note: ", italic=True)], note, spacing="none")
    return blocks


def _exceptions(m: Minutes) -> list[Element]:
    blocks = [_heading(0, len(m.exceptions))]
    for e in m.exceptions:
        blocks += _line(e.ref, None, e.title, f"{kind_name(e)}, {e.owner_name}: {e.why}")
    return blocks if m.exceptions else [*blocks, text_block("No exceptions.")]


def _decisions(m: Minutes) -> list[Element]:
    blocks = [_heading(1, len(m.decisions))]
    for d in m.decisions:
        blocks += _line(d.label, d.project, d.text, f"recorded by {d.by_name}")
    return blocks if m.decisions else [*blocks, text_block("No decisions recorded.")]


def _actions(m: Minutes) -> list[Element]:
    blocks = [_heading(2, len(m.actions))]
    for a in m.actions:
        blocks += _line(a.label, a.project, a.text, f"owner {a.owner_name}, {due_words(a)}")
    return blocks if m.actions else [*blocks, text_block("No actions given.")]


def _closed(m: Minutes) -> list[Element]:
    blocks = [_heading(3, len(m.closed)), text_block(f"Closed {window_words(m)} ({m.tz.key}).", spacing="none")]
    for a in m.closed:
        after = f"owner {a.owner_name}, {closed_words(m, a)} by {a.done_by_name}"
        blocks += _line(a.label, a.project, a.text, after, a.note)
    return blocks if m.closed else [*blocks, text_block("None.")]


def _raid(m: Minutes) -> list[Element]:
    blocks = [_heading(4, len(m.raid))]
    for r in m.raid:
        after = f"{change_words(m, r)}; owner {r.owner_name}; by {r.actor_name}"
        blocks += _line(r.label, r.on, r.text, after, r.note)
    return blocks if m.raid else [*blocks, text_block("None.")]


def _pack(groups: Sequence[Sequence[Element]], *, fallback: str) -> list[Card]:
    """The blocks in cards under :data:`MAX_CARD_BYTES`, in order; each further card opens as continued."""
    continued = text_block("_The minutes, continued._", isSubtle=True)
    pages: list[list[Element]] = [[]]
    for block in (b for group in groups for b in group):
        body = pages[-1]
        if (
            len(body) > 1
            and card_size(make_card([*body, block], fallback=fallback + " (part 99 of 99)")) > MAX_CARD_BYTES
        ):
            pages.append([continued])
        pages[-1].append(block)
    n = len(pages)
    return [
        make_card(p, fallback=f"{fallback} (part {i} of {n})" if n > 1 else fallback) for i, p in enumerate(pages, 1)
    ]
