"""Hyperparameters as a checkpoint or a queued run recorded them: nothing is filled from today's defaults.

A field added to a contestant after runs were recorded without it takes the value that reproduces how
those runs were built and trained (their behaviour before the field existed), never the field's
current default. Every new hyperparameter must add its entry here.
"""

from typing import Any

from worker.contestants import HyperparamError, get_contestant, parse_hyperparams
from worker.contestants.base import TrainingParams

# field -> {architecture, or "*" for every other one: the behaviour before the field existed}
BEFORE_THEY_EXISTED: dict[str, dict[str, Any]] = {
    # a7144a3: rnn, lstm and gru read their final state; bilstm already pooled max and mean.
    "pooling": {"*": "final", "bilstm": "max_mean"},
    # c688a45: the learning rate was constant before the schedule existed.
    "lr_schedule": {"*": "constant"},
    # fasttext hashed its word pairs before the exact table was offered.
    "bigrams": {"*": "hashed"},
}


def parse_recorded(architecture: str, recorded: dict[str, Any]) -> TrainingParams:
    """The hyperparameters of a recorded run: `recorded`, plus the old behaviour of fields added since.

    Raises HyperparamError when a field is missing that has no recorded old behaviour (the model
    could not be rebuilt as it was trained), or when a value no longer validates; UnknownContestant.
    """
    fields = get_contestant(architecture).params.model_fields
    absent = [name for name in fields if name not in recorded]
    unknown = [name for name in absent if name not in BEFORE_THEY_EXISTED]
    if unknown:
        raise HyperparamError([{
            "loc": name, "type": "missing_recorded",
            "msg": f"The recorded hyperparameters of this {architecture} run lack '{name}', and its value before "
                   f"'{name}' existed is not known, so the model cannot be rebuilt as it was trained",
        } for name in unknown])
    before = {name: _old_value(name, architecture) for name in absent}
    return parse_hyperparams(architecture, {**recorded, **before})


def _old_value(field: str, architecture: str) -> Any:
    values = BEFORE_THEY_EXISTED[field]
    return values.get(architecture, values["*"])
