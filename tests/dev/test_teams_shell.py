"""`ictbot shell --platform teams`: the real Teams app, driven with signed activities, prints what Teams shows."""

from __future__ import annotations

import io

from bot.dev.shell import run_shell
from bot.settings import Settings


def test_the_teams_shell_greets_answers_and_posts_an_update_through_the_card(tmp_path):
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'shell.db'}")
    stdin = io.StringIO("help\nupdate\n:click 1\nNET-01\ngreen\nAll links live\n\n\nmine\n:quit\n")
    out = io.StringIO()

    code = run_shell(settings, stdin=stdin, stdout=out, platform="teams")

    text = out.getvalue()
    assert code == 0
    assert "ICT governance bot" in text  # the greeting at install, then the help card
    assert "(1) Post update" in text  # the update form's button
    assert "Update saved for" in text and "All links live" in text
    assert "HTTP 401" not in text
