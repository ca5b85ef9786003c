"""The assurance calendar in exports: obligations on their priority (by strategy and code), their results and
reminders by obligation code and occurrence, restored so the restored bot neither loses a result nor
reminds again; the people directory's e-mail addresses with them; an export written before them restores."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.assurance import calendar
from bot.services.assurance import reminders as assurance_reminders
from bot.transfer import restore
from models import AssuranceObligation, Priority, Strategy
from tests.conftest import ADMIN, DELEGATE, OWNER
from tests.transfer.test_restore import (  # noqa: F401  (rich: the fixture)
    EVIL,
    OLIVE,
    REFRESHED,
    TEAM,
    at,
    comparable,
    exported,
    restore_text,
    rich,
    wipe,
)

OLD = "ICT Strategy 2014–2016"
SECTIONS = ("assurance_obligations", "assurance_results", "assurance_reminders")


def _priorities(runtime) -> dict[str, tuple[str, str]]:
    """Each obligation's priority as the database has it: (strategy name, priority code), by code."""
    with runtime.unit(TEAM) as (session, ws):
        rows = session.execute(
            select(AssuranceObligation.code, Strategy.name, Priority.code)
            .join(Priority, Priority.id == AssuranceObligation.priority_id)
            .join(Strategy, Strategy.id == Priority.strategy_id)
            .where(AssuranceObligation.workspace_id == ws.id)
        ).all()
    return {code: (name, priority) for code, name, priority in rows}


def _reminders_due(runtime, when: str) -> list[tuple[str, date]]:
    with runtime.unit(TEAM) as (session, ws):
        due = assurance_reminders.due(session, ws, now=at(when), default_timezone="Europe/London")
    return [(d.code, d.occurrence) for d in due]


def test_the_assurance_calendar_travels_with_its_priorities_results_and_reminders(runtime, engine, rich):  # noqa: F811
    doc = exported(runtime)
    obligations = {o["code"]: o for o in doc["assurance_obligations"]}
    assert [(c, o["strategy"], o["priority_code"]) for c, o in obligations.items()] == [
        ("DR-TEST", REFRESHED["name"], "ARCH"),
        ("IA-VSE", REFRESHED["name"], "ARCH"),  # the refreshed ARCH, not 2014–2016's of the same code
        ("PCI-ASV", REFRESHED["name"], "CLOUD"),
        ("PSN", OLD, "GOV"),  # retired, on the strategy it was loaded under
    ]
    assert obligations["PSN"]["retired_at"] is not None and obligations["PSN"]["evidence"] == EVIL
    assert [(r["obligation_code"], r["occurrence"], r["outcome"]) for r in doc["assurance_results"]] == [
        ("PSN", "2026-06-30", "pass"),
        ("PCI-ASV", "2026-09-30", "fail"),
        ("PCI-ASV", "2026-09-30", "partial"),
    ]
    assert [(r["obligation_code"], r["user_id"], r["status"], r["channel_id"]) for r in doc["assurance_reminders"]] == [
        ("DR-TEST", DELEGATE, "failed", None),
        ("IA-VSE", OWNER, "sent", "D0OWNER"),
    ]
    assert [(p["user_id"], p["email"]) for p in doc["people"]] == [(DELEGATE, ""), (OWNER, OLIVE)]
    before = _priorities(runtime)
    wipe(engine)

    restore_text(runtime, json.dumps(doc, ensure_ascii=False).encode())

    assert comparable(exported(runtime)) == comparable(doc)
    assert _priorities(runtime) == before
    with runtime.unit(TEAM) as (session, ws):
        (pci,) = calendar.standing(session, ws, date(2026, 9, 30), date(2026, 9, 30))
    assert (pci.obligation.code, pci.outcome, pci.recorded_by) == ("PCI-ASV", "partial", ADMIN)  # the latest counts
    # The owners were reminded before the export: the restored bot does not remind them again.
    assert _reminders_due(runtime, "2026-12-07 09:30") == []


def test_without_its_reminders_the_restored_bot_would_remind_again(runtime, engine, rich):  # noqa: F811
    doc = exported(runtime)
    doc["assurance_reminders"] = []
    wipe(engine)

    restore_text(runtime, json.dumps(doc, ensure_ascii=False))

    assert _reminders_due(runtime, "2026-12-07 09:30") == [("DR-TEST", date(2026, 12, 9))]


def test_an_export_written_before_the_assurance_calendar_restores_without_it(runtime, engine, rich):  # noqa: F811
    doc = exported(runtime)
    for name in SECTIONS:
        del doc[name]
    for person in doc["people"]:
        del person["email"]
    wipe(engine)

    restore_text(runtime, json.dumps(doc, ensure_ascii=False))

    again = exported(runtime)
    assert [again[name] for name in SECTIONS] == [[], [], []]
    assert {p["email"] for p in again["people"]} == {""}
    assert comparable({**again, "people": doc["people"]}) == comparable(
        {**doc, **{name: [] for name in SECTIONS}, "people": doc["people"]}
    )


def _twice(section: str, index: int) -> Any:
    def change(doc: dict[str, Any]) -> None:
        doc[section].append(copy.deepcopy(doc[section][index]))

    return change


def _set(section: str, index: int, **values: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        doc[section][index].update(values)

    return change


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        pytest.param(
            _set("assurance_results", 1, obligation_code="NOPE"),
            "assurance_results[1].obligation_code",
            "'NOPE' is not the code of an obligation in the export",
            id="result of an unknown obligation",
        ),
        pytest.param(
            _set("assurance_reminders", 0, obligation_code="PSN-2"),
            "assurance_reminders[0].obligation_code",
            "'PSN-2' is not the code of an obligation in the export",
            id="reminder of an unknown obligation",
        ),
        pytest.param(
            _set("assurance_obligations", 3, priority_code="CLOUD"),
            "assurance_obligations[3].priority_code",
            f"'CLOUD' is not a priority of {OLD!r}",
            id="priority of another strategy",
        ),
        pytest.param(
            _set("assurance_obligations", 0, strategy="Nope"),
            "assurance_obligations[0].strategy",
            "'Nope' is not one of the export's strategies",
            id="unknown strategy",
        ),
        pytest.param(
            _twice("assurance_obligations", 1),
            "assurance_obligations[4]",
            "the obligation code 'IA-VSE' is given twice (also at assurance_obligations[1])",
            id="code twice",
        ),
        pytest.param(
            _twice("assurance_reminders", 1),
            "assurance_reminders[2]",
            "the reminder of the occurrence ('IA-VSE', 2026-12-04) is given twice",
            id="reminder twice",
        ),
        pytest.param(
            _set("assurance_obligations", 1, rrule="FREQ=YEARLY", start_on="2026-12-04"),
            "assurance_obligations[1]",
            "is recurring (rrule and start_on) or once (due_on, with rrule ''): one",
            id="rule and due date",
        ),
        pytest.param(
            _set("assurance_obligations", 2, start_on=None),
            "assurance_obligations[2]",
            "is recurring (rrule and start_on) or once (due_on, with rrule ''): one",
            id="rule without start",
        ),
        pytest.param(
            _set("assurance_obligations", 2, rrule="FREQ=HOURLY"),
            "assurance_obligations[2].rrule",
            "FREQ=HOURLY is not allowed",
            id="bad rule",
        ),
        pytest.param(
            _set("assurance_results", 0, outcome="maybe"),
            "assurance_results[0].outcome",
            "'maybe' is not one of pass, fail, partial",
            id="bad outcome",
        ),
        pytest.param(
            _set("assurance_obligations", 0, remind_days=31),
            "assurance_obligations[0].remind_days",
            "31 is too large: it must be at most 30",
            id="too many days",
        ),
        pytest.param(
            _set("assurance_reminders", 0, status="posted"),
            "assurance_reminders[0].status",
            "'posted' is not one of",
            id="bad status",
        ),
    ],
)
def test_a_bad_assurance_section_is_refused_with_its_path(runtime, engine, rich, change, path, message):  # noqa: F811
    doc = exported(runtime)
    assert [o["code"] for o in doc["assurance_obligations"]] == ["DR-TEST", "IA-VSE", "PCI-ASV", "PSN"]
    change(doc)

    with pytest.raises(restore.InvalidExport) as caught:
        restore.load(json.dumps(doc, ensure_ascii=False))

    assert any(at == path and message in why for at, why in caught.value.problems), caught.value.problems
