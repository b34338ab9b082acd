"""Run ids are never reused: AUTOINCREMENT on SQLite (migration 0004), kept through the table rebuild."""

import sqlite3
from datetime import UTC, datetime

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from backend.db import MIGRATIONS_DIR, upgrade_database
from tests.support.factories import launch


def test_deleting_the_newest_run_does_not_free_its_id(client: httpx.Client):
    newest = launch(client)
    assert client.post(f"/api/runs/{newest['id']}/cancel").status_code == 200
    assert client.delete(f"/api/runs/{newest['id']}").status_code == 204
    following = launch(client)
    client.post(f"/api/runs/{following['id']}/cancel")
    assert following["id"] > newest["id"]


def _database_at_0001(path) -> str:
    """A SQLite database migrated to 0001 only, holding runs 1-3 (3 deleted) and epoch rows of run 2."""
    url = f"sqlite:///{path}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0001")
    connection = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat()
    for run_id in (1, 2, 3):
        connection.execute(
            "INSERT INTO runs (id, name, architecture, dataset, hyperparams, tags, notes, status, created_at, attempts,"
            " param_count, epochs_done, has_checkpoint) VALUES (?, ?, 'lstm', 'synthetic', '{}', '[]', '', 'succeeded',"
            " ?, 1, 10, 2, 0)", (run_id, f"run {run_id}", now))
    connection.executemany("INSERT INTO epochs (run_id, epoch) VALUES (2, ?)", [(1,), (2,)])
    connection.execute("DELETE FROM runs WHERE id = 3")
    connection.commit()
    connection.close()
    return url


def test_the_migration_keeps_rows_and_indexes_and_stops_reuse(tmp_path):
    path = tmp_path / "old.db"
    url = _database_at_0001(path)
    before = sqlite3.connect(path)
    indexes_before = sorted(before.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'"))
    before.close()

    upgrade_database(create_engine(url))

    connection = sqlite3.connect(path)
    assert "AUTOINCREMENT" in connection.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    assert connection.execute("SELECT id FROM runs ORDER BY id").fetchall() == [(1,), (2,)]
    assert connection.execute("SELECT run_id, epoch FROM epochs ORDER BY epoch").fetchall() == [(2, 1), (2, 2)]
    indexes_after = sorted(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'"))
    added_later = {"ix_runs_config_hash"}  # migration 0002_run_groups_predictions, after 0004
    assert [index for index in indexes_after if index[0] not in added_later] == indexes_before
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a fresh connection; the app turns them on
    connection.execute("DELETE FROM runs WHERE id = 2")
    connection.execute(
        "INSERT INTO runs (name, architecture, dataset, hyperparams, tags, notes, status, created_at, attempts,"
        " param_count, epochs_done, has_checkpoint) VALUES ('new', 'lstm', 'synthetic', '{}', '[]', '', 'queued', '', 0, 0, 0, 0)")
    new_id = connection.execute("SELECT max(id) FROM runs").fetchone()[0]
    connection.close()
    assert new_id == 3  # above every id handed out since the rebuild (2); AUTOINCREMENT then never goes back
