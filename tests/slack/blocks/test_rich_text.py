"""handlers.slack.blocks.rich_text's own arithmetic: what it builds and counts is what slack_sdk's models would send."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.literal import Span, literal
from handlers.slack.blocks.rich_text import STYLES, _element, rich_block_dicts, rich_blocks, size

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
                [block] = rich_blocks(literal(value) if kind == "text" else "x")  # a block to hold it
                model = type(block)(elements=[{"type": "rich_text_section", "elements": [_element(run)]}])
                [sent] = model.to_dict()["elements"][0]["elements"]
                assert sent == _element(run), (kind, style)
                assert size(run) == len(json.dumps(sent, separators=(",", ":"))) + 1


MARKUP = st.sampled_from(["*bold* ", "_it_ ", "~x~ ", "`code` ", ":tada: ", "<@U0A> ", "<#C0B> ", "\n", "plain "])


@given(st.lists(st.one_of(MARKUP, st.text(max_size=400).map(literal)), max_size=30), st.integers(200, 3000))
def test_the_blocks_built_directly_are_what_slack_sdks_models_send(pieces, limit):
    marked = "".join(pieces)
    assert rich_block_dicts(marked, limit) == [b.to_dict() for b in rich_blocks(marked, limit)]
