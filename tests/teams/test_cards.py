"""Adaptive Cards for Teams: valid against the 1.5 schema, inside Teams' size limit, officer text as typed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace as with_
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from jsonschema import Draft6Validator

from bot.literal import literal
from bot.runtime import Runtime
from bot.services import digest as digest_service
from bot.services import projects, updates, workspaces
from bot.services.projects import ProjectView
from bot.services.quickform import UpdateText
from bot.services.registers.chase import ChasedAction, ChasedRisk
from bot.services.reminders import Due, StaleProject
from handlers.teams import cards
from handlers.teams.cards import pieces
from handlers.teams.messages import handle_submit, handle_text
from models import ProjectStatus, Rag, UpdateSource
from models.scheduling import ReminderKind
from tests.render.test_docx_report import sample_digest
from tests.teams.test_messages import CHAIR, OWNER, OWNER_ID, TENANT, make_workspace

SCHEMA = Path(__file__).parent / "data" / "adaptive-card-1.5.json"
HOSTILE = (
    "*PCI-06* :large_green_circle: Green (was Red)\n> _x_ ~y~ `z` <@U0ADMIN> <!channel> <at>Olive</at> "
    "[click](https://evil.example) https://evil.example **b** <script>x</script> &#60; {{DATE(2017-02-14T06:08:39Z)}}"
)


@cache
def validator() -> Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


@cache
def compiled() -> Callable[[Any], Any]:
    """The same schema compiled to Python (fastjsonschema): it answers valid or not a tenth as slowly, names
    no part, and (``use_default=False``) adds none of the schema's defaults to the card."""
    return fastjsonschema.compile(json.loads(SCHEMA.read_text(encoding="utf-8")), use_default=False)


def check(card: dict[str, Any]) -> dict[str, Any]:
    """Valid Adaptive Card 1.5 and within the size limit."""
    try:
        compiled()(card)
    except fastjsonschema.JsonSchemaValueException:  # jsonschema says where
        errors = sorted(validator().iter_errors(card), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        raise
    assert card["version"] == "1.5"
    assert cards.card_size(card) <= cards.MAX_CARD_BYTES
    assert len(json.dumps(card, ensure_ascii=False).encode()) <= 28_000
    return card


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text, RichTextBlock's runs (joined, as a reader sees them) and FactSet's title and
    value, in order."""
    found: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if element.get("type") == "TextBlock":
                found.append(element["text"])
            elif element.get("type") == "RichTextBlock":
                found.append("".join(run["text"] for run in element["inlines"]))
            elif element.get("type") == "FactSet":
                for fact in element["facts"]:
                    found.extend([fact["title"], fact["value"]])
            for value in element.values():
                if isinstance(value, list | dict):
                    walk(value)
        elif isinstance(element, list):
            for item in element:
                walk(item)

    walk(card["body"])
    return found


def markdown_texts(card: dict[str, Any]) -> list[str]:
    """Every text Teams reads as markdown: TextBlocks' text and FactSets' titles and values."""
    found: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if element.get("type") == "TextBlock":
                found.append(element["text"])
            elif element.get("type") == "FactSet":
                found.extend(t for fact in element["facts"] for t in (fact["title"], fact["value"]))
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for item in element:
                walk(item)

    walk(card.get("body"))
    return found


def _elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every element of the card's body, containers' items included, in order."""
    found: list[dict[str, Any]] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            found.append(element)
            for key in ("items", "columns"):
                walk(element.get(key) or [])
        elif isinstance(element, list):
            for item in element:
                walk(item)

    walk(card.get("body"))
    return found


def runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every TextRun of the card's RichTextBlocks, in order."""
    found: list[dict[str, Any]] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if element.get("type") == "RichTextBlock":
                found.extend(element["inlines"])
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for item in element:
                walk(item)

    walk(card.get("body"))
    return found


def assert_shown_literally(card: dict[str, Any], typed: str) -> None:
    """``typed`` is in the card as typed, in text runs (which Teams shows as they are) cut only between the
    braces of ``{{``, and in no text Teams reads as markdown."""
    blocks = [b for b in _elements(card) if b.get("type") == "RichTextBlock"]
    joined = "\n".join("".join(run["text"] for run in b["inlines"]) for b in blocks)  # a line a block
    assert typed in joined
    assert all("{{" not in run["text"] for run in runs(card))
    for line in typed.split("\n"):
        assert all(line[:20] not in t for t in markdown_texts(card)), line


def buttons(card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if element.get("type") == "Action.Submit":
                found.append((element["title"], element["data"]))
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for item in element:
                walk(item)

    walk(card.get("body"))
    walk(card.get("actions"))
    return found


# -- typed text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda card: card["body"][0].update(type="TextBlox"),
        lambda card: card["body"][0].update(weight="heavy"),
        lambda card: card["actions"][0].update(title=7),
    ],
)
def test_the_check_refuses_a_card_the_schema_does_not_allow_and_changes_none(change):
    card = pieces.make_card([pieces.text_block("Hello")], [pieces.submit_button("Go", {"a": 1})])
    as_made = json.dumps(card)
    assert json.dumps(check(card)) == as_made  # no default of the schema's added
    change(card)
    with pytest.raises(AssertionError, match="is not valid"):
        check(card)


def test_a_notice_shows_typed_text_in_text_runs_exactly_as_typed_without_invisible_characters():
    card = check(cards.notice_card(f"`{literal(HOSTILE + chr(0x202E))}` is not a project reference."))
    assert_shown_literally(card, HOSTILE)
    assert "\u202e" not in json.dumps(card, ensure_ascii=False)
    assert markdown_texts(card) == []  # the whole message is runs: the bot's words too
    [code, *_] = [r for r in runs(card) if r.get("fontType") == "monospace"]
    assert code["text"] == "*PCI-06* :large_green_circle: Green (was Red)"  # the first line, as code
    assert [r["text"] for r in runs(card) if "DATE(" in r["text"]] == ["{DATE(2017-02-14T06:08:39Z)}}"]


# -- the update form -------------------------------------------------------------------------------


def view(i: int, owner: str = "someone", title: str = "Project") -> ProjectView:
    return ProjectView(
        id=i,
        ref=f"P-{i:03d}",
        title=title,
        priority_code="ARCH",
        priority_name="Architecture",
        priority_position=1,
        owner=owner,
        delegates=(),
        service_area="",
        status=ProjectStatus.ACTIVE,
        target_date=None,
        completed_on=None,
        last_update_at=None,
        last_rag=None,
    )


def test_update_form_is_valid_with_own_projects_first_and_slacks_limits():
    card = check(cards.update_form([view(1), view(2, owner="me"), view(3)], "me", error="Choose red <at>x</at>"))
    body = card["body"]
    assert body[1]["type"] == "RichTextBlock" and {r["color"] for r in body[1]["inlines"]} == {"attention"}
    assert_shown_literally(card, "Choose red <at>x</at>")
    project = next(e for e in body if e.get("id") == "project")
    assert [c["value"] for c in project["choices"]] == ["2", "1", "3"]
    assert project["value"] == "2"  # their only project
    limits = {e["id"]: e.get("maxLength") for e in body if e["type"] == "Input.Text"}
    assert limits == {"progress": 2000, "next_steps": 1000, "risks": 1000}


def test_update_form_with_too_many_projects_for_one_card_says_how_many_are_left_out():
    many = [view(i, title="A long project title " * 4) for i in range(1, 600)]
    card = check(cards.update_form([view(9999, owner="me"), *many], "me"))
    project = next(e for e in card["body"] if e.get("id") == "project")
    assert project["choices"][0]["value"] == "9999"
    left_out = 600 - len(project["choices"])
    assert left_out > 0
    assert any(f"{left_out} more projects are not listed" in t for t in texts(card))


# -- the reminder ----------------------------------------------------------------------------------


def due(n: int, *, user: str = OWNER_ID) -> Due:
    start = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    return Due(
        workspace_id=1,
        team_id=TENANT,
        timezone="Europe/London",
        meeting_id=77,
        meeting_starts_at=start,
        period_start=start - timedelta(days=28),
        user_id=user,
        kind=ReminderKind.OWNER,
        stage="5d@0930",
        due_at=start - timedelta(days=7),
        projects=tuple(
            StaleProject(
                project_id=100 + i,
                ref=f"NET-{i:02d}",
                title=f"Network [x](http://e) **{i}**",
                owner=user if i % 2 else "someone-else",
                last_update_at=start - timedelta(days=40) if i % 3 else None,
                last_rag=Rag.AMBER if i % 3 else None,
            )
            for i in range(1, n + 1)
        ),
    )


def test_reminder_card_has_slacks_content_and_three_buttons():
    card = check(cards.reminder_card(due(2)))
    shown = texts(card)
    assert shown[0] == "👋 The ICT governance group meets on **8 Dec 2026 10:00**."
    assert shown[1] == (
        "These 2 projects have no update since the last meeting (10 Nov 2026 10:00). "
        "Please post one so the chair has a complete picture."
    )
    assert shown[2] == "NET-01 Network [x](http://e) **1**"  # as typed, in text runs
    assert_shown_literally(card, "Network [x](http://e) **1**")
    assert shown[3] == "Last update 29 Oct 2026 10:00: 🟠 Amber"
    assert shown[4].endswith(" (you are a delegate)")
    assert buttons(card) == [
        ("Post update", {"action": "open_update_form", "project_id": 101, "src": "reminder"}),
        ("No change this month", {"action": "reminder_no_change", "project_id": 101, "meeting_id": 77}),
        ("Post update", {"action": "open_update_form", "project_id": 102, "src": "reminder"}),
        ("No change this month", {"action": "reminder_no_change", "project_id": 102, "meeting_id": 77}),
        ("Remind me tomorrow", {"action": "reminder_snooze", "meeting_id": 77}),
    ]
    assert card["fallbackText"] == "The ICT governance group meets on 8 Dec 2026 10:00."


def test_reminder_card_for_thirty_projects_names_the_rest_without_buttons():
    card = check(cards.reminder_card(due(30)))
    assert len([b for b in buttons(card) if b[0] == "Post update"]) == 23
    assert any(t.startswith("…and 7 more without an update: NET-24, NET-25") for t in texts(card))
    assert check(cards.reminder_card(due(24))) and len(buttons(cards.reminder_card(due(24)))) == 49


def test_reminder_card_buttons_drive_the_listeners(runtime: Runtime, clock):
    ws, ids = make_workspace(runtime, TENANT)
    handle_text(runtime, ws, OWNER, "update NET-01 green Done", clock())
    from tests.teams.test_messages import _next_meeting_id  # the meeting the reminder is for

    item = due(1)
    meeting = _next_meeting_id(runtime, ws)
    item = Due(
        **{
            **{f: getattr(item, f) for f in item.__dataclass_fields__},
            "meeting_id": meeting,
            "projects": (StaleProject(ids["NET-01"], "NET-01", "Network", OWNER_ID, None, None),),
        }
    )
    card = cards.reminder_card(item)
    clock.advance(days=1)
    answers = [handle_submit(runtime, ws, OWNER, dict(data), clock()) for _, data in buttons(card)]
    assert answers[0].card is not None and answers[0].card_error is None
    check(answers[0].card)
    assert answers[1].card is not None and "carried forward" in texts(check(answers[1].card))[0]
    assert answers[2].text is not None and answers[2].text.startswith("⏰")


# -- the digest ------------------------------------------------------------------------------------

FILLER = "Work went on: **done** [x](http://e) <at>all</at> <!channel> _it_ & more; "


def long_text(tag: str, limit: int) -> str:
    words = f"{tag}-start "
    i = 0
    while len(words) < limit - 40:
        words += f"{FILLER}{tag}-{i} "
        i += 1
    return (words + f"{tag}-end")[:limit]


@pytest.fixture
def big_digest(runtime: Runtime, clock) -> digest_service.Digest:
    """200 projects, each with an update at the length limits, full of markup."""
    with runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, TENANT, platform="teams", now=clock())
        prios = ["ARCH", "BD", "GOV", "WF", "SD"]
        for i in range(200):
            p = projects.add(
                s,
                ws,
                ref=f"P-{i:03d}",
                title=f"Project {i} [t](http://e) *{i}*",
                priority=prios[i % 5],
                owner=OWNER_ID,
                now=clock(),
            )
            if i % 10 == 9:
                continue  # missing
            text = UpdateText(
                rag=list(Rag)[i % 3],
                progress=long_text(f"p{i}", 2000),
                next_steps=long_text(f"n{i}", 1000),
                risks=long_text(f"r{i}", 1000),
            )
            updates.post(s, ws, p, user_id=OWNER_ID, is_admin=True, text=text, source=UpdateSource.MODAL, now=clock())
        built = digest_service.build(s, ws, start=None, end=clock(), now=clock(), default_timezone="Europe/London")
    return built


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_digest_of_200_projects_is_split_into_cards_under_the_limit_losing_nothing(big_digest):
    found = cards.digest_cards(big_digest)
    for card in found:
        check(card)
    assert len(found) > 20
    continued = [i for i, c in enumerate(found) if texts(c)[0].endswith("continued.")]
    assert continued  # some priorities and projects run on
    everything: list[str] = []
    for card in found:
        everything += [t for t in texts(card) if not t.endswith("continued.")]
    seen = squeeze("\n".join(everything))
    for p in big_digest.projects:
        assert squeeze(f"{p.ref} {p.title}") in seen
        if p.update is not None:
            for part in (p.update.progress, p.update.next_steps, p.update.risks):
                assert squeeze(part) in seen, p.ref
    # typed text is only ever in text runs: no text Teams reads as markdown holds any of it
    markdown = "\n".join(t for c in found for t in markdown_texts(c))
    assert "[t](http://e)" not in markdown and "<at>" not in markdown and "Work went on" not in markdown
    fallbacks = [c["fallbackText"] for c in found]
    assert fallbacks[0].startswith("ICT progress digest, 24 Nov 2026")
    assert any(re.search(r"\(part \d+ of \d+\)$", f) for f in fallbacks)


def test_digest_summary_card_counts_and_preview_footer(big_digest):
    # The exceptions open the summary (67 red projects).
    found = cards.summary_cards(big_digest, people={OWNER_ID: "Olive Owner"}, footer=cards.PREVIEW_FOOTER)
    for card in found:
        check(card)
    shown = [t for card in found for t in texts(card)]
    assert shown[0] == "ICT progress digest, 24 Nov 2026"
    assert shown[1] == "**Exceptions**" and shown[2] == "_Red projects_"
    assert shown.index("_Red projects_") < shown.index("**RAG by priority**")
    assert any(t.startswith("⚠️ **20** active projects missing an update") for t in shown)
    assert shown[-1] == cards.PREVIEW_FOOTER
    assert OWNER_ID not in json.dumps(found)  # owners by name


def test_digest_cards_from_the_listener_are_valid(runtime: Runtime, clock):
    ws, _ = make_workspace(runtime, TENANT)
    handle_text(runtime, ws, OWNER, "update NET-01 amber <at>all</at> [x](http://e) | risks: **budget**", clock())
    reply = handle_text(runtime, ws, CHAIR, "digest", clock())
    assert reply.cards
    for card in reply.cards:
        check(card)
    detail = next(c for c in reply.cards if any("<at>all</at>" in r["text"] for r in runs(c)))
    assert_shown_literally(detail, "<at>all</at> [x](http://e)")
    assert_shown_literally(detail, "**budget**")


def test_help_card_and_form_from_the_listener_are_valid(runtime: Runtime, clock):
    ws, _ = make_workspace(runtime, TENANT)
    card = check(cards.help_card(notice=f"`{literal('x')}` {literal('<at>y</at>')}"))
    assert_shown_literally(card, "<at>y</at>")
    reply = handle_text(runtime, ws, OWNER, "update", clock())
    assert reply.card is not None
    check(reply.card)


def test_a_priority_head_counts_its_completed_projects_and_the_lists_keep_them_all():
    d = sample_digest()  # GOV-02 completed under ICT Governance, nothing completed elsewhere
    found = [t for c in cards.detail_cards(d) for t in texts(c)]
    assert any(t.endswith("2 of 2 updated in the period, 1 completed") for t in found)
    assert sum("completed" in t and "updated in the period" in t for t in found) == 1
    assert "**Completed in the period (1)**" in found  # the list across priorities stays


def test_reminder_card_lists_the_owner_s_actions_and_risks_past_review_as_typed():
    typed = "Renew **cert** [x](http://e) {{DATE(2026-01-01)}}"
    item = with_(
        due(0),
        actions=(ChasedAction(3, typed, date(2026, 11, 25), "NET-01", True),),
        risks=(ChasedRisk(12, "Supplier may fail", date(2026, 11, 30), None, 16),),
    )
    shown = texts(check(cards.reminder_card(item)))
    assert "Before it, please look at what is yours below." in shown
    assert f"A3 {typed} (project NET-01) — due 25 Nov 2026 — overdue" in shown
    assert "R12 Supplier may fail — score 16, review was due 30 Nov 2026" in shown
