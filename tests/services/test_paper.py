"""The committee paper's settings, periods, narrative and sign-off (bot.services.paper)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.errors import InvalidInput
from bot.services import paper
from bot.services.paper import narrative as narrative_service
from bot.services.paper import settings as settings_service
from models import Rag, ReportSettings
from tests.conftest import ADMIN, OWNER
from tests.helpers import RACERS, count, race, together_at
from tests.slack.commands.test_ict_digest import post_update

TEAM = "T0COUNCIL"
TZ = "Europe/London"
# 2 December 2026: the period being written is the one that ended on 30 September.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
APR_SEP = paper.ReportPeriod(date(2026, 4, 1), date(2026, 9, 30))
OCT_MAR = paper.ReportPeriod(date(2026, 10, 1), date(2027, 3, 31))


# -- settings --------------------------------------------------------------------------------------


def test_no_settings_file_gives_a_paper_that_works():
    s = paper.parse_yaml("")
    assert s.title == "ICT Strategy – Implementation Progress Report"
    assert s.committee == "Audit Committee"
    assert (s.show_refs, s.show_rag, s.implications, s.background_papers) == (True, True, (), ())


def test_every_key_of_the_example_file_is_read():
    from importlib.resources import files

    s = paper.parse_yaml((files("bot") / "data" / "report_settings_example.yaml").read_text(encoding="utf-8"))
    assert s.author.name and s.contact.phone and s.background_papers and s.consultation
    assert [i.heading for i in s.implications][:2] == ["S17 Crime and Disorder", "Health and Well Being"]
    assert (s.show_refs, s.show_rag) == (False, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("comittee: Audit", "comittee: unknown key in the report settings file (did you mean `committee`?)"),
        ("author: {name: Ian, titel: AD}", "author.titel: unknown key in the report settings file (did you mean `t"),
        ("implications: [{heading: Carbon}]", "implications[0].text: field required."),
        ("implications: [{heading: Carbon, text: x, colour: red}]", "implications[0].colour: unknown key"),
        ("show_refs: perhaps", "show_refs: input should be a valid boolean"),
        ("year_start: 02-30", "year_start: must be a day of the year as MM-DD"),
        ("period_months: 5", "period_months: must divide the year"),
        ("- a list", "must be a mapping of keys"),
        ("title: [", "not valid YAML"),
    ],
)
def test_a_bad_settings_file_says_which_key_and_how(text, message):
    with pytest.raises(InvalidInput) as err:
        paper.parse_yaml(text)
    assert message in err.value.message


def test_settings_load_replaces_and_show_gives_them_back(runtime):
    first = paper.parse_yaml("committee: Audit Committee\nauthor: {name: Ian Miles}\n")
    second = paper.parse_yaml("committee: Scrutiny Committee\n")
    with runtime.unit(TEAM) as (session, ws):
        assert settings_service.get(session, ws) == paper.PaperSettings()
        settings_service.load(session, ws, first, now=NOW)
        assert settings_service.get(session, ws).author.name == "Ian Miles"
        settings_service.load(session, ws, second, now=NOW + timedelta(minutes=1))
        got = settings_service.get(session, ws)
    assert got == second and got.author.name == ""
    assert paper.to_yaml(got) == "committee: Scrutiny Committee\n"
    assert "show_rag: true" in paper.to_yaml(got, everything=True)
    with runtime.unit("T0OTHER") as (session, ws):
        assert settings_service.get(session, ws) == paper.PaperSettings()  # scoped to its workspace


# -- periods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "settings", "period"),
    [
        (date(2026, 12, 2), "", OCT_MAR),
        (date(2026, 4, 1), "", APR_SEP),
        (date(2026, 3, 31), "", paper.ReportPeriod(date(2025, 10, 1), date(2026, 3, 31))),
        (
            date(2026, 12, 2),
            "year_start: 01-01\nperiod_months: 12",
            paper.ReportPeriod(date(2026, 1, 1), date(2026, 12, 31)),
        ),
        (
            date(2026, 2, 14),
            "year_start: 01-15\nperiod_months: 1",
            paper.ReportPeriod(date(2026, 1, 15), date(2026, 2, 14)),
        ),
    ],
)
def test_report_periods_follow_the_settings(day, settings, period):
    parsed = paper.parse_yaml(settings)
    assert paper.containing(day, parsed) == period
    assert period.previous(parsed).end == period.start - timedelta(days=1)
    assert period.next(parsed).start == period.end + timedelta(days=1)


def test_the_draft_period_is_the_last_until_it_is_signed_off(runtime):
    with runtime.unit(TEAM) as (session, ws):
        assert paper.draft(session, ws, now=NOW, default_timezone=TZ).period == APR_SEP
        signed = paper.sign_off(session, ws, user_id=ADMIN, now=NOW, default_timezone=TZ)
        assert signed.period == APR_SEP and signed.signoff is not None and signed.signoff.user_id == ADMIN
        assert not signed.changed_since_signoff
        assert paper.draft(session, ws, now=NOW, default_timezone=TZ).period == OCT_MAR


# -- narrative -------------------------------------------------------------------------------------


def test_narrative_keeps_every_revision_and_the_latest_is_current(runtime):
    with runtime.unit(TEAM) as (session, ws):
        where, first, period = paper.write_narrative(
            session, ws, "gov", "The group meets monthly.", author=ADMIN, now=NOW, default_timezone=TZ
        )
        assert (where.key, where.label, first.number, period) == ("GOV", "ICT Governance", 1, APR_SEP)
        paper.write_narrative(
            session,
            ws,
            "ICT governance",
            "  The group meets monthly.\n\nIt approves the Work Plan.  ",
            author=OWNER,
            now=NOW + timedelta(hours=1),
            default_timezone=TZ,
        )
        paper.write_narrative(
            session, ws, "overall", "A revised strategy is being developed.", author=ADMIN, now=NOW, default_timezone=TZ
        )
        current = narrative_service.current(session, ws, APR_SEP.start)
        history = narrative_service.revisions(session, ws, APR_SEP.start, "GOV")
    assert set(current) == {"GOV", "position"}
    assert current["GOV"].text == "The group meets monthly.\n\nIt approves the Work Plan."
    assert (current["GOV"].number, current["GOV"].author) == (2, OWNER)
    assert [(r.number, r.author) for r in history] == [(1, ADMIN), (2, OWNER)]
    assert paper.paragraphs(current["GOV"].text) == ["The group meets monthly.", "It approves the Work Plan."]


def test_empty_narrative_withdraws_it(runtime):
    with runtime.unit(TEAM) as (session, ws):
        paper.write_narrative(session, ws, "GOV", "Words.", author=ADMIN, now=NOW, default_timezone=TZ)
        paper.write_narrative(session, ws, "GOV", "  ", author=ADMIN, now=NOW, default_timezone=TZ)
        assert narrative_service.current(session, ws, APR_SEP.start) == {}
        assert len(narrative_service.revisions(session, ws, APR_SEP.start, "GOV")) == 2


def test_an_unknown_section_names_the_choices_and_writes_nothing(runtime):
    with runtime.unit(TEAM) as (session, ws), pytest.raises(InvalidInput) as err:
        paper.write_narrative(session, ws, "GOVERN", "x", author=ADMIN, now=NOW, default_timezone=TZ)
    assert "`GOVERN` is not a priority of ICT Strategy 2014–2016" in err.value.message
    assert "GOV (ICT Governance)" in err.value.message and "`position`" in err.value.message
    with runtime.unit(TEAM) as (session, ws):
        assert narrative_service.current(session, ws, APR_SEP.start) == {}


def test_narrative_too_long_is_refused(runtime):
    with runtime.unit(TEAM) as (session, ws), pytest.raises(InvalidInput) as err:
        paper.write_narrative(session, ws, "GOV", "x" * 6001, author=ADMIN, now=NOW, default_timezone=TZ)
    assert "6,001 characters" in err.value.message


def test_two_writers_at_once_each_get_a_revision(runtime):
    with runtime.unit(TEAM) as (session, ws):
        pass  # the workspace exists before the race
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def write(text: str) -> None:
        try:
            with runtime.unit(TEAM) as (session, ws):
                narrative_service.current(session, ws, APR_SEP.start)  # both have read before either writes
                barrier.wait()
                paper.write_narrative(session, ws, "GOV", text, author=ADMIN, now=NOW, default_timezone=TZ)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors and runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time; the other's transaction waits for the lock")  # pragma: no cover
    assert errors == []
    with runtime.unit(TEAM) as (session, ws):
        history = narrative_service.revisions(session, ws, APR_SEP.start, "GOV")
    assert sorted(r.number for r in history) == [1, 2]
    assert sorted(r.text for r in history) == ["one", "two"]


# -- sign-off --------------------------------------------------------------------------------------


def test_a_change_after_sign_off_is_noticed(runtime, workplan):
    in_period = datetime(2026, 6, 1, 9, tzinfo=UTC)
    post_update(runtime, TEAM, "NET-01", OWNER, in_period, rag=Rag.GREEN, progress="Switches refreshed")
    with runtime.unit(TEAM) as (session, ws):
        paper.write_narrative(session, ws, "ARCH", "Behind the scenes.", author=ADMIN, now=NOW, default_timezone=TZ)
        signed = paper.sign_off(session, ws, user_id=ADMIN, now=NOW, default_timezone=TZ)
        assert signed.signoff is not None and not signed.changed_since_signoff
        later = NOW + timedelta(days=1)
        assert (
            paper.draft(session, ws, now=later, default_timezone=TZ).changed_before is None
        )  # time alone changes nothing
    # An update posted now is outside the period: the paper is the same.
    post_update(runtime, TEAM, "NET-01", OWNER, NOW + timedelta(days=1), progress="Later")
    with runtime.unit(TEAM) as (session, ws):
        assert paper.draft(session, ws, now=NOW + timedelta(days=2), default_timezone=TZ).changed_before is None
        # The narrative of the signed period changes: the draft (now the running period) says so.
        from bot.services.paper import narrative as n

        n.write(session, ws, APR_SEP.start, n.section(session, ws, "ARCH"), "Changed.", author=OWNER, now=NOW)
        shown = paper.draft(session, ws, now=NOW + timedelta(days=2), default_timezone=TZ)
        assert shown.period == OCT_MAR
        assert shown.changed_before is not None and shown.changed_before.period == APR_SEP
        # Signing off again approves the changed period, not the running one.
        again = paper.sign_off(session, ws, user_id=OWNER, now=NOW + timedelta(days=3), default_timezone=TZ)
        assert again.period == APR_SEP and again.signoff is not None and again.signoff.user_id == OWNER
        assert paper.draft(session, ws, now=NOW + timedelta(days=3), default_timezone=TZ).changed_before is None


@pytest.mark.parametrize(
    ("typed", "key", "rest"),
    [
        ("GOV The group meets.", "GOV", "The group meets."),
        ("ict governance  The group\nmeets.", "GOV", "The group\nmeets."),
        ("ICT Governance", "GOV", ""),
        ("ICT Service Development Progress.", "SD", "Progress."),
        ("position A revised strategy.", "position", "A revised strategy."),
        ("Overall position A revised strategy.", "position", "A revised strategy."),
    ],
)
def test_a_section_is_read_by_its_whole_name_or_its_code(runtime, typed, key, rest):
    with runtime.unit(TEAM) as (session, ws):
        where, text = narrative_service.split(session, ws, typed)
    assert (where.key, text) == (key, rest)


def test_the_same_text_sent_twice_is_one_revision(runtime):
    with runtime.unit(TEAM) as (session, ws):
        for _ in range(2):
            paper.write_narrative(session, ws, "GOV", "Words.", author=ADMIN, now=NOW, default_timezone=TZ)
        assert [r.number for r in narrative_service.revisions(session, ws, APR_SEP.start, "GOV")] == [1]


def test_first_loads_of_the_settings_at_once_leave_one_row_and_no_error(runtime):
    with runtime.unit(TEAM):
        pass  # the workspace exists before the race
    files = [paper.parse_yaml(f"committee: Committee {i}") for i in range(RACERS)]

    def load(i: int) -> None:
        with runtime.unit(TEAM) as (session, ws):
            settings_service.load(session, ws, files[i], now=NOW)

    with together_at(runtime.engine, "INSERT INTO report_settings", RACERS):
        race(RACERS, load)
    assert count(runtime, ReportSettings) == 1
    with runtime.unit(TEAM) as (session, ws):
        assert settings_service.get(session, ws) in files
