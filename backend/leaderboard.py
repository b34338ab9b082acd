"""The leaderboard of one dataset: qualifying runs grouped by config, ranked by mean test accuracy, with significance.

Qualifying: succeeded with a test figure (cancelled, failed and running runs never rank). Each
contestant is shown by its best group; the leader is tested against every other contestant with
Welch's t-test across seeds (both groups N >= 2) and McNemar's exact test on the test reviews
(both shown runs kept their predictions). Datasets are never mixed.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import predictions
from backend.contestants import architectures
from backend.groups import group_columns, group_test_accuracies, summarise_groups
from backend.models import runs
from backend.stats import ALPHA, mcnemar_exact, reading, welch

PREFERRED_DATASETS = ("aclimdb", "imdb")  # the real reviews first, when any run used them


def qualifying():
    """The runs that may rank: succeeded, with a test accuracy."""
    return (runs.c.status == "succeeded") & runs.c.test_acc.is_not(None)


def dataset_counts(session: Session) -> dict[str, int]:
    """Qualifying runs per dataset."""
    return dict(session.execute(
        select(runs.c.dataset, func.count()).where(qualifying()).group_by(runs.c.dataset).order_by(runs.c.dataset)).all())


def default_dataset(counts: dict[str, int]) -> str | None:
    """The real reviews when any run qualifies on them, else the dataset with most qualifying runs."""
    for name in PREFERRED_DATASETS:
        if counts.get(name):
            return name
    return max(counts, key=lambda name: (counts[name], name)) if counts else None


def _best_runs(session: Session, group_ids: list[str], dataset: str) -> dict[str, Any]:
    """Each group's qualifying run with the highest test accuracy (the lowest id on ties), by group id."""
    best: dict[str, Any] = {}
    rows = session.execute(
        select(runs).where(runs.c.config_hash.in_(group_ids), runs.c.dataset == dataset, qualifying())
        .order_by(runs.c.test_acc.desc(), runs.c.id)
    ).all()
    for row in rows:
        best.setdefault(row.config_hash, row)
    return best


def _significance(leader: dict, other: dict, accuracies: dict[str, list[float]]) -> list[dict]:
    """The tests that apply between the leader's entry and another's, each with its plain reading."""
    results = []
    if len(accuracies[leader["group"]["id"]]) >= 2 and len(accuracies[other["group"]["id"]]) >= 2:
        results.append(welch(accuracies[leader["group"]["id"]], accuracies[other["group"]["id"]]))
    if leader["best_run"].has_predictions and other["best_run"].has_predictions:
        try:
            first, second = predictions.load(leader["best_run"].id), predictions.load(other["best_run"].id)
            results.append(mcnemar_exact(predictions.correct(first), predictions.correct(second)))
        except (ValueError, LookupError):  # different test sets, or a file removed meanwhile: no paired test
            pass
    return [
        {"leader": leader["architecture"], "other": other["architecture"], "test": result.test,
         "statistic": result.statistic, "p_value": result.p_value, "significant": result.p_value < ALPHA,
         "detail": result.detail, "reading": reading(leader["architecture"], other["architecture"], result, result.first_ahead)}
        for result in results
    ]


def leaderboard(session: Session, dataset: str | None, run_public: Callable[[Any], Any]) -> dict:
    """The leaderboard of `dataset` (default: see default_dataset); `run_public` renders a runs row."""
    counts = dataset_counts(session)
    chosen = dataset or default_dataset(counts)
    listed = [{"name": name, "qualifying_runs": count} for name, count in counts.items()]
    if chosen is None:
        return {"dataset": None, "datasets": listed, "entries": [], "significance": []}
    conditions = [qualifying(), runs.c.dataset == chosen]
    rows = session.execute(select(*group_columns()).where(*conditions).group_by(runs.c.config_hash)).all()
    best_by_contestant: dict[str, Any] = {}
    for row in rows:
        key = (row.test_acc_mean, row.n, row.best_val_acc_mean or 0.0)
        current = best_by_contestant.get(row.architecture)
        if current is None or key > (current.test_acc_mean, current.n, current.best_val_acc_mean or 0.0):
            best_by_contestant[row.architecture] = row
    groups = summarise_groups(session, list(best_by_contestant.values()), conditions)
    groups.sort(key=lambda group: -group["test_acc"]["mean"])
    best = _best_runs(session, [group["id"] for group in groups], chosen)
    titles = {contestant["name"]: contestant["title"] for contestant in architectures()}
    entries = [
        {"rank": rank, "architecture": group["architecture"], "title": titles.get(group["architecture"], group["architecture"]),
         "group": group, "single_seed": group["test_acc"]["n"] == 1, "best_run": best[group["id"]]}
        for rank, group in enumerate(groups, start=1)
    ]
    significance = []
    if entries:
        accuracies = group_test_accuracies(session, [group["id"] for group in groups])
        for other in entries[1:]:
            significance += _significance(entries[0], other, accuracies)
    for entry in entries:
        entry["best_run"] = run_public(entry["best_run"])
    return {"dataset": chosen, "datasets": listed, "entries": entries, "significance": significance}
