"""backend.lazyimport.load: first-use imports from many threads at once never see a half-imported module."""

import sys
import threading
import time
from pathlib import Path

import pytest

from backend.lazyimport import load

# Two modules that import each other, each pausing in its body: imported from two threads at once with a
# plain `import`, Python raises _DeadlockError or hands one thread a half-imported module.
PING = "import time\ntime.sleep(0.2)\nimport {other}\nVALUE = '{name}'\ndef partner():\n    return {other}.VALUE\n"


@pytest.fixture
def cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    stamp = f"{time.monotonic_ns()}"
    first, second = f"lazy_ping_{stamp}", f"lazy_pong_{stamp}"
    (tmp_path / f"{first}.py").write_text(PING.format(name=first, other=second))
    (tmp_path / f"{second}.py").write_text(PING.format(name=second, other=first))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield first, second
    for name in (first, second):
        sys.modules.pop(name, None)


def _import_both_at_once(importer, names: tuple[str, str]) -> list[str]:
    """Import each name on its own thread, started together; the errors (as text) and wrong partners."""
    problems: list[str] = []
    barrier = threading.Barrier(len(names))

    def work(name: str) -> None:
        barrier.wait()
        try:
            module = importer(name)
            other = names[1] if name == names[0] else names[0]
            if module.partner() != other:
                problems.append(f"{name} sees partner {module.partner()!r}")
        except Exception as error:  # what a plain import raises here is the point of the test
            problems.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return problems


def test_plain_imports_of_a_cycle_from_two_threads_go_wrong(cycle):
    """The hazard itself, so that the next test means something on this Python."""
    import importlib

    assert _import_both_at_once(importlib.import_module, cycle) != []


def test_load_imports_a_cycle_from_two_threads_without_error(cycle):
    assert _import_both_at_once(load, cycle) == []


def test_load_returns_an_imported_module_without_importing_again():
    assert load("json") is sys.modules["json"]
