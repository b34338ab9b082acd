"""`python -m backend migrate-from-sqlite`: a SQLite database filled by a real backend, moved to PostgreSQL."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend.migrate import MigrationError, migrate_from_sqlite
from backend.models import Base
from tests.support.factories import claim, finish, launch, post_epoch
from tests.support.live import REPO_ROOT, _child_env, running_backend


@pytest.fixture(scope="module")
def filled_sqlite(tmp_path_factory) -> tuple[Path, dict]:
    """A SQLite database with finished, running and queued runs, epoch rows, workers and a deleted run;
    and what the API showed of it."""
    data = tmp_path_factory.mktemp("sqlite")
    with running_backend(data) as url, httpx.Client(base_url=url, timeout=60) as api:
        api.post("/api/worker/register", json={"name": "w1", "host": "box", "device": "cpu", "device_name": "EPYC",
                                               "memory_total_bytes": 2**34, "memory_free_bytes": 2**33})
        done, running, _queued, deleted = (launch(api, tags=["moved"]) for _ in range(4))
        assert claim(api, "w1").json()["run"]["id"] == done["id"]
        for epoch in (1, 2):
            post_epoch(api, done["id"], epoch)
        finish(api, done["id"], best_epoch=2)
        assert claim(api, "w2").json()["run"]["id"] == running["id"]
        post_epoch(api, running["id"], 1, worker="w2")
        assert api.delete(f"/api/runs/{deleted['id']}").status_code == 204
        shown = {
            "runs": api.get("/api/runs", params={"limit": 100}).json(),
            "metrics": {done["id"]: api.get(f"/api/runs/{done['id']}/metrics").json()},
            "workers": api.get("/api/workers").json(),
            "deleted_id": deleted["id"],
        }
    return data / "battlefield.db", shown


def _without_clock(items: list[dict]) -> list[dict]:
    return [{k: v for k, v in item.items() if k not in ("seconds_since_seen", "duration_seconds", "state")} for item in items]


def test_every_table_arrives_and_a_backend_on_postgresql_serves_the_same(filled_sqlite, pg_cluster, tmp_path):
    sqlite_path, shown = filled_sqlite
    url = pg_cluster.new_database()
    before = sqlite_path.read_bytes()

    result = subprocess.run([sys.executable, "-m", "backend", "migrate-from-sqlite", str(sqlite_path), "--to", url],
                            cwd=REPO_ROOT, env=_child_env(tmp_path, None), capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    for table in Base.metadata.sorted_tables:   # every table the app defines, whoever added it
        assert f"{table.name}: " in result.stdout
    assert "runs: 3 rows copied" in result.stdout and "epochs: 3 rows copied" in result.stdout
    assert "workers: 2 rows copied" in result.stdout
    assert sqlite_path.read_bytes() == before   # the source is never changed

    with running_backend(tmp_path / "pg", env={"BATTLEFIELD_DATABASE_URL": url}) as pg_url, \
            httpx.Client(base_url=pg_url, timeout=60) as api:
        assert api.get("/api/health").json()["database"] == "postgresql"
        runs = api.get("/api/runs", params={"limit": 100}).json()
        assert runs["count"] == shown["runs"]["count"] == 3
        assert _without_clock(runs["data"]) == _without_clock(shown["runs"]["data"])
        for run_id, metrics in shown["metrics"].items():
            assert api.get(f"/api/runs/{run_id}/metrics").json() == metrics
        assert _without_clock(api.get("/api/workers").json()) == _without_clock(shown["workers"])
        # The id sequence continues after the deleted run's id, as SQLite's AUTOINCREMENT would.
        assert launch(api)["id"] == shown["deleted_id"] + 1


def test_a_database_that_already_holds_runs_is_refused(filled_sqlite, pg_cluster):
    sqlite_path, _ = filled_sqlite
    url = pg_cluster.new_database()
    migrate_from_sqlite(sqlite_path, url)

    with pytest.raises(MigrationError, match="not empty .*rows in runs.*CREATE DATABASE"):
        migrate_from_sqlite(sqlite_path, url)


def test_a_missing_file_or_a_sqlite_target_is_refused_with_the_reason(tmp_path, filled_sqlite):
    with pytest.raises(MigrationError, match="no such SQLite database file"):
        migrate_from_sqlite(tmp_path / "nope.db", "postgresql+psycopg://localhost/x")
    with pytest.raises(MigrationError, match="must name the PostgreSQL database"):
        migrate_from_sqlite(filled_sqlite[0], f"sqlite:///{tmp_path / 'other.db'}")
