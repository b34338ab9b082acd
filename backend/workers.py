"""The worker fleet: version compatibility at registration, and each worker's state for GET /api/workers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import __version__
from backend.errors import Conflict
from backend.models import runs, workers

LOST_AFTER_LEASES = 2   # a worker silent for two leases is shown lost (the same window as /api/health's count)


class IncompatibleWorker(Conflict):
    """A worker whose product version cannot talk to this backend (409)."""

    def __init__(self, worker: str, worker_version: str):
        super().__init__(
            f"Worker {worker} runs IMDB Battlefield {worker_version}, this backend runs {__version__}: their "
            f"major.minor versions must match. Install {__version__} on the worker's host "
            f"(pip install -e . at the backend's commit, or the same image) and start it again."
        )


def release(version: str) -> tuple[str, ...]:
    """The compatibility key of a version: its major and minor parts ('0.1.3' -> ('0', '1'))."""
    return tuple(version.split("+", 1)[0].split(".")[:2])


def check_compatible(worker: str, worker_version: str | None) -> None:
    """IncompatibleWorker unless `worker_version` has the backend's major.minor (None: an old client, allowed)."""
    if worker_version is not None and release(worker_version) != release(__version__):
        raise IncompatibleWorker(worker, worker_version)


def state_of(last_seen: datetime, current_run_id: int | None, now: datetime, lease_seconds: float) -> str:
    """'lost' when silent for LOST_AFTER_LEASES leases, else 'training' with a run, else 'idle'."""
    if now - last_seen > timedelta(seconds=LOST_AFTER_LEASES * lease_seconds):
        return "lost"
    return "training" if current_run_id is not None else "idle"


def list_workers(session: Session, lease_seconds: float) -> list[dict]:
    """Every known worker with its state, current run (id and name) and registration, most recently seen first."""
    now = datetime.now(UTC)
    rows = session.execute(
        select(workers, runs.c.name.label("current_run_name"))
        .outerjoin(runs, runs.c.id == workers.c.current_run_id)
        .order_by(workers.c.last_seen.desc(), workers.c.name)
    ).all()
    listed = []
    for row in rows:
        item = dict(row._mapping)
        item.pop("id")
        item["state"] = state_of(row.last_seen, row.current_run_id, now, lease_seconds)
        item["seconds_since_seen"] = max(0.0, (now - row.last_seen).total_seconds())
        listed.append(item)
    return listed
