"""The telemetry store on a temporary SQLite: per-run caps, and rows that go with their run."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import queue, store, telemetry
from backend.models import run_log_lines, run_samples
from worker.wire import LOG_TRUNCATED_MESSAGE, MAX_LOG_LINES_PER_RUN, LogLevel, LogLine, RunStatus, SystemSample, Telemetry

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _lines(count: int) -> list[LogLine]:
    return [LogLine(time=NOW, level=LogLevel.INFO, message=f"line {i}") for i in range(count)]


def _running_run(session: Session) -> int:
    run = store.create_run(session, architecture="lstm", dataset="synthetic", hyperparams={}, param_count=1)
    assert queue.claim(session, "w1", "cpu", 30).id == run.id
    return run.id


def _count(session: Session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_within_line_cap_keeps_the_room_then_one_truncated_line():
    assert telemetry.within_line_cap(_lines(3), MAX_LOG_LINES_PER_RUN - 3) == _lines(3)
    kept = telemetry.within_line_cap(_lines(3), MAX_LOG_LINES_PER_RUN - 1)
    assert [line.message for line in kept] == ["line 0", LOG_TRUNCATED_MESSAGE] and kept[1].level == LogLevel.WARNING
    assert telemetry.within_line_cap(_lines(3), MAX_LOG_LINES_PER_RUN) == [kept[1]]
    assert telemetry.within_line_cap(_lines(3), MAX_LOG_LINES_PER_RUN + 1) == []


def test_deleting_a_run_deletes_its_samples_and_log_lines(session: Session):
    run_id = _running_run(session)
    sample = SystemSample(t=5.0, cpu_percent=100.0, rss_mb=300.0, memory_percent=40.0)
    telemetry.add_batch(session, run_id, "w1", Telemetry(samples=[sample], lines=_lines(2)))
    assert (_count(session, run_samples), _count(session, run_log_lines)) == (1, 2)
    queue.finish(session, run_id, "w1", queue.FinishReport(status=RunStatus.SUCCEEDED))
    store.delete_run(session, run_id)
    assert (_count(session, run_samples), _count(session, run_log_lines)) == (0, 0)


def test_a_large_batch_is_announced_as_incomplete_so_the_page_reads_it():
    lines = [{"id": i, "time": NOW, "level": "INFO", "message": "x" * 1000} for i in range(10)]
    small = telemetry.event_data(7, [], lines[:2])
    large = telemetry.event_data(7, [], lines)
    assert '"complete":true' in small and len(small.encode()) <= telemetry.EVENT_MAX_BYTES
    accented = [{"id": 1, "time": NOW, "level": "INFO", "message": "é" * 1500}]   # 3,000 bytes, 9,000 once relayed
    assert '"complete":false' in telemetry.event_data(7, [], accented)
    assert large == '{"run_id":7,"samples":[],"lines":[],"complete":false}'
