"""The README's "Try it" walk, typed into `ictbot shell` as written there: every role through a monthly cycle.

The commands are read from the README's first ``text`` block, so the README and this test cannot drift.
The shell starts on a fixed clock; the sample's meeting then falls on Tue 1 Dec 2026 (10 days on is
30 Nov, a day not every month has, so the 1st), with reminders 5 and 1 working days before at 09:30
and the digest 1 working day before at 12:00.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dev.console import ESCAPING_COMMANDS, slack_mentions
from bot.dev.sample import LOCAL_USERS, SAMPLE_BY, sample_meeting_day
from bot.dev.shell import run_shell
from bot.settings import Settings
from models import (
    DigestPost,
    ProgressUpdate,
    Project,
    Rag,
    Role,
    RoleGrant,
    UpdateSource,
    make_engine,
    make_sessionmaker,
)
from models.scheduling import Reminder, ReminderKind, ReminderStatus
from tests.conftest import Databases

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday
ALEX, BEA, CHRIS, DANA = "U0LOCAL01", "U0LOCAL02", "U0LOCAL03", "U0LOCAL04"
# A line of the walk: a prompt (a person's name, or a form field's), "›", what is typed, an optional "← note".
TYPED = re.compile(r"^[^›]*›[ ]?(?P<typed>.*?)(?:\s+←.*)?$")


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def readme_walk() -> list[str]:
    """What the README's "Try it" section says to type, line by line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        m = TYPED.match(line)
        assert m is not None, f"not a typed line: {line!r}"
        lines.append(m["typed"].rstrip())
    return lines


def screens(out: str) -> list[str]:
    """The output after each typed line (index 0: the banner)."""
    return re.split(r"\n(?=(?:Alex Officer|Bea Officer|Chris Chair|Dana Admin) › )", out)


def flat(text: str) -> str:
    for ch in "│╭╮╰╯─":
        text = text.replace(ch, " ")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def walked(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Session]]:
    """The walk, typed once for the tests that read what it showed and stored."""
    url = databases.sqlite(tmp_path_factory.mktemp("walk") / "walk.db")
    out = io.StringIO()
    settings = Settings(DATABASE_URL=url, ICTBOT_ADMINS="")
    script = "\n".join(readme_walk()) + "\n"
    code = run_shell(settings, stdin=io.StringIO(script), stdout=out, clock=lambda: START)
    assert code == 0
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield out.getvalue(), session
    engine.dispose()


def after(out: str, typed: str, nth: int = 1) -> str:
    """The screen after the ``nth`` line that typed ``typed``."""
    found = [s for s in screens(out) if s.split("\n", 1)[0].endswith(f"› {typed}")]
    assert len(found) >= nth, f"{typed!r} was not typed {nth} times"
    return flat(found[nth - 1])


def test_the_sample_meets_ten_days_on_a_day_every_month_has() -> None:
    assert sample_meeting_day(START.date()) == 1  # 30 Nov: not in February
    assert sample_meeting_day(datetime(2026, 11, 2).date()) == 12


def test_the_readme_walk_plays_every_role_through_a_month(walked: tuple[str, Session]) -> None:
    out, db = walked
    # Who is who: the officers own projects, Chris chairs, Dana is the admin; the sample granted both.
    who = after(out, ":as")
    assert "Chris Chair (U0LOCAL03) — owner of PCI-01, EFORM-01 · chair" in who
    assert "Dana Admin (U0LOCAL04) — admin" in who
    assert "Alex Officer (U0LOCAL01) — owner of SIP-01, GIS-01, NET-01 · delegate on EFORM-01 :as bea" in who
    sample_grants = db.execute(select(RoleGrant.user_id, RoleGrant.role).where(RoleGrant.granted_by == SAMPLE_BY))
    assert set(sample_grants) == {(CHRIS, Role.CHAIR), (DANA, Role.ADMIN)}

    # The officer: a one-line update and one through the form.
    assert "Update saved for NET-01" in after(
        out, "/ict-update NET-01 amber Core links delayed by the supplier | next: chase BT"
    )
    assert "Update saved for SIP-01 ICT Service Improvement Programme: 🟢 Green" in after(out, "/ict-update")

    # The chair sees the calendar the sample set up, and the clock's next moments.
    assert "Tue 1 Dec 2026, 10:00 GMT" in after(out, "/ict-meeting")
    clock = after(out, ":time")
    assert "Now Fri 20 Nov 2026 09:00 GMT" in clock
    assert "2026-11-24 09:30 reminders (5 working days before)" in clock
    assert "2026-11-30 09:30 reminders (1 working day before) and the chairs' notice" in clock
    assert "2026-11-30 12:00 the digest in #ict-governance" in clock

    # First reminders, at the first stage's time: one to each officer with a stale project, and once.
    first = after(out, ":time next", 1)
    assert first.startswith("Chris Chair › :time next 🕘 Tue 24 Nov 2026 09:30 GMT: a reconcile pass sent 3 reminders.")
    for name in ("Alex Officer (U0LOCAL01)", "Bea Officer (U0LOCAL02)", "Chris Chair (U0LOCAL03)"):
        assert first.count(f"message in a direct message to {name}") == 1
    assert "GIS-01 GIS tools and systems upgrade Last update 6 Oct 2026" in first
    assert "NET-01" not in first.split("direct message to Alex Officer")[1].split("direct message to")[0]  # updated

    # Chris presses "No change this month" on Alex's GIS-01: pressed as Alex, the RAG carried forward.
    clicked = after(out, ":click 30")
    assert "pressing “No change this month” as Alex Officer (U0LOCAL01), whose direct message it is" in clicked
    assert "Recorded no change this month for GIS-01: 🟠 Amber carried forward." in clicked
    gis = db.scalar(select(Project).where(Project.ref == "GIS-01"))
    assert gis is not None
    carried = db.scalars(
        select(ProgressUpdate).where(ProgressUpdate.project_id == gis.id).order_by(ProgressUpdate.id)
    ).all()[-1]
    assert (carried.author_user_id, carried.source, carried.current.rag) == (ALEX, UpdateSource.REMINDER, Rag.AMBER)
    assert carried.created_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

    # The last stage and the chairs' notice: GIS-01 is no longer chased.
    second = after(out, ":time next", 2)
    assert "🕘 Mon 30 Nov 2026 09:30 GMT: a reconcile pass sent 3 reminders, the chairs' notice to 1 chair." in second
    assert "GIS-01" not in second.split("direct message to Alex Officer")[1].split("direct message to")[0]
    assert "ICT governance group, 1 Dec 2026 10:00: 3 active projects still have no update" in second

    # The digest, in the governance channel, at its time.
    third = after(out, ":time next", 3)
    assert "🕘 Mon 30 Nov 2026 12:00 GMT: a reconcile pass sent the digest." in third
    assert "message in #ict-governance" in third
    assert db.scalar(select(DigestPost.status)) is not None

    # Each reminder went once, and was recorded as sent.
    rows = db.execute(select(Reminder.user_id, Reminder.stage, Reminder.kind, Reminder.status)).all()
    assert sorted((u, s) for u, s, k, _ in rows if k is ReminderKind.OWNER) == [
        (ALEX, "1d@0930"),
        (ALEX, "5d@0930"),
        (BEA, "1d@0930"),
        (BEA, "5d@0930"),
        (CHRIS, "1d@0930"),
        (CHRIS, "5d@0930"),
    ]
    assert [(u, s) for u, s, k, _ in rows if k is ReminderKind.CHAIR] == [(CHRIS, "chair")]
    assert {st for *_, st in rows} == {ReminderStatus.SENT}

    # The chair's Home, then the admin's: roles listed, a chair granted with @Bea.
    assert "Post digest" in after(out, ":home", 1)
    roles = after(out, "/ict-role")
    assert "@Dana Admin" in roles and "@Chris Chair" in roles
    assert "@Bea Officer is now a chair" in after(out, "/ict-role grant @Bea chair")
    assert db.scalar(select(RoleGrant.granted_by).where(RoleGrant.user_id == BEA)) == DANA
    assert "Preview reminders" in after(out, ":home", 2)
    assert out.rstrip().endswith("Bye.")


def test_time_refuses_bad_input_and_going_back(migrated_sqlite: str) -> None:
    out = io.StringIO()
    settings = Settings(DATABASE_URL=migrated_sqlite, ICTBOT_ADMINS="")
    script = ":time 24/11/2026\n:time 2026-11-19 09:00\n:time 2026-11-23 08:00\n:time 2026-11-22 08:00\n"
    run_shell(settings, stdin=io.StringIO(script), stdout=out, clock=lambda: START)
    text = flat(out.getvalue())
    assert "'24/11/2026' is not a time: give it as YYYY-MM-DD HH:MM" in text
    assert "The shell's clock only moves forward: it is Fri 20 Nov 2026 09:00 GMT." in text
    assert "🕘 Mon 23 Nov 2026 08:00 GMT: a reconcile pass ran; nothing was due." in text
    assert "it is Mon 23 Nov 2026 08:00 GMT" in text


def test_typed_mentions_become_slacks_and_unknown_ones_stay() -> None:
    users = dict(LOCAL_USERS)
    channels = {"C0GOVERN": "ict-governance"}
    assert slack_mentions("grant @bea chair", users, channels) == "grant <@U0LOCAL02> chair"
    assert slack_mentions("grant @Bea Officer chair", users, channels) == "grant <@U0LOCAL02> chair"
    assert slack_mentions("channel #ICT-Governance.", users, channels) == "channel <#C0GOVERN|ict-governance>."
    assert slack_mentions("@nobody #elsewhere a@bea &lt;@bea", users, channels) == "@nobody #elsewhere a@bea &lt;@bea"
    assert slack_mentions("@Beatrice", users, channels) == "@Beatrice"


def test_the_shell_converts_mentions_only_where_slack_escapes_them() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    escaping = {c["command"] for c in manifest["features"]["slash_commands"] if c.get("should_escape")}
    assert escaping == ESCAPING_COMMANDS
