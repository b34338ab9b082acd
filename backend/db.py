"""The database engine (SQLite pragmas on connect), sessions, and migrations at start-up."""

from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from backend.config import settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x4261_7474_6C65  # an arbitrary advisory-lock key of our own ("Battle")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers, a busy wait instead of 'database is locked', enforced foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, cross-thread use and the pragmas."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


engine = make_engine(settings.database_url)
SessionLocal = sessionmaker(engine, expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """One session per request, opened and closed in the thread pool like the plain `def` routes that use it."""
    with SessionLocal() as session:
        yield session


def upgrade_database(target_engine: Engine = engine) -> None:
    """Apply the Alembic migrations up to head, with a Config built in code.

    On SQLite foreign keys are off while migrating (a batch-mode table rebuild drops the old table,
    which would cascade to the rows that reference it; SQLite ignores the pragma inside a
    transaction, so it is set before one begins) and checked once done: a dangling reference raises.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%': escape it (percent-encoded socket paths and passwords have them).
    url = target_engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    sqlite = target_engine.dialect.name == "sqlite"
    with target_engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":  # backends starting together migrate one at a time
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite and (dangling := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                    raise RuntimeError(f"migration left rows with dangling foreign keys: {dangling[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
