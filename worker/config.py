"""Worker settings, read once from the environment: `from worker.config import settings`."""

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_path(name: str, default: str | None) -> Path | None:
    value = os.environ.get(name, default)
    return Path(value).expanduser() if value else None


@dataclass(frozen=True)
class WorkerSettings:
    """Paths and switches the worker reads from `BATTLEFIELD_*` variables."""

    data_dir: Path = field(default_factory=lambda: _env_path("BATTLEFIELD_DATA_DIR", "./data"))
    # Path to aclImdb_v1.tar.gz or its extracted folder; None means "download it".
    aclimdb_path: Path | None = field(default_factory=lambda: _env_path("BATTLEFIELD_ACLIMDB", None))
    # "auto" picks cuda, then mps, then cpu.
    device: str = field(default_factory=lambda: os.environ.get("BATTLEFIELD_DEVICE", "auto"))
    # Bearer token for the backend's worker endpoints; None when the backend asks for none.
    worker_token: str | None = field(default_factory=lambda: os.environ.get("BATTLEFIELD_WORKER_TOKEN") or None)


settings = WorkerSettings()
