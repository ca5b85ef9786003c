"""The one-line `/ict-update` form."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.quickform import QuickForm, UpdateText, parse
from handlers.slack.blocks.rich_text import rich_blocks
from handlers.slack.wording import SLACK
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


@pytest.mark.parametrize("text", ["NET-01 amber a\x00b", "NET-01 amber bell\x07", "NET-01 amber c1\x85\x9bx"])
def test_control_characters_are_refused(text):
    with pytest.raises(InvalidInput, match="control characters"):
        parse(text)


def test_newlines_and_unicode_are_kept():
    assert parse("NET-01 g Café links ✅\nsecond line").text.progress == "Café links ✅\nsecond line"


# Regressions found by fuzzing (tests/bot/test_quickform_fuzz.py).


@pytest.mark.parametrize("typed", ["<@U0ADMIN>", "<<@U0ADMIN>", "<!channel>", "<https://evil.example|ref>"])
def test_a_bad_reference_is_never_echoed_as_a_live_mention_or_link(typed):
    with pytest.raises(InvalidInput) as err:
        parse(typed)
    assert "is not a project reference" in err.value.message
    elements = [e for b in rich_blocks(SLACK.marked(err.value.text)) for s in b.elements for e in s.elements]
    assert {e.type for e in elements} == {"text"}  # no user, broadcast or link element: nothing live
    assert typed in [e.text for e in elements]  # what was typed, quoted exactly as typed


def test_a_reference_of_control_characters_is_not_echoed():
    with pytest.raises(InvalidInput) as err:
        parse("\x00\x1b")
    assert err.value.message.startswith("That is not a project reference.")


def test_ref_and_rag_may_be_separated_by_newlines_or_tabs():
    form = parse("NET-01\namber\tDid X\nthen Y")
    assert (form.ref, form.text.rag, form.text.progress) == ("NET-01", Rag.AMBER, "Did X\nthen Y")


def test_a_long_run_of_whitespace_is_refused_for_its_length():
    # The section pattern once began with \s*, which made this quadratic (seconds); it is now a single
    # pass. Timing is not asserted here (performance is measured, not asserted in tests).
    with pytest.raises(InvalidInput, match="the limit is 2,000"):
        parse("NET-01 g x" + " " * 50_000 + "x")
