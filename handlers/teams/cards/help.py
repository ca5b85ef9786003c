"""The help card: what the bot understands after its @mention."""

from __future__ import annotations

from bot.services.quickform import LIMITS
from handlers.teams.cards.pieces import (
    ACTION_OPEN_FORM,
    UPDATE_EXAMPLE,
    Card,
    Element,
    make_card,
    marked_blocks,
    submit_button,
    text_block,
)

__all__ = ["help_card"]

HELP_LINES = (
    ("update", "opens the update form."),
    ("update REF RAG what was done | next: … | risks: …", "posts an update in one line, e.g. " + UPDATE_EXAMPLE),
    ("update edit REF RAG corrected text", "corrects your latest update on REF (the old text is kept)."),
    ("mine", "your projects and when each was last updated."),
    ("history REF [N]", "REF's latest N updates (10 unless you say; up to 50), newest first, corrections marked."),
    ("home", "your projects, actions, risks and the next meeting; the Work Plan for a chair (Slack's Home tab)."),
    ("digest [from YYYY-MM-DD to YYYY-MM-DD]", "the progress digest (posted by a chair or an ICT admin)."),
    ("digest exceptions", "only the digest's exceptions: what is red, slipping or overdue."),
    ("meeting [next N]", "the next governance meetings; the chair can move or cancel one (meeting help)."),
    ("meeting minutes [YYYY-MM-DD]", "a meeting's minutes: decisions, actions, risks (the chair or an ICT admin)."),
    ("report", "the committee paper being written: its narrative, who has not updated, its sign-off."),
    ("report narrative CODE text", "the chair's narrative for a priority (its code or name)."),
    ("report position text", "the chair's narrative for the overall position."),
    ("report signoff", "approves the paper for its period (the chair or an ICT admin)."),
    ("assurance", "the assurance calendar: each obligation's owner, next due date and last result."),
    ("assurance record CODE pass|fail|partial [note] [| URL]", "records a result (its owner, a chair or an admin)."),
    ("risk add REF L I text | review YYYY-MM-DD", "raises a risk on a project or a priority (risk add: a form)."),
    ("risk list [REF|mine|high]", "the open risks, highest score first (risk help: update, close, history)."),
    ("issue add REF text", "raises an issue (issue list, update, close, history: issue help)."),
    ("decision text [| project REF]", "records a decision of the group (the chair or an ICT admin; decision: a form)."),
    ("action add me|OWNER YYYY-MM-DD text", "gives an action (action add: a form); action done ID, action list."),
    ("project list [all]", "the Work Plan by priority; ICT admins also add, reassign, close, complete, reopen."),
    ("project add REF PRIORITY me|OWNER Title", "adds a project (ICT admins; OWNER: their Entra id; project help)."),
    ("role [list]", "who holds which role; ICT admins role grant|revoke me|PERSON chair|admin (role help)."),
    ("search words [in REF] [from YYYY-MM-DD] [to YYYY-MM-DD]", "finds updates by their words, best first."),
    ("help", "this card."),
)


def help_card(notice: str | None = None) -> Card:
    """What the bot understands after its @mention. ``notice`` (a marked message: ``bot.literal``) goes first."""
    body: list[Element] = []
    if notice:
        body += marked_blocks(notice, attention=True)
    body.append(text_block("ICT governance bot", size="medium", weight="bolder", style="heading"))
    body.append(text_block("Mention me, then one of these:", spacing="none"))
    body.append(
        {
            "type": "FactSet",
            "facts": [{"title": cmd, "value": what} for cmd, what in HELP_LINES],  # the bot's own words
        }
    )
    body.append(
        text_block(
            "RAG is red, amber or green (or r, a, g). The owner or a delegate of a project, or an ICT admin, "
            f"can update it. Limits: progress {LIMITS['progress']:,} characters, next steps "
            f"{LIMITS['next_steps']:,}, risks {LIMITS['risks']:,}.",
            isSubtle=True,
        )
    )
    return make_card(
        body, [submit_button("Post an update", {"action": ACTION_OPEN_FORM})], fallback="ICT governance bot: help"
    )
