"""An HTTP client on the module's shared backend (tests/conftest.py `module_backend`; each test uses its own runs)."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


@pytest.fixture
def client(module_backend: tuple[str, Path]) -> Iterator[httpx.Client]:
    """An HTTP client on the module's backend."""
    with httpx.Client(base_url=module_backend[0], timeout=10) as http:
        yield http
