"""A database lease: at most one holder at a time, taken over when the holder stops renewing it.

Each operation is a single conditional statement, so two processes racing for the lease cannot both
win on SQLite or PostgreSQL: the insert is guarded by the primary key, the takeover by the ``WHERE``
on the current holder and expiry.

``now`` is always the runtime's clock, never a simulated moment: a lease set from a moment weeks
ahead would lock every real holder out for weeks. A lease never expires later than ``now + ttl``;
one found expiring further ahead than that allows (set by a clock that was wrong, or by an older
ictbot from a simulated time) is treated as lapsed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.scheduling import Lease


def acquire(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``; False if another holds it."""
    expires = now + ttl
    # More than a whole TTL beyond what any holder could have set: a wrong clock, not a live holder.
    # (A TTL of slack leaves room for the small skew between servers' clocks.)
    impossible = expires + ttl
    renewed = session.execute(
        update(Lease)
        .where(
            Lease.name == name,
            (Lease.holder == holder) | (Lease.expires_at <= now) | (Lease.expires_at > impossible),
        )
        .values(holder=holder, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount:  # type: ignore[attr-defined]
        return True
    try:
        with session.begin_nested():
            session.execute(insert(Lease).values(name=name, holder=holder, expires_at=expires))
    except IntegrityError:
        return False  # someone else holds it and it has not expired
    return True


def renew(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Extend ``holder``'s lease to ``now + ttl``; False when it is no longer theirs (it lapsed and was taken)."""
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(renewed.rowcount)  # type: ignore[attr-defined]


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
