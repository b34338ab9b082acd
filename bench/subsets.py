"""Cut a dataset to a few reviews per split, for the benches' quick checks (not comparable figures)."""

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import numpy as np

from worker import runner
from worker.data.types import EncodedData


def subset(data: EncodedData, limit: int, seed: int) -> EncodedData:
    """The same data with each split cut to at most `limit` reviews, drawn at random (seeded)."""
    rng = np.random.default_rng(seed)

    def cut(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = np.sort(rng.permutation(len(y))[:limit])
        return x[keep], y[keep]

    x_train, y_train = cut(data.x_train, data.y_train)
    x_val, y_val = cut(data.x_val, data.y_val)
    x_test, y_test = cut(data.x_test, data.y_test)
    return EncodedData(name=data.name, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
                       x_test=x_test, y_test=y_test, num_words=data.num_words, maxlen=data.maxlen,
                       vocab=data.vocab, fingerprint=f"{data.fingerprint}-limit{limit}")


def without_test(data: EncodedData) -> EncodedData:
    """The same data with no test reviews, so that a tuning run can only ever be judged on validation."""
    return dataclasses.replace(data, x_test=data.x_test[:0], y_test=data.y_test[:0])


@contextmanager
def transformed_data(transform: Callable[[EncodedData], EncodedData]) -> Iterator[None]:
    """While open, every dataset the runner loads passes through `transform` first."""
    load = runner.load_dataset

    def load_transformed(*args, **kwargs) -> EncodedData:
        return transform(load(*args, **kwargs))

    with mock.patch.object(runner, "load_dataset", load_transformed):
        yield


@contextmanager
def limited_data(limit: int | None, seed: int = 0) -> Iterator[None]:
    """While open, the runner's datasets are cut to `limit` reviews per split (no-op for None)."""
    if limit is None:
        yield
        return
    with transformed_data(lambda data: subset(data, limit, seed)):
        yield
