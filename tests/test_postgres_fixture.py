"""The two-database fixture: PostgreSQL really runs where installed, and is skipped loudly where not."""

import os
import subprocess
import sys

import pytest

from tests.support.live import REPO_ROOT
from tests.support.postgres import SKIP_REASON

pytestmark = pytest.mark.databases


def test_each_database_kind_is_reachable(database):
    env = database.backend_env()
    if database.kind == "sqlite":
        assert env == {}
        return
    assert env["BATTLEFIELD_DATABASE_URL"].startswith("postgresql+psycopg://")
    database_name = env["BATTLEFIELD_DATABASE_URL"].split("/")[3].split("?")[0]
    with database.cluster.connect(database_name) as connection:
        assert connection.execute("SELECT current_database()").fetchone()[0] == database_name
        assert connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_without_postgresql_binaries_the_summary_says_it_skipped_them(tmp_path):
    env = {**os.environ, "BATTLEFIELD_TEST_PG_BIN_GLOB": str(tmp_path / "none" / "*" / "bin")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "no:schemathesis", "-p", "no:hypothesispytest",   # heavy plugins this test never uses: seconds
         f"{__file__}::test_each_database_kind_is_reachable"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert f"1 {SKIP_REASON}" in result.stdout
