"""Alembic's entry point: migrate the connection that :mod:`grader.course.migrate` hands over."""

from alembic import context

from grader.course.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
