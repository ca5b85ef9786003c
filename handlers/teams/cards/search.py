"""The answer to `search …` on Teams: the updates found, best first, each with its project, RAG, day, author
and a snippet of the officer's words (as typed), and a "More results" button for the next ten."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from bot.literal import literal
from bot.services import people
from bot.services.search import Query, Results
from handlers.teams.cards.pieces import (
    Card,
    Element,
    make_card,
    marked_blocks,
    rag_text,
    ref_title,
    rich_block,
    submit_button,
    text_run,
    typed_runs,
)

__all__ = ["ACTION_SEARCH_MORE", "search_card"]

ACTION_SEARCH_MORE = "search_more"  # data: the search as typed (q) and where the next page starts (o)


def _asked(query: Query) -> str:
    parts = [f"“{literal(query.words)}”"]
    if query.ref:
        parts.append(f"in {literal(query.ref)}")
    if query.first:
        parts.append(f"from {query.first.isoformat()}")
    if query.last:
        parts.append(f"to {query.last.isoformat()}")
    return " ".join(parts)


def search_card(query: Query, found: Results, names: Mapping[str, str], tz: tzinfo) -> Card:
    """What was found (or a helpful word when nothing was), a line and a snippet per update."""
    asked = _asked(query)
    if not found.total:
        notice = (
            f"No update matches {asked}. Every word must be in an update's progress, next steps or risks (other "
            "forms of a word count: switch finds “switches”); try fewer words, or widen the dates."
        )
        return make_card(marked_blocks(notice), fallback="No update matches your search.")
    if not found.hits:
        return make_card(marked_blocks(f"No more updates match {asked}: all {found.total} were shown."))
    first, last = found.offset + 1, found.offset + len(found.hits)
    noun = "update matches" if found.total == 1 else "updates match"
    head = f"*{found.total} {noun}* {asked}" + (f" — {first} to {last}, best first" if found.total > 1 else "")
    body: list[Element] = marked_blocks(head)
    for hit in found.hits:
        when = hit.created_at.astimezone(tz).strftime("%-d %b %Y")
        line = [text_run("• "), *ref_title(hit.project_ref, hit.project_title)]
        line += [
            text_run(f" · {rag_text(hit.rag)} · {when} · "),
            *typed_runs(people.display(names.get(hit.author), hit.author)),
        ]
        if hit.revision > 1:
            line.append(text_run(" (corrected)", italic=True))
        body.append(rich_block(line, spacing="medium"))
        if hit.snippet:
            body.append(rich_block(typed_runs(hit.snippet, isSubtle=True), spacing="none"))
    actions = []
    if found.has_more:
        data = {"action": ACTION_SEARCH_MORE, "q": query.typed, "o": found.next_offset}
        actions.append(submit_button("More results", data))
    return make_card(body, actions, fallback=f"{found.total} {noun} your search")
