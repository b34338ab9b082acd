"""Shared fixtures: a fresh data directory, the database a backend uses, a fresh live backend per test
and one shared by a module's tests (each looks only at its own runs).

Tests and modules marked `@pytest.mark.databases` run twice: on SQLite and on a throwaway
PostgreSQL server (one cluster per session, an empty database per backend). Where no PostgreSQL
binaries exist the PostgreSQL half is skipped, and the terminal summary says so loudly.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.live import LIVE_LOGS, running_backend
from tests.support.postgres import SKIP_REASON, PostgresCluster, find_pg_bin, postgres_cluster

DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Database:
    """The database kind a test's backends use; `backend_env()` points a new backend at an empty one."""

    kind: str
    cluster: PostgresCluster | None = None

    def backend_env(self) -> dict[str, str]:
        """Environment for one new backend: nothing for SQLite (its file in the data dir), else a fresh PG database."""
        if self.cluster is None:
            return {}
        return {"BATTLEFIELD_DATABASE_URL": self.cluster.new_database()}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each `databases`-marked test that uses a backend on both databases."""
    if metafunc.definition.get_closest_marker("databases") and "database" in metafunc.fixturenames:
        metafunc.parametrize("database", DATABASES, indirect=True, scope="module")


LOG_TAIL_CHARACTERS = 6000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failing test's report carries the tail of every live backend's and worker's log."""
    report = yield
    if report.failed:
        for title, path in list(LIVE_LOGS.items()):
            text = path.read_text(errors="replace") if path.exists() else "(no log)"
            report.sections.append((f"{title} log ({path.name})", text[-LOG_TAIL_CHARACTERS:]))
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    """A loud line when the PostgreSQL half of the suite did not run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} {SKIP_REASON}", red=True, bold=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole session (skips where PostgreSQL is not installed)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip(SKIP_REASON)
    with postgres_cluster(bin_dir) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def database(request: pytest.FixtureRequest) -> Database:
    """SQLite unless the test is parametrized (marker `databases`) onto PostgreSQL too."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        return Database(kind, request.getfixturevalue("pg_cluster"))
    return Database(kind)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for the backend and workers of one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def backend_url(data_dir: Path, database: Database) -> Iterator[str]:
    """The base URL of a backend started for this test alone, on an empty database of the test's kind."""
    with running_backend(data_dir, env=database.backend_env()) as url:
        yield url


@pytest.fixture(scope="module")
def module_backend(tmp_path_factory: pytest.TempPathFactory, database) -> Iterator[tuple[str, Path]]:
    """(base URL, data dir) of a backend started once for the module, on an empty database of its kind."""
    data = tmp_path_factory.mktemp("data")
    with running_backend(data, env=database.backend_env()) as url:
        # The first launch loads the contestants (torch) in the backend: do it here, with time to spare,
        # so that no test's 10 s client timeout meets it on a busy machine.
        with httpx.Client(base_url=url, timeout=120) as http:
            assert http.post("/api/architectures/gru/summary", json={}).status_code == 200
        yield url, data
