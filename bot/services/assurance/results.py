"""Recording an assurance result, and the calendar as a list: each obligation's next due date and standing.

A result answers one occurrence: the latest due on or before today (the workspace's local date), else the
next one. Its owner, the chairs and the admins may record it; the latest result of an occurrence counts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlsplit

from dateutil import rrule as du_rrule
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.services import roles
from bot.services.assurance import calendar
from bot.services.meetings import workspace_timezone
from bot.wording import Text
from models import AssuranceObligation, AssuranceOutcome, AssuranceResult, Priority, Workspace

__all__ = [
    "ObligationView",
    "Recorded",
    "UnknownObligation",
    "answered_occurrence",
    "find",
    "list_view",
    "parse_outcome",
    "record",
]

MAX_NOTE = 2000
MAX_URL = 1000
OUTCOMES = ", ".join(o.value for o in AssuranceOutcome)


class UnknownObligation(DomainError):
    def __init__(self, code: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            Text(
                "There is no assurance obligation `{code}`.{hint} The list shows each code.",
                code=code.strip()[:40],
                hint=hint,
            ),
            field="code",
        )


def find(session: Session, ws: Workspace, code: str) -> AssuranceObligation:
    """The workspace's obligation ``code`` (any case; retired ones are not found)."""
    key = code.strip().upper()
    found = session.scalar(
        select(AssuranceObligation).where(
            AssuranceObligation.workspace_id == ws.id,
            AssuranceObligation.code == key,
            AssuranceObligation.retired_at.is_(None),
        )
    )
    if found is None:
        codes = [o.code for o in calendar.active(session, ws)]
        raise UnknownObligation(code, difflib.get_close_matches(key, codes, n=3))
    return found


def get(session: Session, ws: Workspace, obligation_id: int) -> AssuranceObligation:
    """The workspace's (active) obligation by id, as a button names it; another workspace's is not found."""
    found = session.scalar(
        select(AssuranceObligation).where(
            AssuranceObligation.workspace_id == ws.id,
            AssuranceObligation.id == obligation_id,
            AssuranceObligation.retired_at.is_(None),
        )
    )
    if found is None:
        raise DomainError("That assurance obligation is no longer on the calendar.")
    return found


def parse_outcome(typed: str) -> AssuranceOutcome:
    try:
        return AssuranceOutcome(typed.strip().lower())
    except ValueError:
        raise InvalidInput(
            Text("`{typed}` is not a result; give one of " + OUTCOMES + ".", typed=typed.strip()[:40]), field="outcome"
        ) from None


def _check_url(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise InvalidInput(
            Text("`{typed}` is not a web address; give the evidence as http(s)://….", typed=url[:100]), field="url"
        )
    if len(url) > MAX_URL:
        raise InvalidInput(
            f"The evidence address is longer than {MAX_URL} characters; link a shorter one.", field="url"
        )
    return url


def answered_occurrence(obligation: AssuranceObligation, today: date) -> date | None:
    """The occurrence a result recorded ``today`` answers: the latest due on or before today, else the
    next one (None: the obligation has no occurrence at all)."""
    if not obligation.rrule:
        return obligation.due_on
    assert obligation.start_on is not None
    rule = du_rrule.rrulestr(obligation.rrule, dtstart=datetime.combine(obligation.start_on, time()))
    found = rule.before(datetime.combine(today, time()), inc=True) or rule.after(datetime.combine(today, time()))
    return found.date() if found is not None else None


def next_due(obligation: AssuranceObligation, today: date) -> date | None:
    """The first occurrence on or after ``today``, if any."""
    if not obligation.rrule:
        return obligation.due_on if obligation.due_on is not None and obligation.due_on >= today else None
    assert obligation.start_on is not None
    rule = du_rrule.rrulestr(obligation.rrule, dtstart=datetime.combine(obligation.start_on, time()))
    found = rule.after(datetime.combine(today, time()), inc=True)
    return found.date() if found is not None else None


@dataclass(frozen=True, slots=True)
class Recorded:
    code: str
    name: str
    occurrence: date
    outcome: AssuranceOutcome
    result_id: int


def may_record(
    session: Session,
    ws: Workspace,
    obligation: AssuranceObligation,
    by: str,
    *,
    env_admins: Iterable[str] = (),
    chair_group: roles.GroupMembers | None = None,
) -> bool:
    return by == obligation.owner_user_id or roles.is_chair_or_admin(
        session, ws, by, env_admins, chair_group=chair_group
    )


def record(
    session: Session,
    ws: Workspace,
    code: str,
    outcome: str | AssuranceOutcome,
    note: str,
    evidence_url: str,
    by: str,
    now: datetime,
    *,
    env_admins: Iterable[str] = (),
    chair_group: roles.GroupMembers | None = None,
    default_timezone: str = "UTC",
) -> Recorded:
    """Record ``outcome`` for the occurrence of obligation ``code`` that a result at ``now`` answers."""
    obligation = find(session, ws, code)
    return record_for(
        session,
        ws,
        obligation,
        outcome,
        note,
        evidence_url,
        by,
        now,
        env_admins=env_admins,
        chair_group=chair_group,
        default_timezone=default_timezone,
    )


def record_for(
    session: Session,
    ws: Workspace,
    obligation: AssuranceObligation,
    outcome: str | AssuranceOutcome,
    note: str,
    evidence_url: str,
    by: str,
    now: datetime,
    *,
    occurrence: date | None = None,
    env_admins: Iterable[str] = (),
    chair_group: roles.GroupMembers | None = None,
    default_timezone: str = "UTC",
) -> Recorded:
    """:func:`record` for an obligation already found; ``occurrence`` (a reminder's button) names the
    occurrence, which must be one of the obligation's."""
    chosen = outcome if isinstance(outcome, AssuranceOutcome) else parse_outcome(outcome)
    url = _check_url(evidence_url)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"The note is longer than {MAX_NOTE} characters; shorten it.", field="note")
    if not may_record(session, ws, obligation, by, env_admins=env_admins, chair_group=chair_group):
        raise NotAllowed(
            Text(
                "Only the obligation's owner, the chair or an ICT admin can record a result for `{code}`.",
                code=obligation.code,
            )
        )
    if occurrence is None or not calendar.occurrences(obligation, occurrence, occurrence):
        today = now.astimezone(workspace_timezone(session, ws, default_timezone)).date()
        occurrence = answered_occurrence(obligation, today)
    if occurrence is None:
        raise DomainError(Text("`{code}` has no due date to record a result against.", code=obligation.code))
    row = AssuranceResult(
        workspace_id=ws.id,
        obligation_id=obligation.id,
        occurrence=occurrence,
        outcome=chosen,
        note=note,
        evidence_url=url,
        recorded_by=by,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return Recorded(obligation.code, obligation.name, occurrence, chosen, row.id)


@dataclass(frozen=True, slots=True)
class ObligationView:
    """One obligation as the list shows it."""

    id: int
    code: str
    name: str
    owner_user_id: str
    priority_code: str
    evidence: str
    recurring: bool
    next_due: date | None
    last_day: date | None  # the occurrence the latest result answers
    last_outcome: AssuranceOutcome | None
    last_note: str
    last_url: str
    overdue: bool  # an occurrence since it was loaded has passed without a result
    failed: bool  # the latest result is a fail


def list_view(session: Session, ws: Workspace, today: date) -> list[ObligationView]:
    """Every active obligation, by code, with its next due date, its latest result and its standing."""
    chosen = list(calendar.active(session, ws))
    if not chosen:
        return []
    wanted = {o.priority_id for o in chosen}
    codes = {
        pid: code for pid, code in session.execute(select(Priority.id, Priority.code).where(Priority.id.in_(wanted)))
    }
    newest = (
        select(func.max(AssuranceResult.id))
        .where(AssuranceResult.workspace_id == ws.id, AssuranceResult.obligation_id.in_([o.id for o in chosen]))
        .group_by(AssuranceResult.obligation_id)
    )
    last = {r.obligation_id: r for r in session.scalars(select(AssuranceResult).where(AssuranceResult.id.in_(newest)))}
    first = min(o.loaded_at.date() for o in chosen)
    standing = [
        s for s in calendar.standing(session, ws, first, today, chosen) if s.day >= s.obligation.loaded_at.date()
    ]
    out = []
    for o in chosen:
        mine = [s for s in standing if s.obligation.id == o.id]
        r = last.get(o.id)
        out.append(
            ObligationView(
                id=o.id,
                code=o.code,
                name=o.name,
                owner_user_id=o.owner_user_id,
                priority_code=codes.get(o.priority_id, ""),
                evidence=o.evidence,
                recurring=bool(o.rrule),
                next_due=next_due(o, today),
                last_day=r.occurrence if r else None,
                last_outcome=r.outcome if r else None,
                last_note=r.note if r else "",
                last_url=r.evidence_url if r else "",
                overdue=any(s.overdue(today) for s in mine),
                failed=r is not None and r.outcome is AssuranceOutcome.FAIL,
            )
        )
    return out
