"""models.db's PostgreSQL pool: a connection the server has ended is never lent, and lending one costs no
round trip (no ``pool_pre_ping``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from models import make_engine

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(db_url: str, pid: int) -> None:
    """End the backend ``pid`` as an admin would; returns once it has gone (PostgreSQL 14's timeout argument)."""
    admin = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = text("SELECT pg_terminate_backend(:pid, 5000)")
            assert connection.execute(ended, {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_the_server_ended_is_not_lent(db_url: str):
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    try:
        first = _pid(engine)
        assert _pid(engine) == first  # the pool lends the one connection again
        _terminate(db_url, first)
        assert _pid(engine) != first  # a new connection, and no error on the way
    finally:
        engine.dispose()


def test_lending_a_connection_sends_nothing_to_the_server(db_url: str, monkeypatch: pytest.MonkeyPatch):
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    pings: list[Any] = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)  # pool_pre_ping's round trip
    try:
        for _ in range(3):
            _pid(engine)
    finally:
        engine.dispose()
    assert pings == []
