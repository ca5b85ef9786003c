"""The ``home`` card: what Slack's App Home shows, as an Adaptive Card. Each list shows its first items and
says how many more there are (a card has no room for all of a large Work Plan); typed text goes in text
runs (:mod:`handlers.teams.cards.pieces`), people by name from the directory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.render.jinja import ago, local_time
from bot.services import people
from bot.services.home import Home, HomeProject, LastDigest, PriorityRow
from bot.services.registers.actions import ActionView
from bot.services.registers.raid import RaidView
from handlers.teams.cards.pieces import (
    ACTION_NO_CHANGE,
    ACTION_OPEN_FORM,
    NO_RAG_ICON,
    RAG_ICON,
    Card,
    Element,
    make_card,
    ref_title,
    rich_block,
    submit_button,
    text_block,
    text_run,
    typed_runs,
)
from models import Rag

__all__ = ["SHOWN", "home_card"]

SHOWN = 8  # items of each list on the card
SHORT = 150  # characters of an action's or a risk's text


def home_card(home: Home, names: Mapping[str, str]) -> Card:
    """``home`` as a card; ``names``: user id → name for the people it shows (the directory's)."""
    body: list[Element] = [text_block("ICT governance", size="medium", weight="bolder", style="heading")]
    body += _meeting(home)
    body += _projects(home)
    body += _listed("Your open actions", [_action(home, a) for a in home.actions])
    body += _listed("Your open risks and issues", [_risk(r) for r in home.risks])
    if home.work_plan is not None:
        body += _work_plan(home, names)
    return make_card(body, fallback="ICT governance: your projects, actions and the next meeting")


def _when(home: Home, value: datetime) -> str:
    return local_time(value, home.tz)


def _meeting(home: Home) -> list[Element]:
    m = home.meeting
    if m is None:
        return [text_block("**Next meeting:** none on the calendar.")]
    lines = [text_block(f"**Next meeting:** {_when(home, m.starts_at)}")]
    if home.due:
        n = len(home.due)
        lines.append(
            text_block(
                f"⚠️ {n} of your projects need{'s' if n == 1 else ''} an update for it, by {_when(home, m.due_by)}.",
                spacing="none",
            )
        )
    if m.reminders_from is not None and m.reminders_from > home.now:
        lines.append(text_block(f"Reminders go out from {_when(home, m.reminders_from)}.", spacing="none"))
    return lines


def _projects(home: Home) -> list[Element]:
    if not home.projects:
        return [text_block("**Your projects**: you own no open project and are a delegate on none.")]
    out: list[Element] = [text_block(f"**Your projects** ({len(home.projects)})", separator=True)]
    for p in home.projects[:SHOWN]:
        out += _project(home, p)
    if len(home.projects) > SHOWN:
        out.append(text_block(f"…and {len(home.projects) - SHOWN} more: **mine** lists them all.", isSubtle=True))
    return out


def _project(home: Home, p: HomeProject) -> list[Element]:
    icon = RAG_ICON[p.rag] if p.rag else NO_RAG_ICON
    delegate = [text_run(" "), text_run("(delegate)", italic=True)] if p.owner != home.user_id else []
    if p.last_update_at is None:
        last = "No update yet"
    else:
        last = f"Last update {_when(home, p.last_update_at)} ({ago(p.last_update_at, home.now)})"
    if p.due and home.meeting is not None:
        last += f" · ⚠️ update due by {_when(home, home.meeting.due_by)}"
    buttons = [submit_button("Post update", {"action": ACTION_OPEN_FORM, "project_id": p.id})]
    if p.due and p.last_update_at is not None and home.meeting is not None:
        data = {"action": ACTION_NO_CHANGE, "project_id": p.id, "meeting_id": home.meeting.id}
        buttons.append(submit_button("No change this month", data))
    return [
        rich_block([text_run(f"{icon} "), *ref_title(p.ref, p.title), *delegate], spacing="small"),
        text_block(last, spacing="none", isSubtle=True),
        {"type": "ActionSet", "actions": buttons, "spacing": "none"},
    ]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT else flat[: SHORT - 1] + "…"


def _action(home: Home, a: ActionView) -> Element:
    late = " ⚠️ overdue" if a.is_overdue(home.now.astimezone(home.tz).date()) else ""
    on = [text_run(" on "), *typed_runs(a.project_ref)] if a.project_ref else []
    head = [text_run(f"• {a.label}", weight="bolder"), *on, text_run(f" · due {a.due_on.isoformat()}{late} — ")]
    return rich_block([*head, *typed_runs(_short(a.text))], spacing="none")


def _risk(r: RaidView) -> Element:
    score = f" · {r.likelihood} × {r.impact} = {r.score}" if r.score is not None else ""
    on = [text_run(" on "), *typed_runs(r.target.ref)] if r.target.ref else []
    review = f" · review {r.review_on.isoformat()}" if r.review_on else ""
    scored = [text_run(score)] if score else []
    head = [text_run(f"• {r.label}", weight="bolder"), *scored, *on, text_run(f"{review} — ")]
    return rich_block([*head, *typed_runs(_short(r.text))], spacing="none")


def _listed(title: str, items: Sequence[Element]) -> list[Element]:
    if not items:
        return [text_block(f"**{title}:** none.", separator=True)]
    more = [text_block(f"…and {len(items) - SHOWN} more.", isSubtle=True)] if len(items) > SHOWN else []
    return [text_block(f"**{title}** ({len(items)})", separator=True), *items[:SHOWN], *more]


def _counts(row: PriorityRow) -> Element:
    counts = (
        f": {RAG_ICON[Rag.RED]} {row.red}  {RAG_ICON[Rag.AMBER]} {row.amber}  {RAG_ICON[Rag.GREEN]} {row.green}  "
        f"{NO_RAG_ICON} {row.none}" + (f" · {len(row.missing)} missing an update" if row.missing else "")
    )
    return rich_block([text_run("• "), *typed_runs(row.name, weight="bolder"), text_run(counts)], spacing="none")


def _last_digest(home: Home, d: LastDigest | None) -> Element:
    """When the latest digest went out: before which meeting, or who posted it for what period."""
    if d is None:
        return text_block("No digest has gone out yet, on schedule or posted by a chair.", isSubtle=True)
    went = f"The latest digest went out {_when(home, d.sent_at)}"
    if d.posted_by is None:
        meeting = f", for the meeting of {_when(home, d.meeting_starts_at)}" if d.meeting_starts_at else ""
        return text_block(f"{went}, on schedule{meeting}.", isSubtle=True)
    start = "the beginning" if d.period_start is None else _when(home, d.period_start)
    end = _when(home, d.period_end) if d.period_end is not None else "then"
    who = people.display(d.posted_by_name, d.posted_by)
    return rich_block(
        [
            text_run(f"{went}, posted by ", isSubtle=True),
            *typed_runs(who, isSubtle=True),
            text_run(f", for the period from {start} to {end}.", isSubtle=True),
        ]
    )


def _work_plan(home: Home, names: Mapping[str, str]) -> list[Element]:
    plan = home.work_plan
    assert plan is not None
    out: list[Element] = [text_block("The Work Plan", size="medium", weight="bolder", separator=True)]
    out += [_counts(row) for row in plan.priorities] or [text_block("The Work Plan has no open projects.")]
    missing = [p for row in plan.priorities for p in row.missing]
    if missing:
        out.append(text_block(f"**Missing an update for the next meeting** ({len(missing)})"))
        for p in missing[:SHOWN]:
            who = people.display(names.get(p.owner), p.owner)
            out.append(rich_block([text_run("• "), *ref_title(p.ref, p.title), text_run(" — "), *typed_runs(who)]))
        if len(missing) > SHOWN:
            out.append(text_block(f"…and {len(missing) - SHOWN} more.", isSubtle=True))
    elif home.meeting is not None:
        out.append(text_block("✅ Every active project has an update for the next meeting."))
    out.append(_last_digest(home, plan.last_digest))
    out.append(text_block("Post the digest with **digest**; `ictbot reminders preview` shows who would be reminded."))
    return out
