"""The log: one physical line a record, whatever a request or an exception put in it; secrets masked."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import logging_setup
from bot.logging_setup import configure, escape

RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")
FORGED = "2026-11-24 09:30:00,000 ERROR ictbot.handlers: the chair approved PCI-06"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The root logger configured as every entry point configures it, writing into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure("DEBUG", stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[str]:
    """The physical lines, split wherever any program might split them (str.splitlines is the widest)."""
    return stream.getvalue().splitlines()


BREAKS = {
    "newline": "\n",
    "carriage-return": "\r",
    "crlf": "\r\n",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
    "file-separator": "\x1c",
    "next-line": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
}


@pytest.mark.parametrize("brk", BREAKS.values(), ids=BREAKS.keys())
def test_a_line_break_in_a_message_cannot_start_a_record(output, brk):
    logging.getLogger("ictbot.test").info("refused update %s", f"NET-01 green{brk}{FORGED}")

    assert len(lines(output)) == 1
    assert RECORD.match(lines(output)[0])
    assert FORGED in lines(output)[0]  # still there to read, inside the one record


def test_control_and_direction_characters_are_shown_escaped(output):
    typed = "a\x1b[2Jb\x00c\x7fd\u202eevil\u2066e\u200bf\tg"
    logging.getLogger("ictbot.test").warning("%s", typed)

    (line,) = lines(output)
    assert line.endswith(r"a\x1b[2Jb\x00c\x7fd\u202eevil\u2066e\u200bf\tg")


def test_a_backslash_is_doubled_so_an_escape_cannot_be_typed(output):
    logging.getLogger("ictbot.test").info("%s", "typed \\n by hand, then a real\nbreak")

    (line,) = lines(output)
    assert line.endswith(r"typed \\n by hand, then a real\nbreak")


def test_ordinary_text_in_any_script_is_left_as_it_is(output):
    logging.getLogger("ictbot.test").info("%s", "Cyngor Sir Ynys Môn — 東京 — 🚦 Amber")

    assert lines(output)[0].endswith("Cyngor Sir Ynys Môn — 東京 — 🚦 Amber")


def test_a_traceback_is_part_of_its_one_record(output):
    try:
        raise ValueError(f"invalid literal for int() with base 10: 'x\n{FORGED}'")
    except ValueError:
        logging.getLogger("ictbot.handlers").exception("unexpected error while handling %s", "/ict-update")

    (line,) = lines(output)
    assert RECORD.match(line)
    assert "unexpected error while handling /ict-update\\nTraceback (most recent call last):\\n  File " in line
    assert f"ValueError: invalid literal for int() with base 10: 'x\\n{FORGED}'" in line


def test_a_stack_is_part_of_its_one_record(output):
    logging.getLogger("ictbot.test").warning("look here", stack_info=True)

    (line,) = lines(output)
    assert "look here\\nStack (most recent call last):\\n" in line


def test_secrets_are_still_masked(output):
    logging.getLogger("ictbot.test").info("token %s\nnext", "xoxb-1234-5678-abcdef")

    (line,) = lines(output)
    assert "xoxb-1234" not in line and "xoxb-[redacted]" in line


def test_escape_is_the_identity_on_plain_text():
    assert escape("plain ASCII, and Môn") == "plain ASCII, and Môn"


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_text_left_as_it_is_without_a_look_up_is_what_the_table_would_leave(text):
    assert escape(text) == text.translate(logging_setup._TABLE)


@pytest.mark.parametrize("token", ["xoxb-1-2-abc", "xoxp-9-x", "xapp-1-A0-99-ff"])
def test_a_token_anywhere_in_a_message_is_masked_and_a_message_without_one_is_untouched(output, token):
    log = logging.getLogger("ictbot.test")
    log.info("before %s, after", token)
    log.info("nothing secret: xo xa %s", "xapp")
    masked, untouched = lines(output)
    assert token not in masked and token[:5] + "[redacted]" in masked
    assert untouched.endswith("nothing secret: xo xa xapp")
