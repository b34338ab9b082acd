"""Migration 0008: runs written before it hold record format 2, on SQLite and PostgreSQL.

What a launch and a clone record is in tests/backend/test_runs_api.py."""

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from backend.db import MIGRATIONS_DIR, make_engine, upgrade_database

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL

OLD_RUN = ("INSERT INTO runs (name, architecture, dataset, hyperparams, tags, notes, status, created_at, attempts,"
           " param_count, epochs_done, has_checkpoint, config_hash, has_predictions)"
           " VALUES ('old', 'lstm', 'synthetic', '{\"epochs\": 2}', '[]', '', :status, '2026-12-01 00:00:00', 0, 10, 0,"
           " false, '', false)")


def _engine(database, tmp_path) -> Engine:
    """An engine on an empty database of the test's kind."""
    url = database.backend_env().get("BATTLEFIELD_DATABASE_URL") or f"sqlite:///{tmp_path / 'old.db'}"
    return make_engine(url)


def _migrate(engine: Engine, verb, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        verb(config, revision)


def test_migration_fills_existing_runs_with_format_2_and_new_rows_must_state_theirs(database, tmp_path):
    engine = _engine(database, tmp_path)
    try:
        _migrate(engine, command.upgrade, "0007_worker_registration")
        with engine.begin() as connection:
            for status in ("succeeded", "queued"):
                connection.execute(text(OLD_RUN), {"status": status})
        upgrade_database(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT record_format FROM runs ORDER BY id")).scalars().all() == [2, 2]
        if database.kind == "postgresql":   # the default was only the backfill: a new row names its format
            with pytest.raises(IntegrityError, match="record_format"), engine.begin() as connection:
                connection.execute(text(OLD_RUN), {"status": "queued"})
        _migrate(engine, command.downgrade, "0007_worker_registration")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM runs")).scalar_one() == 2
            with pytest.raises(Exception, match="record_format"):
                connection.execute(text("SELECT record_format FROM runs"))
    finally:
        engine.dispose()
