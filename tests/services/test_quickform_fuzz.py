"""Hostile input for the `/ict-update` quick form, fuzzed with hypothesis.

Three properties:

1. ``parse`` on any text (full unicode, control characters, huge inputs, and Slack's escaping of
   ``&``, ``<``, ``>`` undone by ``unescape_slack``) returns a form within the limits or raises
   ``InvalidInput`` with a short, clear message; nothing else escapes.
2. Lines built from known parts (ref, RAG spelling, sections in any order and label spelling) parse
   back into those parts.
3. Through the real Bolt app, any `/ict-update` text gets 200 and an ephemeral, non-empty answer; only
   a valid update to a project the user may update writes a row; no ping typed by the user comes back
   live in the answer.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.dev.local import LocalSlack
from bot.dev.standin import SlackStandIn
from bot.errors import InvalidInput
from bot.render.jinja import unescape_slack
from bot.runtime import Runtime
from bot.services.quickform import _REF, LIMITS, QuickForm, parse
from handlers.slack.replies import APOLOGY
from models import ProgressUpdate, Rag
from tests.conftest import OWNER, STRANGER
from tests.helpers import count
from tests.helpers import replies as answers

ALLOWED_CONTROL = {"\n", "\t", "\r"}
RAG_SPELLINGS = {Rag.RED: ("red", "r"), Rag.AMBER: ("amber", "a"), Rag.GREEN: ("green", "g")}
NEXT_LABELS = ("next", "next steps", "Next  Steps", "NEXT")
RISK_LABELS = ("risks", "risk", "issues", "risks/issues", "Risks / Issues", "RISK")
# A user id no fixture user has: if it ever comes back as a live mention, the input put it there.
FUZZ_USER = "U0FUZZ9"


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc"} - ALLOWED_CONTROL


# --- strategies -------------------------------------------------------------------------------------

# Pieces that steer the parser into its interesting branches.
FRAGMENTS = st.sampled_from(
    [
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "|",
        " | ",
        "next:",
        "next steps:",
        "risks:",
        "risks/issues:",
        "issues :",
        "help",
        "mine",
        "edit",
        "fix",
        "correct",
        "NET-01",
        "net-01",
        "r",
        "a",
        "g",
        "amber",
        "RED",
        "<!channel>",
        "<!here>",
        f"<@{FUZZ_USER}>",
        "<https://example.com|click>",
        "&amp;",
        "&lt;",
        "&gt;",
        "*bold*",
        "`code`",
        "\x00",
        "\x07",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\u2028",
        "\u202e",
        "\ufeff",
        "é",
        "✅",
        "👩‍💻",
    ]
)
fragmented = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=30).map("".join)
# Huge inputs: a short piece repeated up to 20,000 characters, cheap to generate and to shrink.
huge = st.tuples(st.text(min_size=1, max_size=12), st.integers(min_value=1, max_value=20_000)).map(
    lambda t: (t[0] * (20_000 // len(t[0]) + 1))[: t[1]]
)
prefixed = st.tuples(
    st.sampled_from(["", "NET-01 ", "NET-01 amber ", "edit NET-01 g ", "x y ", "NET-01 g done | next: "]),
    st.one_of(st.text(), fragmented, huge),
).map("".join)
any_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Cc", "Zs", "Zl", "Zp", "Cf"]), max_size=50),
    fragmented,
    huge,
    prefixed,
)


# --- property 1: nothing but InvalidInput ever escapes ------------------------------------------------


def check_parse(raw: str) -> QuickForm | InvalidInput:
    try:
        form = parse(raw)
    except InvalidInput as err:
        message = err.message
        assert message, f"empty message for {raw!r}"
        assert str(err) == message
        assert len(message) < 1_000, f"{len(message)}-character message for {raw[:80]!r}"
        assert "Traceback" not in message and 'File "' not in message
        assert not controls(message), f"control characters echoed in {message!r}"
        return err
    assert form.kind in {"modal", "help", "mine", "update", "edit", "history"}
    if form.kind == "modal":
        assert raw.strip() == ""
    if form.kind == "history":  # `history REF [N]`: a reference and how many, as typed
        assert _REF.fullmatch(form.ref) and form.text is None
        return form
    if form.kind in {"modal", "help", "mine"}:
        assert form.ref == "" and form.text is None
        return form
    assert _REF.fullmatch(form.ref), f"bad ref {form.ref!r}"
    assert form.ref == form.ref.upper()
    assert form.text is not None
    assert isinstance(form.text.rag, Rag)
    assert form.text.progress
    for name, limit in LIMITS.items():
        value = getattr(form.text, name)
        assert len(value) <= limit, f"{name} is {len(value)} characters"
        assert value == value.strip()
        assert not controls(value), f"{name} keeps control characters {controls(value)!r}"
    return form


@settings(max_examples=500, deadline=None)
@given(any_text)
@example("NET-01\n amber x")
@example("<@U0ADMIN>")
@example("NET-01 g ok\x85ok")
@example("\x00\x01")
@example("NET-01 g x" + " " * 20_000 + "x")
def test_parse_never_raises_anything_but_invalid_input(raw: str) -> None:
    check_parse(raw)
    # What Slack sends for the same typing, with its escaping undone as the handler does.
    check_parse(unescape_slack(slack_escape(raw)))


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_slack_escaping_round_trips(raw: str) -> None:
    assert unescape_slack(slack_escape(raw)) == raw


# --- property 2: structured lines parse back into their parts ------------------------------------------

refs = st.from_regex(re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}"), fullmatch=True).filter(
    lambda r: r.lower() not in {"help", "mine", "edit", "correct", "fix"}
)
rag_and_word = st.sampled_from(list(RAG_SPELLINGS)).flatmap(
    lambda rag: st.tuples(
        st.just(rag),
        st.sampled_from(RAG_SPELLINGS[rag]).flatmap(
            lambda w: st.lists(st.booleans(), min_size=len(w), max_size=len(w)).map(
                lambda ups: "".join(c.upper() if up else c for c, up in zip(w, ups, strict=True))
            )
        ),
    )
)
# Section text: printable, no `|` (so it cannot start a section), not blank.
words = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="|"), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


@settings(max_examples=300, deadline=None)
@given(
    ref=refs,
    rag=rag_and_word,
    progress=words,
    sections=st.lists(st.tuples(st.sampled_from(["next_steps", "risks"]), words), max_size=2, unique_by=lambda t: t[0]),
    edit=st.sampled_from(["", "edit ", "Correct ", "FIX "]),
    data=st.data(),
)
def test_structured_lines_parse_back(
    ref: str, rag: tuple[Rag, str], progress: str, sections: list[tuple[str, str]], edit: str, data: Any
) -> None:
    gaps = data.draw(st.lists(st.sampled_from([" ", "  ", "\t", "\n", " \n "]), min_size=2, max_size=2))
    line = f"{edit}{ref}{gaps[0]}{rag[1]}{gaps[1]}{progress}"
    for field, text in sections:
        label = data.draw(st.sampled_from(NEXT_LABELS if field == "next_steps" else RISK_LABELS))
        spacing = data.draw(st.sampled_from([(" ", " "), ("", ""), ("  ", "\t")]))
        line += f"{spacing[0]}|{spacing[1]}{label}{spacing[0]}:{spacing[1]}{text}"
    form = parse(line)
    assert form.kind == ("edit" if edit else "update")
    assert form.ref == ref.upper()
    assert form.text is not None
    assert form.text.rag is rag[0]
    assert form.text.progress == progress.strip()
    expected = dict.fromkeys(("next_steps", "risks"), "") | {f: t.strip() for f, t in sections}
    assert form.text.next_steps == expected["next_steps"]
    assert form.text.risks == expected["risks"]
    # The same line as Slack sends it.
    assert parse(unescape_slack(slack_escape(line))) == form


# --- property 3: through the real Bolt app -------------------------------------------------------------

OWNED = {"NET-01", "MOB-01"}  # OWNER's projects in the `workplan` fixture
app_text = st.one_of(
    any_text,
    st.tuples(
        st.sampled_from(["NET-01", "mob-01", "PCI-01", "NOPE-99", "edit NET-01", "TRN-01"]),
        st.sampled_from(["amber", "G", "r", "purple", ""]),
        st.one_of(st.text(max_size=60), fragmented),
    ).map(" ".join),
)
LIVE_PING = re.compile(r"<(?:!channel|!here|!everyone|!subteam|@" + FUZZ_USER + r")")


@pytest.mark.parametrize("user_id", [OWNER, STRANGER])
def test_any_text_through_the_app_gets_a_clear_answer(
    slack: LocalSlack, standin: SlackStandIn, runtime: Runtime, workplan: dict[str, int], user_id: str
) -> None:
    # The fixtures are built once for the whole run; each example counts what it added.
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(app_text)
    @example(f"NET-01 amber <!channel> <@{FUZZ_USER}> ping | next: <!here>")
    @example(f"<@{FUZZ_USER}>")
    @example("<!channel>")
    def run(text: str) -> None:
        assume(text.strip() != "")  # an empty command opens the modal instead of answering
        rows = count(runtime, ProgressUpdate)
        before = len(answers(standin))
        typed = unescape_slack(slack_escape(text))
        try:
            form: QuickForm | None = parse(typed)
        except InvalidInput:
            form = None

        response = slack.command("/ict-update", text, user_id=user_id)

        assert response.status == 200
        sent = answers(standin)
        if form is not None and form.kind == "modal":
            return
        assert len(sent) == before + 1, f"expected one answer to {text!r}"
        reply = sent[-1]
        assert reply.get("response_type") == "ephemeral"
        assert reply.get("text", "").strip(), f"empty answer to {text!r}"
        everything = reply["text"] + "\n".join(
            str(b.get("text", {}).get("text", "")) for b in reply.get("blocks") or []
        )
        assert not LIVE_PING.search(everything), f"live ping in the answer to {text!r}: {everything!r}"
        assert reply["text"] != APOLOGY, f"an unexpected error answering {text!r}"
        wrote = form is not None and form.kind == "update" and user_id == OWNER and form.ref in OWNED
        assert count(runtime, ProgressUpdate) == rows + (1 if wrote else 0), f"rows changed by {text!r}"

    run()
