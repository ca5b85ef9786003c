"""On the Teams reminder card: the owner's open actions and risks past their review date, typed text as it
is (:func:`handlers.teams.cards.pieces.typed_runs`). An action is marked done with ``action done ID``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.registers.chase import ChasedAction, ChasedRisk
from handlers.teams.cards.pieces import Element, Inline, rich_block, text_block, text_run, typed_runs

__all__ = ["chase_elements"]


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
        body.append(
            text_block(
                f"**Your open actions** ({len(actions)}) — say **action done ID** when one is done:", separator=True
            )
        )
        body += [_action(a) for a in actions]
    if risks:
        body.append(text_block("**Risks past their review date** — please review each:", separator=True))
        body += [_risk(r) for r in risks]
    return body
