"""The estimate of a launch's peak training memory, and the worker's check of it against its device.

One function, `estimate_memory`, used by the backend (the launch's 422 over BATTLEFIELD_MEMORY_BUDGET_MB,
the summary the launch form shows) and by the worker (before it loads the data or builds the model).
The parts, in bytes (float32 weights, int64 token ids):

- weights, gradients (4 B per parameter each), a copy of the best weights (4 B), and the optimiser's
  state: Adam/AdamW keep two moments (8 B), SGD with momentum one buffer (4 B), plain SGD none;
- activations: twice (ACTIVATION_FACTOR) the tensors autograd saves for the backward pass of one batch of
  `batch_size` reviews of `maxlen` tokens, which are counted exactly by running the contestant on PyTorch's
  meta device (no memory, no arithmetic) under `torch.autograd.graph.saved_tensors_hooks` at three short
  lengths and extrapolating with a quadratic in the length (exact for the linear-in-length models, and for
  attention's square), linear in the batch size; the factor covers what backward holds beside them;
- the data: the train, validation and test ids (int64) and labels (float32), which the trainer keeps
  on the device for the whole run;
- fitting: what a contestant that takes statistics of the training reviews first (nbsvm's bigram table)
  holds meanwhile (`Contestant.fit_memory`), added to the rest (it is freed before the first step, so
  this overstates the peak by the training-only parts, which are small for such models).

Not counted: the framework's own footprint (the CUDA context, PyTorch's libraries: a few hundred MB),
allocator fragmentation, and evaluation batches (no autograd). bench/memory_estimate.py compares the
estimate with measured peaks; docs/RELIABILITY.md (Limits) has the figures.
"""

import functools
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from worker.contestants.base import TrainingParams

MB = 2**20
PROBE_LENGTHS = (16, 32, 48)
# Hyperparameters that do not change the model or its activations per review: left out of the cache key.
TRAINING_ONLY = ("batch_size", "epochs", "optimizer", "lr", "momentum", "weight_decay", "grad_clip", "seed",
                 "patience", "val_split")
PROBE_BATCH = 2
# The backward pass holds, beside the saved tensors, the gradient of each activation as it is computed and
# the kernels' temporaries (a recurrent layer's per-step gates, a convolution's unfolded input). Measured by
# bench/memory_estimate.py on the CPU (docs/RELIABILITY.md, Limits), the saved tensors alone came to 0.3-0.9
# of the activations' real peak (0.65-0.70 of the whole run's peak for rnn, gru and lstm at their defaults);
# twice them leaves no contestant under 0.84 of its measured peak, at the cost of overstating some (up to 1.6).
ACTIVATION_FACTOR = 2
# (training reviews incl. the validation share, test reviews) of each dataset.
REVIEW_COUNTS = {"imdb": (25_000, 25_000), "aclimdb": (25_000, 25_000)}


def review_counts(dataset: str) -> tuple[int, int]:
    """(training incl. validation, test) review counts of `dataset`; the IMDB sizes for an unknown name."""
    if dataset == "synthetic":
        from worker.data import synthetic
        return synthetic.N_TRAIN, synthetic.N_TEST
    return REVIEW_COUNTS.get(dataset, REVIEW_COUNTS["imdb"])


@dataclass(frozen=True)
class MemoryEstimate:
    """A run's estimated peak memory, by part, in bytes."""

    weights: int
    gradients: int
    optimizer: int
    best_weights: int
    activations: int
    data: int
    fitting: int = 0

    @property
    def total(self) -> int:
        """Every part added up (bytes)."""
        return sum(asdict(self).values())

    @property
    def total_mb(self) -> float:
        """The total in MB (2**20 bytes)."""
        return self.total / MB

    def as_mb(self) -> dict[str, float]:
        """Each part and the total in MB, rounded to 0.1 (for the API)."""
        parts = {name: round(value / MB, 1) for name, value in asdict(self).items()}
        return {**parts, "total": round(self.total_mb, 1)}

    def describe(self) -> str:
        """'34,120 MB (weights 8,200, gradients 8,200, ...)'."""
        parts = ", ".join(f"{name.replace('_', ' ')} {value:,.0f}" for name, value in self.as_mb().items()
                          if name != "total" and (value or name != "fitting"))
        return f"{self.total_mb:,.0f} MB ({parts} MB)"


def optimizer_bytes_per_parameter(hp: TrainingParams) -> int:
    """Bytes of optimiser state per parameter: Adam/AdamW 8, SGD with momentum 4, plain SGD 0."""
    if hp.optimizer in ("adam", "adamw"):
        return 8
    return 4 if hp.momentum else 0


def _saved_bytes(model: torch.nn.Module, batch: int, length: int) -> int:
    """Bytes autograd saves for backward in one forward of (batch, length) ids on the meta device.

    The parameters (and views of them, such as a transposed weight) are saved too, but they are the
    weights themselves, counted apart: they are left out here.
    """
    total = 0
    parameters = {id(parameter) for parameter in model.parameters()}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        nonlocal total
        if id(tensor) not in parameters and id(tensor._base) not in parameters:
            total += tensor.numel() * tensor.element_size()
        return tensor

    ids = torch.full((batch, length), 3, dtype=torch.int64, device="meta")  # (B, T), no padding
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(ids)  # (B,)
    return total


@functools.lru_cache(maxsize=256)
def _activations_per_review(name: str, model_hp_json: str) -> tuple[float, float, float] | int:
    """Saved-tensor bytes of one review as a quadratic in its length (a, b, c: a*T**2 + b*T + c)."""
    from worker.contestants import get_contestant, parse_hyperparams

    hp = parse_hyperparams(name, json.loads(model_hp_json))  # the training-only ones at their defaults
    with torch.device("meta"):
        model = get_contestant(name).build(hp)
    model.train()
    try:
        if hp.maxlen <= PROBE_LENGTHS[-1]:  # short reviews: measuring the real length is as cheap
            return _saved_bytes(model, PROBE_BATCH, hp.maxlen) // PROBE_BATCH
        sizes = [_saved_bytes(model, PROBE_BATCH, t) / PROBE_BATCH for t in PROBE_LENGTHS]
    except RuntimeError:  # a model that cannot read reviews this short (wide kernels): measure the real length
        return _saved_bytes(model, PROBE_BATCH, hp.maxlen) // PROBE_BATCH
    lengths = PROBE_LENGTHS
    a, b, c = np.polyfit(lengths, sizes, 2)
    return float(a), float(b), float(c)


def saved_tensor_bytes(name: str, hp: TrainingParams) -> int:
    """Saved-tensor bytes of one training batch (`batch_size` reviews of `maxlen` tokens)."""
    model_hp = {key: value for key, value in hp.model_dump(mode="json").items() if key not in TRAINING_ONLY}
    fit = _activations_per_review(name, json.dumps(model_hp, sort_keys=True))
    per_review = fit if isinstance(fit, int) else max(0.0, fit[0] * hp.maxlen**2 + fit[1] * hp.maxlen + fit[2])
    return int(per_review * hp.batch_size)


def activation_bytes(name: str, hp: TrainingParams) -> int:
    """The activations' share of one training batch's peak: ACTIVATION_FACTOR times its saved tensors."""
    return ACTIVATION_FACTOR * saved_tensor_bytes(name, hp)


def estimate_memory(name: str, hp: TrainingParams, param_count: int, dataset: str) -> MemoryEstimate:
    """The estimated peak memory of training contestant `name` with `hp` (already parsed) on `dataset`.

    `param_count` is the contestant's parameter count (from `summarize`). Raises what the contestant's
    forward raises for hyperparameters it cannot run with.
    """
    from worker.contestants import get_contestant

    n_train, n_test = review_counts(dataset)
    reviews = n_train + n_test
    fit_memory = get_contestant(name).fit_memory
    return MemoryEstimate(
        weights=4 * param_count,
        gradients=4 * param_count,
        optimizer=optimizer_bytes_per_parameter(hp) * param_count,
        best_weights=4 * param_count,
        activations=activation_bytes(name, hp),
        data=reviews * hp.maxlen * 8 + reviews * 4,
        fitting=fit_memory(hp, int(n_train * (1 - hp.val_split))) if fit_memory else 0,
    )


class InsufficientMemory(RuntimeError):
    """The run's estimated peak memory exceeds what the worker's device has free."""


def free_device_bytes(device: torch.device) -> int:
    """Free memory of `device` in bytes: torch.cuda.mem_get_info on CUDA, psutil's available RAM otherwise."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    import psutil

    return int(psutil.virtual_memory().available)


def check_fits(estimate: MemoryEstimate, device: torch.device, free_bytes: int | None = None) -> None:
    """Raise InsufficientMemory, with both figures, when `estimate` exceeds the free memory of `device`."""
    free = free_device_bytes(device) if free_bytes is None else free_bytes
    if estimate.total > free:
        raise InsufficientMemory(
            f"This run needs an estimated {estimate.describe()} but {device} has {free / MB:,.0f} MB free; "
            f"lower batch_size, maxlen or the model's sizes, or run it on a worker with more memory.")
