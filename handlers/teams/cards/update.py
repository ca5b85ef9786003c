"""The update form card and the answers to it: the saved update or correction, "no change this month",
and the officer's own projects (``mine``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.render.jinja import ago, local_time, rag_label
from bot.services.projects import ProjectView
from bot.services.quickform import LIMITS
from bot.services.updates import UpdateResult
from handlers.teams.cards.pieces import (
    ACTION_UPDATE_SUBMIT,
    BOLD,
    MAX_CARD_BYTES,
    NO_RAG_ICON,
    RAG_ICON,
    UPDATE_EXAMPLE,
    Card,
    Element,
    card_size,
    make_card,
    officer_blocks,
    ref_title,
    rich_block,
    short_label,
    submit_button,
    text_block,
    text_run,
    typed_blocks,
    typed_runs,
)
from models import Rag

__all__ = ["mine_card", "no_change_card", "saved_card", "update_form"]


def update_form(
    projects: Sequence[ProjectView],
    user_id: str,
    *,
    preselect: int | None = None,
    error: str | None = None,
    values: Mapping[str, str] | None = None,
    source: str = "modal",
    form_id: str | None = None,
) -> Card:
    """The update form: the project (the user's own first, then the rest by priority), the RAG and the
    three texts with the same length limits as Slack's modal. ``error`` (plain text) is shown at the top
    and ``values`` (a submission being corrected) fill the inputs again; ``source`` goes back with the
    submission (``modal``, or ``reminder`` when the form came from a reminder's button), and so does
    ``form_id``, this card's own id, by which a double click on Post update is told apart from a new update
    (``handlers.teams.deliveries.teams_form``)."""
    mine = [p for p in projects if p.owner == user_id or user_id in p.delegates]
    others = [p for p in projects if p not in mine]
    values = values or {}
    if preselect is None and len(mine) == 1:
        preselect = mine[0].id
    chosen = values.get("project") or (str(preselect) if preselect is not None else "")
    shown = len(others)
    while True:
        submit = {"action": ACTION_UPDATE_SUBMIT, "src": source, **({"form": form_id} if form_id else {})}
        card = _form(mine, others[:shown], len(others) - shown, chosen, error, values, submit)
        if card_size(card) <= MAX_CARD_BYTES or shown == 0:
            return card
        shown = max(0, shown - max(1, shown // 10))


def _form(
    mine: Sequence[ProjectView],
    others: Sequence[ProjectView],
    left_out: int,
    chosen: str,
    error: str | None,
    values: Mapping[str, str],
    submit: dict[str, Any],
) -> Card:
    body: list[Element] = [text_block("ICT progress update", size="medium", weight="bolder", style="heading")]
    if error:
        warning = {"color": "attention", "weight": "bolder"}
        body += typed_blocks([text_run("⚠️ ", **warning)], error, style=warning)
    body.append(_project_input(mine, others, chosen))
    if mine:
        body.append(text_block("Your own projects are listed first.", isSubtle=True, size="small", spacing="none"))
    if left_out:
        body.append(_left_out_note(left_out))
    body.append(_rag_input(values))
    body += _text_inputs(values)
    return make_card(
        body,
        [submit_button("Post update", submit, style="positive")],
        fallback="The ICT progress update form.",
    )


def _project_input(mine: Sequence[ProjectView], others: Sequence[ProjectView], chosen: str) -> Element:
    """The project choice: the user's own projects first, then the others with their priority."""
    choices = [{"title": short_label(f"{p.ref} — {p.title} (yours)"), "value": str(p.id)} for p in mine]
    choices += [
        {"title": short_label(f"{p.ref} — {p.title} · {p.priority_name or 'No priority'}"), "value": str(p.id)}
        for p in others
    ]
    project: Element = {
        "type": "Input.ChoiceSet",
        "id": "project",
        "label": "Project",
        "style": "compact",
        "placeholder": "Type a reference or title",
        "isRequired": True,
        "errorMessage": "Choose the project this update is for.",
        "choices": choices,
    }
    if chosen and any(c["value"] == chosen for c in choices):
        project["value"] = chosen
    return project


def _left_out_note(left_out: int) -> Element:
    return text_block(
        f"{left_out} more project{'s are' if left_out != 1 else ' is'} not listed, to keep the form within "
        f"Teams' size limit. Post for one of them with **{UPDATE_EXAMPLE}**.",
        isSubtle=True,
        size="small",
    )


def _rag_input(values: Mapping[str, str]) -> Element:
    rag: Element = {
        "type": "Input.ChoiceSet",
        "id": "rag",
        "label": "RAG status",
        "style": "expanded",
        "isRequired": True,
        "errorMessage": "Choose red, amber or green.",
        "choices": [{"title": f"{RAG_ICON[r]} {rag_label(r)}", "value": r.value} for r in Rag],
    }
    if values.get("rag") in {r.value for r in Rag}:
        rag["value"] = values["rag"]
    return rag


def _text_inputs(values: Mapping[str, str]) -> list[Element]:
    """The three texts, with the same length limits as Slack's modal; a submission's values kept."""
    fields: list[Element] = []
    for name, label, required in (
        ("progress", "Progress: what was done", True),
        ("next_steps", "Next steps", False),
        ("risks", "Risks and issues", False),
    ):
        field: Element = {
            "type": "Input.Text",
            "id": name,
            "label": label,
            "isMultiline": True,
            "maxLength": LIMITS[name],
            "isRequired": required,
        }
        if required:
            field["errorMessage"] = "Say what was done."
        if name == "risks":
            field["placeholder"] = "Anything the governance group should know about."
        if values.get(name):
            field["value"] = values[name][: LIMITS[name]]
        fields.append(field)
    return fields


def saved_card(result: UpdateResult) -> Card:
    """The confirmation of a saved update or correction: what was saved, as it was typed."""
    corrected = result.revision > 1
    what = "✏️ Correction saved for " if corrected else "✅ Update saved for "
    tail = f" (revision {result.revision}; the earlier text is kept)" if corrected else ""
    head = [
        text_run(what),
        *typed_runs(f"{result.project_ref} {result.project_title}", **BOLD),
        text_run(f": {RAG_ICON[result.rag]} "),
        text_run(rag_label(result.rag), **BOLD),
        *([text_run(tail)] if tail else []),
    ]
    body = [rich_block(head), *officer_blocks([text_run("Progress:", **BOLD)], result.progress)]
    if result.next_steps:
        body += officer_blocks([text_run("Next steps:", **BOLD)], result.next_steps)
    if result.risks:
        body += officer_blocks([text_run("Risks/issues:", **BOLD)], result.risks)
    return make_card(body, fallback=f"{what}{short_label(result.project_ref, 40)}")


def no_change_card(result: UpdateResult) -> Card:
    """'No change this month' recorded: the RAG carried forward."""
    inlines = [
        text_run("✅ Recorded "),
        text_run("no change this month", **BOLD),
        text_run(" for "),
        *typed_runs(result.project_ref, **BOLD),
        text_run(f": {RAG_ICON[result.rag]} {rag_label(result.rag)} carried forward."),
    ]
    return make_card([rich_block(inlines)], fallback="Recorded no change this month.")


def mine_card(projects: Sequence[ProjectView], user_id: str, *, now: datetime, tz: ZoneInfo) -> Card:
    """The user's projects and when each was last updated (``projects`` is not empty)."""
    body: list[Element] = [text_block(f"**Your projects** ({len(projects)})")]
    for p in projects:
        delegate = [text_run(" "), text_run("(delegate)", italic=True)] if p.owner != user_id else []
        if p.last_update_at:
            icon = RAG_ICON[p.last_rag] if p.last_rag else NO_RAG_ICON
            last = f"{icon} last updated {ago(p.last_update_at, now)} ({local_time(p.last_update_at, tz)})"
        else:
            last = "❔ no update yet"
        body.append(
            rich_block([text_run("• "), *ref_title(p.ref, p.title), *delegate, text_run(f" — {last}")], spacing="small")
        )
    body.append(text_block("Post with **update REF RAG what was done**, or **update** for the form."))
    return make_card(body, fallback=f"Your projects ({len(projects)})")
