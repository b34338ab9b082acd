"""Shared fixtures: a fresh data directory and a fresh live backend per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import running_backend


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for the backend and workers of one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def backend_url(data_dir: Path) -> Iterator[str]:
    """The base URL of a backend started for this test alone, with its database in `data_dir`."""
    with running_backend(data_dir) as url:
        yield url
