"""What is wrong with an export document, said with its JSON path: pydantic's errors in the export's words,
and the cross-checks the shape cannot make (keys given once, references that lead somewhere, revisions
1..n, the meeting series as the meetings service takes it). Reads no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.errors import DomainError, InvalidInput
from bot.services import meetings as meeting_service
from bot.services import quickform
from bot.transfer.schema import Document, DocumentV2, PriorityDoc, ProjectDoc, RevisionDoc, SeriesDoc
from models.db import column_length
from models.scheduling import Reminder

__all__ = ["MAX_PROBLEMS", "InvalidExport", "cross_check", "kind_of", "refuse", "shape_problems"]

MAX_PROBLEMS = 20  # shown; the rest are counted
_REFS_LENGTH = column_length(Reminder.project_refs)  # a reminder's refs are stored joined by commas


class InvalidExport(DomainError):
    """The document cannot be restored. ``problems`` are ``(JSON path, what is wrong)``; the path is
    empty for a problem with the whole file."""

    def __init__(self, problems: list[tuple[str, str]], *, more: int = 0) -> None:
        lines = [f"{path}: {msg}" if path else msg for path, msg in problems]
        if more:
            lines.append(f"… and {more} more problem{'s' if more != 1 else ''}")
        super().__init__("\n".join(lines))
        self.problems = problems
        self.more = more


def refuse(problems: list[tuple[str, str]]) -> None:
    """Raise :class:`InvalidExport` with the first :data:`MAX_PROBLEMS` of ``problems``, if there are any."""
    if problems:
        raise InvalidExport(problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))


def shape_problems(error: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as ``(JSON path, what is wrong)`` in the words of the export."""
    return [(_path(e["loc"]), _describe(e)) for e in error.errors(include_url=False)]


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def kind_of(value: object) -> str:
    """A JSON value as a problem names it: ``null``, ``the number 5``, ``the text '2'``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list [...]",
    "model_type": "an object {...}",
    "dict_type": "an object {...}",
}


def _describe(error: ErrorDetails) -> str:
    """Pydantic's error in the words of the export: what is there, and what belongs there."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field of an ictbot export"
    if kind == "enum":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{given!r} is not one of {', '.join(choices)}"
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}, not {kind_of(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"must hold at least {ctx.get('min_length')} entry"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{given!r} is too small: it must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{given!r} is too large: it must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "timezone_aware":
        return f"{given!r} has no time zone; give it in UTC, e.g. 2026-11-24T09:30:00Z"
    if kind.startswith("datetime"):
        return f"{given!r} is not a time such as 2026-11-24T09:30:00Z"
    if kind.startswith("date"):
        return f"{given!r} is not a date such as 2026-11-24"
    if kind.startswith("time"):
        return f"{given!r} is not a time of day such as 10:00:00"
    return str(error["msg"])


class _Problems:
    """What is wrong, collected in document order."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def once(self, section: str, keys: Iterable[object], what: str) -> None:
        """Each key given once in ``section``."""
        seen: dict[object, int] = {}
        for i, key in enumerate(keys):
            if key in seen:
                self.add(f"{section}[{i}]", f"{what} {_show(key)} is given twice (also at {section}[{seen[key]}])")
            else:
                seen[key] = i


def cross_check(doc: Document) -> list[tuple[str, str]]:
    """What the shape cannot say: keys given once, references that lead somewhere, revisions 1..n."""
    problems = _Problems()
    problems.once("strategies", (s.name for s in doc.strategies), "the strategy")
    active = [s.name for s in doc.strategies if s.active]
    if len(active) > 1:
        problems.add("strategies", f"{len(active)} strategies are active ({', '.join(active)}); at most one may be")
    codes: dict[str, dict[str, PriorityDoc]] = {}
    for i, s in enumerate(doc.strategies):
        problems.once(f"strategies[{i}].priorities", (p.code for p in s.priorities), "the priority code")
        problems.once(f"strategies[{i}].priorities", (p.position for p in s.priorities), "the position")
        codes.setdefault(s.name, {p.code: p for p in s.priorities})
    problems.once("projects", (p.ref for p in doc.projects), "the project ref")
    for i, p in enumerate(doc.projects):
        _check_project(problems, f"projects[{i}]", p, codes)
    refs = {p.ref for p in doc.projects}
    problems.once("updates", (u.id for u in doc.updates), "the update id")
    for i, u in enumerate(doc.updates):
        if u.project_ref not in refs:
            problems.add(f"updates[{i}].project_ref", f"{u.project_ref!r} is not the ref of a project in the export")
        for k, r in enumerate(u.revisions):
            if r.number != k + 1:
                problems.add(
                    f"updates[{i}].revisions[{k}].number",
                    f"is {r.number} where {k + 1} belongs: revisions are numbered 1, 2, 3, … in order",
                )
            _check_text(problems, f"updates[{i}].revisions[{k}]", r)
    if isinstance(doc, DocumentV2):
        for i, e in enumerate(doc.history):
            if e.project_ref not in refs:
                problems.add(
                    f"history[{i}].project_ref", f"{e.project_ref!r} is not the ref of a project in the export"
                )
        _check_calendar(problems, doc)
        _check_raid(problems, doc, refs, codes)
        _check_assurance(problems, doc, codes)
        on = [(f"decisions[{i}]", d.project_ref) for i, d in enumerate(doc.decisions)]
        on += [(f"actions[{i}]", a.project_ref) for i, a in enumerate(doc.actions)]
        for at, ref in on:
            if ref is not None and ref not in refs:
                problems.add(f"{at}.project_ref", f"{ref!r} is not the ref of a project in the export")
    return problems.found


def _check_raid(problems: _Problems, doc: DocumentV2, refs: set[str], codes: dict[str, dict[str, PriorityDoc]]) -> None:
    """Each risk or issue is on one project of the export or one priority of its strategies."""
    for i, r in enumerate(doc.raid):
        on_priority = r.strategy is not None or r.priority_code is not None
        if (r.project_ref is not None) == on_priority:
            problems.add(f"raid[{i}]", "is on a project (project_ref) or a priority (strategy, priority_code): one")
        elif r.project_ref is not None and r.project_ref not in refs:
            problems.add(f"raid[{i}].project_ref", f"{r.project_ref!r} is not the ref of a project in the export")
        elif on_priority and r.priority_code not in codes.get(r.strategy or "", {}):
            problems.add(f"raid[{i}].priority_code", f"{r.priority_code!r} is not a priority of {r.strategy!r}")


def _check_assurance(problems: _Problems, doc: DocumentV2, codes: dict[str, dict[str, PriorityDoc]]) -> None:
    """Each obligation's code once, its priority one of the export's, its schedule one the calendar reads; each
    result and reminder on an obligation of the export, each reminder once per occurrence."""
    problems.once("assurance_obligations", (o.code for o in doc.assurance_obligations), "the obligation code")
    for i, o in enumerate(doc.assurance_obligations):
        at = f"assurance_obligations[{i}]"
        if o.strategy not in codes:
            problems.add(f"{at}.strategy", f"{o.strategy!r} is not one of the export's strategies")
        elif o.priority_code not in codes[o.strategy]:
            problems.add(f"{at}.priority_code", f"{o.priority_code!r} is not a priority of {o.strategy!r}")
        if (o.rrule != "") == (o.due_on is not None) or (o.rrule != "") != (o.start_on is not None):
            problems.add(at, "is recurring (rrule and start_on) or once (due_on, with rrule ''): one")
        elif o.rrule:
            try:
                meeting_service.parse_rrule(o.rrule)
            except InvalidInput as exc:
                problems.add(f"{at}.rrule", exc.message.replace("`", "'").replace("meetings may recur", "it may recur"))
    known = {o.code for o in doc.assurance_obligations}
    named = [(f"assurance_results[{i}]", r.obligation_code) for i, r in enumerate(doc.assurance_results)]
    named += [(f"assurance_reminders[{i}]", r.obligation_code) for i, r in enumerate(doc.assurance_reminders)]
    for at, code in named:
        if code not in known:
            problems.add(f"{at}.obligation_code", f"{code!r} is not the code of an obligation in the export")
    reminders = ((r.obligation_code, r.occurrence) for r in doc.assurance_reminders)
    problems.once("assurance_reminders", reminders, "the reminder of the occurrence")


def _check_text(problems: _Problems, at: str, revision: RevisionDoc) -> None:
    """An update's text as chat takes it (:func:`bot.services.quickform.validate`): same limits, same characters."""
    try:
        quickform.validate(revision.rag, revision.progress, revision.next_steps, revision.risks)
    except InvalidInput as exc:
        field = exc.field if exc.field in quickform.LIMITS else "progress"
        value, limit = str(getattr(revision, field)).strip(), quickform.LIMITS[field]
        if not value:
            problems.add(f"{at}.{field}", "is empty; every update says what was done")
        elif len(value) > limit:
            problems.add(f"{at}.{field}", f"is {len(value):,} characters; the limit is {limit:,}, as in chat")
        else:
            problems.add(
                f"{at}.{field}", "contains control characters, which chat refuses (tab and line breaks are fine)"
            )


def _check_project(problems: _Problems, at: str, p: ProjectDoc, codes: dict[str, dict[str, PriorityDoc]]) -> None:
    problems.once(f"{at}.delegates", p.delegates, "the delegate")
    if p.strategy is None or p.priority_code is None:
        if p.strategy is not None or p.priority_code is not None:
            problems.add(at, "strategy and priority_code go together: give both, or neither (null)")
        elif p.priority_name is not None:
            problems.add(f"{at}.priority_name", "must be null when the project has no priority")
        return
    if p.strategy not in codes:
        problems.add(f"{at}.strategy", f"{p.strategy!r} is not one of the export's strategies")
        return
    priority = codes[p.strategy].get(p.priority_code)
    if priority is None:
        held = ", ".join(codes[p.strategy]) or "none"
        problems.add(f"{at}.priority_code", f"{p.priority_code!r} is not a priority of {p.strategy!r} (it has {held})")
    elif p.priority_name is not None and p.priority_name != priority.name:
        problems.add(
            f"{at}.priority_name", f"{p.priority_name!r} is not the name of {p.priority_code} ({priority.name!r})"
        )


def _check_calendar(problems: _Problems, doc: DocumentV2) -> None:
    problems.once("roles", ((g.user_id, g.role.value) for g in doc.roles), "the role grant")
    problems.once("closures", (c.day for c in doc.closures), "the closure day")
    problems.once("meetings", (m.occurrence for m in doc.meetings), "the meeting occurrence")
    problems.once("people", (p.user_id for p in doc.people), "the user id")
    series = doc.meeting_series
    if series is None:
        if doc.meetings:
            problems.add("meeting_series", "is null, but the export has meetings: they need their series")
    else:
        _check_series(problems, series)
    occurrences = {m.occurrence for m in doc.meetings}
    named = [(f"reminders[{i}]", r.meeting) for i, r in enumerate(doc.reminders)]
    named += [(f"digest_posts[{i}]", d.meeting) for i, d in enumerate(doc.digest_posts)]
    named += [(f"decisions[{i}]", d.meeting) for i, d in enumerate(doc.decisions)]
    named += [(f"actions[{i}]", a.meeting) for i, a in enumerate(doc.actions)]
    for at, day in named:
        if day not in occurrences:
            problems.add(f"{at}.meeting", f"{day.isoformat()} is not the occurrence of a meeting in the export")
    problems.once("reminders", ((r.meeting, r.user_id, r.stage) for r in doc.reminders), "the reminder")
    for i, r in enumerate(doc.reminders):
        if any("," in ref for ref in r.project_refs):
            problems.add(f"reminders[{i}].project_refs", "a project ref cannot hold a comma")
        elif len(",".join(r.project_refs)) > _REFS_LENGTH:
            problems.add(f"reminders[{i}].project_refs", f"are longer than {_REFS_LENGTH} characters together")
    problems.once("digest_posts", (d.meeting for d in doc.digest_posts), "the digest post of the meeting of")


def _check_series(problems: _Problems, series: SeriesDoc) -> None:
    """The series as the meetings service would take it, so the restored scheduler can read it."""
    checks: list[tuple[str, Callable[[], object]]] = [
        ("rrule", lambda: meeting_service.parse_rrule(series.rrule)),
        ("timezone", lambda: meeting_service.parse_timezone(series.timezone)),
        ("reminder_stages", lambda: meeting_service.parse_reminder_stages(series.reminder_stages)),
        ("digest_stage", lambda: _one_stage(series.digest_stage)),
    ]
    for name, check in checks:
        try:
            check()
        except InvalidInput as exc:
            problems.add(f"meeting_series.{name}", exc.message.replace("`", "'"))
    if series.holiday_region not in meeting_service.REGIONS:
        choices = ", ".join(meeting_service.REGIONS)
        problems.add("meeting_series.holiday_region", f"{series.holiday_region!r} is not one of {choices}")


def _one_stage(text: str) -> None:
    if len(meeting_service.parse_reminder_stages(text)) != 1:
        raise InvalidInput("give one stage, e.g. '1@12:00'")


def _show(key: object) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(_show(k) for k in key) + ")"
    if isinstance(key, date):
        return key.isoformat()
    return repr(key)
