"""The run queue: atomic claim with a lease, heartbeat, cancel, finish and the lease-expiry reaper.

Every status change is one guarded UPDATE ... WHERE status IN (expected) that raises StaleStatus
when no row matched. Leases age from the last heartbeat, never from the claim.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Integer, Row, and_, bindparam, case, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, NotLeased, StaleStatus
from backend.jsonutil import finite_or_none
from backend.loophop import LoopHop
from backend.models import epochs, runs, workers
from backend.store import get_run
from worker.wire import ACTIVE_STATUSES, EndReason, FinishReport, RunStatus



class RunAvailable:
    """Wakes waiting claims when a run is launched; notify() is safe from any thread."""

    def __init__(self, hop: LoopHop | None = None) -> None:
        self._event = asyncio.Event()
        self._hop = hop or LoopHop()

    def current(self) -> asyncio.Event:
        """The event the next notify() sets; take it before looking at the queue so no launch is missed."""
        return self._event

    def notify(self) -> None:
        """Wake every claim waiting now."""
        self._hop.call(self._notify)

    def _notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()


def lease_lost_message(worker: str | None, lease_seconds: float) -> str:
    """The error of a run whose worker stopped heartbeating."""
    return f"worker {worker} lost: no heartbeat for {lease_seconds:g} s"


def transition(session: Session, run_id: int, expected: tuple[str, ...], *extra_guards, **values) -> Row:
    """Guarded status change: UPDATE the run only if its status is in `expected`; StaleStatus otherwise."""
    row = session.execute(
        update(runs)
        .where(runs.c.id == run_id, runs.c.status.in_(expected), *extra_guards)
        .values(**values)
        .returning(*runs.c)
    ).first()
    if row is None:
        session.rollback()
        raise StaleStatus(run_id, expected)
    return row


def touch_worker(session: Session, name: str, *, host: str | None = None, device: str | None = None, **values) -> None:
    """Record that worker `name` was heard from now (insert it on first contact). Does not commit."""
    now = datetime.now(UTC)
    changes = {"last_seen": now, **values}
    if host is not None:
        changes["host"] = host
    if device is not None:
        changes["device"] = device
    result = session.execute(update(workers).where(workers.c.name == name).values(**changes))
    if result.rowcount == 0:
        try:
            with session.begin_nested():
                session.execute(insert(workers).values(**{"name": name, "host": "", "device": "", **changes}))
        except IntegrityError:  # registered concurrently under the same name
            session.execute(update(workers).where(workers.c.name == name).values(**changes))


# The oldest queued run. The literal `status = 'queued'` matches the partial index ix_runs_queued (on id,
# WHERE status = 'queued'), so the lookup reads that index only. On PostgreSQL FOR UPDATE SKIP LOCKED
# lets concurrent claims each lock a different row instead of queueing behind one another; SQLite
# renders no locking clause and serialises the whole statement under its write lock.
_NEXT_QUEUED = (
    select(runs.c.id).where(text("status = 'queued'")).order_by(runs.c.id).limit(1).with_for_update(skip_locked=True)
)


_ANY_QUEUED = select(runs.c.id).where(text("status = 'queued'")).limit(1)


def claim(session: Session, worker: str, device: str, lease_seconds: float) -> Row | None:
    """Hand the oldest queued run to `worker` with a lease, atomically; None if nothing is queued. Commits.

    One statement, `UPDATE runs SET ... WHERE id = (SELECT id ... LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING *` (the queue pattern of procrastinate and Oban): no run can be handed out twice and
    no claimer retries. With nothing queued it only reads (so an idle long poll never waits on a
    writer's lock); the route records the idle worker's `last_seen` after replying (`note_idle`).
    """
    if session.execute(_ANY_QUEUED).first() is None:
        session.rollback()
        return None
    now = datetime.now(UTC)
    row = session.execute(
        update(runs)
        .where(runs.c.id == _NEXT_QUEUED.scalar_subquery(), runs.c.status == RunStatus.QUEUED)
        .values(
            status=RunStatus.RUNNING,
            started_at=now,
            worker=worker,
            device=device,
            attempts=runs.c.attempts + 1,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
        )
        .returning(*runs.c)
    ).first()
    if row is None:  # the last queued run went to another claimer since the look
        session.rollback()
        return None
    touch_worker(session, worker, device=device, current_run_id=row.id)
    session.commit()
    return row


def note_idle(session: Session, worker: str, device: str) -> None:
    """Record that idle worker `worker` asked for work just now. Commits."""
    touch_worker(session, worker, device=device)
    session.commit()


def heartbeat(session: Session, run_id: int, worker: str, lease_seconds: float) -> Row:
    """Renew the lease of a run held by `worker`; the returned row's status says whether it is cancelling."""
    row = session.execute(
        update(runs)
        .where(runs.c.id == run_id, runs.c.worker == worker, runs.c.status.in_(ACTIVE_STATUSES))
        .values(lease_expires_at=datetime.now(UTC) + timedelta(seconds=lease_seconds))
        .returning(runs.c.status, runs.c.lease_expires_at)
    ).first()
    if row is None:
        session.rollback()
        get_run(session, run_id)
        raise NotLeased(run_id, worker)
    touch_worker(session, worker)
    session.commit()
    return row


# Built once: progress reports arrive several times a second per run.
_HOLDER = select(runs.c.status, runs.c.worker).where(runs.c.id == bindparam("run_id", type_=Integer))


def check_holder(session: Session | Connection, run_id: int, worker: str) -> str:
    """The run's status (running or cancelling); RunNotFound or NotLeased unless `worker` holds the active run."""
    row = session.execute(_HOLDER, {"run_id": run_id}).first()
    if row is None:
        get_run(session, run_id)
    if row.worker != worker or row.status not in ACTIVE_STATUSES:
        raise NotLeased(run_id, worker)
    return row.status


def cancel(session: Session, run_id: int) -> Row:
    """A queued run becomes cancelled at once, a running one cancelling (its worker stops). Commits.

    One guarded UPDATE decides from the status it finds, so no race with a claim needs a retry;
    cancelling an already cancelling run returns it unchanged; any other status is a Conflict.
    """
    queued = runs.c.status == RunStatus.QUEUED
    row = session.execute(
        update(runs)
        .where(runs.c.id == run_id, runs.c.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
        .values(
            status=case((queued, RunStatus.CANCELLED), else_=RunStatus.CANCELLING),
            finished_at=case((queued, datetime.now(UTC)), else_=runs.c.finished_at),
            end_reason=case((queued, EndReason.CANCELLED), else_=runs.c.end_reason),
        )
        .returning(*runs.c)
    ).first()
    if row is None:
        session.rollback()
        row = get_run(session, run_id)
        if row.status != RunStatus.CANCELLING:
            raise Conflict(f"Run {run_id} is {row.status}; only queued or running runs can be cancelled")
    session.commit()
    return row


def end_reason(report: FinishReport) -> EndReason | None:
    """Why a run the worker reports on ended: null for success, the worker's reason (default error) for a failure."""
    if report.status == RunStatus.SUCCEEDED:
        return None
    if report.status == RunStatus.CANCELLED:
        return EndReason.CANCELLED
    return report.end_reason or EndReason.ERROR


def finish(session: Session, run_id: int, worker: str, report: FinishReport) -> Row:
    """Record the worker's final verdict on a run it holds. Commits.

    Also accepted for a run the reaper failed for lost heartbeats while its worker was in fact alive
    (a backend outage): the worker's report is the truth.
    """
    lost = and_(runs.c.status == RunStatus.FAILED, runs.c.end_reason == EndReason.LEASE_LOST)
    failed = report.status == RunStatus.FAILED
    values = {
        "status": report.status,
        "end_reason": end_reason(report),
        "finished_at": datetime.now(UTC),
        "lease_expires_at": None,
        "test_loss": finite_or_none(report.test_loss),
        "test_acc": finite_or_none(report.test_acc),
        "error": (report.error or "failed without an error message") if failed else None,
        "traceback": report.traceback if failed else None,
    }
    if report.param_count:
        values["param_count"] = report.param_count
    if report.device:
        values["device"] = report.device
    best_epoch = report.best_epoch
    if best_epoch:
        best = session.execute(
            select(epochs.c.val_acc, epochs.c.val_loss).where(epochs.c.run_id == run_id, epochs.c.epoch == best_epoch)
        ).first()
        if best is not None:
            values.update(best_epoch=best_epoch, best_val_acc=best.val_acc, best_val_loss=best.val_loss)
    row = session.execute(
        update(runs)
        .where(runs.c.id == run_id, runs.c.worker == worker, or_(runs.c.status.in_(ACTIVE_STATUSES), lost))
        .values(**values)
        .returning(*runs.c)
    ).first()
    if row is None:
        session.rollback()
        get_run(session, run_id)
        raise NotLeased(run_id, worker)
    touch_worker(session, worker, current_run_id=None)
    session.commit()
    return row


def mark_checkpoint(session: Session, run_id: int, worker: str) -> None:
    """Note that the run's checkpoint file is stored; only its own worker may upload it. Commits."""
    _mark_stored(session, run_id, worker, "has_checkpoint")


def mark_predictions(session: Session, run_id: int, worker: str) -> None:
    """Note that the run's test predictions are stored; only its own worker may upload them. Commits."""
    _mark_stored(session, run_id, worker, "has_predictions")


def _mark_stored(session: Session, run_id: int, worker: str, column: str) -> None:
    """Set the run's boolean `column` if `worker` is its worker; NotLeased (or RunNotFound) otherwise. Commits."""
    result = session.execute(update(runs).where(runs.c.id == run_id, runs.c.worker == worker).values({column: True}))
    if result.rowcount == 0:
        session.rollback()
        get_run(session, run_id)
        raise NotLeased(run_id, worker)
    session.commit()


def check_checkpoint_upload(session: Session, run_id: int, worker: str) -> None:
    """RunNotFound or NotLeased unless `worker` is the run's worker."""
    row = get_run(session, run_id)
    if row.worker != worker:
        raise NotLeased(run_id, worker)


def reap_expired(session: Session, lease_seconds: float) -> list[Row]:
    """Fail every active run whose lease ran out (a cancelling one becomes cancelled); return them. Commits."""
    now = datetime.now(UTC)
    expired = session.execute(
        select(runs.c.id, runs.c.status, runs.c.worker).where(
            runs.c.status.in_(ACTIVE_STATUSES), runs.c.lease_expires_at < now
        )
    ).all()
    reaped = []
    for run in expired:
        cancelling = run.status == RunStatus.CANCELLING
        target = RunStatus.CANCELLED if cancelling else RunStatus.FAILED
        try:
            row = transition(
                session,
                run.id,
                (run.status,),
                runs.c.lease_expires_at < now,  # a heartbeat that arrived meanwhile wins
                status=target,
                finished_at=now,
                lease_expires_at=None,
                error=lease_lost_message(run.worker, lease_seconds),
                end_reason=EndReason.CANCELLED if cancelling else EndReason.LEASE_LOST,
            )
        except StaleStatus:
            continue
        session.execute(update(workers).where(workers.c.name == run.worker).values(current_run_id=None))
        session.commit()
        reaped.append(row)
    return reaped


def extend_leases(session: Session, lease_seconds: float) -> None:
    """At start-up, give active runs a fresh lease: their workers could not heartbeat while we were down."""
    session.execute(
        update(runs)
        .where(runs.c.status.in_(ACTIVE_STATUSES))
        .values(lease_expires_at=datetime.now(UTC) + timedelta(seconds=lease_seconds))
    )
    session.commit()


def _live_since(lease_seconds: float) -> datetime:
    """A worker is live when heard from within the last two leases."""
    return datetime.now(UTC) - timedelta(seconds=2 * lease_seconds)


def count_live_workers(session: Session, lease_seconds: float) -> int:
    """Workers heard from within the last two leases."""
    since = _live_since(lease_seconds)
    return len(session.execute(select(workers.c.id).where(workers.c.last_seen >= since)).all())


def live_worker_datasets(session: Session, lease_seconds: float) -> dict[str, dict]:
    """{worker name: {dataset: {"ready", "detail"}}} of the live workers, as each said at registration."""
    since = _live_since(lease_seconds)
    rows = session.execute(select(workers.c.name, workers.c.datasets).where(workers.c.last_seen >= since)).all()
    return {row.name: row.datasets or {} for row in rows}


