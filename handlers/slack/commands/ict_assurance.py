"""`/ict-assurance`: the assurance calendar (code, name, owner, next due date, last result), and
`record CODE pass|fail|partial [note] [| evidence URL]` by the obligation's owner, a chair or an admin.

The rules are :mod:`bot.services.assurance`'s, shared with Teams and the CLI (`ictbot assurance load`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.literal import literal
from bot.render.jinja import unescape_slack
from bot.services import people
from bot.services.assurance import results
from bot.services.meetings import workspace_timezone
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.replies import answer

__all__ = ["HELP", "handle_ict_assurance", "list_text", "recorded_text"]

HELP = (
    "*`/ict-assurance`* — the assurance calendar (PCI DSS tests, the PSN submission, internal audits):\n"
    "• `/ict-assurance` lists each obligation: code, name, owner, next due date and last result.\n"
    "• `/ict-assurance record CODE pass|fail|partial [note] [| evidence URL]` records the result of the "
    "occurrence due most recently (or the next one, if none is due yet), e.g. "
    "`/ict-assurance record PCI-ASV pass Clean scan | https://evidence.example/q3`.\n"
    "Its owner, a chair or an ICT admin records a result. An admin loads the calendar with "
    "`ictbot assurance load FILE.yaml`."
)


def _day(d: Any) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def list_text(views: list[results.ObligationView], names: dict[str, str]) -> str:
    if not views:
        return "No assurance obligations are loaded; an ICT admin loads them with `ictbot assurance load FILE.yaml`."
    lines = ["*Assurance calendar*"]
    for v in views:
        owner = literal(people.display(names.get(v.owner_user_id), v.owner_user_id))
        due = _day(v.next_due) if v.next_due else "none"
        last = f"{v.last_outcome.value} ({_day(v.last_day)})" if v.last_outcome and v.last_day else "no result yet"
        flags = "".join(f for f, on in ((" :warning: overdue", v.overdue), (" :x: failed", v.failed)) if on)
        lines.append(f"• *{literal(v.code)}* {literal(v.name)} — {owner}; next due {due}; last result {last}{flags}")
    return "\n".join(lines)


def recorded_text(done: results.Recorded) -> str:
    return (
        f":white_check_mark: Recorded *{done.outcome.value}* for *{literal(done.code)}* "
        f"({literal(done.name)}), due {_day(done.occurrence)}."
    )


def _ict_assurance(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    typed = unescape_slack(command.get("text", "")).strip()
    first, *more = typed.split(maxsplit=1) or ["list"]
    sub, rest = first.lower(), more[0] if more else ""
    if sub == "help":
        answer(respond, HELP)
        return
    if sub not in ("list", "record"):
        answer(respond, f"`{literal(first[:40])}` is not an `/ict-assurance` sub-command.\n{HELP}")
        return
    now, user_id = rt.now(), command["user_id"]
    if sub == "record":
        words, _, url = rest.partition("|")
        parts = words.split(maxsplit=2)
        if len(parts) < 2:
            answer(respond, f"Give the code and the result, e.g. `/ict-assurance record PCI-ASV pass`.\n{HELP}")
            return
        with workspace_unit(rt, command) as (session, ws):
            done = results.record(
                session,
                ws,
                parts[0],
                parts[1],
                parts[2] if len(parts) > 2 else "",
                url.strip(),
                user_id,
                now,
                env_admins=rt.settings.admins_for(ws.external_id),
                chair_group=chair_group_lookup(rt, client, ws.external_id),
                default_timezone=rt.settings.ICTBOT_TIMEZONE,
            )
        answer(respond, recorded_text(done))
        return
    with workspace_unit(rt, command) as (session, ws):
        today = now.astimezone(workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)).date()
        views = results.list_view(session, ws, today)
        names = people.names(session, ws, [v.owner_user_id for v in views])
    answer(respond, list_text(views, names))


handle_ict_assurance = command_listener("/ict-assurance", _ict_assurance)
