"""models.base.UTCDateTime: SQLite's one-step bind processor writes what the two steps it replaces wrote,
and the column reads back the time it was given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from models.base import UTCDateTime

SQLITE = sqlite.dialect()
ZONES = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)))
# Any aware time whose UTC reading stays within datetime's years.
AWARE = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=ZONES)


def _two_steps(value: datetime | None) -> object:
    """What SQLAlchemy's chain wrote before: the decorator's process_bind_param, then DATETIME's text."""
    impl = DateTime(timezone=True).dialect_impl(SQLITE).bind_processor(SQLITE)
    assert impl is not None
    return impl(UTCDateTime().process_bind_param(value, SQLITE))


def _one_step() -> object:
    process = UTCDateTime().bind_processor(SQLITE)
    assert process is not None
    return process


@given(AWARE)
def test_sqlite_writes_the_text_the_two_steps_wrote(value: datetime):
    assert _one_step()(value) == _two_steps(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 4, 15, 0, tzinfo=UTC),  # no microseconds: still six digits of them
        datetime(5, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year of one digit, padded to four
        datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # the day before in UTC
        None,
    ],
)
def test_edges_write_the_same_text(value: datetime | None):
    assert _one_step()(value) == _two_steps(value)


def test_a_naive_time_is_refused_as_before():
    with pytest.raises(ValueError, match="naive datetime"):
        _one_step()(datetime(2026, 12, 4, 15, 0))


def test_postgresql_keeps_the_decorators_chain():
    process = UTCDateTime().bind_processor(postgresql.psycopg.dialect())
    value = datetime(2026, 12, 4, 16, 0, tzinfo=timezone(timedelta(hours=1)))
    assert process is not None
    assert process(value) == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # aware: psycopg writes the zone


def test_a_time_written_on_sqlite_reads_back_the_same():
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    engine = create_engine("sqlite://")
    value = datetime(2026, 12, 4, 16, 0, 1, 7, tzinfo=timezone(timedelta(hours=1)))
    try:
        with engine.begin() as connection:
            table.create(connection)
            connection.execute(insert(table), {"id": 1, "at": value})
            assert connection.execute(select(table.c.at)).scalar_one() == value
            assert connection.exec_driver_sql("SELECT at FROM t").scalar_one() == "2026-12-04 15:00:01.000007"
    finally:
        engine.dispose()
