"""The assurance results of a digest's period, per obligation, for the report's assurance paragraph."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.services.assurance import calendar
from bot.services.digest.model import AssuranceTally
from models import AssuranceObligation, AssuranceOutcome, Workspace

_FREQUENCY = {
    ("YEARLY", 1): "annual",
    ("MONTHLY", 6): "six-monthly",
    ("MONTHLY", 3): "quarterly",
    ("MONTHLY", 1): "monthly",
    ("WEEKLY", 1): "weekly",
    ("DAILY", 1): "daily",
}


def frequency(rrule: str) -> str:
    """``quarterly`` for ``FREQ=MONTHLY;INTERVAL=3``; empty for a one-off obligation or a rule without a word."""
    parts = dict(
        p.split("=", 1) for p in rrule.upper().removeprefix("RRULE:").split(";") if "=" in p
    )  # e.g. {"FREQ": "MONTHLY", "INTERVAL": "3"}
    interval = parts.get("INTERVAL", "1")
    return _FREQUENCY.get((parts.get("FREQ", ""), int(interval) if interval.isdigit() else 0), "")


def tallies(
    session: Session, ws: Workspace, start: datetime | None, end: datetime, tz: ZoneInfo
) -> dict[int, list[AssuranceTally]]:
    """Priority id → its obligations' occurrences from ``start`` to ``end`` (local days) with their latest
    results, by code; only obligations with an occurrence in the period. An occurrence before the obligation
    was loaded, or after it was retired, counts only if it has a result. Two statements."""
    stmt = select(AssuranceObligation).where(AssuranceObligation.workspace_id == ws.id)
    if start is not None:
        stmt = stmt.where(or_(AssuranceObligation.retired_at.is_(None), AssuranceObligation.retired_at >= start))
    obligations = session.scalars(stmt.order_by(AssuranceObligation.code)).all()
    if not obligations:
        return {}
    first = start.astimezone(tz).date() if start is not None else min(_first_day(o) for o in obligations)
    last = end.astimezone(tz).date()
    if first > last:
        return {}
    found: dict[int, list[tuple[date, AssuranceOutcome | None]]] = {}
    for occ in calendar.standing(session, ws, first, last, obligations):
        o = occ.obligation
        loaded = o.loaded_at.astimezone(tz).date()
        retired = o.retired_at.astimezone(tz).date() if o.retired_at is not None else None
        if occ.outcome is None and (occ.day < loaded or (retired is not None and occ.day > retired)):
            continue
        found.setdefault(o.id, []).append((occ.day, occ.outcome))
    out: dict[int, list[AssuranceTally]] = {}
    for o in obligations:
        if o.id in found:
            days = tuple(sorted(found[o.id], key=lambda d: d[0]))
            tally = AssuranceTally(o.code, o.name, frequency(o.rrule), days)
            out.setdefault(o.priority_id, []).append(tally)
    return out


def _first_day(o: AssuranceObligation) -> date:
    day = o.start_on if o.rrule else o.due_on
    return day or o.loaded_at.date()
