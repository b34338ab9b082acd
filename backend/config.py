"""Backend settings, read once from BATTLEFIELD_* variables: `from backend.config import settings`."""

import os
from dataclasses import dataclass, field
from pathlib import Path


def _data_dir() -> Path:
    return Path(os.environ.get("BATTLEFIELD_DATA_DIR", "./data")).expanduser().resolve()


def _database_url(data_dir: Path) -> str:
    return os.environ.get("BATTLEFIELD_DATABASE_URL") or f"sqlite:///{data_dir / 'battlefield.db'}"


@dataclass(frozen=True)
class Settings:
    """Where the data lives, how long a lease lasts, who may act as a worker, where to listen."""

    data_dir: Path = field(default_factory=_data_dir)
    database_url: str = ""  # filled from BATTLEFIELD_DATABASE_URL, else SQLite in data_dir
    # A worker that has not heartbeaten for this long is presumed dead and its run failed.
    lease_seconds: float = field(default_factory=lambda: float(os.environ.get("BATTLEFIELD_LEASE_SECONDS", "30")))
    # When set, /api/worker/* requires "Authorization: Bearer <token>".
    worker_token: str | None = field(default_factory=lambda: os.environ.get("BATTLEFIELD_WORKER_TOKEN") or None)
    # Seconds between the keep-alive comments of an event stream (proxies drop silent connections).
    sse_ping_seconds: float = field(default_factory=lambda: float(os.environ.get("BATTLEFIELD_SSE_PING_SECONDS", "15")))
    host: str = field(default_factory=lambda: os.environ.get("BATTLEFIELD_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(os.environ.get("BATTLEFIELD_PORT", "8000")))

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", _database_url(self.data_dir))

    @property
    def checkpoint_dir(self) -> Path:
        """Folder of the uploaded checkpoints, one `<run id>.pt` per run."""
        return self.data_dir / "checkpoints"

    @property
    def heartbeat_seconds(self) -> float:
        """How often a worker should heartbeat: three chances per lease."""
        return self.lease_seconds / 3

    @property
    def database_kind(self) -> str:
        """'sqlite' or 'postgresql' (the URL's dialect)."""
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


settings = Settings()
