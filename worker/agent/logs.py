"""Readable one-line logs: "2026-11-28 12:00:01 worker w1 run 12: epoch 3/5 val_acc 0.912 (4.1 s)"."""

import contextlib
import logging
import sys
import time
from collections.abc import Iterator

LOG_FORMAT = "%(asctime)s %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr, one line per event, timestamps in UTC."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(LOG_FORMAT, DATE_FORMAT)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)   # one line per request is noise here
    logging.getLogger("httpcore").setLevel(logging.WARNING)


class _PrefixAdapter(logging.LoggerAdapter):
    """Prefixes every message with "worker NAME" or "worker NAME run ID:"."""

    def process(self, msg, kwargs):
        return f"{self.extra['prefix']}: {msg}", kwargs


def log_prefix(worker: str, run_id: int | None = None) -> str:
    """What agent_log's lines start with, before ": "."""
    return f"worker {worker}" if run_id is None else f"worker {worker} run {run_id}"


def agent_log(worker: str, run_id: int | None = None) -> logging.LoggerAdapter:
    """A logger whose lines say which worker (and which run) they are about."""
    return _PrefixAdapter(logging.getLogger("worker.agent"), {"prefix": log_prefix(worker, run_id)})


@contextlib.contextmanager
def capturing(handler: logging.Handler) -> Iterator[logging.Handler]:
    """Attach `handler` to the root logger for the block (a run's log capture, worker/agent/telemetry.py)."""
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
