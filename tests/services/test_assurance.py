"""The assurance calendar's service, called directly: the file checked whole (unknown keys, owners,
priorities, rules), a reload in place that retires and brings back codes, recording a result against the
occurrence it answers (and who may), and the list with next due date and standing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib.resources import files

import pytest
from sqlalchemy import select

from bot.errors import InvalidInput, NotAllowed
from bot.services import people, roles
from bot.services.assurance import loader, results
from bot.services.assurance.results import UnknownObligation
from models import AssuranceObligation, AssuranceOutcome, AssuranceResult, Role
from tests.conftest import OWNER, STRANGER

TEAM = "T0COUNCIL"
OTHER = "T0ELSEWHERE"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
EXAMPLE = (files("bot") / "data" / "assurance_example.yaml").read_text(encoding="utf-8")
SECURITY, INFRA = "U0SECURE", "U0INFRA"


def directory(session, ws):
    people.record(
        session,
        ws,
        [
            people.Entry(SECURITY, "Sam Secure", email="ICT.Security@example.gov.uk"),
            people.Entry(INFRA, "Ines Infra", email="ict.infrastructure@example.gov.uk"),
        ],
        now=NOW,
    )


def one(**fields):
    entry = {"code": "SCAN", "name": "Scan", "owner": OWNER, "priority": "GOV", "due": "2027-01-15", **fields}
    lines = "\n".join(f"    {k}: {v}" for k, v in entry.items() if v is not None)
    return "obligations:\n  - " + lines.lstrip()


def obligations(runtime):
    with runtime.sessions() as session:
        return {
            o.code: (o.owner_user_id, o.rrule, o.start_on, o.due_on, o.remind_days, o.loaded_at, o.retired_at)
            for o in session.scalars(select(AssuranceObligation))
        }


def test_the_example_file_loads_with_owners_found_by_their_e_mail_addresses(runtime):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loaded = loader.load(session, ws, EXAMPLE, NOW)
    assert loaded.added == ("PCI-ASV", "PSN", "IA-VSE")
    rows = obligations(runtime)
    assert rows["PCI-ASV"][:5] == (SECURITY, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", date(2026, 3, 31), None, 10)
    assert rows["IA-VSE"][:5] == (INFRA, "", None, date(2027, 2, 26), 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            one(remind_dayz=3),
            "obligations[0] (SCAN).remind_dayz: unknown key in the assurance file (did you mean `remind_days`?)",
        ),
        ("obligation: []", "obligation: unknown key in the assurance file (did you mean `obligations`?)"),
        (
            one(priority="GOVV"),
            "`GOVV` is not a priority of the active strategy, ICT Strategy 2014–2016 (did you mean `GOV`?)",
        ),
        (
            one(owner="nobody@example.gov.uk"),
            "nobody in the people directory has the e-mail address nobody@example.gov.uk; run `ictbot people refresh`",
        ),
        (one(rrule="FREQ=QUARTERLY", start="2027-01-01", due=None), "FREQ=QUARTERLY is not allowed"),
        (one(rrule="FREQ=MONTHLY"), "give either `rrule` with `start` (recurring) or `due` (once), not both"),
        (one(due=None), "give either `rrule` with `start` (recurring) or `due` (once)"),
        (one(rrule="FREQ=MONTHLY", due=None), "a recurring obligation needs `start`"),
        (one(remind_days=31), "remind_days: input should be less than or equal to 30"),
        (one(due="2027-02-30"), "obligations[0] (SCAN).due:"),
        (
            one() + "\n  - code: scan\n    name: Again\n    owner: U0X\n    priority: GOV\n    due: 2027-01-01",
            "SCAN is in the file twice",
        ),
        ("- just a list", "must be a mapping with a list under `obligations:`"),
    ],
)
def test_a_wrong_file_is_refused_with_where_and_why_and_nothing_is_written(runtime, text, expected):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, one(code="KEEP"), NOW)
    with pytest.raises(InvalidInput) as caught, runtime.unit(TEAM) as (session, ws):
        loader.load(session, ws, text, NOW)
    assert expected in caught.value.message
    assert set(obligations(runtime)) == {"KEEP"}
    assert obligations(runtime)["KEEP"][6] is None


def test_a_reload_updates_in_place_retires_what_is_gone_and_brings_a_returning_code_back(runtime):
    later, latest = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 5, tzinfo=UTC)
    both = one() + "\n  - code: GONE\n    name: Gone\n    owner: U0X\n    priority: GOV\n    due: 2027-01-01"
    with runtime.unit(TEAM) as (session, ws):
        loader.load(session, ws, both, NOW)
    with runtime.unit(TEAM) as (session, ws):
        loaded = loader.load(session, ws, one(remind_days=2), later)
    assert (loaded.updated, loaded.retired) == (("SCAN",), ("GONE",))
    rows = obligations(runtime)
    assert rows["SCAN"][4:] == (2, NOW, None)
    assert rows["GONE"][6] == later
    with runtime.unit(TEAM) as (session, ws):
        loaded = loader.load(session, ws, both, latest)
    assert (loaded.restored, loaded.unchanged, loaded.updated) == (("GONE",), ("GONE",), ("SCAN",))
    assert obligations(runtime)["GONE"][5:] == (NOW, None)


def test_a_result_answers_the_latest_occurrence_due_by_today_else_the_next(runtime):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, EXAMPLE, NOW)
    with runtime.unit(TEAM) as (session, ws):
        before = results.record(session, ws, "psn", "pass", "Submitted early", "", SECURITY, NOW)
        quarter = results.record(
            session, ws, "PCI-ASV", "FAIL", "Two findings", "https://evidence.example/asv", SECURITY, NOW
        )
    assert (before.occurrence, quarter.occurrence) == (date(2027, 6, 30), date(2026, 9, 30))
    assert quarter.outcome is AssuranceOutcome.FAIL


@pytest.mark.parametrize(
    ("code", "outcome", "url", "error", "expected"),
    [
        ("PCI-ASX", "pass", "", UnknownObligation, "There is no assurance obligation `PCI-ASX`. Did you mean PCI-ASV?"),
        ("PSN", "passed", "", InvalidInput, "`passed` is not a result; give one of pass, fail, partial."),
        ("PSN", "pass", "javascript:alert(1)", InvalidInput, "is not a web address"),
        ("PSN", "pass", "ftp://x.example/r", InvalidInput, "is not a web address"),
    ],
)
def test_a_wrong_result_is_refused_and_nothing_recorded(runtime, code, outcome, url, error, expected):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, EXAMPLE, NOW)
    with pytest.raises(error) as caught, runtime.unit(TEAM) as (session, ws):
        results.record(session, ws, code, outcome, "", url, SECURITY, NOW)
    assert expected in caught.value.message
    with runtime.sessions() as session:
        assert session.scalars(select(AssuranceResult)).all() == []


def test_only_the_owner_a_chair_or_an_admin_may_record(runtime):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, EXAMPLE, NOW)
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by="cli", now=NOW)
    with pytest.raises(NotAllowed), runtime.unit(TEAM) as (session, ws):
        results.record(session, ws, "PSN", "pass", "", "", STRANGER, NOW)
    with runtime.unit(TEAM) as (session, ws):
        results.record(session, ws, "PSN", "pass", "", "", "U0CHAIR", NOW)
        results.record(session, ws, "PSN", "partial", "", "", "U0ADMIN", NOW, env_admins=["U0ADMIN"])
        results.record(session, ws, "PSN", "pass", "", "", SECURITY, NOW)
    with runtime.sessions() as session:
        assert [r.recorded_by for r in session.scalars(select(AssuranceResult).order_by(AssuranceResult.id))] == [
            "U0CHAIR",
            "U0ADMIN",
            SECURITY,
        ]


def test_another_workspace_s_codes_are_not_found(runtime):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, EXAMPLE, NOW)
    with pytest.raises(UnknownObligation), runtime.unit(OTHER) as (session, ws):
        results.record(session, ws, "PSN", "pass", "", "", "U0ADMIN", NOW, env_admins=["U0ADMIN"])


def test_the_list_shows_next_due_last_result_and_what_is_overdue_or_failed(runtime):
    with runtime.unit(TEAM) as (session, ws):
        directory(session, ws)
        loader.load(session, ws, EXAMPLE, NOW)
        results.record(session, ws, "PCI-ASV", "fail", "Findings", "", SECURITY, NOW)
    with runtime.unit(TEAM) as (session, ws):
        listed = {v.code: v for v in results.list_view(session, ws, date(2027, 3, 1))}
    asv, audit, psn = listed["PCI-ASV"], listed["IA-VSE"], listed["PSN"]
    assert (asv.next_due, asv.last_day, asv.last_outcome, asv.failed) == (
        date(2027, 3, 31),
        date(2026, 9, 30),
        AssuranceOutcome.FAIL,
        True,
    )
    assert asv.overdue  # 31 December passed without a result
    assert (audit.next_due, audit.overdue, audit.failed, audit.last_outcome) == (None, True, False, None)
    assert (psn.next_due, psn.overdue, psn.failed, psn.priority_code) == (date(2027, 6, 30), False, False, "GOV")
