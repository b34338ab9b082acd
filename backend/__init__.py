"""IMDB Battlefield backend: REST API, run queue, metrics store and live events."""

from worker.version import product_version

__version__ = product_version()  # pyproject's version; workers report theirs at registration
