"""Run records and their epoch rows: create, read, list, relabel, delete, ingest an epoch."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Float, Integer, Row, String, Update, bindparam, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import run_query
from backend.confighash import config_hash
from backend.errors import Conflict, NotLeased, RunNotFound
from backend.jsonutil import finite_or_none
from backend.models import epochs, runs
from worker.record_format import RECORD_FORMAT
from worker.wire import ACTIVE_STATUSES, METRIC_NAMES as METRIC_COLUMNS, RunStatus
EPOCH_COLUMNS = (epochs.c.epoch, *(epochs.c[name] for name in METRIC_COLUMNS))


def get_run(session: Session | Connection, run_id: int) -> Row:
    """The run's row, or RunNotFound."""
    row = session.execute(select(runs).where(runs.c.id == run_id)).first()
    if row is None:
        raise RunNotFound(run_id)
    return row


def default_name(architecture: str, run_id: int) -> str:
    """The name a run gets when launched without one: '<architecture> #<id>'."""
    return f"{architecture} #{run_id}"


def create_run(
    session: Session,
    *,
    architecture: str,
    dataset: str,
    hyperparams: dict[str, Any],
    param_count: int,
    name: str | None = None,
    tags: list[str] | None = None,
    notes: str = "",
    clone_of: int | None = None,
    record_format: int | None = None,
) -> Row:
    """Insert a queued run in its group (backend/groups.py); its name defaults to '<architecture> #<id>'. Commits.

    `record_format` is the format version of `hyperparams` (worker/record_format.py): today's
    (RECORD_FORMAT, the default) for a launch, the source's for a clone, whose hyperparameters are
    copied as they were recorded.
    """
    run_id = session.execute(
        insert(runs)
        .values(
            name=name or "",
            architecture=architecture,
            dataset=dataset,
            hyperparams=hyperparams,
            record_format=RECORD_FORMAT if record_format is None else record_format,
            tags=list(tags or []),
            notes=notes or "",
            status=RunStatus.QUEUED,
            created_at=datetime.now(UTC),
            attempts=0,
            param_count=param_count,
            clone_of=clone_of,
            config_hash=config_hash(architecture, dataset, hyperparams),
            epochs_done=0,
            has_checkpoint=False,
            has_predictions=False,
        )
        .returning(runs.c.id)
    ).scalar_one()
    if not name:
        session.execute(update(runs).where(runs.c.id == run_id).values(name=default_name(architecture, run_id)))
    row = get_run(session, run_id)
    session.commit()
    return row


def run_filters(status: list[str] | None, architecture: str | None, tag: str | None, q: str | None = None) -> list:
    """WHERE conditions on runs for the list filters (shared by the runs and the groups lists); see run_query."""
    return run_query.filters(status, architecture, tag, q)


def list_runs(
    session: Session,
    *,
    status: list[str] | None = None,
    architecture: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    sort: str = "id",
    order: str = "desc",
    numeric_hyperparams: frozenset[str] = frozenset(),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Row], int]:
    """A page of runs in the chosen order (newest first by default) and the total matching; reads the runs table only.

    sort: a run_query.SORT_COLUMNS name, "duration" or "hp.<name>" (KeyError otherwise); order: "asc" or "desc".
    """
    conditions = run_filters(status, architecture, tag, q)
    ordering = run_query.order_by(sort, order == "desc", session.get_bind().dialect.name, numeric_hyperparams)
    rows = session.execute(select(runs).where(*conditions).order_by(*ordering).limit(limit).offset(offset)).all()
    count = session.execute(select(func.count()).select_from(runs).where(*conditions)).scalar_one()
    return rows, count


def update_labels(session: Session, run_id: int, values: dict[str, Any]) -> Row:
    """Change name, tags or notes. Commits."""
    if values:
        result = session.execute(update(runs).where(runs.c.id == run_id).values(**values))
        if result.rowcount == 0:
            raise RunNotFound(run_id)
    row = get_run(session, run_id)
    session.commit()
    return row


def delete_run(session: Session, run_id: int) -> None:
    """Delete a run that is not active, with its epoch rows (ON DELETE CASCADE). Commits."""
    row = get_run(session, run_id)
    if row.status in ACTIVE_STATUSES:
        raise Conflict(f"Run {run_id} is {row.status}; cancel it before deleting")
    result = session.execute(delete(runs).where(runs.c.id == run_id, runs.c.status.not_in(ACTIVE_STATUSES)))
    if result.rowcount == 0:
        session.rollback()
        raise Conflict(f"Run {run_id} was claimed meanwhile; cancel it before deleting")
    session.commit()


def metrics(session: Session, run_id: int) -> list[dict]:
    """The run's epoch rows in order, as dicts; RunNotFound if there is no such run."""
    rows = session.execute(select(*EPOCH_COLUMNS).where(epochs.c.run_id == run_id).order_by(epochs.c.epoch)).all()
    if not rows:
        get_run(session, run_id)
    return [row._asdict() for row in rows]


def _summary_update(has_val_acc: bool, has_seconds: bool) -> Update:
    """The UPDATE of a run's summary for a new epoch row, with bound parameters (built once per shape)."""
    summary: dict[str, Any] = {"epochs_done": runs.c.epochs_done + 1}
    if has_val_acc:
        val_acc = bindparam("val_acc", type_=Float)
        better = (runs.c.best_val_acc.is_(None)) | (runs.c.best_val_acc < val_acc)
        summary["best_epoch"] = case((better, bindparam("epoch", type_=Integer)), else_=runs.c.best_epoch)
        summary["best_val_acc"] = case((better, val_acc), else_=runs.c.best_val_acc)
        summary["best_val_loss"] = case((better, bindparam("val_loss", type_=Float)), else_=runs.c.best_val_loss)
    if has_seconds:
        total_before = func.coalesce(runs.c.seconds_per_epoch, 0.0) * runs.c.epochs_done
        summary["seconds_per_epoch"] = (total_before + bindparam("seconds", type_=Float)) / (runs.c.epochs_done + 1)
    return (
        update(runs)
        .where(runs.c.id == bindparam("run_id", type_=Integer), runs.c.worker == bindparam("held_by", type_=String))
        .values(**summary)
        .returning(*runs.c)
    )


# Built once: an epoch row is the hottest write, and a prebuilt statement skips construction and
# cache-key work, leaving only execution (see docs/BENCHMARKS.md).
_SUMMARY_UPDATES = {(a, b): _summary_update(a, b) for a in (False, True) for b in (False, True)}
_INSERT_EPOCH = insert(epochs).values(
    run_id=bindparam("run_id", type_=Integer),
    epoch=bindparam("epoch", type_=Integer),
    **{name: bindparam(name, type_=Float) for name in METRIC_COLUMNS},
)


def add_epoch(connection: Connection, run_id: int, worker: str, values: dict[str, Any]) -> Row | None:
    """Store one epoch row from the run's worker and update the run's summary in one transaction.

    Returns the updated run row, or None when (run, epoch) was already stored (nothing changes).
    Accepted from the run's own worker whatever its status, so reports survive a backend outage.
    Takes a Connection outside any transaction: this path skips the ORM session.
    """
    params = {name: finite_or_none(values.get(name)) for name in METRIC_COLUMNS}
    params.update(run_id=run_id, held_by=worker, epoch=values["epoch"])
    statement = _SUMMARY_UPDATES[params["val_acc"] is not None, params["seconds"] is not None]
    transaction = connection.begin()
    try:
        row = connection.execute(statement, params).first()
        if row is None:
            transaction.rollback()
            get_run(connection, run_id)
            raise NotLeased(run_id, worker)
        connection.execute(_INSERT_EPOCH, params)
        transaction.commit()
    except IntegrityError:
        transaction.rollback()
        return None
    finally:
        if transaction.is_active:
            transaction.rollback()
    return row
