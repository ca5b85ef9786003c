"""The App Home tab's Block Kit: a person's projects with their buttons, actions, risks, the next meeting;
the Work Plan for a chair or an admin. Each list is paged ("Show more": the button's value carries the
page), so a view stays well inside Slack's 100 blocks whatever the size of the Work Plan. Typed text is
marked literal (:mod:`bot.literal`) and shown as rich text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.literal import literal
from bot.render.jinja import RAG_EMOJI, ago, local_time
from bot.render.registers import score
from bot.services.home import Home, HomeProject, LastDigest, PriorityRow
from bot.services.registers.actions import ActionView
from bot.services.registers.raid import RaidView
from handlers.slack.blocks.rich_text import rich_blocks
from handlers.slack.blocks.ui import HISTORY_ACTION
from models import Rag

__all__ = [
    "HOME_FIRST",
    "HOME_MORE",
    "HOME_NO_CHANGE",
    "HOME_POST_DIGEST",
    "HOME_POST_UPDATE",
    "HOME_PREVIEW_REMINDERS",
    "MAX_HOME_BLOCKS",
    "PAGE",
    "SECTIONS",
    "home_view",
    "page_value",
]

HOME_POST_UPDATE = "home_post_update"
HOME_NO_CHANGE = "home_no_change"
HOME_POST_DIGEST = "home_post_digest"
HOME_PREVIEW_REMINDERS = "home_preview_reminders"
HOME_MORE = "home_more"
HOME_FIRST = "home_more_first"
MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab (a message's is 50)
PAGE = 10  # items of a list shown at once
SHORT = 150  # characters of an action's or a risk's text shown in a list
SECTIONS = ("projects", "actions", "risks", "missing")
T = TypeVar("T")


def page_value(section: str, page: int) -> str:
    return json.dumps({"s": section, "n": page}, separators=(",", ":"))


def home_view(home: Home, pages: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The Home tab of ``home.user_id``: each list at its page of ``pages`` (the first by default)."""
    pages = pages or {}
    blocks: list[Block] = [HeaderBlock(text="ICT governance")]
    blocks += rich_blocks(_meeting_text(home))
    blocks.append(DividerBlock())
    blocks += _projects(home, pages.get("projects", 0))
    blocks.append(DividerBlock())
    blocks += _listed(home, "actions", "Your open actions", home.actions, _action_line, pages.get("actions", 0))
    blocks += _listed(home, "risks", "Your open risks and issues", home.risks, _risk_line, pages.get("risks", 0))
    if home.work_plan is not None:
        blocks.append(DividerBlock())
        blocks += _work_plan(home, pages.get("missing", 0))
    assert len(blocks) <= MAX_HOME_BLOCKS, f"a Home of {len(blocks)} blocks"  # each list is paged: never
    return View(type="home", blocks=blocks).to_dict()


def _when(home: Home, value: datetime) -> str:
    return local_time(value, home.tz)


def _meeting_text(home: Home) -> str:
    m = home.meeting
    if m is None:
        return "*Next meeting:* none on the calendar. An ICT admin sets the series with `/ict-meeting series`."
    lines = [f"*Next meeting:* {_when(home, m.starts_at)}"]
    due = len(home.due)
    if due:
        lines.append(
            f":warning: {due} of your projects need{'s' if due == 1 else ''} an update for it, "
            f"by {_when(home, m.due_by)}."
        )
    elif home.projects:
        lines.append(":white_check_mark: Each of your projects has an update for it.")
    if m.reminders_from is not None and m.reminders_from > home.now:
        lines.append(f"Reminders go out from {_when(home, m.reminders_from)}.")
    return "\n".join(lines)


def _page(items: Sequence[T], page: int) -> tuple[Sequence[T], int, bool]:
    """The items of ``page`` (out of range: the last), the page shown and whether more follow."""
    last = max((len(items) - 1) // PAGE, 0)
    page = min(max(page, 0), last)
    return items[page * PAGE : (page + 1) * PAGE], page, page < last


def _more(section: str, page: int, more: bool, shown: int, total: int) -> list[Block]:
    """ "Showing 11–20 of 34" and the buttons to page on (and back to the start)."""
    if total <= PAGE:
        return []
    buttons = []
    if more:
        buttons.append(ButtonElement(text="Show more", action_id=HOME_MORE, value=page_value(section, page + 1)))
    if page > 0:
        buttons.append(ButtonElement(text="Back to the start", action_id=HOME_FIRST, value=page_value(section, 0)))
    first = page * PAGE + 1
    return [
        *rich_blocks(f"_Showing {first}–{first + shown - 1} of {total}._"),
        ActionsBlock(block_id=f"home-more-{section}", elements=buttons),
    ]


def _project_text(p: HomeProject, home: Home) -> str:
    rag = f"{RAG_EMOJI[p.rag]} " if p.rag else ":white_circle: "
    role = "" if p.owner == home.user_id else " _(delegate)_"
    head = f"{rag}*{literal(p.ref)}* {literal(p.title)}{role}"
    if p.last_update_at is None:
        last = "No update yet"
    else:
        last = f"Last update {_when(home, p.last_update_at)} ({ago(p.last_update_at, home.now)})"
    if p.due and home.meeting is not None:
        last += f" · :warning: *update due by {_when(home, home.meeting.due_by)}*"
    return f"{head}\n{last}"


def _projects(home: Home, page: int) -> list[Block]:
    if not home.projects:
        return [*rich_blocks("*Your projects*\nYou own no open project and are a delegate on none.")]
    shown, page, more = _page(home.projects, page)
    blocks: list[Block] = [*rich_blocks(f"*Your projects* ({len(home.projects)})")]
    for p in shown:
        blocks += rich_blocks(_project_text(p, home))
        buttons = [
            ButtonElement(
                text="Post update",
                action_id=HOME_POST_UPDATE,
                value=json.dumps({"p": p.id}),
                style="primary" if p.due else None,
            )
        ]
        if p.due and p.last_update_at is not None and home.meeting is not None:
            value = json.dumps({"p": p.id, "m": home.meeting.id}, separators=(",", ":"))
            buttons.append(ButtonElement(text="No change this month", action_id=HOME_NO_CHANGE, value=value))
        buttons.append(ButtonElement(text="History", action_id=HISTORY_ACTION, value=p.ref))
        blocks.append(ActionsBlock(block_id=f"home-project-{p.id}", elements=buttons))
    return blocks + _more("projects", page, more, len(shown), len(home.projects))


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT else flat[: SHORT - 1] + "…"


def _action_line(a: ActionView, home: Home) -> str:
    on = f" on {literal(a.project_ref)}" if a.project_ref else ""
    late = " :warning: *overdue*" if a.is_overdue(home.now.astimezone(home.tz).date()) else ""
    return f"• *{a.label}*{on} · due {a.due_on.isoformat()}{late} — {literal(_short(a.text))}"


def _risk_line(r: RaidView, home: Home) -> str:
    parts = [f"*{r.label}*"]
    if r.score is not None:
        parts.append(score(r))
    if r.target.ref:
        parts.append(f"on {literal(r.target.ref)}")
    if r.review_on is not None:
        past = " :warning: *past review*" if r.past_review(home.now.astimezone(home.tz).date()) else ""
        parts.append(f"review {r.review_on.isoformat()}{past}")
    return f"• {' · '.join(parts)} — {literal(_short(r.text))}"


def _listed(
    home: Home, section: str, title: str, items: Sequence[T], line: Callable[[T, Home], str], page: int
) -> list[Block]:
    if not items:
        return [*rich_blocks(f"*{title}:* none.")]
    shown, page, more = _page(items, page)
    text = "\n".join([f"*{title}* ({len(items)})", *(line(item, home) for item in shown)])
    return [*rich_blocks(text), *_more(section, page, more, len(shown), len(items))]


def _counts(row: PriorityRow) -> str:
    rags = f"{RAG_EMOJI[Rag.RED]} {row.red}  {RAG_EMOJI[Rag.AMBER]} {row.amber}  {RAG_EMOJI[Rag.GREEN]} {row.green}"
    missing = f" · {len(row.missing)} missing an update" if row.missing else ""
    return f"• *{literal(row.name)}*: {rags}  :white_circle: {row.none}{missing}"


def _last_digest(home: Home, d: LastDigest | None) -> str:
    """When and where the latest digest went out: before which meeting, or who posted it for what period."""
    if d is None:
        return "No digest has gone out yet, on schedule or posted by a chair."
    went = f"The latest digest went out {_when(home, d.sent_at)} in <#{d.channel_id}>"
    if d.posted_by is None:
        meeting = f", for the meeting of {_when(home, d.meeting_starts_at)}" if d.meeting_starts_at else ""
        return f"{went}, on schedule{meeting}."
    who = literal(d.posted_by_name) if d.posted_by_name else f"<@{d.posted_by}>"
    start = "the beginning" if d.period_start is None else _when(home, d.period_start)
    end = _when(home, d.period_end) if d.period_end is not None else "then"
    return f"{went}, posted by {who}, for the period from {start} to {end}."


def _work_plan(home: Home, page: int) -> list[Block]:
    plan = home.work_plan
    assert plan is not None
    blocks: list[Block] = [HeaderBlock(text="The Work Plan")]
    if not plan.priorities:
        blocks += rich_blocks("The Work Plan has no open projects.")
    else:
        blocks += rich_blocks("\n".join(["*By priority*", *(_counts(row) for row in plan.priorities)]))
    missing = [p for row in plan.priorities for p in row.missing]
    if home.meeting is not None and not missing:
        blocks += rich_blocks(":white_check_mark: Every active project has an update for the next meeting.")
    elif missing:
        shown, page, more = _page(missing, page)
        lines = [f"*Missing an update for the next meeting* ({len(missing)})"]
        lines += [f"• *{literal(p.ref)}* {literal(p.title)} — <@{p.owner}>" for p in shown]
        blocks += rich_blocks("\n".join(lines))
        blocks += _more("missing", page, more, len(shown), len(missing))
    blocks += rich_blocks(_last_digest(home, plan.last_digest))
    buttons = []
    if plan.may_post_digest:
        buttons.append(ButtonElement(text="Post digest", action_id=HOME_POST_DIGEST, value="post"))
    if plan.may_preview_reminders:
        buttons.append(ButtonElement(text="Preview reminders", action_id=HOME_PREVIEW_REMINDERS, value="preview"))
    if buttons:
        blocks.append(ActionsBlock(block_id="home-chair", elements=buttons))
    return blocks
