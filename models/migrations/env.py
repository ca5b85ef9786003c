"""Alembic environment: runs migrations against the URL the CLI put in the config."""

from __future__ import annotations

from alembic import context

from models import entities  # noqa: F401  (registers the tables on the metadata)
from models.base import Base
from models.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by models.db.alembic_config"

connectable = make_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
