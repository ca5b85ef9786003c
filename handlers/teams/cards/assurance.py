"""The assurance cards: the owner's reminder with its Record result form, and the calendar as a list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.services import people
from bot.services.assurance.reminders import AssuranceDue
from bot.services.assurance.results import ObligationView, Recorded
from handlers.teams.cards.pieces import (
    Card,
    Element,
    make_card,
    rich_block,
    submit_button,
    text_block,
    text_run,
    typed_runs,
)

__all__ = ["ACTION_ASSURANCE_RECORD", "assurance_card", "assurance_list_card", "recorded_card"]

ACTION_ASSURANCE_RECORD = "assurance_record"
OUTCOMES = (("pass", "Pass"), ("fail", "Fail"), ("partial", "Partial"))


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def assurance_card(item: AssuranceDue) -> Card:
    """An owner's assurance reminder: what is due when, the evidence expected, and the result form."""
    headline = f"🛡️ Assurance due **{_day(item.occurrence)}**"
    body: list[Element] = [
        text_block(headline),
        rich_block([*typed_runs(item.code), text_run(" — "), *typed_runs(item.name)]),
    ]
    if item.evidence:
        body.append(rich_block([text_run("Evidence expected: "), *typed_runs(item.evidence)]))
    body += [
        {
            "type": "Input.ChoiceSet",
            "id": "outcome",
            "label": "Result",
            "isRequired": True,
            "choices": [{"title": t, "value": v} for v, t in OUTCOMES],
        },
        {"type": "Input.Text", "id": "note", "label": "Note", "isMultiline": True, "maxLength": 2000},
        {"type": "Input.Text", "id": "url", "label": "Evidence link (http or https)", "maxLength": 1000},
    ]
    data = {
        "action": ACTION_ASSURANCE_RECORD,
        "obligation_id": item.obligation_id,
        "occurrence": item.occurrence.isoformat(),
    }
    return make_card(
        body, [submit_button("Record result", data, style="positive")], fallback=f"Assurance due: {item.code}"
    )


def assurance_list_card(views: Sequence[ObligationView], names: Mapping[str, str]) -> Card:
    """The calendar: code, name, owner by name, next due date, last result and what needs attention."""
    if not views:
        return make_card(
            [
                text_block(
                    "No assurance obligations are loaded; an admin loads them with `ictbot assurance load FILE.yaml`."
                )
            ]
        )
    body: list[Element] = [text_block("**Assurance calendar**")]
    for v in views:
        last = f"{v.last_outcome.value} ({_day(v.last_day)})" if v.last_outcome and v.last_day else "no result yet"
        flags = ", ".join(f for f, on in (("⚠️ overdue", v.overdue), ("❌ failed", v.failed)) if on)
        due = _day(v.next_due) if v.next_due else "none"
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    rich_block([*typed_runs(v.code, weight="bolder"), text_run(" — "), *typed_runs(v.name)]),
                    rich_block(
                        [
                            text_run("Owner: "),
                            *typed_runs(people.display(names.get(v.owner_user_id), v.owner_user_id)),
                            text_run(f" · next due {due} · last result {last}" + (f" · {flags}" if flags else "")),
                        ],
                        spacing="none",
                    ),
                ],
            }
        )
    return make_card(body, fallback="Assurance calendar")


def recorded_card(result: Recorded) -> Card:
    return make_card(
        [
            rich_block(
                [
                    text_run(f"✅ Recorded {result.outcome.value} for "),
                    *typed_runs(result.code),
                    text_run(f", due {_day(result.occurrence)}."),
                ]
            )
        ],
        fallback="Result recorded",
    )
