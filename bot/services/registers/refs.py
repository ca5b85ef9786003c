"""How people name a register's rows: ``R12`` (a risk), ``I7`` (an issue), ``A3`` (an action), ``D5`` (a
decision): the row's id with its letter, typed with or without the letter, in either case."""

from __future__ import annotations

import re

from bot.errors import InvalidInput
from bot.wording import Text

RISK, ISSUE, ACTION, DECISION = "R", "I", "A", "D"
NAMES = {RISK: "risk", ISSUE: "issue", ACTION: "action", DECISION: "decision"}
_ID = re.compile(r"#?([A-Za-z]?)(\d{1,9})")


def label(letter: str, row_id: int) -> str:
    """``R12`` for risk 12."""
    return f"{letter}{row_id}"


def parse(typed: str, letter: str) -> int:
    """The id in ``typed`` (``R12``, ``r12``, ``12``); a clear error for anything else, or another letter."""
    found = _ID.fullmatch(typed.strip())
    if found is None or (found.group(1) and found.group(1).upper() != letter):
        raise InvalidInput(
            Text(
                "`{typed}` is not {a} {noun} number: type it as shown in the list, e.g. `{example}`.",
                typed=typed.strip()[:40],
                a="an" if NAMES[letter][0] in "aeiou" else "a",
                noun=NAMES[letter],
                example=label(letter, 12),
            )
        )
    return int(found.group(2))
