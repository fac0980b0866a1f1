"""Alembic's environment for aeviz's store: run by `aeviz.store.upgrade` (at start, and by
`python -m aeviz db upgrade`), on the connection it passes."""

from alembic import context

from aeviz.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
