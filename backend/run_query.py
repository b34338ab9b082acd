"""The runs table's query: filters (status, contestant, tag and name substrings) and sorting by any column.

Portable across SQLite and PostgreSQL: JSON hyperparameters are sorted through SQLAlchemy's typed
JSON accessors (`as_float`, `as_string`), durations through each dialect's date arithmetic. Every
sort ends with the id, so pages never overlap or skip a run when values tie.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, String, cast, func, literal
from sqlalchemy.sql.elements import UnaryExpression

from backend.models import runs

# column name -> what the runs table shows under it (the API's `sort` values besides "hp.<name>")
SORT_COLUMNS = {
    "id": runs.c.id,
    "name": runs.c.name,
    "architecture": runs.c.architecture,
    "dataset": runs.c.dataset,
    "status": runs.c.status,
    "created_at": runs.c.created_at,
    "started_at": runs.c.started_at,
    "finished_at": runs.c.finished_at,
    "epochs_done": runs.c.epochs_done,
    "param_count": runs.c.param_count,
    "best_epoch": runs.c.best_epoch,
    "best_val_acc": runs.c.best_val_acc,
    "best_val_loss": runs.c.best_val_loss,
    "test_acc": runs.c.test_acc,
    "test_loss": runs.c.test_loss,
    "seconds_per_epoch": runs.c.seconds_per_epoch,
}
SORTS = (*SORT_COLUMNS, "duration", "hp.<hyperparameter>")
HP_PREFIX = "hp."


def like_pattern(text: str) -> str:
    """'%text%' with LIKE's wildcards in `text` escaped (escape character: backslash)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filters(
    status: list[str] | None, architecture: str | None, tag: str | None, q: str | None = None
) -> list[ColumnElement]:
    """WHERE conditions: status in the list, the contestant, a tag containing `tag`, a name containing `q`.

    Tag and name matches ignore case. `tags` is a JSON list whose text holds each tag JSON-quoted, so
    a substring of one tag is a substring of the JSON-escaped text (portable across both databases).
    """
    conditions: list[ColumnElement] = []
    if status:
        conditions.append(runs.c.status.in_(status))
    if architecture:
        conditions.append(runs.c.architecture == architecture)
    if tag:
        escaped = json.dumps(tag)[1:-1].lower()
        conditions.append(func.lower(cast(runs.c.tags, String)).like(like_pattern(escaped), escape="\\"))
    if q:
        conditions.append(func.lower(runs.c.name).like(like_pattern(q.lower()), escape="\\"))
    return conditions


def _duration(dialect: str) -> ColumnElement:
    """Seconds from start to finish (to now while running); NULL for a run that never started."""
    if dialect == "sqlite":
        end = func.coalesce(runs.c.finished_at, literal(datetime.now(UTC).replace(tzinfo=None).isoformat(" ")))
        return (func.julianday(end) - func.julianday(runs.c.started_at)) * 86400.0
    end = func.coalesce(runs.c.finished_at, func.now())
    return func.extract("epoch", end - runs.c.started_at)


def order_by(sort: str, descending: bool, dialect: str, numeric_hyperparams: set[str]) -> list[UnaryExpression]:
    """ORDER BY for the `sort` key: a column, "duration" or "hp.<name>"; NULLs last either way; id breaks ties.

    numeric_hyperparams: the hyperparameter names whose values are numbers (sorted as numbers, the rest
    as text). Raises KeyError for an unknown key (the route turns it into a 422).
    """
    if sort.startswith(HP_PREFIX):
        name = sort.removeprefix(HP_PREFIX)
        item = runs.c.hyperparams[name]
        key = item.as_float() if name in numeric_hyperparams else item.as_string()
    elif sort == "duration":
        key = _duration(dialect)
    else:
        key = SORT_COLUMNS[sort]
    tie = runs.c.id.desc() if descending else runs.c.id.asc()
    if sort == "id":
        return [tie]
    primary = key.desc() if descending else key.asc()
    return [key.is_(None), primary, tie]  # False sorts before True: NULLs last
