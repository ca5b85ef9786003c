"""`ictbot shell --platform teams`: the real Teams app, driven with signed activities, prints what Teams shows."""

from __future__ import annotations

import io
import logging

from rich.style import Style

from bot.dev.shell import run_shell
from bot.dev.teams_shell import card_lines, teams_markdown
from bot.settings import Settings

TYPED = "**not bold** _not italic_ [a link](https://example.org/x) `not code` ~~kept~~"


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


def test_the_bots_markdown_is_styled_and_what_an_officer_typed_shows_as_typed(tmp_path):
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'shell.db'}")
    stdin = io.StringIO(f"mine\nupdate NET-01 amber {TYPED}\n:quit\n")
    out = io.StringIO()

    assert run_shell(settings, stdin=stdin, stdout=out, platform="teams") == 0

    text = " ".join(out.getvalue().split())  # as one line: the console wraps at 80 columns
    assert "Say help to see" in text and "**help**" not in text  # the greeting's Markdown, as Teams shows it
    assert "Your projects (4)" in text and "**Your projects**" not in text  # a TextBlock's
    assert f"Progress: {TYPED}" in text  # the officer's text: a card's text runs, never read as Markdown


def test_the_shell_keeps_the_sdks_and_httpxs_log_lines_out_and_gives_them_back_after(tmp_path, caplog):
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'shell.db'}")
    caplog.set_level(logging.INFO)

    assert run_shell(settings, stdin=io.StringIO("help\nmine\n:quit\n"), stdout=io.StringIO(), platform="teams") == 0

    libraries = [r for r in caplog.records if r.name.split(".")[0] in ("httpx", "microsoft_teams")]
    assert libraries == []
    assert logging.getLogger("httpx").filters == []  # not silenced for `ictbot serve` in the same process
    logging.getLogger("httpx").info("after the shell")
    assert caplog.records[-1].getMessage() == "after the shell"


def _styles_of(text, word: str) -> set[str]:
    start = text.plain.index(word)
    end = start + len(word)
    return {str(s.style) for s in text.spans if s.start <= start and end <= s.end}


def test_teams_markdown_styles_bold_italics_strike_code_and_shows_a_links_address():
    text = teams_markdown(r"**bold** and _it_ ~~gone~~ `code` [site](https://example.org) \*star\*")

    assert text.plain == "bold and it gone code site (https://example.org) *star*"
    assert _styles_of(text, "bold") == {"bold"}
    assert _styles_of(text, "it") == {"italic"}
    assert _styles_of(text, "gone") == {"strike"}
    assert _styles_of(text, "code") == {"cyan"}
    [link] = [s.style for s in text.spans if text.plain[s.start : s.end] == "site"]
    assert isinstance(link, Style) and link.underline and link.link == "https://example.org"


def test_a_cards_text_runs_show_as_they_are_in_their_styles_and_its_text_blocks_as_markdown():
    card = {
        "body": [
            {"type": "TextBlock", "text": "Post with **update**", "isSubtle": True},
            {
                "type": "RichTextBlock",
                "inlines": [{"type": "TextRun", "text": "By ", "weight": "bolder"}, {"type": "TextRun", "text": TYPED}],
            },
            {"type": "FactSet", "facts": [{"title": "mine", "value": "your _projects_"}]},
        ],
        "actions": [{"type": "Action.Submit", "title": "Post", "data": {"action": "x"}}],
    }

    lines, actions = card_lines(card)

    assert [line.plain for line in lines] == ["Post with update", f"By {TYPED}", "mine: your projects", "(1) Post"]
    assert _styles_of(lines[0], "update") == {"dim", "bold"}
    assert _styles_of(lines[1], "By") == {"bold"} and _styles_of(lines[1], "not bold") == set()
    assert _styles_of(lines[2], "mine") == {"bold"} and _styles_of(lines[2], "projects") == {"italic"}
    assert [a.title for a in actions] == ["Post"]
