"""The one-line form of the update command (``/ict-update`` on Slack, ``update`` on Teams), parsed.

    {update} NET-01 amber Core links upgrade delayed by supplier | next: chase supplier | risks: budget

The project reference, then the RAG (red/amber/green or r/a/g, any case), then what was done. Optional
sections follow, each after a ``|``: ``next:`` (or ``next steps:``) for next steps and ``risks:``
(or ``risk:``, ``issues:``, ``risks/issues:``) for risks and issues. A ``|`` that does not start a
known section stays part of the text. ``history REF [N]`` asks for a project's latest updates (an update
to a project called HISTORY still works: ``history amber …``). Messages name the command by placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.errors import InvalidInput
from bot.wording import Text
from models import Rag

MAX_PROGRESS = 2000
MAX_NEXT_STEPS = 1000
MAX_RISKS = 1000
LIMITS = {"progress": MAX_PROGRESS, "next_steps": MAX_NEXT_STEPS, "risks": MAX_RISKS}
LABELS = {"progress": "Progress", "next_steps": "Next steps", "risks": "Risks/issues"}

RAG_WORDS = {"red": Rag.RED, "r": Rag.RED, "amber": Rag.AMBER, "a": Rag.AMBER, "green": Rag.GREEN, "g": Rag.GREEN}
SUBCOMMANDS = ("help", "mine", "edit", "history")
EDIT_ALIASES = {"edit", "correct", "fix"}
EXAMPLE = "{update} NET-01 amber Core links upgrade delayed by supplier | next: chase supplier | risks: budget"
# No leading ``\s*``: the text before a section is stripped anyway, and a leading ``\s*`` made a long run
# of whitespace take quadratic time.
_SECTION = re.compile(r"\|\s*(?P<label>next\s+steps|next|risks\s*/\s*issues|risks|risk|issues)\s*:\s*", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab, LF, CR
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True, slots=True)
class UpdateText:
    rag: Rag
    progress: str
    next_steps: str = ""
    risks: str = ""


@dataclass(frozen=True, slots=True)
class QuickForm:
    kind: Literal["modal", "help", "mine", "update", "edit", "history"]
    ref: str = ""
    text: UpdateText | None = None
    shown: str | None = None  # history: how many updates were asked for, as typed (None: the default)


def parse(raw: str) -> QuickForm:
    """Parse the text after the update command. Raises InvalidInput with a message that shows the fix."""
    text = raw.strip()
    if not text:
        return QuickForm("modal")
    head, rest = _first_word(text)
    word = head.lower()
    if word == "help":
        return QuickForm("help")
    if word == "mine":
        return QuickForm("mine")
    if word == "history" and not _updates_history(rest):
        return history_form(rest)
    kind: Literal["update", "edit"] = "update"
    if word in EDIT_ALIASES:
        kind = "edit"
        text = rest.strip()
        if not text:
            raise InvalidInput(
                Text(
                    "Say which project's latest update to correct, then the corrected text, e.g. "
                    "`{update} edit NET-01 green Links upgraded`."
                )
            )
        head, rest = _first_word(text)
    ref = head.strip()
    if not _REF.fullmatch(ref):
        raise InvalidInput(
            _quoted(ref)
            + Text(
                " is not a project reference. Start with the project's reference, e.g. `"
                + EXAMPLE
                + "`. Type `{update} help` for more."
            )
        )
    rag_word, body = _first_word(rest)
    rag = RAG_WORDS.get(rag_word.lower())
    if rag is None:
        raise InvalidInput(
            Text(
                "Give the RAG status after `{ref}`: red, amber or green (or r, a, g). "
                "For example `{update} {ref} amber what was done`.",
                ref=ref.upper(),
            )
        )
    return QuickForm(kind, ref=ref.upper(), text=split_sections(rag, body))


def is_ref(word: str) -> bool:
    """Whether ``word`` has the shape of a project reference (letters, digits, ``_.-``; at most 32)."""
    return bool(_REF.fullmatch(word))


def _updates_history(rest: str) -> bool:
    """Whether ``history …`` is an update to a project whose reference is HISTORY: a RAG then text that is
    not just a number (``history amber Links done``). ``history REF [N]`` asks for REF's history."""
    rag_word, body = _first_word(rest)
    return rag_word.lower() in RAG_WORDS and bool(body.strip()) and not body.strip().isdigit()


def history_form(rest: str) -> QuickForm:
    """``history REF [N]`` (the words after ``history``): a project's latest updates, N as typed."""
    words = rest.split()
    if not words or len(words) > 2:
        raise InvalidInput(
            Text(
                "Say which project's history to show, e.g. `{update} history NET-01`, or how many of its latest "
                "updates, e.g. `{update} history NET-01 20`."
            )
        )
    if not _REF.fullmatch(words[0]):
        raise InvalidInput(_quoted(words[0]) + Text(" is not a project reference, e.g. `{update} history NET-01`."))
    return QuickForm("history", ref=words[0].upper(), shown=words[1] if len(words) > 1 else None)


def _first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace (a newline or tab as well as a space)."""
    words = text.split(maxsplit=1)
    return (words[0] if words else ""), (words[1] if len(words) > 1 else "")


def _quoted(ref: str) -> Text:
    """What was typed in place of a reference, quoted (its first 40 characters, without control characters),
    or "That" when nothing showable was typed. It is a value: each platform shows it exactly as typed."""
    shown = _CONTROL_ALL.sub("", ref[:40])
    return Text("`{typed}`", typed=shown) if shown.strip() else Text("That")


def split_sections(rag: Rag, body: str) -> UpdateText:
    parts: dict[str, list[str]] = {"progress": [], "next_steps": [], "risks": []}
    current = "progress"
    pos = 0
    for m in _SECTION.finditer(body):
        parts[current].append(body[pos : m.start()])
        label = m.group("label").lower()
        current = "next_steps" if label.startswith("next") else "risks"
        pos = m.end()
    parts[current].append(body[pos:])
    fields = {k: " ".join(s.strip() for s in v if s.strip()) for k, v in parts.items()}
    return validate(rag, **fields)


def validate(rag: Rag, progress: str, next_steps: str = "", risks: str = "") -> UpdateText:
    """Check an update's text, raising InvalidInput tied to the field at fault."""
    values = {"progress": progress.strip(), "next_steps": next_steps.strip(), "risks": risks.strip()}
    if not values["progress"]:
        raise InvalidInput(
            Text("Say what was done: the update's progress text is empty. For example `" + EXAMPLE + "`."),
            field="progress",
        )
    for name, value in values.items():
        if _CONTROL.search(value):
            raise InvalidInput(
                f"{LABELS[name]} contains control characters; please retype it as plain text.", field=name
            )
        if len(value) > LIMITS[name]:
            raise InvalidInput(
                f"{LABELS[name]} is {len(value):,} characters; the limit is {LIMITS[name]:,} so that it fits "
                "in Slack. Shorten it, or put the detail in a linked document.",
                field=name,
            )
    return UpdateText(rag=rag, **values)
