"""How platform-neutral text (services, shared parsers) refers to the bot's commands.

A service does not know whether Slack or Teams asked, so it cannot name ``/ict-update`` or ``update``.
It writes a :class:`Text` instead: a template with placeholders (commands: ``{update}``, ``{meeting}``,
``{digest}``; phrases: ``{who_admins}``, ``{all_projects}``, ``{set_channel}``, ``{reopen_project}``) and,
apart from it, the
values it quotes (what was typed, a project reference)::

    Text("There is no meeting on {day}. Type `{meeting}` to see them.", day=day.isoformat())

Each platform renders it with its own :class:`Wording` (:data:`SLACK`, :data:`TEAMS`) when it shows it.
Rendering is one ``str.format`` pass in which the values are arguments, so braces in what an officer
typed are never read as placeholders: they are inserted as they are, after the template is parsed.
Literal braces in a template itself are written ``{{`` and ``}}``.

The template is the bot's own words, in the platform's markup (``*bold*``, `` `code` ``); the values are
what a person typed and are never read as markup: :meth:`Wording.marked` marks each of them with
:func:`bot.literal.literal` for the chat renderers, which show them exactly as typed. Anything typed
must therefore be a value, never part of the template (not even through an f-string).
:meth:`Text.literal` is the bot's own words with no placeholder (a message built in code).

Teams has no command for roles or project administration (those are the ICT admins' Slack commands or
the ``ictbot`` CLI run by whoever operates the bot), so those placeholders are phrases, not commands.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.literal import literal

__all__ = ["PLACEHOLDERS", "SLACK", "TEAMS", "Text", "Wording"]

PLACEHOLDERS = ("update", "meeting", "digest", "who_admins", "all_projects", "set_channel", "reopen_project")
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True, init=False)
class Text:
    """A message for the user: ``template`` with placeholders for commands and ``{name}`` for each value."""

    template: str
    values: Mapping[str, str]
    own: frozenset[str]  # the values that are the bot's own words (markup), not typed text

    def __init__(self, template: str, /, **values: object) -> None:
        names = {name for _, name, _, _ in _FORMATTER.parse(template) if name is not None}
        if clash := set(values) & set(PLACEHOLDERS):
            raise ValueError(f"values may not be named like a placeholder: {sorted(clash)}")
        if unknown := names - set(PLACEHOLDERS) - set(values):
            raise ValueError(f"the template names {sorted(unknown)}, which are neither placeholders nor values")
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "values", MappingProxyType({k: str(v) for k, v in values.items()}))
        object.__setattr__(self, "own", frozenset())

    @classmethod
    def literal(cls, message: str) -> Text:
        """The bot's own words without placeholders (braces in it are kept as they are). Never put typed
        text in ``message``: it is markup to the chat platforms."""
        text = cls("{message}", message=message)
        object.__setattr__(text, "own", frozenset({"message"}))
        return text

    def owning(self, *names: str) -> Text:
        """This text with the values ``names`` taken as the bot's own words (markup it wrote, e.g. a mention
        of a user ID it holds), not as typed text."""
        if unknown := set(names) - set(self.values):
            raise ValueError(f"no values named {sorted(unknown)}")
        text = Text(self.template, **self.values)
        object.__setattr__(text, "own", self.own | frozenset(names))
        return text

    def __add__(self, other: Text) -> Text:
        """This text followed by ``other`` (their value names must not clash)."""
        if clash := set(self.values) & set(other.values):
            raise ValueError(f"both texts have values named {sorted(clash)}")
        joined = Text(self.template + other.template, **self.values, **other.values)
        object.__setattr__(joined, "own", self.own | other.own)
        return joined


@dataclass(frozen=True, slots=True)
class Wording:
    """One platform's words for the placeholders."""

    name: str
    words: Mapping[str, str]

    def __post_init__(self) -> None:
        if set(self.words) != set(PLACEHOLDERS):
            raise ValueError(f"{self.name} must word exactly {PLACEHOLDERS}")

    def __call__(self, text: Text | str) -> str:
        """``text`` as this platform shows it (a plain ``str`` has no placeholders and is returned as is)."""
        if isinstance(text, str):
            return text
        return text.template.format_map({**self.words, **text.values})

    def marked(self, text: Text | str) -> str:
        """``text`` as this platform shows it, each typed value marked literal (:func:`bot.literal.literal`):
        for a chat renderer, which reads the rest as the bot's markup. A plain ``str`` is the bot's words."""
        if isinstance(text, str):
            return text
        values = {k: v if k in text.own else literal(v) for k, v in text.values.items()}
        return text.template.format_map({**self.words, **values})


SLACK = Wording(
    "Slack",
    {
        "update": "/ict-update",
        "meeting": "/ict-meeting",
        "digest": "/ict-digest",
        "who_admins": "`/ict-role list` shows who",
        "all_projects": "`/ict-project list` for all of them",
        "set_channel": "`/ict-meeting channel #channel`",
        "reopen_project": "an ICT admin can reopen it with `/ict-project reopen REF`",
    },
)
TEAMS = Wording(
    "Teams",
    {
        "update": "update",
        "meeting": "meeting",
        "digest": "digest",
        "who_admins": "whoever runs the bot can list them with `ictbot roles list`",
        "all_projects": "`update` for the form, which lists all of them",
        "set_channel": "`meeting channel` typed in that channel (mention me there)",
        "reopen_project": "whoever runs the bot can reopen it by importing it with status active "
        "(`ictbot projects import`)",
    },
)


def count(n: int, noun: str) -> str:
    """``1 project``, ``2 projects``: a number with its noun, plural unless one."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
