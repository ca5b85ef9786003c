"""Adaptive Cards (schema 1.5) for Teams: the update form, the reminder, the progress digest and help.

Pure functions from the services' plain values to the JSON dicts Teams takes. Every piece of
officer- or admin-written text (project titles, update text, priority names, notes, people's names,
what was typed in a command) is shown in a ``RichTextBlock``'s ``TextRun``, which Teams does not read
as markdown ("Markdown is not supported": the Adaptive Cards schema of TextRun, and "RichTextBlock
doesn't support Markdown" in Microsoft's text features guide), after :func:`bot.literal.visible`; a run
is cut between the two braces of ``{{`` so that no ``{{DATE()}}``/``{{TIME()}}`` function can form in
one. The bot's own words use ``TextBlock``'s markdown subset (``**bold**``, ``_italic_``) where no typed
text is among them, and the runs' own styles where it is. Choice titles and input values are plain
text to Teams (invisible characters removed).

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

from bot.literal import CLOSE, OPEN, segments, spans, visible
from bot.render.digest import trend_text
from bot.render.jinja import ago, local_time, rag_label
from bot.services.digest import Digest, PriorityGroup, ProjectEntry, RagCounts
from bot.services.meetings import MeetingView, SeriesView
from bot.services.projects import ProjectView
from bot.services.quickform import LIMITS
from bot.services.reminders import Due, StaleProject
from bot.services.updates import UpdateResult
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
    "closures_card",
    "detail_cards",
    "digest_cards",
    "help_card",
    "meetings_card",
    "mine_card",
    "no_change_card",
    "notice_card",
    "plain_message",
    "reminder_card",
    "saved_card",
    "summary_cards",
    "update_form",
]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams' limit is about 28 KB for the whole activity: room for its envelope
MAX_TEXT_PIECE = 1_000  # characters of officer text in one block (at most ~6 KB of JSON, non-ASCII escaped)
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
Inline = dict[str, Any]
# Teams' TextRun properties for the styles of the bot's markup (bot.literal.spans).
RUN_STYLES = {"bold": ("weight", "bolder"), "italic": ("italic", True), "strike": ("strikethrough", True)}
RUN_STYLES["code"] = ("fontType", "monospace")
_DOUBLE_BRACE = re.compile(r"(?<=\{)(?=\{)")


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
    """A domain message for Teams as plain text (an error shown on a card): no Slack mentions (the people
    in brackets are left out, as on Slack's form) and no code marks. Messages arrive worded for Teams
    (``handlers.teams.wording.TEAMS``)."""
    message = _MENTIONS.sub("", message)
    message = _MENTION.sub(r"\1", message)
    return visible(message.replace("`", ""))


def _run(text: str, **props: Any) -> Inline:
    return {"type": "TextRun", "text": text, **props}


def _typed(text: str, **props: Any) -> list[Inline]:
    """Typed text as text runs, shown as it is: invisible characters removed, and cut between the braces of
    every ``{{`` (Teams formats ``{{DATE(…)}}`` in a run; in two runs it is text)."""
    return [_run(part, **props) for part in _DOUBLE_BRACE.split(visible(text)) if part]


def _rich(inlines: list[Inline], **props: Any) -> Element:
    return {"type": "RichTextBlock", "inlines": inlines, **props}


def _lines(text: str) -> list[str]:
    """Typed text in lines of at most :data:`MAX_TEXT_PIECE` characters (a long line cut at a space)."""
    return [piece for line in visible(text).split("\n") for piece in _pieces(line)]


def _typed_blocks(
    head: list[Inline], text: str, *, style: Mapping[str, Any] | None = None, **props: Any
) -> list[Element]:
    """``head`` (the bot's runs) then typed text (its runs in ``style``), a block per line of it, so that its
    line breaks show."""
    lines = _lines(text)
    runs = dict(style or {})
    blocks = [_rich([*head, *_typed(lines[0], **runs)] if lines else head, **props)] if head or lines else []
    blocks += [_rich(_typed(line, **runs), spacing="none") for line in lines[1:]]
    return blocks


def notice_card(marked: str, *, attention: bool = False) -> Card:
    """A message in the bot's words with what was typed in it marked (``TEAMS.marked``, or
    :func:`bot.literal.literal`): a card, so that the typed part is shown as it is."""
    return _card(marked_blocks(marked, attention=attention), fallback=_fallback(marked))


def marked_blocks(marked: str, *, attention: bool = False) -> list[Element]:
    """A marked message as rich text blocks, a block per line: the bot's markup read (``*bold*``, ``_italic_``,
    `` `code` ``), its Slack mentions left out as :func:`plain_message` does, the typed pieces as they are."""
    props: dict[str, Any] = {"color": "attention"} if attention else {}
    lines: list[list[Inline]] = [[]]
    for s in spans(_without_mentions(marked)):
        style = dict(RUN_STYLES[name] for name in s.style) | props
        value = s.value if s.kind == "text" else (f":{s.value}:" if s.kind == "emoji" else s.value)
        for i, line in enumerate(value.split("\n")):
            if i:
                lines.append([])
            lines[-1] += _typed(line, **style) if s.literal else ([_run(line, **style)] if line else [])
    return [_rich(line, spacing="none" if i else "default") for i, line in enumerate(lines) if line]


def _without_mentions(marked: str) -> str:
    """The marked message with the bot's Slack mentions taken out of its own words (never out of typed text)."""
    out = []
    for text, is_literal in segments(marked):
        out.append(f"{OPEN}{text}{CLOSE}" if is_literal else _MENTION.sub(r"\1", _MENTIONS.sub("", text)))
    return "".join(out)


def _fallback(marked: str) -> str:
    """A card's fallback text: the first line, plain."""
    plain = "".join(text for text, _ in segments(marked))
    return visible(plain.replace("`", "")).strip().split("\n", 1)[0][:200]


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


def _officer_blocks(label: list[Inline], text: str, **props: Any) -> list[Element]:
    """A labelled piece of officer text: the label (the bot's runs, bold) and the text as it is, in blocks
    small enough to pack into cards."""
    return _typed_blocks([*label, _run(" ")], text, **props)


def _label(text: str, limit: int = MAX_CHOICE_TITLE) -> str:
    text = visible(text).replace("\n", " ")
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
    body: list[Element] = [_text("ICT progress update", size="medium", weight="bolder", style="heading")]
    if error:
        warning = {"color": "attention", "weight": "bolder"}
        body += _typed_blocks([_run("⚠️ ", **warning)], error, style=warning)
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
                f"Teams' size limit. Post for one of them with **{UPDATE_EXAMPLE}**.",
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


# -- answers that show typed text ------------------------------------------------------------------

BOLD = {"weight": "bolder"}


def saved_card(result: UpdateResult) -> Card:
    """The confirmation of a saved update or correction: what was saved, as it was typed."""
    corrected = result.revision > 1
    what = "✏️ Correction saved for " if corrected else "✅ Update saved for "
    tail = f" (revision {result.revision}; the earlier text is kept)" if corrected else ""
    head = [
        _run(what),
        *_typed(f"{result.project_ref} {result.project_title}", **BOLD),
        _run(f": {RAG_ICON[result.rag]} "),
        _run(rag_label(result.rag), **BOLD),
        *([_run(tail)] if tail else []),
    ]
    body = [_rich(head), *_officer_blocks([_run("Progress:", **BOLD)], result.progress)]
    if result.next_steps:
        body += _officer_blocks([_run("Next steps:", **BOLD)], result.next_steps)
    if result.risks:
        body += _officer_blocks([_run("Risks/issues:", **BOLD)], result.risks)
    return _card(body, fallback=f"{what}{_label(result.project_ref, 40)}")


def no_change_card(result: UpdateResult) -> Card:
    """'No change this month' recorded: the RAG carried forward."""
    inlines = [
        _run("✅ Recorded "),
        _run("no change this month", **BOLD),
        _run(" for "),
        *_typed(result.project_ref, **BOLD),
        _run(f": {RAG_ICON[result.rag]} {rag_label(result.rag)} carried forward."),
    ]
    return _card([_rich(inlines)], fallback="Recorded no change this month.")


def mine_card(projects: Sequence[ProjectView], user_id: str, *, now: datetime, tz: ZoneInfo) -> Card:
    """The user's projects and when each was last updated (``projects`` is not empty)."""
    body: list[Element] = [_text(f"**Your projects** ({len(projects)})")]
    for p in projects:
        delegate = [_run(" "), _run("(delegate)", italic=True)] if p.owner != user_id else []
        if p.last_update_at:
            icon = RAG_ICON[p.last_rag] if p.last_rag else NO_RAG_ICON
            last = f"{icon} last updated {ago(p.last_update_at, now)} ({local_time(p.last_update_at, tz)})"
        else:
            last = "❔ no update yet"
        body.append(_rich([_run("• "), *_ref_title(p.ref, p.title), *delegate, _run(f" — {last}")], spacing="small"))
    body.append(_text("Post with **update REF RAG what was done**, or **update** for the form."))
    return _card(body, fallback=f"Your projects ({len(projects)})")


def meetings_card(headline: str, meetings: Sequence[MeetingView], series: SeriesView) -> Card:
    """The next meetings, their notes as the chair typed them. ``headline``: a marked message, or empty."""
    body = marked_blocks(headline) if headline else []
    if not meetings:
        body.append(
            _text(
                "No ICT governance meeting is scheduled in the next twelve months. A chair can set the series with "
                "**meeting series FREQ=MONTHLY;BYDAY=+2TU at 10:00**."
            )
        )
    else:
        body.append(
            _rich([_run("Next ICT governance meetings", **BOLD), _run(" ("), *_typed(series.timezone), _run(")")])
        )
        for m in meetings:
            s = m.local_start
            when = f"{s:%a} {s.day} {s:%b %Y, %H:%M %Z}"
            if m.cancelled:
                line = [_run("• "), _run(when, strikethrough=True), _run(" "), _run("cancelled", **BOLD)]
            else:
                line = [_run("• "), _run(when, **BOLD)]
            if m.moved and not m.cancelled:
                line += [_run(" "), _run("(moved)", italic=True)]
            if m.note:
                line += [_run(" — "), *_typed(m.note)]
            body.append(_rich(line, spacing="none"))
    stages = "; ".join(
        f"{s.working_days_before} working day{'s' if s.working_days_before != 1 else ''} before at {s.at:%H:%M}"
        for s in series.reminder_stages
    )
    italic = {"italic": True, "isSubtle": True}
    body.append(
        _rich(
            [
                _run("Series: ", **italic),
                *_typed(series.rrule, **italic),
                _run(f" at {series.local_time:%H:%M} ", **italic),
                *_typed(series.timezone, **italic),
                _run(", skipping weekends and bank holidays of ", **italic),
                *_typed(series.region_name, **italic),
                _run(f". Reminders: {stages}.", **italic),
            ]
        )
    )
    return _card(body, fallback=_fallback(headline) if headline else "The next ICT governance meetings.")


def closures_card(headline: str, region_name: str, days: Mapping[date, str]) -> Card:
    """The closure days to come, their reasons as typed. ``headline``: a marked message, or empty."""
    body = marked_blocks(headline) if headline else []
    if not days:
        body.append(
            _rich([_run("No closure days are set besides the bank holidays of "), *_typed(region_name), _run(".")])
        )
    else:
        body.append(_text("**Closure days** (besides bank holidays)"))
        for d, reason in days.items():
            line = [_run("• "), _run(f"{d:%a} {d.day} {d:%b %Y}", **BOLD)]
            if reason:
                line += [_run(" — "), *_typed(reason)]
            body.append(_rich(line, spacing="none"))
    return _card(body, fallback=_fallback(headline) if headline else "Closure days.")


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
        refs = ", ".join(p.ref for p in rest)
        body.append(
            _rich(
                [
                    _run(f"…and {len(rest)} more without an update: "),
                    *_typed(refs),
                    _run(". Post those with "),
                    _run("update REF RAG text", weight="bolder"),
                    _run("."),
                ],
                separator=True,
            )
        )
    snooze = _submit("Remind me tomorrow", {"action": ACTION_SNOOZE, "meeting_id": item.meeting_id})
    return _card(body, [snooze], fallback=headline.replace("**", "").replace("👋 ", ""))


def _reminder_project(p: StaleProject, item: Due, tz: ZoneInfo) -> Element:
    delegate = [_run(" "), _run("(you are a delegate)", italic=True)] if p.owner != item.user_id else []
    last = (
        f"Last update {local_time(p.last_update_at, tz)}: {_rag(p.last_rag)}" if p.last_update_at else "No update yet"
    )
    return {
        "type": "Container",
        "separator": True,
        "items": [
            _rich([*_ref_title(p.ref, p.title), *delegate]),
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
    strategy = _typed(d.strategy.name)
    if d.strategy.period:
        strategy += [_run(" ("), *_typed(d.strategy.period), _run(")")]
    if d.workspace:
        strategy += [_run(" · "), *_typed(d.workspace)]
    for run in strategy:
        run["isSubtle"] = True
    head = [
        _text(title, size="large", weight="bolder", style="heading"),
        _rich(strategy, spacing="none"),
        _text(f"Period: {_period(d)} ({d.tz.key})", spacing="none"),
        _text(f"**{d.headline}**"),  # the bot's words: counts
    ]
    groups: list[Element] = [_text("**RAG by priority**", separator=True)]
    for g in d.priorities:
        name = _typed(g.name, weight="bolder")
        if g.kind == "retired":
            name += [
                _run(" (a priority of ", italic=True),
                *_typed(g.strategy or "", italic=True),
                _run(")", italic=True),
            ]
        value = (
            (_counts(g.rag) + (f" · {len(g.missing)} missing" if g.missing else "")) if g.projects else "no projects"
        )
        groups.append(_rich([*name, _run(f": {value}")], spacing="small"))
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
        [[b] for b in groups],
        head=head,
        tail=tail,
        continued=_text(f"{title}: the summary, continued.", isSubtle=True),
        fallback=title,
    )


def detail_cards(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[Card]:
    """Each priority with projects, its projects in full; then the missing, completed and started lists."""
    person = _person(people)
    cards: list[Card] = []
    for g in digest.priorities:
        if not g.projects:
            continue
        cards += _pack(
            [_project_blocks(p, digest.tz, person) for p in g.projects],
            head=_priority_head(g),
            continued=_rich([*_typed(g.name, weight="bolder", isSubtle=True), _run(", continued.", isSubtle=True)]),
            fallback=f"ICT progress digest: {_label(g.name, 200)}",
        )
    cards += _pack(
        [[b] for b in _lists_blocks(digest, person)],
        head=[_text("Missing, completed and started projects", size="medium", weight="bolder", style="heading")],
        continued=_text("Missing, completed and started projects, continued.", isSubtle=True),
        fallback="ICT progress digest: missing, completed and started projects",
    )
    return cards


def _priority_head(g: PriorityGroup) -> list[Element]:
    heading = {"size": "medium", "weight": "bolder"}
    name = _typed(g.name, **heading)
    if g.code:
        name += [_run(" (", **heading), *_typed(g.code, **heading), _run(")", **heading)]
    head = [_rich(name)]
    if g.note:
        head += _typed_blocks([], g.note, style={"italic": True, "isSubtle": True}, spacing="none")
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
    status = p.status.value.replace("_", " ").capitalize()
    people = [_run(f"{rag_label(p.rag)}{trend} · {status} · owner "), *_typed(person(p.owner))]
    if p.delegates:
        people.append(_run(f", delegate{'s' if len(p.delegates) != 1 else ''} "))
        for i, delegate in enumerate(p.delegates):
            people += [_run(", ")] if i else []
            people += _typed(person(delegate))
    for run in people:
        run["isSubtle"] = True
    blocks = [
        _rich([_run(f"{icon} "), *_ref_title(p.ref, p.title)], separator=True),
        _rich(people, spacing="none"),
    ]
    if p.update is not None:
        u = p.update
        corrected = ", corrected" if u.revision > 1 else ""
        bold = {"weight": "bolder"}
        label = [
            _run("Progress (", **bold),
            *_typed(person(u.author), **bold),
            _run(f", {local_time(u.created_at, tz)}{corrected}):", **bold),
        ]
        blocks += _officer_blocks(label, u.progress, spacing="small")
        if u.next_steps:
            blocks += _officer_blocks([_run("Next steps:", **bold)], u.next_steps, spacing="small")
        if u.risks:
            blocks += _officer_blocks([_run("Risks and issues:", **bold)], u.risks, spacing="small")
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
        blocks.append(_rich([*_ref_title(p.ref, p.title), _run(" — "), *_typed(person(p.owner)), _run(f", {last}")]))
    if not d.missing:
        blocks.append(_text("Every active project has an update in the period. 🎉"))
    blocks.append(_text(f"**Completed in the period ({len(d.completed)})**", separator=True))
    for p in d.completed:
        blocks.append(_rich([*_ref_title(p.ref, p.title), _run(f", completed {_day(p.completed_on, tz)}")]))
    if not d.completed:
        blocks.append(_text("None."))
    blocks.append(_text(f"**Started in the period ({len(d.started)})**", separator=True))
    for p in d.started:
        blocks.append(_rich([*_ref_title(p.ref, p.title), _run(" — "), *_typed(person(p.owner))]))
    if not d.started:
        blocks.append(_text("None."))
    return blocks


def _ref_title(ref: str, title: str) -> list[Inline]:
    """A project as the bot names it: its reference in bold, then its title; both as typed."""
    return [*_typed(ref, weight="bolder"), _run(" "), *_typed(title)]


def _pack(
    groups: Sequence[Sequence[Element]],
    *,
    head: Sequence[Element] = (),
    tail: Sequence[Element] = (),
    continued: Element,
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
        body = [continued]
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
    """What the bot understands after its @mention. ``notice`` (a marked message: ``bot.literal``) goes first."""
    body: list[Element] = []
    if notice:
        body += marked_blocks(notice, attention=True)
    body.append(_text("ICT governance bot", size="medium", weight="bolder", style="heading"))
    body.append(_text("Mention me, then one of these:", spacing="none"))
    body.append(
        {
            "type": "FactSet",
            "facts": [{"title": cmd, "value": what} for cmd, what in HELP_LINES],  # the bot's own words
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
