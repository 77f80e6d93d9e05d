"""Where a gradebook's schema stands, and upgrading it with Alembic (``judge db upgrade``).

A new, empty database is created at the newest revision. A gradebook at an older revision (or one
written before migrations existed: a ``meta`` table with ``schema_version`` 1 and no Alembic
revision) is never changed behind the instructor's back: opening it says to run ``judge db upgrade``.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:  # Alembic is imported when a schema is made or changed, not each time one is opened
    from alembic.config import Config

#: Where Alembic keeps the revision of a gradebook made by migrations.
VERSION_TABLE = "alembic_version"

#: The newest revision under migrations/versions (a unit test checks it against Alembic's head).
HEAD = "0004"
#: The revision a gradebook written before migrations is at.
LEGACY = "0001"


class SchemaState(enum.Enum):
    EMPTY = "empty"  # no gradebook tables yet
    LEGACY = "legacy"  # written before migrations (schema_version 1, no Alembic revision)
    BEHIND = "behind"  # an older revision: `judge db upgrade`
    CURRENT = "current"
    UNKNOWN = "unknown"  # a revision this judge does not know (a newer judge wrote it)


def config(connection: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["connection"] = connection
    return cfg


def revision_of(connection: Connection) -> str | None:
    """The gradebook's revision, read as Alembic keeps it (one row of ``alembic_version``)."""
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return None
    rows = connection.execute(text(f"select version_num from {VERSION_TABLE}")).all()
    if len(rows) <= 1:
        return str(rows[0][0]) if rows else None
    from alembic.runtime.migration import MigrationContext  # several heads: Alembic's own error

    return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(Path(__file__).with_name("migrations")))
    return {script.revision for script in scripts.walk_revisions()}


def state_of(connection: Connection) -> tuple[SchemaState, str | None]:
    """The schema's state and its revision (None when it has none)."""
    revision = revision_of(connection)
    if revision == HEAD:
        return SchemaState.CURRENT, revision
    if revision is not None:
        return (SchemaState.BEHIND if revision in known_revisions() else SchemaState.UNKNOWN), revision
    tables = set(inspect(connection).get_table_names())
    if not tables & {"meta", "students", "exercises", "submissions", "results"}:
        return SchemaState.EMPTY, None
    if "meta" in tables:
        row = connection.execute(text("select value from meta where key = 'schema_version'")).first()
        if row is not None and row[0] == "1":
            return SchemaState.LEGACY, None
    return SchemaState.UNKNOWN, None


def upgrade(connection: Connection) -> tuple[str | None, str]:
    """Bring the schema to :data:`HEAD` inside the caller's transaction; return (before, after)."""
    state, before = state_of(connection)
    if state is SchemaState.UNKNOWN:
        raise ValueError(f"revision {before or '(none)'} is not one this judge knows: a newer judge wrote it")
    from alembic import command

    cfg = config(connection)
    if state is SchemaState.LEGACY:
        command.stamp(cfg, LEGACY)
        before = LEGACY
    if state is not SchemaState.CURRENT:
        command.upgrade(cfg, "head")
    return before, HEAD
