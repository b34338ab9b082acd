"""The queue's transitions on a temporary SQLite, without HTTP: claims, cancel races, the reaper, finish."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import queue, store
from backend.errors import Conflict, NotLeased
from backend.models import runs
from worker.wire import EndReason, FinishReport, RunStatus

LEASE = 30.0


def _launch_row(session: Session, **fields):
    return store.create_run(session, architecture="fasttext", dataset="synthetic", hyperparams={"epochs": 1},
                            param_count=10, **fields)


def _launch(session: Session) -> int:
    return _launch_row(session).id


def _in_threads(engine: Engine, count: int, work) -> list:
    """Run work(session, index) in `count` threads released together; their results (or exceptions) in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def target(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                results[index] = work(own, index)
            except Exception as error:  # kept to assert on
                results[index] = error

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_claims_take_distinct_runs(engine: Engine, session: Session):
    launched = {_launch(session) for _ in range(4)}
    claimed = _in_threads(engine, 6, lambda own, index: queue.claim(own, f"w{index}", "cpu", LEASE))
    rows = [row for row in claimed if row is not None]
    assert sorted(row.id for row in rows) == sorted(launched)
    assert len({row.worker for row in rows}) == 4


def test_cancel_racing_a_claim_always_lands(engine: Engine, session: Session):
    """Cancel and claim at once: the run ends cancelled (cancel first) or cancelling (claim first), never a 409."""
    for _ in range(10):
        run_id = _launch(session)
        outcome = _in_threads(engine, 2, lambda own, index: queue.cancel(own, run_id) if index == 0
                              else queue.claim(own, "w1", "cpu", LEASE))
        cancelled = outcome[0]
        assert not isinstance(cancelled, Exception), cancelled
        assert cancelled.status in (RunStatus.CANCELLED, RunStatus.CANCELLING)
        final = store.get_run(session, run_id)
        assert final.status == cancelled.status
        if final.status == RunStatus.CANCELLED:
            assert final.end_reason == EndReason.CANCELLED and outcome[1] is None
        session.execute(update(runs).where(runs.c.id == run_id).values(status=RunStatus.FAILED))
        session.commit()


def test_cancel_of_a_cancelling_run_returns_it_unchanged(session: Session):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    assert queue.cancel(session, run_id).status == RunStatus.CANCELLING
    assert queue.cancel(session, run_id).status == RunStatus.CANCELLING


def test_cancel_of_a_finished_run_is_a_conflict_naming_its_status(session: Session):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    queue.finish(session, run_id, "w1", FinishReport(status=RunStatus.SUCCEEDED))
    with pytest.raises(Conflict, match=f"Run {run_id} is succeeded; only queued or running runs can be cancelled"):
        queue.cancel(session, run_id)


def _expire(session: Session, run_id: int) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    session.execute(update(runs).where(runs.c.id == run_id).values(lease_expires_at=past))
    session.commit()


def test_reaper_fails_a_silent_run_with_end_reason_lease_lost(session: Session):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    _expire(session, run_id)
    [reaped] = queue.reap_expired(session, LEASE)
    assert (reaped.id, reaped.status, reaped.end_reason) == (run_id, RunStatus.FAILED, EndReason.LEASE_LOST)
    assert reaped.error == "worker w1 lost: no heartbeat for 30 s"


def test_finish_after_the_reaper_is_accepted_only_for_a_lost_lease(session: Session):
    lost, failed = _launch(session), _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    queue.claim(session, "w1", "cpu", LEASE)
    _expire(session, lost)
    queue.reap_expired(session, LEASE)
    # The same error text without the lease_lost reason: not recognised as a lost lease any more.
    queue.finish(session, failed, "w1", FinishReport(status=RunStatus.FAILED, error="worker w1 lost: no heartbeat"))
    row = queue.finish(session, lost, "w1", FinishReport(status=RunStatus.SUCCEEDED, test_acc=0.9))
    assert (row.status, row.end_reason, row.test_acc) == (RunStatus.SUCCEEDED, None, 0.9)
    with pytest.raises(NotLeased):
        queue.finish(session, failed, "w1", FinishReport(status=RunStatus.SUCCEEDED))


def test_reaper_turns_a_cancelling_run_cancelled(session: Session):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    queue.cancel(session, run_id)
    _expire(session, run_id)
    [reaped] = queue.reap_expired(session, LEASE)
    assert (reaped.status, reaped.end_reason) == (RunStatus.CANCELLED, EndReason.CANCELLED)


@pytest.mark.parametrize(("report", "reason"), [
    (FinishReport(status=RunStatus.FAILED, error="boom"), EndReason.ERROR),
    (FinishReport(status=RunStatus.FAILED, end_reason=EndReason.DIVERGED, error="Training diverged"), EndReason.DIVERGED),
    (FinishReport(status=RunStatus.CANCELLED), EndReason.CANCELLED),
    (FinishReport(status=RunStatus.SUCCEEDED), None),
])
def test_finish_records_why_the_run_ended(session: Session, report: FinishReport, reason):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    assert queue.finish(session, run_id, "w1", report).end_reason == reason


def test_finish_stores_nan_metrics_as_null(session: Session):
    run_id = _launch(session)
    queue.claim(session, "w1", "cpu", LEASE)
    row = queue.finish(session, run_id, "w1", FinishReport(status=RunStatus.SUCCEEDED, test_loss=float("nan"),
                                                            test_acc=float("inf")))
    assert (row.test_loss, row.test_acc) == (None, None)


@pytest.mark.parametrize(("column", "value"), [("status", "done"), ("end_reason", "timeout")])
def test_database_refuses_an_unknown_status_or_end_reason(session: Session, column: str, value: str):
    run_id = _launch(session)
    with pytest.raises(IntegrityError, match="CHECK constraint failed"):
        session.execute(update(runs).where(runs.c.id == run_id).values(**{column: value}))
    session.rollback()
    assert session.execute(select(runs.c.status)).scalar_one() == RunStatus.QUEUED


def test_migration_reads_end_reason_once_from_the_old_error_texts(tmp_path):
    """Rows written before 0002 get their end_reason from the error text, and only failed/cancelled ones."""
    from alembic import command
    from alembic.config import Config

    from backend import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    old = [("succeeded", None), ("failed", "worker w1 lost: no heartbeat for 30 s"), ("cancelled", None),
           ("failed", "Training diverged at epoch 2, batch 7: the loss became nan. Try a lower learning rate"),
           ("failed", "Dataset aclimdb is not available"), ("queued", None)]
    with engine.begin() as connection:
        for status, error in old:
            connection.execute(text(
                "INSERT INTO runs (name, architecture, dataset, hyperparams, tags, notes, status, created_at, attempts,"
                " error, param_count, epochs_done, has_checkpoint) VALUES ('r', 'cnn', 'imdb', '{}', '[]', '', :status,"
                " '2026-11-30 00:00:00', 1, :error, 0, 0, 0)"), {"status": status, "error": error})
    db.upgrade_database(engine)
    with engine.connect() as connection:
        reasons = connection.execute(text("SELECT end_reason FROM runs ORDER BY id")).scalars().all()
    engine.dispose()
    assert reasons == [None, "lease_lost", "cancelled", "diverged", "error", None]



def test_a_run_records_the_record_format_of_the_day_not_the_column_s_backfill(session: Session, monkeypatch):
    monkeypatch.setattr(store, "RECORD_FORMAT", 3)   # a later format: read from the constant at each launch
    assert _launch_row(session).record_format == 3
