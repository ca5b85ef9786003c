"""Domain errors. Each carries the message a user needs to hear, with how to put it right.

The message is a :class:`bot.wording.Text`: each platform shows ``err.text`` in its own words.
"""

from __future__ import annotations

from bot.wording import PLAIN, Text


class DomainError(Exception):
    """An expected failure caused by the input, safe to show to the user once worded for its platform.

    ``text`` is the message; ``message`` is it in plain words (:data:`bot.wording.PLAIN`), for callers that
    answer no chat platform (the CLI, logs, a delivery's recorded error).
    """

    def __init__(self, message: str | Text, *, field: str | None = None) -> None:
        self.text = message if isinstance(message, Text) else Text.literal(message)
        self.message = PLAIN(self.text)
        super().__init__(self.message)
        self.field = field  # which form field it belongs to, for modal validation


class NotAllowed(DomainError):
    pass


class UnknownProject(DomainError):
    def __init__(self, ref: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            Text(
                "There is no project `{ref}` in the Work Plan.{hint} "
                "Type `{update} mine` to see your projects or {all_projects}.",
                ref=ref,
                hint=hint,
            ),
            field="project",
        )
        self.ref = ref
        self.suggestions = suggestions


class InvalidInput(DomainError):
    pass


class ImportFailed(DomainError):
    """A Work Plan import was refused; ``problems`` are ``(line number, message)`` pairs."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        lines = "\n".join(f"line {n}: {msg}" for n, msg in problems)
        super().__init__(f"Nothing was imported; fix these rows and try again:\n{lines}")
        self.problems = problems


class NoTeam(DomainError):
    """A request, or a unit of work, that names no workspace: nothing can be stored for it."""

    def __init__(self) -> None:
        super().__init__("This request names no Slack workspace, so nothing was done.")
