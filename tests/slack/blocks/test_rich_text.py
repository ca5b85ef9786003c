"""handlers.slack.blocks.rich_text's own arithmetic: what it builds and counts is what slack_sdk's models would send."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import RichTextBlock

from bot.literal import Span, literal
from handlers.slack.blocks.rich_text import (
    STYLES,
    _block,
    _chunks,
    _element,
    _trimmed,
    fallback_of,
    rich_block_dicts,
    rich_blocks,
    rich_dicts_of,
    size,
)

VALUES = {
    "text": 'Café "quoted" \\ back\nslash 😀 <@U0X> *not bold*',
    "emoji": "white_check_mark",
    "user": "U0OWNER",
    "channel": "C0GOVERN",
    "usergroup": "S0CHAIRS",
}


def test_every_kind_of_run_in_every_style_is_a_valid_element_whose_size_is_its_json_and_a_comma():
    for kind, value in VALUES.items():
        for n in range(len(STYLES) + 1):
            for style in itertools.combinations(STYLES, n):
                run = Span(kind, value, frozenset(style))
                model = RichTextBlock(elements=[{"type": "rich_text_section", "elements": [_element(run)]}])
                [sent] = model.to_dict()["elements"][0]["elements"]
                assert sent == _element(run), (kind, style)
                assert size(run) == len(json.dumps(sent, separators=(",", ":"))) + 1


@given(st.text(), st.sampled_from(list(VALUES)), st.sets(st.sampled_from(STYLES)))
def test_a_runs_size_is_its_elements_json_and_a_comma_whatever_its_value(value, kind, style):
    run = Span(kind, value, frozenset(style))
    assert size(run) == len(json.dumps(_element(run), separators=(",", ":"))) + 1


MARKUP = st.sampled_from(["*bold* ", "_it_ ", "~x~ ", "`code` ", ":tada: ", "<@U0A> ", "<#C0B> ", "\n", "plain "])


@given(st.lists(st.one_of(MARKUP, st.text(max_size=400).map(literal)), max_size=30), st.integers(200, 3000))
def test_the_blocks_built_directly_are_what_slack_sdks_models_send(pieces, limit):
    marked = "".join(pieces)
    built = rich_block_dicts(marked, limit)
    # slack_sdk's own model, given the elements to parse and validate, sends exactly what was built
    assert built == [RichTextBlock(elements=b["elements"]).to_dict() for b in built]
    assert [b.to_dict() for b in rich_blocks(marked, limit)] == built
    assert [RichTextBlock(elements=b.elements).to_dict() for b in rich_blocks(marked, limit)] == built  # as models


RUNS = st.lists(
    st.builds(
        Span,
        st.sampled_from(list(VALUES)),
        st.text(alphabet="ab \n<&>", max_size=40),
        st.frozensets(st.sampled_from(STYLES)),
        st.booleans(),
    ),
    max_size=25,
)


@given(RUNS, st.integers(200, 3000))
def test_runs_that_make_one_block_as_they_are_are_built_as_the_general_way_builds_them(runs, limit):
    general = [block for chunk in _chunks(_trimmed(runs), limit) if (block := _block(chunk)) is not None]
    assert rich_dicts_of(runs, limit) == general


def _first_line_of_the_whole(runs: list[Span]) -> str:
    """fallback_of's text as reading every run gives it: all of them written out, then the first line."""
    written = {"user": "<@{}>", "channel": "<#{}>", "usergroup": "<!subteam^{}>", "emoji": ":{}:"}
    out = [
        s.value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if s.kind == "text"
        else written[s.kind].format(s.value)
        for s in runs
    ]
    return "".join(out).strip().split("\n", 1)[0]


@given(RUNS)
def test_the_notification_text_stops_reading_at_the_end_of_its_first_line_with_the_same_result(runs):
    assert fallback_of(runs) == _first_line_of_the_whole(runs)


def test_pages_keep_a_unit_of_blocks_in_one_message_and_split_one_too_big_for_any():
    from slack_sdk.models.blocks import DividerBlock

    from handlers.slack.blocks.rich_text import MAX_BLOCKS, pages

    def divider(n: int) -> DividerBlock:
        return DividerBlock(block_id=f"b{n}")

    # 49 dividers, then units of three: the unit that would straddle the 50-block line opens the next message
    first = [divider(n) for n in range(49)]
    units = [[divider(100 + 3 * u + k) for k in range(3)] for u in range(3)]
    found = pages([*first, *units], continued=[divider(999)])
    assert [len(p) for p in found] == [49, 1 + 9]  # the continued line, then the three units
    assert found[1][0]["block_id"] == "b999"
    assert [b["block_id"] for b in found[1][1:4]] == ["b100", "b101", "b102"]

    # a unit bigger than any message is split block by block, in order, losing nothing
    huge = [divider(n) for n in range(MAX_BLOCKS + 5)]
    found = pages([huge])
    assert [len(p) for p in found] == [MAX_BLOCKS, 5]
    assert [b["block_id"] for p in found for b in p] == [f"b{n}" for n in range(MAX_BLOCKS + 5)]
