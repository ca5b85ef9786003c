"""When an assurance obligation falls due, and where each occurrence stands: its latest result, or none.

An occurrence is a local date: the RRULE's dates from ``start_on``, or the one ``due_on``. One is overdue
when its day has passed without a result; a failed result is an exception until a later result replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil import rrule as du_rrule
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AssuranceObligation, AssuranceOutcome, AssuranceResult, Workspace


def occurrences(obligation: AssuranceObligation, first: date, last: date) -> list[date]:
    """The obligation's due dates from ``first`` to ``last``, both included, in order."""
    if not obligation.rrule:
        return [obligation.due_on] if obligation.due_on is not None and first <= obligation.due_on <= last else []
    assert obligation.start_on is not None, "a recurring obligation has a start"
    rule = du_rrule.rrulestr(obligation.rrule, dtstart=datetime.combine(obligation.start_on, time()))
    return [d.date() for d in rule.between(datetime.combine(first, time()), datetime.combine(last, time()), inc=True)]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One due date of one obligation, with its latest result (None: none recorded)."""

    obligation: AssuranceObligation
    day: date
    outcome: AssuranceOutcome | None
    note: str
    evidence_url: str
    recorded_by: str | None
    recorded_at: datetime | None

    def overdue(self, today: date) -> bool:
        return self.outcome is None and self.day < today

    def is_exception(self, today: date) -> bool:
        """Failed, or overdue without a result."""
        return self.outcome is AssuranceOutcome.FAIL or self.overdue(today)


def active(session: Session, ws: Workspace) -> Sequence[AssuranceObligation]:
    """The workspace's obligations not retired, by code."""
    return session.scalars(
        select(AssuranceObligation)
        .where(AssuranceObligation.workspace_id == ws.id, AssuranceObligation.retired_at.is_(None))
        .order_by(AssuranceObligation.code)
    ).all()


def standing(
    session: Session, ws: Workspace, first: date, last: date, obligations: Iterable[AssuranceObligation] | None = None
) -> list[Occurrence]:
    """Every occurrence due from ``first`` to ``last`` of ``obligations`` (default: the active ones), with
    its latest result, in date order (two statements, whatever the number)."""
    chosen = list(active(session, ws) if obligations is None else obligations)
    days = [(o, d) for o in chosen for d in occurrences(o, first, last)]
    latest: dict[tuple[int, date], AssuranceResult] = {}
    if days:
        newest = (
            select(func.max(AssuranceResult.id))
            .where(
                AssuranceResult.workspace_id == ws.id,
                AssuranceResult.obligation_id.in_([o.id for o in chosen]),
                AssuranceResult.occurrence >= first,
                AssuranceResult.occurrence <= last,
            )
            .group_by(AssuranceResult.obligation_id, AssuranceResult.occurrence)
        )
        for r in session.scalars(select(AssuranceResult).where(AssuranceResult.id.in_(newest))):
            latest[(r.obligation_id, r.occurrence)] = r
    out = []
    for o, d in sorted(days, key=lambda od: (od[1], od[0].code)):
        found = latest.get((o.id, d))
        out.append(
            Occurrence(
                obligation=o,
                day=d,
                outcome=found.outcome if found else None,
                note=found.note if found else "",
                evidence_url=found.evidence_url if found else "",
                recorded_by=found.recorded_by if found else None,
                recorded_at=found.recorded_at if found else None,
            )
        )
    return out
