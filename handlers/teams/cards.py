"""Adaptive Cards (schema 1.5) for Teams: the update form, the reminder, the progress digest and help.

Pure functions from the services' plain values to the JSON dicts Teams takes. Every piece of
officer- or admin-written text (project titles, update text, priority names, notes) goes through
:func:`bot.render.escape_teams` before it lands in a ``TextBlock`` or a ``FactSet``; the bot's own
words use the markdown subset Teams renders (``**bold**``, ``_italic_``). Choice titles and input
values are plain text to Teams, so they are not escaped.

Teams refuses an activity over about 28 KB. Each card here stays under :data:`MAX_CARD_BYTES`
(measured as ASCII-escaped JSON, never less than what is sent): the digest is split across as many
cards as it needs and long officer text across several text blocks, cut between words; nothing is
cut off. Buttons carry ``data`` with an ``action`` (see :mod:`handlers.teams.messages`) and plain
integer ids, which the receiving side looks up again within the workspace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest_render import trend_text
from bot.quickform import LIMITS
from bot.render import escape_teams, local_time, rag_label
from bot.services.digest import Digest, PriorityGroup, ProjectEntry, RagCounts
from bot.services.projects import ProjectView
from bot.services.reminders import Due, StaleProject
from models import Rag

__all__ = [
    "ACTION_NO_CHANGE",
    "ACTION_OPEN_FORM",
    "ACTION_SNOOZE",
    "ACTION_UPDATE_SUBMIT",
    "MAX_CARD_BYTES",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "card_size",
    "detail_cards",
    "digest_cards",
    "help_card",
    "message_text",
    "plain_message",
    "reminder_card",
    "summary_cards",
    "update_form",
]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams' limit is about 28 KB for the whole activity: room for its envelope
MAX_TEXT_PIECE = 1_000  # characters of officer text in one text block (escaped, at most ~12 KB of JSON)
MAX_CHOICE_TITLE = 75
MAX_PROJECTS_WITH_BUTTONS = 23  # as in Slack's reminder

ACTION_UPDATE_SUBMIT = "update_submit"
ACTION_OPEN_FORM = "open_update_form"
ACTION_NO_CHANGE = "reminder_no_change"
ACTION_SNOOZE = "reminder_snooze"

RAG_ICON = {Rag.RED: "🔴", Rag.AMBER: "🟠", Rag.GREEN: "🟢"}
NO_RAG_ICON = "⚪"
POSTED_FOOTER = "The detail for each priority follows, then the missing, completed and started projects."
PREVIEW_FOOTER = "A preview of the summary. A chair or an ICT admin can post the whole digest here with **digest**."
UPDATE_EXAMPLE = "update NET-01 amber Core links upgrade delayed by supplier | next: chase supplier | risks: budget"
_MENTIONS = re.compile(r"\s*\((?:<@[^<>\s]+>(?:, )?)+\)")
_MENTION = re.compile(r"<@([^<>\s]+)>")

Card = dict[str, Any]
Element = dict[str, Any]


# -- the pieces ------------------------------------------------------------------------------------


def card_size(card: Card) -> int:
    """Bytes of the card as JSON with every non-ASCII character escaped: at least its size as sent."""
    return len(json.dumps(card, separators=(",", ":")))


def _card(body: list[Element], actions: list[Element] | None = None, *, fallback: str = "") -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = fallback
    return card


def _text(text: str, **props: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _submit(title: str, data: dict[str, Any], **props: Any) -> Element:
    return {"type": "Action.Submit", "title": title, "data": data, **props}


def plain_message(message: str) -> str:
    """A domain message for Teams, before escaping: no Slack mentions (the people in brackets are left out,
    as on Slack's form) and no code marks. Messages arrive worded for Teams (bot.commands.TEAMS)."""
    message = _MENTIONS.sub("", message)
    message = _MENTION.sub(r"\1", message)
    return message.replace("`", "")


def message_text(message: str) -> str:
    """A domain message as Teams text: :func:`plain_message`, escaped (it may quote what was typed)."""
    return escape_teams(plain_message(message))


def _pieces(text: str, limit: int = MAX_TEXT_PIECE) -> list[str]:
    """Officer text in pieces of at most ``limit`` characters, cut at a line break or a space where there
    is one in the second half; only the whitespace at a cut is dropped."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit + 1)
        if cut == -1:
            cut = rest.rfind(" ", limit // 2, limit + 1)
        if cut == -1:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _officer_blocks(label: str, text: str, **props: Any) -> list[Element]:
    """A labelled piece of officer text: the label (the bot's words) and the text, escaped, in blocks small
    enough to pack into cards."""
    pieces = _pieces(text)
    blocks = [_text(f"**{label}** {escape_teams(pieces[0])}" if pieces else f"**{label}**", **props)]
    blocks += [_text(escape_teams(p)) for p in pieces[1:]]
    return blocks


def _label(text: str, limit: int = MAX_CHOICE_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rag(rag: Rag | None) -> str:
    return f"{RAG_ICON[rag]} {rag_label(rag)}" if rag else f"{NO_RAG_ICON} {rag_label(None)}"


def _counts(r: RagCounts) -> str:
    icons = (RAG_ICON[Rag.RED], RAG_ICON[Rag.AMBER], RAG_ICON[Rag.GREEN], NO_RAG_ICON)
    return " · ".join(f"{icon} {n}" for icon, n in zip(icons, (r.red, r.amber, r.green, r.none), strict=True))


# -- the update form -------------------------------------------------------------------------------


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
    (``bot.dedupe.teams_form``)."""
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
    body: list[Element] = [_text("ICT progress update", size="medium", weight="bolder", style="heading")]
    if error:
        body.append(_text(f"⚠️ {message_text(error)}", color="attention", weight="bolder"))
    choices = [{"title": _label(f"{p.ref} — {p.title} (yours)"), "value": str(p.id)} for p in mine]
    choices += [
        {"title": _label(f"{p.ref} — {p.title} · {p.priority_name or 'No priority'}"), "value": str(p.id)}
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
    body.append(project)
    if mine:
        body.append(_text("Your own projects are listed first.", isSubtle=True, size="small", spacing="none"))
    if left_out:
        body.append(
            _text(
                f"{left_out} more project{'s are' if left_out != 1 else ' is'} not listed, to keep the form within "
                f"Teams' size limit. Post for one of them with **{escape_teams(UPDATE_EXAMPLE)}**.",
                isSubtle=True,
                size="small",
            )
        )
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
    body.append(rag)
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
        body.append(field)
    return _card(
        body,
        [_submit("Post update", submit, style="positive")],
        fallback="The ICT progress update form.",
    )


# -- the reminder ----------------------------------------------------------------------------------


def reminder_card(item: Due) -> Card:
    """An owner's reminder, as Slack's: the meeting, each stale project with **Post update** and **No change
    this month**, then **Remind me tomorrow**. Past 24 projects the rest are named without buttons."""
    tz = ZoneInfo(item.timezone)
    n = len(item.projects)
    since = f"since the last meeting ({local_time(item.period_start, tz)})" if item.period_start else "yet"
    which = "This project has" if n == 1 else f"These {n} projects have"
    headline = f"👋 The ICT governance group meets on **{local_time(item.meeting_starts_at, tz)}**."
    body: list[Element] = [
        _text(headline),
        _text(f"{which} no update {since}. Please post one so the chair has a complete picture."),
    ]
    shown = item.projects if n <= MAX_PROJECTS_WITH_BUTTONS + 1 else item.projects[:MAX_PROJECTS_WITH_BUTTONS]
    for p in shown:
        body.append(_reminder_project(p, item, tz))
    rest = item.projects[len(shown) :]
    if rest:
        refs = ", ".join(escape_teams(p.ref) for p in rest)
        body.append(
            _text(
                f"…and {len(rest)} more without an update: {refs}. Post those with **update REF RAG text**.",
                separator=True,
            )
        )
    snooze = _submit("Remind me tomorrow", {"action": ACTION_SNOOZE, "meeting_id": item.meeting_id})
    return _card(body, [snooze], fallback=headline.replace("**", "").replace("👋 ", ""))


def _reminder_project(p: StaleProject, item: Due, tz: ZoneInfo) -> Element:
    delegate = " _(you are a delegate)_" if p.owner != item.user_id else ""
    last = (
        f"Last update {local_time(p.last_update_at, tz)}: {_rag(p.last_rag)}" if p.last_update_at else "No update yet"
    )
    return {
        "type": "Container",
        "separator": True,
        "items": [
            _text(f"**{escape_teams(p.ref)}** {escape_teams(p.title)}{delegate}"),
            _text(last, isSubtle=True, spacing="none"),
            {
                "type": "ActionSet",
                "actions": [
                    _submit(
                        "Post update",
                        {"action": ACTION_OPEN_FORM, "project_id": p.project_id, "src": "reminder"},
                        style="positive",
                    ),
                    _submit(
                        "No change this month",
                        {"action": ACTION_NO_CHANGE, "project_id": p.project_id, "meeting_id": item.meeting_id},
                    ),
                ],
            },
        ],
    }


# -- the digest ------------------------------------------------------------------------------------


def digest_cards(digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = POSTED_FOOTER) -> list[Card]:
    """Everything to post in the channel, in order: the summary, then a card (or more) per priority with
    projects, then the missing, completed and started projects. Each card is under the size limit."""
    return [*summary_cards(digest, footer=footer), *detail_cards(digest, people=people)]


def summary_cards(digest: Digest, *, footer: str = POSTED_FOOTER) -> list[Card]:
    """The summary: the headline, totals and RAG by priority. It names nobody, so it is also the preview."""
    d = digest
    title = _title(d)
    strategy = escape_teams(d.strategy.name)
    if d.strategy.period:
        strategy += f" ({escape_teams(d.strategy.period)})"
    if d.workspace:
        strategy += f" · {escape_teams(d.workspace)}"
    head = [
        _text(title, size="large", weight="bolder", style="heading"),
        _text(strategy, isSubtle=True, spacing="none"),
        _text(f"Period: {_period(d)} ({d.tz.key})", spacing="none"),
        _text(f"**{escape_teams(d.headline)}**"),
    ]
    groups: list[Element] = [_text("**RAG by priority**", separator=True)]
    for g in d.priorities:
        name = escape_teams(g.name)
        if g.kind == "retired":
            name += f" _(a priority of {escape_teams(g.strategy or '')})_"
        value = (
            (_counts(g.rag) + (f" · {len(g.missing)} missing" if g.missing else "")) if g.projects else "no projects"
        )
        groups.append(_text(f"**{name}**: {value}", spacing="small"))
    t = d.totals
    groups.append(_text(f"**All priorities**: {_counts(t.rag)}", spacing="small"))
    groups.append(
        _text(
            f"⚠️ **{t.missing}** active project{'s' if t.missing != 1 else ''} missing an update · "
            f"✅ **{t.completed}** completed · 🌱 **{t.started}** started · "
            f"⬆️ {t.improved} improved · ⬇️ {t.worse} worse",
            separator=True,
        )
    )
    tail = [_text(footer, isSubtle=True, size="small", separator=True)] if footer else []
    return _pack(
        [[b] for b in groups], head=head, tail=tail, continued=f"{title}: the summary, continued.", fallback=title
    )


def detail_cards(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[Card]:
    """Each priority with projects, its projects in full; then the missing, completed and started lists."""
    person = _person(people)
    cards: list[Card] = []
    for g in digest.priorities:
        if not g.projects:
            continue
        name = escape_teams(g.name)
        cards += _pack(
            [_project_blocks(p, digest.tz, person) for p in g.projects],
            head=_priority_head(g),
            continued=f"**{name}**, continued.",
            fallback=f"ICT progress digest: {plain_message(g.name)}",
        )
    cards += _pack(
        [[b] for b in _lists_blocks(digest, person)],
        head=[_text("Missing, completed and started projects", size="medium", weight="bolder", style="heading")],
        continued="Missing, completed and started projects, continued.",
        fallback="ICT progress digest: missing, completed and started projects",
    )
    return cards


def _priority_head(g: PriorityGroup) -> list[Element]:
    name = escape_teams(g.name) + (f" ({escape_teams(g.code)})" if g.code else "")
    head = [_text(name, size="medium", weight="bolder", style="heading")]
    if g.note:
        head.append(_text(f"_{escape_teams(g.note)}_", isSubtle=True, spacing="none"))
    missing = f", {len(g.missing)} missing" if g.missing else ""
    head.append(
        _text(
            f"{_counts(g.rag)} · {len(g.updated)} of {len(g.projects)} updated in the period{missing}", spacing="none"
        )
    )
    return head


def _project_blocks(p: ProjectEntry, tz: ZoneInfo, person: Callable[[str], str]) -> list[Element]:
    icon = RAG_ICON[p.rag] if p.rag else NO_RAG_ICON
    trend = f" ({trend_text(p)})" if trend_text(p) else ""
    people = f"owner {escape_teams(person(p.owner))}"
    if p.delegates:
        s = "s" if len(p.delegates) != 1 else ""
        people += f", delegate{s} " + ", ".join(escape_teams(person(u)) for u in p.delegates)
    status = p.status.value.replace("_", " ").capitalize()
    blocks = [
        _text(f"{icon} **{escape_teams(p.ref)}** {escape_teams(p.title)}", separator=True),
        _text(f"{rag_label(p.rag)}{trend} · {status} · {people}", isSubtle=True, spacing="none"),
    ]
    if p.update is not None:
        u = p.update
        corrected = ", corrected" if u.revision > 1 else ""
        label = f"Progress ({escape_teams(person(u.author))}, {local_time(u.created_at, tz)}{corrected}):"
        blocks += _officer_blocks(label, u.progress, spacing="small")
        if u.next_steps:
            blocks += _officer_blocks("Next steps:", u.next_steps, spacing="small")
        if u.risks:
            blocks += _officer_blocks("Risks and issues:", u.risks, spacing="small")
    elif p.last_updated_at:
        blocks.append(_text(f"⚠️ _No update in this period; last updated {local_time(p.last_updated_at, tz)}._"))
    else:
        blocks.append(_text("⚠️ _Never updated._"))
    return blocks


def _lists_blocks(d: Digest, person: Callable[[str], str]) -> list[Element]:
    tz = d.tz
    blocks: list[Element] = [_text(f"**Missing an update ({len(d.missing)})**")]
    for p in d.missing:
        last = f"last updated {local_time(p.last_updated_at, tz)}" if p.last_updated_at else "never updated"
        blocks.append(
            _text(f"**{escape_teams(p.ref)}** {escape_teams(p.title)} — {escape_teams(person(p.owner))}, {last}")
        )
    if not d.missing:
        blocks.append(_text("Every active project has an update in the period. 🎉"))
    blocks.append(_text(f"**Completed in the period ({len(d.completed)})**", separator=True))
    for p in d.completed:
        blocks.append(_text(f"**{escape_teams(p.ref)}** {escape_teams(p.title)}, completed {_day(p.completed_on, tz)}"))
    if not d.completed:
        blocks.append(_text("None."))
    blocks.append(_text(f"**Started in the period ({len(d.started)})**", separator=True))
    for p in d.started:
        blocks.append(_text(f"**{escape_teams(p.ref)}** {escape_teams(p.title)} — {escape_teams(person(p.owner))}"))
    if not d.started:
        blocks.append(_text("None."))
    return blocks


def _pack(
    groups: Sequence[Sequence[Element]],
    *,
    head: Sequence[Element] = (),
    tail: Sequence[Element] = (),
    continued: str,
    fallback: str,
) -> list[Card]:
    """Groups of blocks (a project each) in cards under :data:`MAX_CARD_BYTES`: ``head`` opens the first
    card, ``tail`` closes the last, and every further card opens with a ``continued`` note. A group goes
    whole into the next card when it does not fit in this one, and is split only when it fits in none."""
    pages: list[list[Element]] = []
    body: list[Element] = list(head)
    opening = len(head)

    def fits(extra: Sequence[Element]) -> bool:
        return card_size(_card([*body, *extra], fallback=f"{fallback} (part 99 of 99)")) <= MAX_CARD_BYTES

    def turn_page() -> None:
        nonlocal body, opening
        pages.append(body)
        body = [_text(continued, isSubtle=True)]
        opening = 1

    for group in [*groups, tail]:
        if not group:
            continue
        if not fits(group) and len(body) > opening:
            turn_page()
        for block in group:
            if not fits([block]) and len(body) > opening:
                turn_page()
            body.append(block)
    pages.append(body)
    n = len(pages)
    return [
        _card(page, fallback=f"{fallback} (part {i} of {n})" if n > 1 else fallback) for i, page in enumerate(pages, 1)
    ]


def _title(d: Digest) -> str:
    day = d.end.astimezone(d.tz)
    return f"ICT progress digest, {day.day} {day:%b %Y}"


def _day(value: date | datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return f"{value.day} {value:%b %Y}"


def _period(d: Digest) -> str:
    return f"{_day(d.start, d.tz)} to {_day(d.end, d.tz)}" if d.start else f"up to {_day(d.end, d.tz)}"


def _person(people: Mapping[str, str] | None) -> Callable[[str], str]:
    names = people or {}

    def person(user_id: str) -> str:
        return names.get(user_id) or user_id

    return person


# -- help ------------------------------------------------------------------------------------------

HELP_LINES = (
    ("update", "opens the update form."),
    ("update REF RAG what was done | next: … | risks: …", "posts an update in one line, e.g. " + UPDATE_EXAMPLE),
    ("update edit REF RAG corrected text", "corrects your latest update on REF (the old text is kept)."),
    ("mine", "your projects and when each was last updated."),
    ("digest [from YYYY-MM-DD to YYYY-MM-DD]", "the progress digest (posted by a chair or an ICT admin)."),
    ("meeting [next N]", "the next governance meetings; the chair can move or cancel one (meeting help)."),
    ("help", "this card."),
)


def help_card(notice: str | None = None) -> Card:
    """What the bot understands after its @mention. ``notice`` (plain text) goes first."""
    body: list[Element] = []
    if notice:
        body.append(_text(f"⚠️ {message_text(notice)}", color="attention"))
    body.append(_text("ICT governance bot", size="medium", weight="bolder", style="heading"))
    body.append(_text("Mention me, then one of these:", spacing="none"))
    body.append(
        {
            "type": "FactSet",
            "facts": [{"title": escape_teams(cmd), "value": escape_teams(what)} for cmd, what in HELP_LINES],
        }
    )
    body.append(
        _text(
            "RAG is red, amber or green (or r, a, g). The owner or a delegate of a project, or an ICT admin, "
            f"can update it. Limits: progress {LIMITS['progress']:,} characters, next steps "
            f"{LIMITS['next_steps']:,}, risks {LIMITS['risks']:,}.",
            isSubtle=True,
        )
    )
    return _card(body, [_submit("Post an update", {"action": ACTION_OPEN_FORM})], fallback="ICT governance bot: help")
