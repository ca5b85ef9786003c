"""One transaction on a Teams workspace, for the message and card handlers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.runtime import Runtime
from models import Workspace, wake


@contextmanager
def unit(rt: Runtime, ws: Workspace) -> Iterator[tuple[Session, Workspace]]:
    """One transaction on ``ws``, looked up again in it (the caller's object may belong to another session)."""
    with rt.sessions.begin() as session:
        current = session.get(Workspace, ws.id)
        if current is None:
            raise DomainError("This Teams tenant is not known to the bot any more; remove and add the app again.")
        session.info[wake.WORKSPACE] = current.id  # whose reconcile a write of this unit may bring forward
        yield session, current
