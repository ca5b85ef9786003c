"""A project's update history (``history REF [N]``) as Adaptive Cards: the project, how many updates are shown,
then each update's RAG, date, author, progress in short and its corrections. Typed text (the ref, the title,
the progress, names) goes only in text runs (:mod:`.pieces`). Split across cards under the size limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from bot.render.jinja import local_time, rag_label
from bot.render.timeline import corrections, shown_words, status_words
from bot.services import people
from bot.services.timeline import Entry, Timeline
from handlers.teams.cards.pieces import (
    BOLD,
    MAX_CARD_BYTES,
    RAG_ICON,
    Card,
    Element,
    card_size,
    make_card,
    rich_block,
    text_block,
    text_run,
    typed_blocks,
    typed_runs,
)

__all__ = ["timeline_cards"]


def timeline_cards(t: Timeline, names: Mapping[str, str], tz: tzinfo) -> list[Card]:
    """The history as one card, or several when it is long (each after the first marked as continued)."""
    head = [
        rich_block(
            [text_run("History of ", **BOLD), *typed_runs(t.ref, **BOLD), text_run(" "), *typed_runs(t.title)]
            + ([text_run(status_words(t))] if status_words(t) else [])
        ),
        text_block(shown_words(t), spacing="none", isSubtle=True),
    ]
    return _pack([head, *(_entry(e, names, tz) for e in t.entries)], fallback=f"History of {t.ref}")


def _person(names: Mapping[str, str], user_id: str) -> str:
    return people.display(names.get(user_id), user_id)


def _entry(e: Entry, names: Mapping[str, str], tz: tzinfo) -> list[Element]:
    lead = [
        text_run(f"{RAG_ICON[e.rag]} "),
        text_run(rag_label(e.rag), **BOLD),
        text_run(f" · {local_time(e.created_at, tz)} · "),
        *typed_runs(_person(names, e.author)),
    ]
    blocks = [rich_block(lead, separator=True), *typed_blocks([], e.progress, spacing="none")]
    if e.revised and e.corrected_at is not None and e.corrected_by is not None:
        said = f"✏️ {corrections(e)}, last on {local_time(e.corrected_at, tz)} by "
        runs = [text_run(said, italic=True), *typed_runs(_person(names, e.corrected_by), italic=True)]
        blocks.append(rich_block(runs, spacing="none"))
    return blocks


def _pack(groups: Sequence[Sequence[Element]], *, fallback: str) -> list[Card]:
    """The groups (an update each) in cards under :data:`MAX_CARD_BYTES`, in order, an update never split."""
    continued = text_block("_The history, continued._", isSubtle=True)
    pages: list[list[Element]] = [[]]
    for group in groups:
        body = pages[-1]
        if body and card_size(make_card([*body, *group], fallback=fallback + " (part 99 of 99)")) > MAX_CARD_BYTES:
            pages.append([continued])
        pages[-1].extend(group)
    n = len(pages)
    return [
        make_card(p, fallback=f"{fallback} (part {i} of {n})" if n > 1 else fallback) for i, p in enumerate(pages, 1)
    ]
