"""The Work Plan and the roles as cards: ``project list`` and ``role list`` on Teams.

People are shown by name (the directory's, or their id when it has none) and, where an admin must act on
them, with their Entra object id. Names, titles and priority names are typed text: text runs only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.people import display, labelled
from bot.services.projects import ProjectView
from bot.services.roles import RoleEntry
from handlers.teams.cards.pieces import (
    MAX_CARD_BYTES,
    NO_RAG_ICON,
    RAG_ICON,
    Card,
    Element,
    Inline,
    card_size,
    make_card,
    ref_title,
    rich_block,
    text_block,
    text_run,
    typed_runs,
)
from models import ProjectStatus

__all__ = ["roles_card", "work_plan_cards"]

CONTINUED = "_(the Work Plan, continued)_"


def work_plan_cards(
    groups: Sequence[tuple[str, Sequence[ProjectView]]],
    *,
    strategy_name: str,
    include_closed: bool,
    names: Mapping[str, str],
) -> list[Card]:
    """The Work Plan by priority (``groups``: :func:`bot.services.projects.group_by_priority`), in as many
    cards as it takes to stay under Teams' size limit."""
    total = sum(len(items) for _, items in groups)
    which = "" if include_closed else "open "
    if not total:
        empty = (
            f"The Work Plan has no {which}projects yet. An ICT admin can add one with "
            "**project add REF PRIORITY OWNER Title** or import a CSV with **ictbot projects import**."
        )
        return [make_card([text_block(empty)], fallback="The Work Plan")]
    noun = "project" if total == 1 else "projects"
    head = [
        rich_block(
            [
                text_run("ICT Work Plan — ", weight="bolder", size="medium"),
                *typed_runs(strategy_name, weight="bolder", size="medium"),
            ]
        ),
        text_block(f"{total} {which}{noun}", spacing="none", isSubtle=True),
    ]
    blocks: list[Element] = []
    for name, items in groups:
        blocks.append(rich_block(typed_runs(name, weight="bolder"), spacing="medium"))
        blocks += [rich_block(_project_line(p, names), spacing="none") for p in items]
    if not include_closed:
        blocks.append(text_block("**project list all** shows closed and complete projects too.", isSubtle=True))
    return _paged(head, blocks, fallback=f"ICT Work Plan ({total} {which}{noun})")


def _project_line(p: ProjectView, names: Mapping[str, str]) -> list[Inline]:
    icon = RAG_ICON[p.last_rag] if p.last_rag else NO_RAG_ICON
    status = (
        [] if p.status is ProjectStatus.ACTIVE else [text_run(f" ({p.status.value.replace('_', ' ')})", italic=True)]
    )
    owner = display(names.get(p.owner), p.owner)
    return [text_run(f"{icon} "), *ref_title(p.ref, p.title), text_run(" — "), *typed_runs(owner), *status]


def _paged(head: list[Element], blocks: list[Element], *, fallback: str) -> list[Card]:
    pages: list[list[Element]] = []
    body = list(head)
    opening = len(body)
    for block in blocks:
        if len(body) > opening and card_size(make_card([*body, block], fallback=fallback)) > MAX_CARD_BYTES:
            pages.append(body)
            body = [text_block(CONTINUED, isSubtle=True)]
            opening = 1
        body.append(block)
    pages.append(body)
    return [make_card(page, fallback=fallback) for page in pages]


def roles_card(entries: Sequence[RoleEntry], *, names: Mapping[str, str], yours: Sequence[str], tz: ZoneInfo) -> Card:
    """Who holds which role (``entries``: :func:`bot.services.roles.list_roles`), with what each may do and
    what the person asking is (``yours``)."""
    admins = [e for e in entries if e.role.value == "admin"]
    chairs = [e for e in entries if e.role.value == "chair"]
    body: list[Element] = [text_block("Roles in ICT governance", weight="bolder", style="heading")]
    body.append(
        text_block("**Admins** keep the Work Plan (**project**), grant roles (**role**) and do whatever a chair does.")
    )
    body += [_entry(e, names, tz) for e in admins] or [
        text_block(
            "• nobody yet: whoever runs ictbot names the first admins in ICTBOT_ADMINS, or with "
            "**ictbot roles grant**.",
            spacing="none",
        )
    ]
    body.append(
        text_block(
            "**Chairs** post the digest (**digest**), move and cancel meetings (**meeting**), and hear the working "
            "day before each meeting which projects still lack an update."
        )
    )
    body += [_entry(e, names, tz) for e in chairs] or [
        text_block(
            "• nobody yet: until an admin grants chair (**role grant PERSON chair**), the admins stand in "
            "for the chair.",
            spacing="none",
        )
    ]
    body.append(
        text_block(
            "**Owners** and **delegates** post updates on their projects (**update**); the Work Plan says who they "
            "are (**project list**), nobody grants it. **Members**, everyone in the tenant, see the Work Plan, "
            "the meetings and a preview of the digest."
        )
    )
    body.append(rich_block([text_run("You: ", italic=True), *typed_runs(" · ".join(yours), italic=True)]))
    return make_card(body, fallback="Roles in ICT governance")


def _entry(e: RoleEntry, names: Mapping[str, str], tz: ZoneInfo) -> Element:
    runs: list[Inline] = [text_run("• "), *typed_runs(labelled(names, e.user_id)), text_run(" — ")]
    if e.granted_by is None:
        runs.append(text_run("named in ICTBOT_ADMINS"))
        return rich_block(runs, spacing="none")
    runs.append(text_run("granted by "))
    runs += (
        [text_run("ictbot roles")]
        if e.granted_by == "cli"
        else typed_runs(display(names.get(e.granted_by), e.granted_by))
    )
    if e.granted_at is not None:
        runs.append(text_run(f" on {_day(e.granted_at, tz)}"))
    return rich_block(runs, spacing="none")


def _day(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%-d %b %Y")
