"""Scoring text with a run's checkpoint: a small LRU of loaded predictors."""

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from backend import lazyimport
from backend.config import settings
from backend.errors import UnreadableCheckpoint

if TYPE_CHECKING:
    from worker.inference import Predictor  # imports torch: loaded on the first predict, not at start-up


def checkpoint_path(run_id: int) -> Path:
    """Where run `run_id`'s checkpoint lives; built from the id only."""
    return settings.checkpoint_dir / f"{int(run_id)}.pt"


class PredictorCache:
    """Keeps the last few loaded predictors, keyed by run and checkpoint file version."""

    def __init__(self, size: int = 4):
        self._size = size
        self._items: OrderedDict[tuple[int, int], "Predictor"] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, run_id: int) -> "Predictor":
        """The run's predictor, loading its checkpoint if it is not cached.

        FileNotFoundError if there is none; UnreadableCheckpoint if it does not load.
        """
        path = checkpoint_path(run_id)
        key = (run_id, path.stat().st_mtime_ns)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        inference = lazyimport.load("worker.inference")
        try:
            predictor = inference.Predictor.from_checkpoint(path)
        except Exception as error:  # a truncated or foreign file: torch.load and the model build raise many kinds
            raise UnreadableCheckpoint(run_id, error) from error
        with self._lock:
            self.forget(run_id)
            self._items[key] = predictor
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return predictor

    def forget(self, run_id: int) -> None:
        """Drop the run's cached predictor (checkpoint replaced or run deleted)."""
        for key in [key for key in self._items if key[0] == run_id]:
            self._items.pop(key, None)
