"""Heavy packages (torch through the worker's registry, scipy, scikit-learn) imported on first use, one thread at a time.

The backend answers its first request before they load; then a start-up thread (`contestants.warm_up`)
and the first requests on the thread pool may all reach for them at once. Python's import system can
raise `_DeadlockError` ("deadlock detected by _ModuleLock") when two threads import packages that
import each other, and a half-imported package is then seen by a request as a 500. Every lazy import
of the backend goes through `load`, under one lock, so only one thread imports at a time; a module
already imported costs one dictionary look-up.
"""

import importlib
import sys
import threading
from types import ModuleType

_IMPORT_LOCK = threading.RLock()   # re-entrant: a module being imported may itself call load()


def load(name: str) -> ModuleType:
    """The module `name` (dotted), imported now if it is not yet. Raises ImportError as `import` does."""
    module = sys.modules.get(name)
    if module is not None and not _initialising(module):
        return module
    with _IMPORT_LOCK:
        return importlib.import_module(name)


def _initialising(module: ModuleType) -> bool:
    """True while `module`'s own code still runs (another thread is importing it)."""
    spec = getattr(module, "__spec__", None)
    return bool(getattr(spec, "_initializing", False))
