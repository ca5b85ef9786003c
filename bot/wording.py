"""The bot's words in platform-neutral text: :class:`Text`, a template with placeholders and values.

A service cannot name ``/ict-update`` or ``update``: it writes ``Text("Type `{meeting}` …", day=…)`` and
each platform words it with its own :class:`Wording` (``handlers.slack.wording.SLACK``,
``handlers.teams.wording.TEAMS``; :data:`PLAIN` for the CLI and logs). Values are what a person typed,
never markup: :meth:`Wording.marked` marks them literal. :class:`People` values are user ids, which each
platform shows its own way (a Slack mention; nothing on Teams). Nothing here names a platform's syntax.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bot.literal import literal

__all__ = ["PLACEHOLDERS", "PLAIN", "People", "Text", "Wording", "count", "listing"]

PLACEHOLDERS = (
    "update",
    "meeting",
    "digest",
    "project",
    "role",
    "who_admins",
    "all_projects",
    "set_channel",
    "reopen_project",
)
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class People:
    """A value that names people by their user ids: each platform shows them its own way."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, init=False)
class Text:
    """A message for the user: ``template`` with placeholders for commands and ``{name}`` for each value."""

    template: str
    values: Mapping[str, str]
    own: frozenset[str]  # the values that are the bot's own words (markup), not typed text
    people: Mapping[str, People]

    def __init__(self, template: str, /, **values: object) -> None:
        names = {name for _, name, _, _ in _FORMATTER.parse(template) if name is not None}
        if clash := set(values) & set(PLACEHOLDERS):
            raise ValueError(f"values may not be named like a placeholder: {sorted(clash)}")
        if unknown := names - set(PLACEHOLDERS) - set(values):
            raise ValueError(f"the template names {sorted(unknown)}, which are neither placeholders nor values")
        object.__setattr__(self, "template", template)
        plain = {k: str(v) for k, v in values.items() if not isinstance(v, People)}
        object.__setattr__(self, "values", MappingProxyType(plain))
        object.__setattr__(self, "own", frozenset())
        object.__setattr__(self, "people", {k: v for k, v in values.items() if isinstance(v, People)})

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
        text = Text(self.template, **self.values, **self.people)
        object.__setattr__(text, "own", self.own | frozenset(names))
        return text

    def __add__(self, other: Text) -> Text:
        """This text followed by ``other`` (their value names must not clash)."""
        if clash := (set(self.values) | set(self.people)) & (set(other.values) | set(other.people)):
            raise ValueError(f"both texts have values named {sorted(clash)}")
        joined = Text(self.template + other.template, **self.values, **other.values, **self.people, **other.people)
        object.__setattr__(joined, "own", self.own | other.own)
        return joined


@dataclass(frozen=True, slots=True)
class Wording:
    """One platform's words for the placeholders."""

    name: str
    words: Mapping[str, str]
    people: Callable[[Sequence[str]], str]  # a People value in this platform's words (its own markup)

    def __post_init__(self) -> None:
        if set(self.words) != set(PLACEHOLDERS):
            raise ValueError(f"{self.name} must word exactly {PLACEHOLDERS}")

    def __call__(self, text: Text | str) -> str:
        """``text`` as this platform shows it (a plain ``str`` has no placeholders and is returned as is)."""
        if isinstance(text, str):
            return text
        return text.template.format_map({**self.words, **text.values, **self._people(text)})

    def marked(self, text: Text | str) -> str:
        """``text`` as this platform shows it, each typed value marked literal (:func:`bot.literal.literal`):
        for a chat renderer, which reads the rest as the bot's markup. A plain ``str`` is the bot's words."""
        if isinstance(text, str):
            return text
        values = {k: v if k in text.own else literal(v) for k, v in text.values.items()}
        return text.template.format_map({**self.words, **values, **self._people(text)})

    def _people(self, text: Text) -> dict[str, str]:
        return {name: self.people(value.ids) for name, value in text.people.items()}


# The words of a message shown outside chat: in the CLI, in a log, recorded as a delivery's error.
PLAIN = Wording(
    "plain",
    {
        "update": "/ict-update",
        "meeting": "/ict-meeting",
        "digest": "/ict-digest",
        "project": "/ict-project",
        "role": "/ict-role",
        "who_admins": "`ictbot roles list` shows who",
        "all_projects": "`ictbot projects list` for all of them",
        "set_channel": "`/ict-meeting channel #channel` (Teams: `meeting channel`)",
        "reopen_project": "import it again with status active (`ictbot projects import`)",
    },
    people=lambda ids: f" ({', '.join(ids)})",
)


def count(n: int, noun: str) -> str:
    """``1 project``, ``2 projects``: a number with its noun, plural unless one."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: items as a sentence lists them (empty for none)."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
