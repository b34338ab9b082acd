"""CSV text of the runs table and of a run's epoch rows (downloads), with the standard library's csv writer."""

import csv
import io
from collections.abc import Iterable

from backend.schemas import RunPublic

RUN_FIELDS = (
    "id", "name", "architecture", "dataset", "status", "created_at", "started_at", "finished_at",
    "duration_seconds", "epochs_done", "epochs_total", "best_epoch", "best_val_acc", "best_val_loss",
    "test_acc", "test_loss", "param_count", "seconds_per_epoch", "device", "worker", "clone_of", "error",
)
EPOCH_FIELDS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "samples_per_second")


def _text(rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value) -> object:
    """None as an empty cell, lists joined by ';', booleans as true/false, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def runs_csv(runs: list[RunPublic]) -> str:
    """One row per run: RUN_FIELDS, tags (';'-joined), notes, then hp.<name> for every hyperparameter any run has."""
    hp_names = sorted({name for run in runs for name in run.hyperparams})
    header = [*RUN_FIELDS, "tags", "notes", *(f"hp.{name}" for name in hp_names)]
    body = []
    for run in runs:
        data = run.model_dump(mode="json")
        body.append([_cell(data[field]) for field in RUN_FIELDS] + [_cell(run.tags), run.notes]
                    + [_cell(run.hyperparams.get(name)) for name in hp_names])
    return _text([header, *body])


def epochs_csv(rows: list[dict]) -> str:
    """The epoch rows as CSV (EPOCH_FIELDS; an empty cell where a metric was NaN)."""
    return _text([EPOCH_FIELDS, *([_cell(row.get(field)) for field in EPOCH_FIELDS] for row in rows)])
