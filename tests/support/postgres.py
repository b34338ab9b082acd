"""A throwaway PostgreSQL cluster for the tests and benches: initdb + pg_ctl in a temporary folder.

The cluster listens on a Unix socket in its own folder only (no TCP), so it never clashes with a
server already running on the machine. PostgreSQL refuses to run as root, and CI runs as root: then
every server command runs as the `postgres` user that Debian's package creates (via `runuser`), and
the folder is handed to that user.
"""

import contextlib
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.live import free_port

# Overridable so a test can show what the suite says where PostgreSQL is missing.
PG_BIN_GLOB = os.environ.get("BATTLEFIELD_TEST_PG_BIN_GLOB", "/usr/lib/postgresql/*/bin")
SKIP_REASON = (
    "PostgreSQL tests skipped: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
    "(apt-get install postgresql; .ci/run installs it)"
)
# Durability off: a test cluster is thrown away, and fsyncs would dominate its time.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c max_connections=400 -c listen_addresses=''")


def find_pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder holding initdb and pg_ctl, or None."""
    found = [Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "initdb").exists() and (Path(p) / "pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0) if found else None


class PostgresCluster:
    """A running throwaway cluster; `new_database()` gives each caller an empty database of its own."""

    def __init__(self, bin_dir: Path, root: Path, port: int):
        self.bin_dir, self.root, self.port = bin_dir, root, port
        self.data_dir = root / "cluster"
        self.log_path = root / "server.log"
        self._names = itertools.count(1)

    # --- lifecycle -----------------------------------------------------------------------------
    def _as_server_user(self, command: list[str]) -> list[str]:
        """`command` run as `postgres` when we are root (PostgreSQL refuses root), else as ourselves."""
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, *command: str) -> None:
        """Run a server command; raise with its output if it fails."""
        result = subprocess.run(self._as_server_user(list(command)), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}")

    def start(self) -> None:
        """initdb (trust auth, UTF-8, C locale) and pg_ctl start, waiting until it accepts connections."""
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} {SERVER_OPTIONS}", "start")

    def stop(self) -> None:
        """Stop the server at once (the cluster is thrown away)."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    # --- databases -----------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this cluster (psycopg 3 over the Unix socket)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def connect(self, database: str = "postgres"):
        """A psycopg autocommit connection to `database`."""
        import psycopg

        return psycopg.connect(host=str(self.root), port=self.port, user="postgres", dbname=database, autocommit=True)

    def new_database(self) -> str:
        """CREATE an empty database with a fresh name; its SQLAlchemy URL."""
        name = f"battlefield_{os.getpid()}_{next(self._names)}"
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_cluster(bin_dir: Path | None = None) -> Iterator[PostgresCluster]:
    """Start a throwaway cluster in a fresh temporary folder; stop it and delete the folder on exit.

    Raises RuntimeError when no PostgreSQL binaries are installed (see `find_pg_bin`).
    """
    bin_dir = bin_dir or find_pg_bin()
    if bin_dir is None:
        raise RuntimeError(SKIP_REASON)
    # A short path: the socket's full name must fit in 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="bfpg-", dir="/tmp"))
    cluster = PostgresCluster(bin_dir, root, free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
