"""Run groups: every run with the same contestant, dataset and hyperparameters but the seed.

A run's group is its `config_hash`; the statistics of a group (and of a group's learning curve)
are aggregated by the database with GROUP BY, never by loading every run.
"""

from dataclasses import asdict

from sqlalchemy import Float, Row, case, cast, func, select
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.models import epochs, runs
from backend.stats import spread_from_moments
from backend.store import run_filters

GROUPED_METRICS = ("best_val_acc", "test_acc")        # per run, over the group's succeeded runs
CURVE_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")  # per epoch, over the runs that reached it


def _moments(column, condition) -> list:
    """COUNT, AVG and SUM of squares of `column` over the rows where `condition` holds."""
    value = case((condition, cast(column, Float)))
    return [func.count(value), func.avg(value), func.sum(value * value)]


def group_columns() -> list:
    """The aggregate columns of a group (GROUP BY config_hash): counts, ids, moments of the grouped metrics."""
    succeeded = runs.c.status == "succeeded"
    columns = [
        runs.c.config_hash.label("id"),
        func.min(runs.c.architecture).label("architecture"),
        func.min(runs.c.dataset).label("dataset"),
        func.count().label("n"),
        func.sum(case((succeeded, 1), else_=0)).label("n_finished"),
        func.min(runs.c.id).label("first_id"),
        func.max(runs.c.id).label("last_id"),
        func.avg(case((succeeded, runs.c.seconds_per_epoch))).label("seconds_per_epoch"),
        func.max(runs.c.param_count).label("param_count"),
    ]
    for name in GROUPED_METRICS:
        count, mean, squares = _moments(runs.c[name], succeeded & runs.c[name].is_not(None))
        columns += [count.label(f"{name}_n"), mean.label(f"{name}_mean"), squares.label(f"{name}_sq")]
    return columns


def _spreads(row: Row) -> dict[str, dict]:
    """The Spread of each grouped metric from a group row's moments."""
    return {name: _spread(row, name) for name in GROUPED_METRICS}


def _spread(row: Row, name: str) -> dict:
    """The Spread (as a dict) of metric `name` from the row's `<name>_n`, `<name>_mean` and `<name>_sq`."""
    return asdict(spread_from_moments(getattr(row, f"{name}_n") or 0, getattr(row, f"{name}_mean"), getattr(row, f"{name}_sq")))


def summarise_groups(session: Session, rows: list[Row], conditions: list) -> list[dict]:
    """The group rows with their config (from their first run, seed removed) and member ids."""
    if not rows:
        return []
    first = dict(session.execute(
        select(runs.c.id, runs.c.hyperparams).where(runs.c.id.in_([row.first_id for row in rows]))).all())
    members: dict[str, list[int]] = {row.id: [] for row in rows}
    for run_id, group_id in session.execute(
        select(runs.c.id, runs.c.config_hash).where(runs.c.config_hash.in_(list(members)), *conditions).order_by(runs.c.id)
    ):
        members[group_id].append(run_id)
    summaries = []
    for row in rows:
        hyperparams = {k: v for k, v in (first.get(row.first_id) or {}).items() if k != "seed"}
        summaries.append({
            "id": row.id, "architecture": row.architecture, "dataset": row.dataset, "hyperparams": hyperparams,
            "n": row.n, "n_finished": int(row.n_finished or 0), "param_count": row.param_count or 0,
            "seconds_per_epoch": row.seconds_per_epoch, **_spreads(row), "run_ids": members[row.id],
        })
    return summaries


def list_groups(session: Session, *, dataset: str | None = None, architecture: str | None = None,
                tag: str | None = None, status: list[str] | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """A page of groups (newest member first) over the runs matching the filters, and how many groups match."""
    conditions = run_filters(status, architecture, tag)
    if dataset:
        conditions.append(runs.c.dataset == dataset)
    grouped = select(*group_columns()).where(*conditions).group_by(runs.c.config_hash)
    rows = session.execute(grouped.order_by(func.max(runs.c.id).desc()).limit(limit).offset(offset)).all()
    count = session.execute(
        select(func.count(func.distinct(runs.c.config_hash))).select_from(runs).where(*conditions)).scalar_one()
    return summarise_groups(session, rows, conditions), count


def get_group(session: Session, group_id: str) -> dict:
    """One group's summary over all its runs; NotFound (404) when no run has this group id."""
    row = session.execute(
        select(*group_columns()).where(runs.c.config_hash == group_id).group_by(runs.c.config_hash)).first()
    if row is None:
        raise NotFound(f"Group {group_id!r} not found; GET /api/groups lists the groups")
    return summarise_groups(session, [row], [])[0]


def group_curve(session: Session, group_id: str) -> list[dict]:
    """The group's learning curve: per epoch, how many runs reached it and each metric's Spread over them.

    Runs that stopped early (patience, cancel, failure) count only for the epochs they reached.
    NotFound when no run has this group id.
    """
    get_group(session, group_id)
    columns = [epochs.c.epoch, func.count().label("n")]
    for name in CURVE_METRICS:
        count, mean, squares = _moments(epochs.c[name], epochs.c[name].is_not(None))
        columns += [count.label(f"{name}_n"), mean.label(f"{name}_mean"), squares.label(f"{name}_sq")]
    rows = session.execute(
        select(*columns).select_from(epochs.join(runs, runs.c.id == epochs.c.run_id))
        .where(runs.c.config_hash == group_id).group_by(epochs.c.epoch).order_by(epochs.c.epoch)
    ).all()
    return [
        {"epoch": row.epoch, "n": row.n,
         **{name: _spread(row, name) for name in CURVE_METRICS}}
        for row in rows
    ]


def group_test_accuracies(session: Session, group_ids: list[str]) -> dict[str, list[float]]:
    """The test accuracies of each group's succeeded runs (for Welch's t-test), by group id."""
    values: dict[str, list[float]] = {group_id: [] for group_id in group_ids}
    for group_id, test_acc in session.execute(
        select(runs.c.config_hash, runs.c.test_acc).where(
            runs.c.config_hash.in_(group_ids), runs.c.status == "succeeded", runs.c.test_acc.is_not(None))
    ):
        values[group_id].append(test_acc)
    return values

