"""`risk …` and `issue …` on Teams: the grammar of `/ict-risk` and `/ict-issue`
(:mod:`bot.services.registers.raid_commands`), answered as cards, and the form card's submission. An owner
is given by their Teams user id (a GUID); with none, whoever raises it owns it. Answers are
``(text, card, card_error)``, which :mod:`handlers.teams.messages` makes its reply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.literal import literal
from bot.render.jinja import local_time
from bot.render.registers import score, who
from bot.runtime import Runtime
from bot.services import meetings, people
from bot.services.projects import TEAMS_USER_ID
from bot.services.registers import raid
from bot.services.registers import raid_commands as grammar
from bot.services.registers.raid import RaidView, RevisionView
from handlers.teams.cards import notice_card, plain_message
from handlers.teams.cards.raid import FIELDS, raid_form
from handlers.teams.identity import TeamsUser, key
from handlers.teams.unit import unit
from handlers.teams.wording import TEAMS
from models import Workspace
from models.registers import RaidKind

__all__ = ["Answer", "raid_submit", "raid_text"]

Answer = tuple[str | None, dict[str, Any] | None, str | None]  # TeamsReply's text, card, card_error
HELP = {
    RaidKind.RISK: "**Risks**: **risk add REF L I text | owner USER-ID | review YYYY-MM-DD** (L, I: likelihood and "
    "impact, 1–5; 15 or more is high), **risk add** (a form), **risk list \\[REF|mine|high\\]**, **risk update ID "
    "\\[L I\\] \\[text\\] | owner … | review …**, **risk close ID \\[note\\]**, **risk history ID**.",
    RaidKind.ISSUE: "**Issues**: **issue add REF text | owner USER-ID**, **issue add** (a form), **issue list "
    "\\[REF|mine\\]**, **issue update ID text | owner …**, **issue close ID \\[note\\]**, **issue history ID**.",
}


def _owner(typed: str) -> str:
    if not TEAMS_USER_ID.match(typed.strip()):
        raise InvalidInput(
            "Give the owner as their Teams user id (a GUID, as `ictbot people list` shows it), or leave it out.",
            field="owner",
        )
    return typed.strip().lower()


def _actor(rt: Runtime, ws: Workspace, user: TeamsUser) -> raid.Actor:
    return raid.Actor(key(user), tuple(rt.settings.admins_for(ws.external_id)))


def _today(rt: Runtime, session: Session, ws: Workspace, now: datetime) -> date:
    return now.astimezone(meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)).date()


def _line(v: RaidView, names: Mapping[str, str], today: date) -> str:
    parts = [f"*{v.label}*", score(v), f"on {literal(v.target.ref)}", f"owner {who(names, v.owner)}"]
    if v.review_on is not None:
        parts.append(f"review {v.review_on.isoformat()}" + (" ⚠️ *past review*" if v.past_review(today) else ""))
    return f"• {' · '.join(p for p in parts if p)} — {literal(v.text)}"


def _listed(kind: RaidKind, views: Sequence[RaidView], names: Mapping[str, str], today: date, what: str) -> str:
    if not views:
        return f"No open {kind.value}s {what}."
    return "\n".join([f"*Open {kind.value}s {what}* ({len(views)})", *(_line(v, names, today) for v in views)])


def _history(v: RaidView, revisions: Sequence[RevisionView], names: Mapping[str, str], tz: Any) -> str:
    lines = [f"*History of {v.label}* on {literal(v.target.ref)}: {literal(v.text)}"]
    for r in revisions:
        shown = [score(r) if {"likelihood", "impact"} & set(r.changed) else ""]
        shown += [f"owner {who(names, r.owner)}" if "owner" in r.changed else ""]
        shown += [f"review {r.review_on or 'none'}" if "review_on" in r.changed else ""]
        shown += [
            f"text: {literal(r.text)}" if "text" in r.changed else "",
            f"note: {literal(r.note)}" if r.note else "",
        ]
        detail = "; ".join(s for s in shown if s)
        lines.append(
            f"• {local_time(r.at, tz)} — {who(names, r.actor)} {r.change} it" + (f": {detail}" if detail else "")
        )
    return "\n".join(lines)


def raid_text(rt: Runtime, ws: Workspace, user: TeamsUser, command: str, rest: str, now: datetime) -> Answer:
    """``risk …`` or ``issue …`` typed after the bot's @mention."""
    kind = RaidKind(command)
    first, *more = rest.split(maxsplit=1) or ["list"]
    sub, rest = first.lower(), more[0].strip() if more else ""
    if sub == "help" or sub not in grammar.SUBCOMMANDS:
        prefix = "" if sub == "help" else f"“{literal(sub[:40])}” is not a {kind.value} command.\n"
        return HELP[kind], (notice_card(prefix.strip()) if prefix else None), None
    if sub == "add" and not rest:
        return None, raid_form(kind), None
    with unit(rt, ws) as (session, current):
        marked = _do(rt, session, current, user, kind, sub, rest, now)
    return None, notice_card(marked), None


def _do(
    rt: Runtime, session: Session, ws: Workspace, user: TeamsUser, kind: RaidKind, sub: str, rest: str, now: datetime
) -> str:
    """What ``sub`` does, said in the bot's marked words."""
    actor, today, cmd = _actor(rt, ws, user), _today(rt, session, ws, now), kind.value
    if sub == "list":
        word = rest.split()[0].lower() if rest else ""
        if word == "mine":
            views, what = raid.list_items(session, ws, kind, owner=actor.user_id), "that you own"
        elif word == "high" and kind == RaidKind.RISK:
            views, what = raid.high(session, ws), f"scoring {raid.HIGH} or more"
        elif word:
            target = raid.resolve_target(session, ws, word)
            views, what = raid.list_items(session, ws, kind, target=target), f"on {literal(target.ref)}"
        else:
            views, what = raid.list_items(session, ws, kind), "in this workspace"
        return _listed(kind, views, people.directory(session, ws), today, what)
    if sub == "history":
        if not rest:
            raise InvalidInput(grammar.usage(kind, "history", cmd))
        found = grammar.item_id(kind, rest.split()[0])
        tz = meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)
        revisions = raid.history(session, ws, kind, found)
        return _history(raid.get(session, ws, kind, found), revisions, people.directory(session, ws), tz)
    if sub == "close":
        found, note = grammar.parse_close(kind, rest, cmd)
        saved, verb = raid.close(session, ws, kind, found, note, actor=actor, now=now), "Closed"
    elif sub == "add":
        f = grammar.parse_add(kind, rest, _owner, cmd)
        saved, verb = _raise(session, ws, kind, f, actor, now), "Raised"
    else:
        form = grammar.parse_update(kind, rest, _owner, cmd)
        if form.changes.empty():
            raise InvalidInput(grammar.usage(kind, "update", cmd))
        saved, verb = raid.update(session, ws, kind, form.item_id, form.changes, actor=actor, now=now), "Updated"
    return f"✅ {verb} " + _line(saved, people.directory(session, ws), today).removeprefix("• ")


def _raise(
    session: Session, ws: Workspace, kind: RaidKind, f: grammar.AddForm, actor: raid.Actor, now: datetime
) -> RaidView:
    return raid.raise_item(
        session, ws, kind, f.target, f.text, actor=actor, now=now,
        likelihood=f.likelihood, impact=f.impact, owner=f.owner, review_on=f.review_on,
    )  # fmt: skip


def _form_values(data: Mapping[str, Any]) -> dict[str, str] | None:
    raw = {name: data.get(name) for name in FIELDS}
    if any(v is not None and not isinstance(v, str) for v in raw.values()):
        return None
    return {name: (v or "").strip() for name, v in raw.items() if isinstance(v, str | None)}


def _scale(typed: str, letter: str, what: str) -> int | None:
    if not typed:
        return None
    if len(typed) != 2 or typed[0] != letter or not typed[1].isdigit():
        raise InvalidInput(f"Choose the {what}, 1 to 5.", field=what)
    return int(typed[1])


def raid_submit(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime) -> Answer:
    """The form card's values: one risk or issue raised; a refusal refills the form with the error."""
    values = _form_values(data)
    if values is None or data.get("kind") not in ("risk", "issue"):
        return None, None, "That form came back malformed, so nothing was saved. Say “risk add” for a new one."
    kind = RaidKind(str(data["kind"]))
    try:
        form = grammar.AddForm(
            values["target"], values["text"], _scale(values["likelihood"], "L", "likelihood"),
            _scale(values["impact"], "I", "impact"), _owner(values["owner"]) if values["owner"] else None,
            raid.parse_day(values["review"]) if values["review"] else None,
        )  # fmt: skip
        with unit(rt, ws) as (session, current):
            saved = _raise(session, current, kind, form, _actor(rt, current, user), now)
            marked = "✅ Raised " + _line(saved, people.directory(session, current), _today(rt, session, current, now))
    except DomainError as exc:
        error = plain_message(TEAMS(exc.text))
        return None, raid_form(kind, error=error, values=values), error
    return None, notice_card(marked.replace("• ", "", 1)), None
