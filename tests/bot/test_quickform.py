"""The one-line `/ict-update` form."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.quickform import QuickForm, UpdateText, parse
from models import Rag


def test_empty_text_asks_for_the_modal():
    assert parse("   ") == QuickForm("modal")


@pytest.mark.parametrize("word", ["help", "HELP", "Help"])
def test_help_in_any_case(word):
    assert parse(word).kind == "help"


def test_ref_is_upper_cased_and_sections_split():
    form = parse("net-01 a Core links delayed | Next Steps: chase supplier | Risks/Issues: budget")
    assert form == QuickForm(
        "update",
        ref="NET-01",
        text=UpdateText(rag=Rag.AMBER, progress="Core links delayed", next_steps="chase supplier", risks="budget"),
    )


@pytest.mark.parametrize(("label", "field"), [("next", "next_steps"), ("risk", "risks"), ("issues", "risks")])
def test_section_aliases(label, field):
    text = parse(f"NET-01 g done | {label}: x").text
    assert getattr(text, field) == "x"


def test_a_pipe_that_starts_no_section_stays_in_the_text():
    assert parse("NET-01 g A|B testing | not a label").text.progress == "A|B testing | not a label"


def test_repeated_sections_are_joined():
    assert parse("NET-01 g x | next: one | next: two").text.next_steps == "one two"


def test_edit_aliases():
    assert parse("correct NET-01 r fixed").kind == "edit"
    assert parse("fix NET-01 r fixed").ref == "NET-01"


@pytest.mark.parametrize("text", ["NET-01 amber a\x00b", "NET-01 amber bell\x07"])
def test_control_characters_are_refused(text):
    with pytest.raises(InvalidInput, match="control characters"):
        parse(text)


def test_newlines_and_unicode_are_kept():
    assert parse("NET-01 g Café links ✅\nsecond line").text.progress == "Café links ✅\nsecond line"
