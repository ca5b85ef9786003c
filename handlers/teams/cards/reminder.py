"""The reminder card: an owner's stale projects before a meeting, each with its buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.render.jinja import local_time
from bot.services.reminders import Due, StaleProject
from handlers.teams.cards.chase import chase_elements
from handlers.teams.cards.pieces import (
    ACTION_NO_CHANGE,
    ACTION_OPEN_FORM,
    ACTION_SNOOZE,
    Card,
    Element,
    make_card,
    rag_text,
    ref_title,
    rich_block,
    submit_button,
    text_block,
    text_run,
    typed_runs,
)

__all__ = ["reminder_card"]

MAX_PROJECTS_WITH_BUTTONS = 23  # as in Slack's reminder


def reminder_card(item: Due) -> Card:
    """An owner's reminder, as Slack's: the meeting, each stale project with **Post update** and **No change
    this month**, then **Remind me tomorrow**. Past 24 projects the rest are named without buttons."""
    tz = ZoneInfo(item.timezone)
    n = len(item.projects)
    since = f"since the last meeting ({local_time(item.period_start, tz)})" if item.period_start else "yet"
    which = "This project has" if n == 1 else f"These {n} projects have"
    headline = f"👋 The ICT governance group meets on **{local_time(item.meeting_starts_at, tz)}**."
    body: list[Element] = [
        text_block(headline),
        text_block(
            f"{which} no update {since}. Please post one so the chair has a complete picture."
            if n
            else "Before it, please look at what is yours below."
        ),
    ]
    shown = item.projects if n <= MAX_PROJECTS_WITH_BUTTONS + 1 else item.projects[:MAX_PROJECTS_WITH_BUTTONS]
    for p in shown:
        body.append(_reminder_project(p, item, tz))
    rest = item.projects[len(shown) :]
    if rest:
        refs = ", ".join(p.ref for p in rest)
        body.append(
            rich_block(
                [
                    text_run(f"…and {len(rest)} more without an update: "),
                    *typed_runs(refs),
                    text_run(". Post those with "),
                    text_run("update REF RAG text", weight="bolder"),
                    text_run("."),
                ],
                separator=True,
            )
        )
    body += chase_elements(item.actions, item.risks)
    snooze = submit_button("Remind me tomorrow", {"action": ACTION_SNOOZE, "meeting_id": item.meeting_id})
    return make_card(body, [snooze], fallback=headline.replace("**", "").replace("👋 ", ""))


def _reminder_project(p: StaleProject, item: Due, tz: ZoneInfo) -> Element:
    delegate = [text_run(" "), text_run("(you are a delegate)", italic=True)] if p.owner != item.user_id else []
    last = (
        f"Last update {local_time(p.last_update_at, tz)}: {rag_text(p.last_rag)}"
        if p.last_update_at
        else "No update yet"
    )
    return {
        "type": "Container",
        "separator": True,
        "items": [
            rich_block([*ref_title(p.ref, p.title), *delegate]),
            text_block(last, isSubtle=True, spacing="none"),
            {
                "type": "ActionSet",
                "actions": [
                    submit_button(
                        "Post update",
                        {"action": ACTION_OPEN_FORM, "project_id": p.project_id, "src": "reminder"},
                        style="positive",
                    ),
                    submit_button(
                        "No change this month",
                        {"action": ACTION_NO_CHANGE, "project_id": p.project_id, "meeting_id": item.meeting_id},
                    ),
                ],
            },
        ],
    }
