"""Run records and their epoch rows: create, read, list, relabel, delete, ingest an epoch."""

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, String, case, cast, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, NotLeased, RunNotFound
from backend.jsonutil import finite_or_none
from backend.models import epochs, runs
from backend.schemas import ACTIVE_STATUSES

METRIC_COLUMNS = ("train_loss", "train_acc", "val_loss", "val_acc", "seconds", "samples_per_second")
EPOCH_COLUMNS = (epochs.c.epoch, *(epochs.c[name] for name in METRIC_COLUMNS))


def get_run(session: Session, run_id: int) -> Row:
    """The run's row, or RunNotFound."""
    row = session.execute(select(runs).where(runs.c.id == run_id)).first()
    if row is None:
        raise RunNotFound(run_id)
    return row


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
) -> Row:
    """Insert a queued run; its name defaults to '<architecture> #<id>'. Commits."""
    run_id = session.execute(
        insert(runs)
        .values(
            name=name or "",
            architecture=architecture,
            dataset=dataset,
            hyperparams=hyperparams,
            tags=list(tags or []),
            notes=notes or "",
            status="queued",
            created_at=datetime.now(UTC),
            attempts=0,
            param_count=param_count,
            clone_of=clone_of,
            epochs_done=0,
            has_checkpoint=False,
        )
        .returning(runs.c.id)
    ).scalar_one()
    if not name:
        session.execute(update(runs).where(runs.c.id == run_id).values(name=f"{architecture} #{run_id}"))
    row = get_run(session, run_id)
    session.commit()
    return row


def _filters(status: list[str] | None, architecture: str | None, tag: str | None) -> list:
    conditions = []
    if status:
        conditions.append(runs.c.status.in_(status))
    if architecture:
        conditions.append(runs.c.architecture == architecture)
    if tag:
        # tags is a JSON list; its text holds the tag JSON-quoted. Portable across SQLite and PostgreSQL.
        pattern = json.dumps(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(cast(runs.c.tags, String).like(f"%{pattern}%", escape="\\"))
    return conditions


def list_runs(
    session: Session,
    *,
    status: list[str] | None = None,
    architecture: str | None = None,
    tag: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Row], int]:
    """A page of runs, newest first, and the total matching; reads the runs table only."""
    conditions = _filters(status, architecture, tag)
    rows = session.execute(select(runs).where(*conditions).order_by(runs.c.id.desc()).limit(limit).offset(offset)).all()
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


def add_epoch(session: Session, run_id: int, worker: str, values: dict[str, Any]) -> Row | None:
    """Store one epoch row from the run's worker and update the run's summary in one transaction.

    Returns the updated run row, or None when (run, epoch) was already stored (nothing changes).
    Accepted from the run's own worker whatever its status, so reports survive a backend outage.
    """
    epoch = values["epoch"]
    metric = {name: finite_or_none(values.get(name)) for name in METRIC_COLUMNS}
    summary: dict[str, Any] = {"epochs_done": runs.c.epochs_done + 1}
    val_acc = metric["val_acc"]
    if val_acc is not None:
        better = (runs.c.best_val_acc.is_(None)) | (runs.c.best_val_acc < val_acc)
        summary["best_epoch"] = case((better, epoch), else_=runs.c.best_epoch)
        summary["best_val_acc"] = case((better, val_acc), else_=runs.c.best_val_acc)
        summary["best_val_loss"] = case((better, metric["val_loss"]), else_=runs.c.best_val_loss)
    if metric["seconds"] is not None:
        total_before = func.coalesce(runs.c.seconds_per_epoch, 0.0) * runs.c.epochs_done
        summary["seconds_per_epoch"] = (total_before + metric["seconds"]) / (runs.c.epochs_done + 1)
    row = session.execute(
        update(runs).where(runs.c.id == run_id, runs.c.worker == worker).values(**summary).returning(*runs.c)
    ).first()
    if row is None:
        session.rollback()
        get_run(session, run_id)
        raise NotLeased(run_id, worker)
    try:
        session.execute(insert(epochs).values(run_id=run_id, epoch=epoch, **metric))
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row
