"""Alembic environment: runs migrations against the URL the CLI put in the config."""

from __future__ import annotations

import os

from alembic import context

from models import entities, install, scheduling  # noqa: F401  (registers the tables on the metadata)
from models.base import Base
from models.db import make_engine
from models.search import include_object

DEFAULT_DATABASE_URL = "sqlite:///ictbot.db"

config = context.config
# `ictbot db upgrade` sets the URL; the alembic command line (alembic.ini) takes DATABASE_URL.
url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)

connectable = make_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,  # the search index (migration 0014) is no model
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
