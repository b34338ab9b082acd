"""Kept test predictions: stored beside the checkpoint as JSON, and what they say (scikit-learn's metrics).

One file per run, <data_dir>/predictions/<id>.json, written atomically: {"probabilities", "labels", "wrong"}.
"""

import json
import os
from pathlib import Path

import numpy as np

from backend import lazyimport
from backend.config import settings
from backend.errors import NotFound

MAX_UPLOAD_BYTES = 8 * 1024 * 1024   # 25,000 probabilities as JSON take about 0.5 MB
ROC_POINTS = 500
RELIABILITY_BINS = 10


def predictions_path(run_id: int) -> Path:
    """Where run `run_id`'s predictions live; built from the id only."""
    return settings.data_dir / "predictions" / f"{int(run_id)}.json"


def save(run_id: int, probabilities: list[float], labels: list[int], wrong: list[dict]) -> None:
    """Write the run's predictions atomically (a partial file is never seen under the final name)."""
    path = predictions_path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    try:
        partial.write_text(json.dumps({"probabilities": probabilities, "labels": labels, "wrong": wrong}))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load(run_id: int) -> dict:
    """The stored predictions of run `run_id`; NotFound (404) when it has none."""
    try:
        return json.loads(predictions_path(run_id).read_text())
    except FileNotFoundError:
        raise NotFound(f"Run {run_id} has no stored test predictions; its worker uploads them when the run succeeds") from None


def delete(run_id: int) -> None:
    """Remove the run's predictions file, if any."""
    predictions_path(run_id).unlink(missing_ok=True)


def correct(stored: dict) -> np.ndarray:
    """(N,) bool: whether each test review was classified right at the 0.5 threshold."""
    return (np.asarray(stored["probabilities"]) >= 0.5) == (np.asarray(stored["labels"]) == 1)


def analyse(run_id: int, stored: dict) -> dict:
    """Confusion matrix, ROC with AUC, reliability diagram and the worst errors of stored predictions.

    Metrics from sklearn.metrics (confusion_matrix, roc_curve, roc_auc_score) and
    sklearn.calibration.calibration_curve (uniform bins); Niculescu-Mizil & Caruana (2005),
    "Predicting good probabilities with supervised learning", for the reliability diagram.
    """
    metrics = lazyimport.load("sklearn.metrics")   # scikit-learn on first use: the backend starts without it
    calibration_curve = lazyimport.load("sklearn.calibration").calibration_curve
    probabilities = np.asarray(stored["probabilities"], dtype=float)  # (N,)
    labels = np.asarray(stored["labels"], dtype=int)  # (N,)
    predicted = (probabilities >= 0.5).astype(int)
    tn, fp, fn, tp = (int(v) for v in metrics.confusion_matrix(labels, predicted, labels=[0, 1]).ravel())
    both_classes = len(np.unique(labels)) == 2
    if both_classes:
        fpr, tpr, _ = metrics.roc_curve(labels, probabilities)
        keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), ROC_POINTS)).round().astype(int))
        roc = {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist(), "auc": float(metrics.roc_auc_score(labels, probabilities))}
        fraction, mean_probability = calibration_curve(labels, probabilities, n_bins=RELIABILITY_BINS, strategy="uniform")
    else:
        roc = {"fpr": [], "tpr": [], "auc": None}
        fraction, mean_probability = np.array([]), np.array([])
    # the reviews per bin, binned exactly as calibration_curve bins them (searchsorted on the inner edges)
    inner_edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)[1:-1]
    counts = np.bincount(np.searchsorted(inner_edges, probabilities), minlength=RELIABILITY_BINS)
    return {
        "run_id": run_id,
        "n": int(labels.size),
        "accuracy": float((predicted == labels).mean()),
        "confusion": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
        "roc": roc,
        "reliability": {"mean_probability": mean_probability.tolist(), "fraction_positive": fraction.tolist(),
                        "count": [int(c) for c in counts if c > 0] if both_classes else []},
        "wrong": stored.get("wrong", []),
    }
