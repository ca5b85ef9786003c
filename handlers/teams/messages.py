"""What the bot does with a Teams message (the text after its @mention) and a card's button or form.

The same services, quick-form parser and rules as the Slack listeners, in Teams' idiom: commands are words
after the mention (``update``, ``mine``, ``history``, ``digest``, ``meeting``, ``report``, ``help``), the forms
and the reminder are Adaptive Cards (:mod:`handlers.teams.cards`), and the answer is a :class:`TeamsReply`
that ``handlers.teams.app`` sends. A domain error is answered with its message and nothing is written.
Everything a card sends back is untrusted: ids are checked and looked up within the workspace. A form
submission is recorded by its card's id and values (``handlers.teams.deliveries.teams_form``) in the
transaction that stores the update, so a double click stores one update.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.literal import literal
from bot.render.jinja import local_time
from bot.runtime import Runtime
from bot.services import deliveries, meetings, paper, people, projects, quickform, reminders, roles, updates
from bot.services import digest as digest_service
from bot.services.deliveries import Delivery
from bot.services.meeting_commands import CHANGE_NAMES, CHANGES, DEFAULT_SHOWN, MAX_SHOWN, SUBCOMMANDS, change, count
from bot.services.paper import narrative as narrative_service
from bot.services.paper import settings as settings_service
from bot.services.period import parse_period
from handlers.teams import cards, home, meeting_minutes, raid, registers, search
from handlers.teams.assurance import ACTION_ASSURANCE_RECORD, assurance_command, submit_assurance
from handlers.teams.deliveries import form_submission
from handlers.teams.history import history_cards
from handlers.teams.identity import TeamsUser, key
from handlers.teams.projects import project_command
from handlers.teams.roles import role_command
from handlers.teams.unit import unit
from handlers.teams.wording import TEAMS
from models import Rag, UpdateSource, Workspace
from models.db import row_id

__all__ = ["APOLOGY", "TeamsReply", "handle_submit", "handle_text"]

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry — something went wrong on our side and nothing was saved. Please try again in a minute; "
    "if it keeps happening, tell your ICT admin (the error has been logged)."
)
FIELDS = ("project", "rag", "progress", "next_steps", "risks")
NO_PROJECTS = (
    "The Work Plan has no open projects yet, so there is nothing to update. An ICT admin can add projects with "
    "`project add` or import the Work Plan with `ictbot projects import FILE.csv`."
)
ALREADY_POSTED = (
    "That form was already posted: its update was saved once, the first time. To change it, say "
    "**update edit REF RAG corrected text**."
)
UNKNOWN_CARD = (
    "I did not understand that card's button or form; it may be from an older version of the bot. Say **help**."
)


@dataclass(frozen=True, slots=True)
class TeamsReply:
    """The answer to a message or a card.

    ``text``: Teams markdown in the bot's own words only (never typed text: Teams reads it as markdown).
    ``card``: an Adaptive Card to send (with ``text`` above it); whatever shows typed text is a card
    (:mod:`handlers.teams.cards`). ``card_error``: a refused or malformed card submission, as plain text,
    to show on the card.
    ``cards``: every card to post, in order, when there is more than one (the digest); ``card`` is then
    the first of them.
    """

    text: str | None = None
    card: dict[str, Any] | None = None
    card_error: str | None = None
    cards: tuple[dict[str, Any], ...] = ()


# -- typed commands --------------------------------------------------------------------------------


def handle_text(
    runtime: Runtime, ws: Workspace, user: TeamsUser, text: str, now: datetime, *, channel: str | None = None
) -> TeamsReply:
    """A command typed after the bot's @mention (the mention already stripped)."""
    text = text.replace("\xa0", " ").strip()
    words = text.split(maxsplit=1)
    command = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    try:
        if command in ("", "help", "?"):
            return TeamsReply(card=cards.help_card())
        if command == "update":
            return _update(runtime, ws, user, rest, now)
        if command == "mine":
            return _mine(runtime, ws, user, now)
        if command == "history":
            found = history_cards(runtime, ws, quickform.history_form(rest))
            return TeamsReply(card=found[0], cards=tuple(found))
        if command == "home":
            return TeamsReply(card=home.home(runtime, ws, user, now))
        if command == "digest":
            return _digest(runtime, ws, user, rest, now)
        if command == "meeting" and meeting_minutes.asked(rest):
            found = meeting_minutes.minutes_reply(runtime, ws, user, rest, now)
            return TeamsReply(card=found[0], cards=tuple(found))
        if command == "meeting":
            return _meeting(runtime, ws, user, rest, now, channel=channel)
        if command == "report":
            return _report(runtime, ws, user, rest, now)
        if command == "assurance":
            said = assurance_command(runtime, ws, user, rest, now)
            return TeamsReply(text=said) if isinstance(said, str) else TeamsReply(card=said)
        if command in ("risk", "issue"):
            return TeamsReply(*raid.raid_text(runtime, ws, user, command, rest, now))
        if command == "project":
            found = project_command(runtime, ws, user, rest, now)
            return TeamsReply(card=found[0], cards=tuple(found))
        if command == "role":
            return TeamsReply(card=role_command(runtime, ws, user, rest, now))
        if command in ("decision", "action"):
            said = registers.handle(runtime, ws, user, command, rest, now)
            return TeamsReply(text=said) if isinstance(said, str) else TeamsReply(card=said)
        if command == "search":
            answer = search.search_text(runtime, ws, rest)
            return TeamsReply(text=answer) if isinstance(answer, str) else TeamsReply(card=answer)
    except DomainError as exc:
        return TeamsReply(card=cards.notice_card(TEAMS.marked(exc.text)))
    except SQLAlchemyError as exc:
        log.error("database error while handling a Teams command: %s", exc.__class__.__name__, exc_info=exc)
        return TeamsReply(text=APOLOGY)
    shown = text if len(text) <= 40 else text[:39] + "…"
    notice = f"I don't know what “{literal(shown)}” means. These are the words I understand."
    return TeamsReply(card=cards.help_card(notice))


def _update(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> TeamsReply:
    form = quickform.parse(rest)
    if form.kind == "help":
        return TeamsReply(text=UPDATE_HELP)
    if form.kind == "modal":
        return _form_reply(rt, ws, user)
    if form.kind == "mine":
        return _mine(rt, ws, user, now)
    if form.kind == "history":
        found = history_cards(rt, ws, form)
        return TeamsReply(card=found[0], cards=tuple(found))
    assert form.text is not None
    uid = key(user)
    with unit(rt, ws) as (session, current):
        project = projects.for_update(session, current, form.ref)
        is_admin = rt.is_admin(session, current, uid)
        result = updates.apply_quick_form(session, current, project, form, user_id=uid, is_admin=is_admin, now=now)
    return TeamsReply(card=cards.saved_card(result))


def _mine(rt: Runtime, ws: Workspace, user: TeamsUser, now: datetime) -> TeamsReply:
    uid = key(user)
    with unit(rt, ws) as (session, current):
        mine = projects.list_projects(session, current, user_id=uid)
    if not mine:
        return TeamsReply(text="You own no open project and are a delegate on none.")
    return TeamsReply(card=cards.mine_card(mine, uid, now=now, tz=rt.settings.timezone))


def _digest(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> TeamsReply:
    words = rest.split()
    tz_name = rt.settings.ICTBOT_TIMEZONE
    uid = key(user)
    if words and words[0].lower() == "help":
        return TeamsReply(text=DIGEST_HELP)
    only_exceptions = bool(words) and words[0].lower() == "exceptions"
    words = words[1:] if only_exceptions else words
    with unit(rt, ws) as (session, current):
        series = meetings.get_series(session, current, now=now, default_timezone=tz_name)
        start: datetime | None
        if words:
            start, end = parse_period(words, ZoneInfo(series.timezone), now)
        else:
            meetings.materialise(session, current, now=now, default_timezone=tz_name)
            start, end = digest_service.default_period(session, current, now)
        digest = digest_service.build(session, current, start=start, end=end, now=now, default_timezone=tz_name)
        may_post = roles.is_chair_or_admin(session, current, uid, rt.settings.admins_for(current.external_id))
        names = people.directory(session, current)
    if only_exceptions:
        found = cards.exceptions_cards(digest, people=names, footer="" if may_post else cards.EXCEPTIONS_PREVIEW)
    elif may_post:
        found = cards.digest_cards(digest, people=names)
    else:
        found = cards.summary_cards(digest, people=names, footer=cards.PREVIEW_FOOTER)
    return TeamsReply(card=found[0], cards=tuple(found))


def _meeting(
    rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime, *, channel: str | None = None
) -> TeamsReply:
    words = rest.split()
    sub = words[0].lower() if words else "next"
    args = words[1:]
    uid = key(user)
    if sub == "help" or sub not in SUBCOMMANDS:
        if sub == "help":
            return TeamsReply(text=MEETING_HELP)
        notice = cards.notice_card(f"“{literal(sub[:40])}” is not a meeting command.")
        return TeamsReply(text=MEETING_HELP, card=notice)
    tz_name = rt.settings.ICTBOT_TIMEZONE
    if sub == "channel":
        if channel is None:
            return TeamsReply(
                text="Type **meeting channel** in the team channel where the digest should be posted before each "
                "meeting (mention me there): this chat is not a channel."
            )
        with unit(rt, ws) as (session, current):
            admins = rt.settings.admins_for(current.external_id)
            roles.require_chair_or_admin(session, current, uid, admins, "set the governance channel")
            meetings.set_channel_id(session, current, channel, now=now, by=uid, default_timezone=tz_name)
        return TeamsReply(
            text="This channel is now the governance channel: the digest is posted here before each meeting."
        )
    with unit(rt, ws) as (session, current):
        meetings.materialise(session, current, now=now, default_timezone=tz_name)
        if sub == "closure" and (not args or args[0].lower() == "list"):
            return TeamsReply(card=_closures(session, current, now, tz_name, ""))
        if sub in CHANGES:
            roles.require_chair_or_admin(
                session, current, uid, rt.settings.admins_for(current.external_id), CHANGE_NAMES[sub]
            )
            headline = TEAMS.marked(change(session, current, sub, args, uid, now=now, tz_name=tz_name))
            if sub == "closure":
                return TeamsReply(card=_closures(session, current, now, tz_name, headline))
            shown = DEFAULT_SHOWN
        else:
            headline = ""
            shown = count(args)
        return TeamsReply(card=_listing(session, current, now, tz_name, headline, shown))


def _listing(session: Session, ws: Workspace, now: datetime, tz_name: str, headline: str, shown: int) -> dict[str, Any]:
    series = meetings.series_view(meetings.get_series(session, ws, now=now, default_timezone=tz_name))
    return cards.meetings_card(headline, meetings.next_meetings(session, ws, now, shown), series)


def _closures(session: Session, ws: Workspace, now: datetime, tz_name: str, headline: str) -> dict[str, Any]:
    series = meetings.series_view(meetings.get_series(session, ws, now=now, default_timezone=tz_name))
    today = now.astimezone(ZoneInfo(series.timezone)).date()
    return cards.closures_card(headline, series.region_name, meetings.closures(session, ws, start=today))


def _report(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> TeamsReply:
    first, *more = rest.split(maxsplit=1) or ["draft"]
    sub, after = first.lower(), more[0].strip() if more else ""  # ``after`` keeps its line breaks: paragraphs
    if sub == "help":
        return TeamsReply(text=REPORT_HELP)
    if sub not in REPORT_SUBCOMMANDS:
        return TeamsReply(text=REPORT_HELP, card=cards.notice_card(f"“{literal(sub[:40])}” is not a report command."))
    if sub == "narrative" and not after:
        return TeamsReply(text=REPORT_HELP)
    tz_name, uid = rt.settings.ICTBOT_TIMEZONE, key(user)
    with unit(rt, ws) as (session, current):
        if sub == "draft":
            shown = paper.draft(session, current, now=now, default_timezone=tz_name)
            return TeamsReply(card=cards.report_card(shown, people=_names(user)))
        _require_chair(rt, session, current, user)
        if sub == "signoff":
            signed = paper.sign_off(session, current, user_id=uid, now=now, default_timezone=tz_name)
            tz = meetings.workspace_timezone(session, current, tz_name)
            return TeamsReply(card=cards.signed_card(signed, tz, people=_names(user)))
        if sub == "position":
            where, body = narrative_service.section(session, current, "position"), after
        else:
            where, body = narrative_service.split(session, current, after)
        if not body:  # a form for a long text, filled with the current one
            period = paper.period_being_written(session, current, now=now, default_timezone=tz_name)
            now_text = narrative_service.current(session, current, period.start).get(where.key)
            return TeamsReply(text=NARRATIVE_USAGE, card=cards.narrative_form(where, period, now_text))
        _, view, period = paper.write_narrative(
            session, current, where.key, body, author=uid, now=now, default_timezone=tz_name
        )
    return TeamsReply(card=cards.narrative_saved_card(where, view, period, people=_names(user)))


def _require_chair(rt: Runtime, session: Session, ws: Workspace, user: TeamsUser) -> None:
    admins = rt.settings.admins_for(ws.external_id)
    roles.require_chair_or_admin(session, ws, key(user), admins, "write or sign off the committee paper")


def _names(user: TeamsUser) -> dict[str, str]:
    """The names the bot knows of: the user's own, from the activity."""
    return {key(user): user.name} if user.name else {}


# -- cards' buttons and forms ----------------------------------------------------------------------


def handle_submit(runtime: Runtime, ws: Workspace, user: TeamsUser, data: dict[str, Any], now: datetime) -> TeamsReply:
    """An Adaptive Card's Action.Submit (or Action.Execute) data: ``action`` says which (``verb`` for an
    Action.Execute that carries no ``action``)."""
    if not isinstance(data, Mapping):
        return TeamsReply(card_error=UNKNOWN_CARD)
    action = data.get("action") or data.get("verb")
    try:
        if action == cards.ACTION_UPDATE_SUBMIT:
            return _submit_update(runtime, ws, user, data, now)
        if action == cards.ACTION_OPEN_FORM:
            return _open_form(runtime, ws, user, data)
        if action == cards.ACTION_NO_CHANGE:
            return _no_change(runtime, ws, user, data, now)
        if action == cards.ACTION_SNOOZE:
            return _snooze(runtime, ws, user, data, now)
        if action == cards.ACTION_NARRATIVE_SUBMIT:
            return _submit_narrative(runtime, ws, user, data, now)
        if action == ACTION_ASSURANCE_RECORD:
            return TeamsReply(card=submit_assurance(runtime, ws, user, data, now))
        if action == cards.ACTION_RAID_SUBMIT:
            return TeamsReply(*raid.raid_submit(runtime, ws, user, data, now))
        if action in registers.CARD_ACTIONS:
            return TeamsReply(*registers.submit(runtime, ws, user, action, data, now))
        if action == cards.ACTION_SEARCH_MORE:
            return TeamsReply(card=search.search_more(runtime, ws, data))
    except DomainError as exc:
        return TeamsReply(card_error=cards.plain_message(TEAMS(exc.text)))
    except SQLAlchemyError as exc:
        log.error("database error while handling a Teams card: %s", exc.__class__.__name__, exc_info=exc)
        return TeamsReply(card_error=APOLOGY)
    return TeamsReply(card_error=UNKNOWN_CARD)


def _submit_update(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime) -> TeamsReply:
    raw = {name: data.get(name) for name in FIELDS}
    if any((v is not None and not isinstance(v, str | int)) or isinstance(v, bool) for v in raw.values()):
        return TeamsReply(card_error="That form came back malformed, so nothing was saved. Say “update” for a new one.")
    fields = {name: "" if v is None else str(v) for name, v in raw.items()}
    source = UpdateSource.REMINDER if data.get("src") == UpdateSource.REMINDER.value else UpdateSource.MODAL
    uid = key(user)
    try:
        if fields["rag"] not in {r.value for r in Rag}:
            raise InvalidInput("Choose red, amber or green.", field="rag")
        text = quickform.validate(Rag(fields["rag"]), fields["progress"], fields["next_steps"], fields["risks"])
        project_id = _id(fields["project"])
        if project_id is None:
            raise InvalidInput("Choose the project this update is for.", field="project")
        with unit(rt, ws) as (session, current):
            # Recorded with the update, or not at all: a double click stores one update, and a form
            # refused (nothing recorded) goes through once corrected.
            submission = _form_submission(current, data.get("form"), fields)
            if submission is not None and not deliveries.admit_done(session, submission, now=now):
                return TeamsReply(text=ALREADY_POSTED)
            project = projects.get_by_id(session, current, project_id)
            is_admin = rt.is_admin(session, current, uid)
            result = updates.post(
                session, current, project, user_id=uid, is_admin=is_admin, text=text, source=source, now=now
            )
    except DomainError as exc:
        error = cards.plain_message(TEAMS(exc.text))
        form = _form_reply(rt, ws, user, error=error, values=fields, source=source.value)
        return TeamsReply(card=form.card, card_error=error)
    return TeamsReply(card=cards.saved_card(result))


def _submit_narrative(
    rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime
) -> TeamsReply:
    """The narrative form: a new revision for the period the form was opened for (the same text sent
    twice by the same person is one revision)."""
    section, start, typed = data.get("section"), data.get("period"), data.get("text")
    if not isinstance(section, str) or not isinstance(start, str) or not isinstance(typed, str | None):
        return TeamsReply(card_error=NARRATIVE_DAMAGED)
    try:
        day = date.fromisoformat(start)
    except ValueError:
        return TeamsReply(card_error=NARRATIVE_DAMAGED)
    with unit(rt, ws) as (session, current):
        _require_chair(rt, session, current, user)
        where = narrative_service.section(session, current, section)
        period = paper.containing(day, settings_service.get(session, current))
        if period.start != day:
            return TeamsReply(card_error=NARRATIVE_DAMAGED)
        view = narrative_service.write(session, current, day, where, typed or "", author=key(user), now=now)
    return TeamsReply(card=cards.narrative_saved_card(where, view, period, people=_names(user)))


def _form_submission(ws: Workspace, form_id: object, fields: dict[str, str]) -> Delivery | None:
    """This submission of a form card, by the card's own id and what was submitted; None for a card without
    an id (sent by an older version of the bot), whose repeats only the activity's id can tell."""
    return form_submission(ws.external_id, form_id, fields)


def _open_form(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any]) -> TeamsReply:
    source = UpdateSource.REMINDER.value if data.get("src") == UpdateSource.REMINDER.value else "modal"
    wanted = data.get("project_id")
    project_id = _id(wanted) if wanted not in (None, "") else None
    if wanted not in (None, "") and project_id is None:
        return TeamsReply(card_error=UNKNOWN_CARD)
    return _form_reply(rt, ws, user, preselect=project_id, source=source, refuse_unknown=project_id is not None)


def _form_reply(
    rt: Runtime,
    ws: Workspace,
    user: TeamsUser,
    *,
    preselect: int | None = None,
    error: str | None = None,
    values: Mapping[str, str] | None = None,
    source: str = "modal",
    refuse_unknown: bool = False,
) -> TeamsReply:
    uid = key(user)
    with unit(rt, ws) as (session, current):
        views = projects.list_projects(session, current)
    if not views:
        raise DomainError(NO_PROJECTS)
    if preselect is not None and all(v.id != preselect for v in views):
        if refuse_unknown:
            raise DomainError("That project is no longer in the Work Plan; pick another.", field="project")
        preselect = None
    # Each card gets its own id, which its submissions carry back (see ``_form_submission``).
    card = cards.update_form(
        views, uid, preselect=preselect, error=error, values=values, source=source, form_id=secrets.token_hex(8)
    )
    return TeamsReply(card=card)


def _no_change(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime) -> TeamsReply:
    project_id, meeting_id = _id(data.get("project_id")), _id(data.get("meeting_id"))
    if project_id is None or meeting_id is None:
        return TeamsReply(card_error=UNKNOWN_CARD)
    uid = key(user)
    with unit(rt, ws) as (session, current):
        project = projects.get_by_id(session, current, project_id)
        since = reminders.period_start_of(session, current, meeting_id)
        result = updates.carry_forward(
            session,
            current,
            project,
            user_id=uid,
            is_admin=rt.is_admin(session, current, uid),
            now=now,
            tz=rt.settings.timezone,
            since=since,
        )
    return TeamsReply(card=cards.no_change_card(result))


def _snooze(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime) -> TeamsReply:
    meeting_id = _id(data.get("meeting_id"))
    if meeting_id is None:
        return TeamsReply(card_error=UNKNOWN_CARD)
    with unit(rt, ws) as (session, current):
        when = reminders.snooze(session, current, meeting_id=meeting_id, user_id=key(user), now=now)
    if when is None:
        return TeamsReply(
            text="✅ You're up to date: each of your projects has an update for this meeting, "
            "so there is nothing to remind you of."
        )
    return TeamsReply(text=f"⏰ I'll remind you again on {local_time(when)}.")


# -- helpers ---------------------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    """A database id from a card: a positive integer, or digits (spaces around them allowed); else None."""
    return row_id(value.strip() if isinstance(value, str) else value)


UPDATE_HELP = "\n\n".join(
    [
        "**Post a progress update on an ICT Work Plan project**",
        "- **update** opens the form.\n"
        "- **update REF RAG what was done** posts in one line, e.g. "
        "**update NET-01 amber Core links upgrade delayed by supplier**. RAG is red, amber or green "
        "(or r, a, g), in any case.\n"
        "- Add next steps and risks on the same line after a |: "
        "**update NET-01 amber Links delayed | next: chase supplier | risks: budget overrun** "
        "(next: or next steps:; risks:, risk: or issues:).\n"
        "- **update edit REF RAG corrected text** corrects your latest update on REF (the old text is kept).\n"
        "- **mine** lists your projects and when each was last updated.",
        f"Limits: progress {quickform.MAX_PROGRESS:,} characters, next steps {quickform.MAX_NEXT_STEPS:,}, "
        f"risks {quickform.MAX_RISKS:,}. The owner or a delegate of a project, or an ICT admin, can update it.",
    ]
)
DIGEST_HELP = "\n\n".join(
    [
        "**The progress digest**",
        "- **digest**: since the last governance meeting.\n"
        "- **digest from YYYY-MM-DD to YYYY-MM-DD**: any other period (days in the meetings' time zone; "
        "without **to**, up to now).\n"
        "- **digest exceptions**: only the exceptions (red, worsening or late projects, high risks and risks past "
        "review, overdue actions, failed or overdue assurance).",
        "A chair or an ICT admin gets the whole digest as cards in this conversation; anyone else a preview of "
        "its summary.",
    ]
)
REPORT_HELP = "\n\n".join(
    [
        "**The committee paper** (writing and approving it is for the chair and ICT admins)",
        "- **report**: the paper being written: its period, which sections have narrative, the projects with no "
        "update in the period, and who signed it off.\n"
        "- **report narrative CODE text**: a priority's narrative, CODE being its code or its name; "
        "**report narrative CODE** alone opens a form for a long text.\n"
        "- **report position text**: the overall position (**report position** alone opens the form).\n"
        "- **report signoff**: approve the paper as it stands.",
        "Each new text is a new revision, and every revision is kept; the latest is used. Leave a blank line "
        f"between paragraphs. Saving the form empty withdraws a narrative. At most {paper.MAX_TEXT:,} characters "
        "a section. **ictbot report** makes the Word paper.",
    ]
)
NARRATIVE_USAGE = (
    "Type the narrative after the command (**report narrative CODE text**, **report position text**), or write "
    "it in this form."
)
NARRATIVE_DAMAGED = "That form came back damaged, so nothing was saved. Say “report narrative CODE” for a new one."
REPORT_SUBCOMMANDS = ("draft", "narrative", "position", "signoff", "help")
MEETING_HELP = "\n\n".join(
    [
        "**The ICT governance meetings** (changes are for the chair and ICT admins)",
        f"- **meeting** or **meeting next N**: the next meetings ({DEFAULT_SHOWN} unless you give N, up to "
        f"{MAX_SHOWN}).\n"
        "- **meeting move YYYY-MM-DD to YYYY-MM-DD \\[HH:MM\\] \\[note\\]**: move one meeting.\n"
        "- **meeting cancel YYYY-MM-DD \\[reason\\]**: cancel one meeting.\n"
        "- **meeting series RULE \\[at HH:MM\\] \\[timezone ZONE\\] \\[region ENG|WLS|SCT|NIR\\]**: how the "
        "meetings recur, e.g. FREQ=MONTHLY;BYDAY=+2TU.\n"
        "- **meeting reminders 5@09:30,1@09:30**: when owners are reminded (working days before @ time).\n"
        "- **meeting digest 1@12:00**: when the digest is posted before each meeting.\n"
        "- **meeting minutes \\[YYYY-MM-DD\\]**: a meeting's minutes (without a date, the meeting decisions go to "
        "now).\n"
        "- **meeting closure add YYYY-MM-DD \\[reason\\]**, **closure remove YYYY-MM-DD**, **closure list**: "
        "days the council is closed besides bank holidays.",
    ]
)
