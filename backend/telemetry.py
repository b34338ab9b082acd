"""A run's telemetry: the worker's batches of system samples and log lines, stored within per-run caps, read back.

Caps (worker/wire.py): a run keeps its first MAX_LOG_LINES_PER_RUN lines, then one "truncated"
line and nothing more, and its first MAX_SAMPLES_PER_RUN samples. The worker keeps to them too;
the backend enforces them, being the one writer of the database.
"""

import json

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from backend import queue
from backend.jsonutil import dumps
from backend.models import run_log_lines, run_samples
from backend.notify import MAX_PAYLOAD_BYTES
from worker.wire import (
    LOG_TRUNCATED_MESSAGE,
    MAX_LOG_LINES_PER_RUN,
    MAX_SAMPLES_PER_RUN,
    LogLevel,
    LogLine,
    SystemSample,
    Telemetry,
)

SAMPLE_FIELDS = tuple(SystemSample.model_fields)
LINE_COLUMNS = (run_log_lines.c.id, run_log_lines.c.time, run_log_lines.c.level, run_log_lines.c.message)


def _count(session: Session, table, run_id: int) -> int:
    return session.execute(select(func.count()).select_from(table).where(table.c.run_id == run_id)).scalar_one()


def within_line_cap(lines: list[LogLine], stored: int) -> list[LogLine]:
    """The lines of a batch a run may still keep after `stored` lines: up to the cap, then one truncated line."""
    if stored > MAX_LOG_LINES_PER_RUN:   # the truncated line is stored already
        return []
    room = MAX_LOG_LINES_PER_RUN - stored
    if len(lines) <= room:
        return lines
    marker = LogLine(time=lines[room].time, level=LogLevel.WARNING, message=LOG_TRUNCATED_MESSAGE)
    return [*lines[:room], marker]


def add_batch(session: Session, run_id: int, worker: str, batch: Telemetry) -> tuple[list[dict], list[dict]]:
    """Store a batch from the worker holding the active run; the samples and lines kept (lines with their `id`). Commits.

    RunNotFound (404) or NotLeased (409) unless `worker` holds the run and it is running or cancelling.
    """
    queue.check_holder(session, run_id, worker)
    room = max(MAX_SAMPLES_PER_RUN - _count(session, run_samples, run_id), 0)
    samples = [sample.model_dump() for sample in batch.samples[:room]]
    lines = [line.model_dump() for line in within_line_cap(batch.lines, _count(session, run_log_lines, run_id))]
    if samples:
        session.execute(insert(run_samples), [{"run_id": run_id, **sample} for sample in samples])
    if lines:
        ids = session.scalars(
            insert(run_log_lines).returning(run_log_lines.c.id, sort_by_parameter_order=True),
            [{"run_id": run_id, **line} for line in lines],
        ).all()
        lines = [{"id": line_id, **line} for line_id, line in zip(ids, lines, strict=True)]
    session.commit()
    return samples, lines


SAMPLE_COLUMNS = (run_samples.c.id, *(run_samples.c[name] for name in SAMPLE_FIELDS))


def _page(session: Session, table, columns, run_id: int, after: int, limit: int) -> tuple[list[dict], bool]:
    """Up to `limit` of the run's rows of `table` with an id above `after`, oldest first, and whether more follow."""
    rows = session.execute(
        select(*columns).where(table.c.run_id == run_id, table.c.id > after).order_by(table.c.id).limit(limit + 1)
    ).all()
    return [row._asdict() for row in rows[:limit]], len(rows) > limit


def sample_page(session: Session, run_id: int, after: int, limit: int) -> tuple[list[dict], bool]:
    """Up to `limit` of the run's system samples (with their `id`) above `after`, oldest first, and whether more follow."""
    return _page(session, run_samples, SAMPLE_COLUMNS, run_id, after, limit)


def log_page(session: Session, run_id: int, after: int, limit: int) -> tuple[list[dict], bool]:
    """Up to `limit` of the run's log lines with an id above `after`, oldest first, and whether more follow."""
    return _page(session, run_log_lines, LINE_COLUMNS, run_id, after, limit)


EVENT_MAX_BYTES = MAX_PAYLOAD_BYTES - 200   # the event as the relay embeds it, and room for the relay's envelope


def event_data(run_id: int, samples: list[dict], lines: list[dict]) -> str:
    """The JSON of a `telemetry` event: {"run_id", "samples", "lines", "complete"}.

    A batch too large for one PostgreSQL NOTIFY (backend/notify.py relays events to the other backends;
    a worker sending what piled up while the backend was away, long or non-ASCII lines) goes as
    `complete: false` with no items: the page reads GET /system and /logs?after= instead.
    """
    data = dumps({"run_id": run_id, "samples": samples, "lines": lines, "complete": True})
    if len(json.dumps(data)) <= EVENT_MAX_BYTES:   # measured as backend/notify.py writes it: quoted, ASCII-escaped
        return data
    return dumps({"run_id": run_id, "samples": [], "lines": [], "complete": False})
