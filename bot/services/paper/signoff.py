"""Sign-off: who approved a period's paper and when, and whether its data has changed since."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.digest import Digest
from bot.services.paper.narrative import NarrativeView
from bot.services.paper.periods import ReportPeriod
from models import Signoff, Workspace

__all__ = ["SignoffView", "fingerprint", "latest", "sign"]

# What changes with the moment a digest is built, or with the database it is read from (ids are given
# anew by a restore, which may also move the data to another team), rather than with the period's data.
# The exceptions are left out whole: they are what stands at the moment the digest is built (an action
# becomes overdue as days pass, its why counts the days), not the period's data.
_MOMENTARY = frozenset(
    {"generated_at", "end", "days_since_update", "headline", "id", "team_id", "workspace", "exceptions"}
)
# Added to the digest after papers were signed off: left out while empty, so those fingerprints still hold.
_NEWER = frozenset({"assurance"})


@dataclass(frozen=True, slots=True)
class SignoffView:
    user_id: str
    at: datetime
    period_start: date
    period_end: date
    fingerprint: str


def fingerprint(digest: Digest, narrative: Mapping[str, NarrativeView]) -> str:
    """A digest of the period's data as the paper reports it: its projects, updates (each revision's
    text), statuses and RAGs, assurance results, and the narrative's text (not the exceptions). The same
    data gives the same value whenever it is computed; any change to what the paper says gives another."""
    data = {
        "digest": _stable(dataclasses.asdict(digest)),
        "narrative": {key: view.text for key, view in sorted(narrative.items())},
    }
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _stable(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _stable(v) for k, v in node.items() if k not in _MOMENTARY and not (k in _NEWER and not v)}
    if isinstance(node, list | tuple):
        return [_stable(v) for v in node]
    return node


def sign(
    session: Session, ws: Workspace, period: ReportPeriod, *, user_id: str, now: datetime, fingerprint: str
) -> SignoffView:
    """Record that ``user_id`` approved the period's paper as it stands (``fingerprint``)."""
    row = Signoff(
        workspace_id=ws.id,
        period_start=period.start,
        period_end=period.end,
        user_id=user_id,
        signed_at=now,
        fingerprint=fingerprint,
    )
    session.add(row)
    session.flush()
    return _view(row)


def latest(session: Session, ws: Workspace, period_start: date) -> SignoffView | None:
    """The period's latest sign-off, if any."""
    row = session.scalars(
        select(Signoff)
        .where(Signoff.workspace_id == ws.id, Signoff.period_start == period_start)
        .order_by(Signoff.signed_at.desc(), Signoff.id.desc())
        .limit(1)
    ).first()
    return _view(row) if row is not None else None


def _view(row: Signoff) -> SignoffView:
    return SignoffView(row.user_id, row.signed_at, row.period_start, row.period_end, row.fingerprint)
