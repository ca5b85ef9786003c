"""Loading the assurance calendar from a YAML file (``ictbot assurance load``): checked whole, then written.

The file is a list under ``obligations:``; an unknown key is an error that names where it is. Owners are
user ids or e-mail addresses found in the people directory; priorities are codes of the active strategy.
Nothing is written unless the whole file is valid. A reload updates each code in place (keeping when it
was first loaded), retires the codes the file no longer has and brings back a retired code that returns.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services import people, strategy
from bot.services.meetings import parse_rrule
from models import AssuranceObligation, Workspace
from models.db import unstorable_text

__all__ = ["Loaded", "ObligationEntry", "ObligationsFile", "load", "parse_yaml"]

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MENTION = re.compile(r"^<@([A-Za-z0-9]+)(?:\|[^>]*)?>$")
REFRESH = "run `ictbot people refresh` so the directory knows their address, or give their user id"


class _DatesAsText(yaml.SafeLoader):
    """YAML's safe loader, leaving dates as text: the checks then say where a date like 2027-02-30 is."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ObligationEntry(_Strict):
    """One obligation as the file gives it."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=254)
    priority: str = Field(min_length=1, max_length=200)
    rrule: str | None = Field(None, max_length=500)
    start: date | None = None
    due: date | None = None
    evidence: str = Field("", max_length=2000)
    remind_days: int = Field(5, ge=0, le=30)

    @field_validator("code")
    @classmethod
    def _a_code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError("must be letters, digits, `-`, `_` or `.` (no spaces), e.g. PCI-ASV")
        return value.upper()

    @field_validator("rrule")
    @classmethod
    def _a_rule(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "DTSTART" in value.upper():
            raise ValueError("leave DTSTART out of the rule: give the first due date as `start`")
        try:
            return parse_rrule(value)
        except InvalidInput as exc:
            raise ValueError(exc.message.replace("meetings may recur", "it may recur")) from None

    @model_validator(mode="after")
    def _rule_or_due(self) -> ObligationEntry:
        if self.rrule is not None and self.due is not None:
            raise ValueError("give either `rrule` with `start` (recurring) or `due` (once), not both")
        if self.rrule is None and self.due is None:
            raise ValueError("give either `rrule` with `start` (recurring) or `due` (once)")
        if self.rrule is not None and self.start is None:
            raise ValueError("a recurring obligation needs `start`, its first due date (YYYY-MM-DD)")
        if self.rrule is None and self.start is not None:
            raise ValueError("`start` goes with `rrule`; a one-off obligation has only `due`")
        return self


class ObligationsFile(_Strict):
    obligations: tuple[ObligationEntry, ...]


KEYS: dict[str, tuple[str, ...]] = {
    "": tuple(ObligationsFile.model_fields),
    "obligations": tuple(ObligationEntry.model_fields),
}


def parse_yaml(text: str) -> ObligationsFile:
    """The file checked on its own (no database): the error names where it is wrong and how to put it right."""
    try:
        data = yaml.load(text, Loader=_DatesAsText)  # noqa: S506  (a SafeLoader)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The assurance file is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput("The assurance file must be a mapping with a list under `obligations:`.")
    for path, why in unstorable_text(data):
        raise InvalidInput(f"The assurance file's {path} {why}; retype it.")
    try:
        parsed = ObligationsFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problem(exc, data)) from None
    seen: dict[str, int] = {}
    for i, entry in enumerate(parsed.obligations):
        if entry.code in seen:
            raise InvalidInput(
                f"obligations[{i}].code: {entry.code} is in the file twice (also obligations[{seen[entry.code]}]); "
                "give each obligation its own code."
            )
        seen[entry.code] = i
    return parsed


def _problem(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first problem of a failed validation, in the file's own terms (with the obligation's code)."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = list(error["loc"])
    path = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
    if len(loc) >= 2 and isinstance(loc[1], int):
        entries = data.get("obligations")
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        code = entry.get("code") if isinstance(entry, dict) else None
        named = f" ({code.strip()})" if isinstance(code, str) and code.strip() else ""
        path = f"obligations[{loc[1]}]{named}" + "".join(f".{p}" for p in loc[2:])
    if error["type"] == "extra_forbidden":
        keys = KEYS["obligations" if len(loc) > 1 else ""]
        close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"{path}: unknown key in the assurance file{hint}; the keys are {', '.join(keys)}."
    if error["type"] == "missing":
        return f"{path}: missing; every obligation needs code, name, owner and priority, and the file `obligations:`."
    message = str(error["msg"]).removeprefix("Value error, ").rstrip(".")
    if message[1:2].islower():
        message = message[0].lower() + message[1:]
    return f"{path}: {message}."


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load did, by code."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    retired: tuple[str, ...]
    restored: tuple[str, ...]  # retired before, back in this file


def load(session: Session, ws: Workspace, document: str | ObligationsFile, now: datetime) -> Loaded:
    """Make the file's obligations the workspace's (see the module docstring); nothing written on any error."""
    parsed = parse_yaml(document) if isinstance(document, str) else document
    owners = _owners(session, ws, parsed)
    priorities = _priorities(session, ws, parsed)
    existing = {
        o.code: o for o in session.scalars(select(AssuranceObligation).where(AssuranceObligation.workspace_id == ws.id))
    }
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    restored: list[str] = []
    for entry in parsed.obligations:
        values = {
            "name": entry.name,
            "owner_user_id": owners[entry.owner],
            "priority_id": priorities[entry.priority],
            "rrule": entry.rrule or "",
            "start_on": entry.start,
            "due_on": entry.due,
            "evidence": entry.evidence,
            "remind_days": entry.remind_days,
        }
        row = existing.get(entry.code)
        if row is None:
            session.add(AssuranceObligation(workspace_id=ws.id, code=entry.code, loaded_at=now, **values))
            added.append(entry.code)
            continue
        if row.retired_at is not None:
            row.retired_at = None
            restored.append(entry.code)
        changed = any(getattr(row, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(row, k, v)
        (updated if changed else unchanged).append(entry.code)
    in_file = {e.code for e in parsed.obligations}
    retired = sorted(c for c, o in existing.items() if c not in in_file and o.retired_at is None)
    for code in retired:
        existing[code].retired_at = now
    session.flush()
    return Loaded(tuple(added), tuple(updated), tuple(unchanged), tuple(retired), tuple(restored))


def _owners(session: Session, ws: Workspace, parsed: ObligationsFile) -> dict[str, str]:
    """Each owner as the file gives it → a user id; an address the directory does not know is an error."""
    emails = {e.owner for e in parsed.obligations if "@" in e.owner and not MENTION.match(e.owner)}
    found = people.by_email(session, ws, emails)
    out: dict[str, str] = {}
    for i, entry in enumerate(parsed.obligations):
        owner = entry.owner
        mention = MENTION.match(owner)
        if mention:
            out[owner] = mention.group(1)
        elif owner in emails:
            if not EMAIL.match(owner):
                raise InvalidInput(f"obligations[{i}].owner ({entry.code}): {owner} is not an e-mail address.")
            user_id = found.get(owner.lower())
            if user_id is None:
                raise InvalidInput(
                    f"obligations[{i}].owner ({entry.code}): nobody in the people directory has the e-mail "
                    f"address {owner}; {REFRESH}."
                )
            out[owner] = user_id
        elif any(c.isspace() for c in owner) or len(owner) > 64:
            raise InvalidInput(
                f"obligations[{i}].owner ({entry.code}): `{owner}` is neither a user id (e.g. U012ABCDEF) "
                "nor an e-mail address."
            )
        else:
            out[owner] = owner.lower() if ws.platform == "teams" else owner
    return out


def _priorities(session: Session, ws: Workspace, parsed: ObligationsFile) -> dict[str, int]:
    """Each priority code → the active strategy's priority; an unknown one is an error with a suggestion."""
    active = strategy.active(session, ws)
    out: dict[str, int] = {}
    for i, entry in enumerate(parsed.obligations):
        found = strategy.find_priority(active, entry.priority)
        if found is None:
            codes = [p.code for p in active.priorities]
            close = difflib.get_close_matches(entry.priority.upper(), codes, n=1, cutoff=0.5)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise InvalidInput(
                f"obligations[{i}].priority ({entry.code}): `{entry.priority}` is not a priority of the active "
                f"strategy, {active.name}{hint}; the priorities are {strategy.priority_choices(active)}."
            )
        out[entry.priority] = found.id
    return out
