"""PostgreSQL for the tests: $MLJUDGE_TEST_POSTGRES_URL (``scripts/start-postgres.sh`` starts a server
and prints it) and a database of its own per test, dropped afterwards. Without the variable the tests
are skipped, except in CI (CI=true), where a missing URL or an unreachable server fails them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import URL, Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

ENV = "MLJUDGE_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI") == "true"
def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI runs the PostgreSQL gradebook tests (start one with scripts/start-postgres.sh "
                    f"and export {ENV})", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_base() -> URL:
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        _unavailable(f"{ENV} is not set")
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        pytest.fail(f"{ENV} must be a postgresql URL, not {url.render_as_string(hide_password=True)}")
    return url


@pytest.fixture(scope="session")
def pg_admin(pg_base: URL) -> Iterator[Engine]:
    """An autocommit engine on the configured database, for CREATE/DROP DATABASE."""
    engine = create_engine(pg_base, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                           connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as con:
            con.execute(text("select 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        _unavailable(f"no PostgreSQL at {pg_base.render_as_string(hide_password=True)}: {exc}")
    yield engine
    engine.dispose()


def fresh_database(pg_admin: Engine, pg_base: URL) -> Iterator[str]:
    name = f"mljudge_t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as con:
        con.execute(text(f'create database "{name}"'))
    try:
        yield pg_base.set(database=name).render_as_string(hide_password=False)
    finally:
        with pg_admin.connect() as con:
            con.execute(text(f'drop database if exists "{name}" with (force)'))


@pytest.fixture
def pg_url(pg_admin: Engine, pg_base: URL) -> Iterator[str]:
    """The URL of a database created for this test (dropped afterwards)."""
    yield from fresh_database(pg_admin, pg_base)
