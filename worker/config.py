"""Worker settings, read once from BATTLEFIELD_* variables: `from worker.config import settings`.

A bad value stops the worker at start-up with one line naming the variable (worker/settings_base.py).
"""

from pathlib import Path

from pydantic import AliasChoices, Field, field_validator

from worker.settings_base import BattlefieldSettings, load_settings


class WorkerSettings(BattlefieldSettings):
    """Paths and switches the worker reads from `BATTLEFIELD_*` variables."""

    data_dir: Path = Path("./data")  # BATTLEFIELD_DATA_DIR: the dataset cache and local checkpoints
    # BATTLEFIELD_ACLIMDB: path to aclImdb_v1.tar.gz or its extracted folder; None means "download it".
    aclimdb_path: Path | None = Field(None, validation_alias="BATTLEFIELD_ACLIMDB")
    # BATTLEFIELD_ACLIMDB_SHA256: when set, a local aclImdb archive of another sha256 (hex) is refused.
    aclimdb_sha256: str | None = None
    # BATTLEFIELD_DEVICE: "auto" picks cuda, then mps, then cpu.
    device: str = "auto"
    # BATTLEFIELD_SYSTEM_METRICS_SECONDS: how often a training run's CPU, memory and GPU use is sampled and
    # its log lines are sent (the run page's System and Log cards).
    system_metrics_seconds: float = Field(5.0, gt=0, le=3600)
    # The bearer token sent to the backend: BATTLEFIELD_WORKER_TOKEN (the narrower worker secret) when
    # set, else BATTLEFIELD_TOKEN (the one that guards the whole API); None when the backend asks none.
    token: str | None = Field(None, validation_alias=AliasChoices("BATTLEFIELD_WORKER_TOKEN", "BATTLEFIELD_TOKEN"))

    @field_validator("data_dir", "aclimdb_path")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None


settings = load_settings(WorkerSettings)
