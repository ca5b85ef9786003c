"""On the Teams reminder card: the owner's open actions, each with a Mark done button, and risks past their
review date, typed text as it is (:func:`handlers.teams.cards.pieces.typed_runs`). The button carries the
action's id, looked up again within the workspace when pressed (``handlers.teams.registers.mark_done``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.registers.chase import ChasedAction, ChasedRisk
from handlers.teams.cards.pieces import Element, Inline, rich_block, submit_button, text_block, text_run, typed_runs

__all__ = ["ACTION_MARK_DONE", "MAX_ACTIONS_WITH_BUTTONS", "chase_elements"]

ACTION_MARK_DONE = "action_mark_done"
MAX_ACTIONS_WITH_BUTTONS = 8  # as in Slack's reminder; the rest are listed, marked done with ``action done ID``


def _project(ref: str | None) -> list[Inline]:
    return [text_run(" (project "), *typed_runs(ref), text_run(")")] if ref else []


def _action(a: ChasedAction) -> Element:
    due = f" — due {a.due_on:%-d %b %Y}" + (" — overdue" if a.overdue else "")
    return rich_block(
        [
            text_run(a.label, weight="bolder"),
            text_run(" "),
            *typed_runs(a.text),
            *_project(a.project_ref),
            text_run(due, color="attention" if a.overdue else "default"),
        ],
        spacing="small",
    )


def _with_button(a: ChasedAction) -> Element:
    button = submit_button("Mark done", {"action": ACTION_MARK_DONE, "action_id": a.id})
    return {"type": "Container", "items": [_action(a), {"type": "ActionSet", "actions": [button]}], "spacing": "small"}


def _risk(r: ChasedRisk) -> Element:
    return rich_block(
        [
            text_run(r.label, weight="bolder"),
            text_run(" "),
            *typed_runs(r.text),
            *_project(r.project_ref),
            text_run(f" — score {r.score}, review was due {r.review_on:%-d %b %Y}"),
        ],
        spacing="small",
    )


def chase_elements(actions: Sequence[ChasedAction], risks: Sequence[ChasedRisk]) -> list[Element]:
    body: list[Element] = []
    if actions:
        how = "press **Mark done** (or say **action done ID**) when one is done"
        body.append(text_block(f"**Your open actions** ({len(actions)}) — {how}:", separator=True))
        body += [_with_button(a) for a in actions[:MAX_ACTIONS_WITH_BUTTONS]]
        body += [_action(a) for a in actions[MAX_ACTIONS_WITH_BUTTONS:]]
    if risks:
        body.append(text_block("**Risks past their review date** — please review each:", separator=True))
        body += [_risk(r) for r in risks]
    return body
