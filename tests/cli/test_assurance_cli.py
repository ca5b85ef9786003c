"""`ictbot assurance load/list`: the example file loads (owners by e-mail), a wrong file loads nothing and
says where on stderr with exit status 2, and the list shows each obligation with its owner by name."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

from bot.services import people
from models import AssuranceObligation
from tests.cli.conftest import rows
from tests.cli.test_digest_cli import ok

TEAM = "T0COUNCIL"
EXAMPLE = files("bot") / "data" / "assurance_example.yaml"


def with_directory(runtime, clock):
    clock.now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with runtime.unit(TEAM) as (session, ws):
        people.record(
            session,
            ws,
            [
                people.Entry("U0SECURE", "Sam Secure", email="ict.security@example.gov.uk"),
                people.Entry("U0INFRA", "Ines Infra", email="ict.infrastructure@example.gov.uk"),
            ],
            now=clock.now,
        )


def test_the_example_loads_and_lists_with_owners_by_name(ictbot, runtime, clock):
    with_directory(runtime, clock)
    out = ok(ictbot("assurance", "load", str(EXAMPLE), "--team", TEAM))
    assert "3 added" in out
    assert "3 unchanged" in ok(ictbot("assurance", "load", str(EXAMPLE), "--team", TEAM))
    listed = ok(ictbot("assurance", "list", "--team", TEAM))
    for text in ("PCI-ASV", "PSN", "IA-VSE", "Sam Secure", "Ines Infra", "2026-12-31", "2027-02-26"):
        assert text in listed


def test_a_wrong_file_loads_nothing_and_exits_2_saying_where(ictbot, runtime, clock, engine, tmp_path):
    with_directory(runtime, clock)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXAMPLE.read_text(encoding="utf-8").replace("remind_days: 10", "remind_dayz: 10"))
    result = ictbot("assurance", "load", str(wrong), "--team", TEAM)
    assert result.exit_code == 2
    assert "obligations[0] (PCI-ASV).remind_dayz: unknown key" in result.stderr
    assert "did you mean `remind_days`?" in result.stderr
    assert rows(engine, AssuranceObligation) == 0


def test_an_unknown_e_mail_says_to_refresh_the_directory(ictbot, runtime, clock, engine):
    clock.now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with runtime.unit(TEAM):
        pass
    result = ictbot("assurance", "load", str(EXAMPLE), "--team", TEAM)
    assert result.exit_code == 2
    assert "ict.security@example.gov.uk" in result.stderr and "ictbot people refresh" in result.stderr
    assert rows(engine, AssuranceObligation) == 0
