"""Backend settings, read once from BATTLEFIELD_* variables: `from backend.config import settings`.

A bad value stops the backend at start-up with one line naming the variable (worker/settings_base.py).
"""

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from worker.settings_base import BattlefieldSettings, load_settings


class Settings(BattlefieldSettings):
    """Where the data lives, how long a lease lasts, who may call the API, where to listen, the limits."""

    data_dir: Path = Path("./data")  # BATTLEFIELD_DATA_DIR: the database, checkpoints and caches
    database_url: str = ""  # BATTLEFIELD_DATABASE_URL; empty: SQLite in data_dir
    # A worker that has not heartbeaten for this long (s) is presumed dead and its run failed.
    lease_seconds: float = Field(30.0, gt=0, le=86_400)
    # BATTLEFIELD_TOKEN: when set, every route but GET /api/health and the static files requires it
    # (bearer header or the session cookie POST /api/login sets); workers send it too.
    token: str | None = None
    # BATTLEFIELD_WORKER_TOKEN: an extra, narrower secret that opens only /api/worker/*.
    worker_token: str | None = None
    host: str = "127.0.0.1"  # BATTLEFIELD_HOST: the interface `python -m backend` listens on
    port: int = Field(8000, ge=0, le=65_535)  # BATTLEFIELD_PORT
    # Seconds between the keep-alive comments of an event stream (proxies drop silent connections).
    sse_ping_seconds: float = Field(15.0, gt=0, le=3600)
    # A launch whose estimated peak memory (MB, 1 MB = 2**20 bytes) exceeds this gets a 422.
    # Sized for a 16 GB worker: 12 GiB for the run, the rest for the OS and the worker itself.
    memory_budget_mb: int = Field(12_288, ge=1)
    # BATTLEFIELD_MAX_BODY_BYTES: the largest request body (bytes) outside the uploads; a bigger one gets a 413.
    max_body_bytes: int = Field(4 * 2**20, ge=1024)
    # The largest checkpoint upload (bytes).
    max_checkpoint_bytes: int = Field(4 * 2**30, ge=1024)
    # How long a dashboard login lasts (s).
    session_seconds: int = Field(7 * 86_400, ge=60)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _default_database(self) -> "Settings":
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'battlefield.db'}")
        return self

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


settings = load_settings(Settings)
