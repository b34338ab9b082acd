"""The group a run belongs to: a hash of its contestant, dataset and every hyperparameter but the seed."""

import hashlib
import json
from typing import Any

GROUP_ID_LENGTH = 16


def config_hash(architecture: str, dataset: str, hyperparams: dict[str, Any]) -> str:
    """The group id: 16 hex digits of the SHA-256 of the config without the seed (canonical JSON).

    The hyperparameters must be the resolved ones (defaults filled in), so that a run launched
    with the defaults omitted and one launched with them spelt out share a group.
    """
    config = {"architecture": architecture, "dataset": dataset,
              "hyperparams": {name: value for name, value in hyperparams.items() if name != "seed"}}
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:GROUP_ID_LENGTH]
