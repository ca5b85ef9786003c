"""Domain errors. Each carries the message a user needs to hear, with how to put it right."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure caused by the input. ``str(err)`` is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # which form field it belongs to, for modal validation


class NotAllowed(DomainError):
    pass


class UnknownProject(DomainError):
    def __init__(self, ref: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"There is no project `{ref}` in the Work Plan.{hint} "
            "Type `/ict-update mine` to see your projects or `/ict-project list` for all of them.",
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
