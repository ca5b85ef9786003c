"""What every entry point hands to the services: settings, the session factory and the clock.

The clock is read here and only here; everything below takes ``now`` as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NoTeam
from bot.services import roles, workspaces
from bot.settings import Settings
from models import Workspace, make_engine, make_sessionmaker, wake


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=system_clock)
    # Members of each workspace's chairs' user group, as Slack last gave them (handlers.slack.chair_group fills it).
    chair_groups: roles.GroupCache = field(default_factory=roles.GroupCache, compare=False, repr=False)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Callable[[], datetime] = system_clock, engine: Engine | None = None
    ) -> Runtime:
        """The runtime for ``settings``: a new engine for its database, unless one for it is given."""
        engine = make_engine(settings.DATABASE_URL) if engine is None else engine
        return cls(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def unit(self, team_id: str, *, team_name: str = "") -> Iterator[tuple[Session, Workspace]]:
        """One transaction scoped to one workspace (created on first contact). Raises :class:`NoTeam`, and
        opens nothing, when ``team_id`` is empty: no row may belong to no workspace."""
        if not team_id.strip():
            raise NoTeam()
        with self.sessions.begin() as session:
            ws = workspaces.get_or_create(session, team_id, name=team_name, now=self.now())
            session.info[wake.WORKSPACE] = ws.id  # whose reconcile a write of this unit may bring forward
            if ws.uninstalled_at is not None:
                # Slack only sends requests from a workspace the app is installed in: it is back.
                workspaces.mark_installed(ws)
            yield session, ws

    def is_admin(self, session: Session, ws: Workspace, user_id: str) -> bool:
        return roles.is_admin(session, ws, user_id, self.settings.admins_for(ws.external_id))
