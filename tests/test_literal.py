"""bot.literal: the invisible characters removed from officer text, and typed text marked inside the bot's markup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import literal as literal_module
from bot.literal import CLOSE, OPEN, Span, literal, spans, typed, unmarked, visible
from bot.wording import Text
from handlers.slack.wording import SLACK
from handlers.teams.wording import TEAMS


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Green\u202e (was Red)\u202c", "Green (was Red)"),  # right-to-left override and its pop
        ("\u2066isolated\u2069 \u2067rtl\u2069 \u2068first\u2069", "isolated rtl first"),
        ("\u200eLRM \u200fRLM \u061cALM", "LRM RLM ALM"),
        ("zero\u200bwidth\u200c non\u2060joiner\ufeff", "zerowidth nonjoiner"),
        ("soft\u00adhyphen and \u3164filler", "softhyphen and filler"),
        ("tags\U000e0041\U000e0042 smuggled", "tags smuggled"),
        ("bell\x07 escape\x1b[31m delete\x7f c1\x85", "bell escape[31m delete c1"),
        ("windows\r\nmac\rline\u2028para\u2029end", "windows\nmac\nline\npara\nend"),
        ("tab\tand newline\nkept", "tab\tand newline\nkept"),
        (
            "family 👨\u200d👩\u200d👧 and rainbow 🏳\ufe0f\u200d🌈",
            "family 👨\u200d👩\u200d👧 and rainbow 🏳\ufe0f\u200d🌈",
        ),
        ("England 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", None),  # a flag: kept whole
        ("a\u200db", "ab"),  # a joiner between letters joins nothing a reader sees
        ("Café ✅ Ünïcödé, 中文, العربية", None),
    ],
)
def test_visible_removes_what_a_reader_cannot_see_and_nothing_else(typed, shown):
    assert visible(typed) == (typed if shown is None else shown)


def _visible_by_the_patterns(text: str) -> str:
    return literal_module._INVISIBLE.sub(literal_module._keep, literal_module._NEWLINE.sub("\n", text))


@pytest.mark.parametrize("code", range(128))
def test_ascii_text_left_unscanned_is_exactly_what_the_patterns_would_leave(code):
    text = f"a{chr(code)}b\r\n{chr(code)}"
    assert visible(text) == _visible_by_the_patterns(text)
    assert typed(text) == literal_module._NONCHARACTER.sub("", _visible_by_the_patterns(text))


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_visible_and_typed_agree_with_the_patterns_on_any_text(text):
    assert visible(text) == _visible_by_the_patterns(text)
    assert typed(text) == literal_module._NONCHARACTER.sub("", _visible_by_the_patterns(text))


def test_literal_text_cannot_open_or_close_a_mark():
    typed = f"evil {CLOSE} *bold* {OPEN}x"
    marked = "*label* " + literal(typed)
    assert [(s.value, s.literal) for s in spans(marked)] == [
        ("label", False),
        (" ", False),
        ("evil  *bold* x", True),  # the marks typed are gone; the rest, markup included, is text
    ]
    assert unmarked(marked) == "*label* evil  *bold* x"


def test_the_bots_markup_is_read_at_word_boundaries_and_typed_text_never():
    marked = (
        "*Progress* (" + literal("Jo *x*") + "): `{update} " + literal("a`b") + "` ICTBOT_ADMINS at 10:00:00 "
        ":tada: <@U0OWNER> <#C0GOVERN|ict> <!subteam^S0CHAIRS|@chairs>"
    )
    assert spans(marked) == [
        Span("text", "Progress", frozenset({"bold"})),
        Span("text", " ("),
        Span("text", "Jo *x*", literal=True),
        Span("text", "): "),
        Span("text", "{update} ", frozenset({"code"})),
        Span("text", "a`b", frozenset({"code"}), literal=True),  # inside the bot's code span: code, as typed
        Span("text", " ICTBOT_ADMINS at 10:00:00 "),
        Span("emoji", "tada"),
        Span("text", " "),
        Span("user", "U0OWNER"),
        Span("text", " "),
        Span("channel", "C0GOVERN"),
        Span("text", " "),
        Span("usergroup", "S0CHAIRS"),
    ]


def test_a_domain_messages_values_are_marked_and_its_template_is_markup():
    text = Text("`{typed}` is not a number; try `{meeting} next 6`.", typed="*6* <!channel>")
    assert SLACK.marked(text) == f"`{literal('*6* <!channel>')}` is not a number; try `/ict-meeting next 6`."
    assert TEAMS.marked(text) == f"`{literal('*6* <!channel>')}` is not a number; try `meeting next 6`."
    assert SLACK(text) == "`*6* <!channel>` is not a number; try `/ict-meeting next 6`."  # the CLI's plain words
    own = Text.literal("Added `NET-01`.") + Text(" Owner {people}.", people="<@U1>").owning("people")
    assert SLACK.marked(own) == "Added `NET-01`. Owner <@U1>."  # the bot's own words stay markup
