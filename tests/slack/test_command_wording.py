"""Slack answers in Slack's words (``/ict-…``), and what an officer typed is never read as a placeholder."""

from __future__ import annotations

import pytest

from bot.errors import UnknownProject
from bot.literal import literal
from bot.wording import PLACEHOLDERS, PLAIN, People, Text
from handlers.slack.wording import SLACK
from handlers.teams.wording import TEAMS
from tests.conftest import OWNER
from tests.helpers import last_reply, shown
from tests.slack.commands.test_ict_meeting import chair  # noqa: F401  (the fixture)


def test_both_platforms_word_every_placeholder_and_teams_names_no_slash_command():
    assert set(SLACK.words) == set(TEAMS.words) == set(PLACEHOLDERS)
    assert all("/ict-" not in word for word in TEAMS.words.values())
    assert SLACK(Text("`{update} mine`")) == "`/ict-update mine`"
    assert TEAMS(Text("`{update} mine`")) == "`update mine`"


def test_people_are_named_in_each_platforms_own_way_and_never_as_typed_text():
    text = Text("Ask `{ref}`{people} for it.", ref="<@U0EVIL>", people=People(("U0OWNER", "U0DELEG")))
    assert SLACK.marked(text) == f"Ask `{literal('<@U0EVIL>')}` (<@U0OWNER>, <@U0DELEG>) for it."
    assert TEAMS.marked(text) == f"Ask `{literal('<@U0EVIL>')}` for it."  # no mention syntax from a service
    assert PLAIN(text) == "Ask `<@U0EVIL>` (U0OWNER, U0DELEG) for it."
    joined = text + Text(" Then type `{update}`.")
    assert SLACK(joined) == "Ask `<@U0EVIL>` (<@U0OWNER>, <@U0DELEG>) for it. Then type `/ict-update`."


def test_values_with_braces_are_inserted_as_they_are():
    text = Text("`{typed}` is not understood. Type `{meeting}`.", typed="{meeting} {0} {x!r} }{")
    assert SLACK(text) == "`{meeting} {0} {x!r} }{` is not understood. Type `/ict-meeting`."
    assert TEAMS(Text.literal("{update}")) == "{update}"
    assert UnknownProject("{update}", []).message.startswith("There is no project `{update}` in the Work Plan.")


def test_a_template_naming_an_unknown_value_or_a_value_named_like_a_placeholder_is_refused():
    with pytest.raises(ValueError, match="neither placeholders nor values"):
        Text("{nobody}")
    with pytest.raises(ValueError, match="named like a placeholder"):
        Text("{update}", update="x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("series {update} {0}", "`{update}` is not understood here. Usage: `/ict-meeting series RULE"),
        ("next {meeting}", "`{meeting}` is not a number of meetings; give 1 to 12, e.g. `/ict-meeting next 6`."),
        ("move", "Usage: `/ict-meeting move YYYY-MM-DD"),
    ],
)
def test_slack_meeting_mistakes_name_the_slash_command_and_show_braces_as_typed(slack, standin, chair, text, expected):  # noqa: F811
    slack.command("/ict-meeting", text, user_id=chair)
    assert expected in shown(last_reply(standin))


def test_slack_digest_period_mistake_names_the_slash_command(slack, standin):
    slack.command("/ict-digest", "since {digest}", user_id=OWNER)
    assert (
        "`since {digest}` is not a period I understand. Usage: `/ict-digest` (since the last meeting), "
        "`/ict-digest from YYYY-MM-DD to YYYY-MM-DD`, or `/ict-digest help`."
    ) in shown(last_reply(standin))


def test_slack_unknown_project_names_the_slash_commands(slack, standin):
    slack.command("/ict-update", "NOPE-99 green Done", user_id=OWNER)
    assert "Type `/ict-update mine` to see your projects or `/ict-project list` for all of them." in shown(
        last_reply(standin)
    )
