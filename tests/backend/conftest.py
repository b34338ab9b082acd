"""A backend shared by the tests of one module (each test uses its own runs) and an HTTP client on it."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live import running_backend


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


@pytest.fixture
def client(module_backend: tuple[str, Path]) -> Iterator[httpx.Client]:
    """An HTTP client on the module's backend."""
    with httpx.Client(base_url=module_backend[0], timeout=10) as http:
        yield http
