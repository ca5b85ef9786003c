"""`ictbot shell`: scripted sessions through the real Bolt app, checked on screen and in the database.

The shell is a local tool on SQLite, so these tests use a SQLite file of their own rather than the
``db_url`` fixture that also runs on PostgreSQL.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.dev.console import EXAMPLE
from bot.dev.shell import run_shell
from bot.dev.terminal import mrkdwn_text
from bot.runtime import Runtime
from bot.services import projects
from bot.settings import Settings
from models import ProgressUpdate, Rag, UpdateSource, make_engine, make_sessionmaker

ALEX, BEA, CHRIS = "U0LOCAL01", "U0LOCAL02", "U0LOCAL03"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich sizes a non-terminal console from COLUMNS: wide enough that no checked line wraps."""
    monkeypatch.setenv("COLUMNS", "200")


@dataclass
class Run:
    code: int
    out: str


@pytest.fixture
def db_file(migrated_sqlite: str) -> str:
    """The shell's database, already migrated (the shell brings a new file's schema up itself, tested in
    tests/scenarios/test_first_use.py)."""
    return migrated_sqlite


def shell(db_file: str, script: str, *, user_id: str = ALEX) -> Run:
    out = io.StringIO()
    settings = Settings(DATABASE_URL=db_file, ICTBOT_ADMINS="")
    code = run_shell(settings, user_id=user_id, stdin=io.StringIO(script), stdout=out)
    return Run(code, out.getvalue())


@pytest.fixture
def db(db_file: str) -> Iterator[Session]:
    """A session on the shell's database, opened after the shell has run."""
    engine = make_engine(db_file)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def stored(session: Session) -> list[ProgressUpdate]:
    """The updates the session's people posted (not the sample's last month, which it imports)."""
    stmt = select(ProgressUpdate).options(selectinload(ProgressUpdate.revisions), selectinload(ProgressUpdate.project))
    stmt = stmt.where(ProgressUpdate.source != UpdateSource.IMPORT)
    return list(session.scalars(stmt.order_by(ProgressUpdate.id)))


def flat(text: str) -> str:
    """The screen without box-drawing and with whitespace collapsed, for phrases that may wrap."""
    for ch in "│╭╮╰╯─":
        text = text.replace(ch, " ")
    return " ".join(text.split())


def test_banner_says_who_you_are_the_database_and_an_example(tmp_path: Path) -> None:
    db_file = f"sqlite:///{tmp_path / 'new.db'}"  # a new file: the shell makes its schema itself
    s = shell(db_file, ":quit\n")
    assert s.code == 0
    banner = s.out.split("Alex Officer ›", 1)[0]
    assert "Acting as  Alex Officer (U0LOCAL01) in Local council (T0LOCAL)" in banner
    assert db_file in banner
    assert "7 projects (the sample Work Plan, loaded just now)" in banner
    assert EXAMPLE in banner
    assert s.out.rstrip().endswith("Bye.")


def test_sample_work_plan_is_loaded_only_into_an_empty_workspace(db_file: str) -> None:
    shell(db_file, ":quit\n")
    again = shell(db_file, ":quit\n", user_id=BEA)
    assert "Acting as  Bea Officer (U0LOCAL02)" in again.out
    assert "Work Plan  7 projects" in again.out
    assert "loaded just now" not in again.out


def test_quick_form_is_stored_and_confirmed_only_to_the_author(db_file: str, db: Session) -> None:
    s = shell(db_file, "/ict-update NET-01 amber Links delayed by the supplier | next: chase BT\n:quit\n")
    assert s.code == 0
    assert "ictbot · only visible to you" in s.out
    assert "✅ Update saved for NET-01 Council network refresh and link upgrades: 🟠 Amber" in s.out
    assert "Next steps: chase BT" in s.out
    [update] = stored(db)
    assert (update.project.ref, update.author_user_id, update.source) == ("NET-01", ALEX, UpdateSource.COMMAND)
    assert (update.current.rag, update.current.progress, update.current.next_steps) == (
        Rag.AMBER,
        "Links delayed by the supplier",
        "chase BT",
    )


def test_typed_markup_and_emoji_codes_are_printed_as_typed_as_slack_shows_them(db_file: str, db: Session) -> None:
    s = shell(db_file, "/ict-update NET-01 red *PCI-06* :large_green_circle: Green (was Red) _x_ `z`\n")
    assert "Progress: *PCI-06* :large_green_circle: Green (was Red) _x_ `z`" in s.out  # rich text: as typed
    assert "✅ Update saved" in s.out  # while the bot's own emoji code is an emoji


def test_typed_mentions_are_shown_inert_as_typed(db_file: str, db: Session) -> None:
    s = shell(db_file, "/ict-update NET-01 red Outage | risks: budget & <!channel>\n")
    assert "Risks/issues: budget & <!channel>" in s.out  # unescaped for the screen, not turned into @channel
    assert "@channel" not in s.out
    assert stored(db)[0].current.risks == "budget & <!channel>"


def test_update_by_someone_not_owner_or_delegate_is_refused_and_nothing_written(db_file: str, db: Session) -> None:
    s = shell(db_file, ":as U0LOCAL03\n/ict-update NET-01 green All done\n:quit\n")
    assert "Now acting as Chris Chair (U0LOCAL03)" in s.out
    assert "Chris Chair › /ict-update NET-01 green All done" in s.out
    assert "Only the owner or a delegate of NET-01 (@Alex Officer, @Bea Officer)" in flat(s.out)
    assert "Update saved" not in s.out
    assert stored(db) == []


def test_command_alone_opens_the_modal_which_is_filled_in_and_stored(db_file: str, db: Session) -> None:
    # Alex's own projects come first: SIP-01, GIS-01, NET-01 (3), EFORM-01; RAG 2 is amber.
    script = "/ict-update\n3\n2\nLinks upgraded at three sites\n\n\n:quit\n"
    s = shell(db_file, script)
    assert "modal · ICT progress update" in s.out
    assert "3  NET-01 — Council network refresh and link upgrades" in s.out
    assert "2  🟠 Amber" in s.out
    assert "Next steps (optional)" in s.out
    assert "→ Post update" in s.out
    assert "ictbot · modal updated: ICT progress update" in s.out
    assert "in #ict-governance · only visible to Alex Officer (U0LOCAL01)" in s.out
    [update] = stored(db)
    assert (update.project.ref, update.source, update.author_user_id) == ("NET-01", UpdateSource.MODAL, ALEX)
    rev = update.current
    assert (rev.rag, rev.progress, rev.next_steps, rev.risks) == (Rag.AMBER, "Links upgraded at three sites", "", "")


def test_required_field_left_empty_is_asked_again_before_submitting(db_file: str, db: Session) -> None:
    s = shell(db_file, "/ict-update\nnet-01\namber\n\nLinks upgraded\n\n\n")
    assert "This field is required." in s.out
    assert s.out.count("→ Post update") == 1
    assert stored(db)[0].current.progress == "Links upgraded"


def test_modal_error_is_shown_on_its_field_and_only_that_field_is_asked_again(db_file: str, db: Session) -> None:
    # Chris owns PCI-01 (1) and EFORM-01 (2); NET-01 is not his, so the app refuses it on the project field.
    script = "/ict-update\nNET-01\n1\nPrinter fleet audited\ntidy up\n\neform\n:quit\n"
    s = shell(db_file, script, user_id=CHRIS)
    error = "✗ Project: Only the owner or a delegate of NET-01 or an ICT admin"
    assert error in s.out
    after = s.out.split(error, 1)[1]
    assert "now: NET-01 — Council network refresh and link upgrades  (Enter keeps it)" in after
    assert "RAG status" not in after and "Progress: what was done" not in after  # kept, not asked again
    assert s.out.count("→ Post update") == 2
    assert "✅ Update saved for EFORM-01 E-forms solution for online services: 🔴 Red" in after
    [update] = stored(db)
    assert (update.project.ref, update.author_user_id, update.source) == ("EFORM-01", CHRIS, UpdateSource.MODAL)
    assert (update.current.progress, update.current.next_steps) == ("Printer fleet audited", "tidy up")


def test_shortcut_prefills_the_modal_with_the_message(db_file: str, db: Session) -> None:
    s = shell(db_file, ":shortcut Finished the GIS upgrade & tested it\nGIS-01\ngreen\n\n\n\n:quit\n")
    assert "From a message by @Alex Officer in #ict-governance." in s.out
    assert "now: Finished the GIS upgrade & tested it" in s.out
    assert "✅ Update saved for GIS-01 GIS tools and systems upgrade: 🟢 Green" in s.out
    [update] = stored(db)
    assert (update.project.ref, update.source) == ("GIS-01", UpdateSource.SHORTCUT)
    assert (update.current.rag, update.current.progress) == (Rag.GREEN, "Finished the GIS upgrade & tested it")


def test_click_presses_a_button_the_bot_posted(db_file: str, db: Session) -> None:
    script = "/ict-update NET-01 amber Links delayed\n:click 1\n\nLinks delayed by a week\n\n\n:quit\n"
    s = shell(db_file, script)
    assert "[ Correct this update ] :click 1" in s.out
    assert "modal · Correct ICT update" in s.out
    assert "now: 🟠 Amber  (Enter keeps it)" in s.out
    assert "✏ Correction saved for NET-01" in s.out
    [update] = stored(db)
    assert [(r.number, r.progress) for r in update.revisions] == [(1, "Links delayed"), (2, "Links delayed by a week")]


def test_cancel_abandons_the_modal_and_nothing_is_written(db_file: str, db: Session) -> None:
    s = shell(db_file, "/ict-update\n3\n:cancel\n/ict-update help\n:quit\n")
    assert "Form abandoned; nothing was submitted." in s.out
    assert "→ Post update" not in s.out
    assert "Post a progress update on an ICT Work Plan project" in s.out  # the shell carried on
    assert stored(db) == []


def test_quit_ends_the_session_and_ignores_what_follows(db_file: str, db: Session) -> None:
    s = shell(db_file, ":quit\n/ict-update NET-01 green Done\n")
    assert s.code == 0
    assert "Update saved" not in s.out
    assert stored(db) == []


def test_end_of_input_ends_the_session_like_quit(db_file: str) -> None:
    s = shell(db_file, "/ict-update help")  # no newline, then EOF
    assert s.code == 0
    assert "Post a progress update on an ICT Work Plan project" in s.out


def test_unknown_command_shows_bolts_http_status(db_file: str) -> None:
    s = shell(db_file, "/ict-nonsense now\n:frobnicate\nhello\n")
    assert 'HTTP 404 · {"error": "unhandled request"}' in s.out
    assert "The app has no listener for /ict-nonsense" in s.out
    assert ":frobnicate is not a console command" in s.out
    assert "Slash commands start with /" in s.out


def test_large_work_plan_is_searched_through_the_app(db_file: str, db: Session) -> None:
    rows = ["ref,title,priority,owner"] + [f"P-{i:03d},Project number {i},ARCH,{ALEX}" for i in range(120)]
    runtime = Runtime.from_settings(Settings(DATABASE_URL=db_file))
    with runtime.unit("T0LOCAL", team_name="Local council") as (session, ws):
        projects.import_csv(session, ws, "\n".join(rows), resolve_emails=None, now=runtime.now())
    runtime.engine.dispose()

    s = shell(db_file, "/ict-update\nnumber 11\n1\na\nSwitched over\n\n\n:quit\n")
    assert "120 projects" in s.out and "loaded just now" not in s.out
    assert "search › number 11" in s.out
    assert "1  P-011 — Project number 11" in s.out
    assert "P-020" not in s.out  # only what the app's search returned
    [update] = stored(db)
    assert (update.project.ref, update.current.rag, update.current.progress) == ("P-011", Rag.AMBER, "Switched over")


def test_mrkdwn_is_rendered_for_a_terminal() -> None:
    text = mrkdwn_text(
        "*Bold* _it_ `code` <@U0LOCAL01> <#C0GOVERN> <https://x.example|the plan> "
        "&lt;!here&gt; a &amp; b :white_check_mark:",
        users={"U0LOCAL01": "Alex Officer"},
        channels={"C0GOVERN": "ict-governance"},
    )
    assert text.plain == "Bold it code @Alex Officer #ict-governance the plan (https://x.example) <!here> a & b ✅"
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles["Bold"] == "bold" and styles["it"] == "italic"


def test_home_shows_the_home_tab_and_its_buttons_press_as_on_home(db_file: str, db: Session) -> None:
    s = shell(db_file, ":home\n:click 1\n:cancel\n:home\n:quit\n")
    assert "Home of Alex Officer (U0LOCAL01)" in s.out
    assert "ICT governance" in s.out and "Your projects" in s.out
    assert "[ Post update ] :click 1" in s.out and "[ History ]" in s.out
    assert "(pressing “Post update”)" in s.out
    assert "modal · ICT progress update" in s.out  # opened from Home, on that project
    assert "Home was published less than a minute ago" in s.out  # opened again within the minute
    assert stored(db) == []
