"""A workspace's report settings: what goes on the committee paper around the progress it reports.

Loaded from a YAML file (``ictbot report settings load``), checked here (an unknown key is an error that
names where it is), kept as JSON, and read back with defaults for whatever the file left out, so a
report works with no settings at all. ``bot/data/report_settings_example.yaml`` shows every key.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from models import ReportSettings, Workspace
from models.db import unstorable_text, upsert_insert

__all__ = ["Author", "Contact", "Implication", "PaperSettings", "get", "load", "parse_yaml", "to_yaml"]

DEFAULT_TITLE = "ICT Strategy – Implementation Progress Report"
DEFAULT_COMMITTEE = "Audit Committee"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Author(_Strict):
    name: str = Field("", max_length=200)
    title: str = Field("", max_length=200)


class Contact(_Strict):
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=100)
    email: str = Field("", max_length=200)


class Implication(_Strict):
    heading: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=2000)


class PaperSettings(_Strict):
    """Every key a report settings file may have, with the default a report uses without it."""

    title: str = Field(DEFAULT_TITLE, min_length=1, max_length=200)
    committee: str = Field(DEFAULT_COMMITTEE, min_length=1, max_length=200)
    # Who reports, e.g. "The Chief Officers Board (COB)": the purpose then says it reports six-monthly.
    reporting_body: str = Field("", max_length=200)
    author: Author = Author()
    contact: Contact = Contact()
    background_papers: tuple[str, ...] = ()
    implications: tuple[Implication, ...] = ()
    consultation: str = Field("", max_length=2000)
    recommendation: str = Field("", max_length=2000)  # empty: "progress … be noted"
    reasons: str = Field("", max_length=2000)  # empty: "to provide the committee with evidence …"
    show_refs: bool = True  # each activity's Work Plan reference
    show_rag: bool = True  # each activity's RAG status
    show_owners: bool = True  # each activity's owner, by name (never by chat ID)
    # The report periods: ``period_months`` long, the first starting on ``year_start`` (MM-DD) each year.
    year_start: str = Field("04-01", pattern=r"^\d\d-\d\d$")
    period_months: int = Field(6, ge=1, le=12)

    @field_validator("year_start")
    @classmethod
    def _a_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        try:
            date(2001, month, day)  # not a leap year: 02-29 would start no period three years in four
        except ValueError:
            raise ValueError("must be a day of the year as MM-DD, e.g. 04-01") from None
        if day > 28:
            raise ValueError("must be a day no later than the 28th, so every month has it")
        return value

    @field_validator("period_months")
    @classmethod
    def _divides_year(cls, value: int) -> int:
        if 12 % value:
            raise ValueError("must divide the year: 1, 2, 3, 4, 6 or 12")
        return value


KEYS: dict[str, tuple[str, ...]] = {
    "": tuple(PaperSettings.model_fields),
    "author": tuple(Author.model_fields),
    "contact": tuple(Contact.model_fields),
    "implications": tuple(Implication.model_fields),
}


def parse_yaml(text: str) -> PaperSettings:
    """A settings file checked; the error names the key that is wrong and how to put it right."""
    import yaml  # here, as in to_yaml: a server reads and writes no settings file

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The report settings file is not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("The report settings file must be a mapping of keys, e.g. `committee: Audit Committee`.")
    for path, why in unstorable_text(data):
        raise InvalidInput(f"The report settings file's {path} {why}; retype it.")
    try:
        return PaperSettings.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problem(exc)) from None


def _problem(exc: ValidationError) -> str:
    """The first problem of a failed validation, in the settings file's own terms."""
    error = exc.errors()[0]
    loc = [part for part in error["loc"]]
    path = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
    if error["type"] == "extra_forbidden":
        parent = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        keys = KEYS.get(parent, KEYS[""])
        close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"{path}: unknown key in the report settings file{hint}; the keys are {', '.join(keys)}."
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {message[0].lower()}{message[1:]}."


def load(session: Session, ws: Workspace, settings: PaperSettings, *, now: datetime) -> None:
    """Make ``settings`` the workspace's, in place of any loaded before: one upsert, so two first loads
    at once leave one row (the later), not an error."""
    values = {"workspace_id": ws.id, "document": settings.model_dump_json(exclude_defaults=True), "loaded_at": now}
    statement = upsert_insert(session, ReportSettings).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={"document": statement.excluded.document, "loaded_at": statement.excluded.loaded_at},
        )
    )


def get(session: Session, ws: Workspace) -> PaperSettings:
    """The workspace's settings; the defaults where it loaded none."""
    document = session.scalar(select(ReportSettings.document).where(ReportSettings.workspace_id == ws.id))
    return PaperSettings() if document is None else PaperSettings.model_validate_json(document)


def loaded_at(session: Session, ws: Workspace) -> datetime | None:
    return session.scalar(select(ReportSettings.loaded_at).where(ReportSettings.workspace_id == ws.id))


def to_yaml(settings: PaperSettings, *, everything: bool = False) -> str:
    """The settings as a settings file would hold them: the keys set, or with ``everything`` every key."""
    import yaml

    data: dict[str, Any] = settings.model_dump(mode="json", exclude_defaults=not everything)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
