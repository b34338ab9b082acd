"""`python -m backend migrate-from-sqlite SQLITE_PATH`: copy a SQLite database into an empty PostgreSQL one.

Every table of the SQLAlchemy metadata is copied (runs, epoch rows, workers, and whatever tables
later migrations add), parents before children, through the tables' own column types (so aware
timestamps, JSON and booleans arrive as PostgreSQL types). The SQLite file is never changed: a
consistent copy of it (SQLite's online backup) is brought to the current schema first. Then each
identity/serial sequence continues after the largest id ever handed out (SQLite's AUTOINCREMENT
counter included, so a deleted run's id is not given again), and the row counts of every table are
compared. Everything happens in one PostgreSQL transaction: a failure leaves the target empty.
"""

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from sqlalchemy import Engine, Table, func, insert, inspect, select, text

from backend.db import make_engine, upgrade_database
from backend.models import Base

BATCH_ROWS = 1000


class MigrationError(Exception):
    """The copy cannot be made (or did not check out); the message says why and what to do."""


def _tables() -> list[Table]:
    """Every table the app defines, parents before the tables that reference them."""
    return list(Base.metadata.sorted_tables)


def _check_target(target: Engine) -> None:
    """MigrationError unless `target` is PostgreSQL and none of our tables there holds a row."""
    if target.dialect.name != "postgresql":
        raise MigrationError(
            f"BATTLEFIELD_DATABASE_URL must name the PostgreSQL database to fill (postgresql+psycopg://...); "
            f"it names a {target.dialect.name} database"
        )
    existing = set(inspect(target).get_table_names())
    with target.connect() as connection:
        filled = [t.name for t in _tables() if t.name in existing
                  and connection.execute(select(func.count()).select_from(t)).scalar()]
    if filled:
        raise MigrationError(
            f"the PostgreSQL database is not empty (rows in {', '.join(filled)}); "
            "migrate into a freshly created database (CREATE DATABASE ...)"
        )


def _sqlite_counters(source: Engine) -> dict[str, int]:
    """SQLite's AUTOINCREMENT counters: the largest id each such table ever handed out."""
    with source.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
            return {}
        return {name: int(seq) for name, seq in connection.execute(text("SELECT name, seq FROM sqlite_sequence"))}


def _reset_sequence(connection, table: Table, floor: int) -> None:
    """Make the table's id sequence (serial or identity) continue after max(id, floor)."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or key[0].type.python_type is not int:
        return
    column = key[0].name
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column}).scalar()
    if sequence is None:
        return
    largest = max(connection.execute(select(func.coalesce(func.max(key[0]), 0))).scalar(), floor)
    # setval(seq, n, false): the next value is n itself.
    connection.execute(text("SELECT setval(CAST(:s AS regclass), :n, false)"), {"s": sequence, "n": largest + 1})


def _snapshot(sqlite_path: Path, folder: Path) -> Path:
    """A consistent copy of the SQLite database (online backup: safe while a backend still writes to it)."""
    copy = folder / "source.db"
    with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as original, sqlite3.connect(copy) as snapshot:
        original.backup(snapshot)
    original.close()
    snapshot.close()
    return copy


def migrate_from_sqlite(sqlite_path: Path, target_url: str) -> dict[str, int]:
    """Copy every table of the SQLite database at `sqlite_path` into the empty PostgreSQL `target_url`.

    Returns {table: rows copied}. Raises MigrationError when the file is missing, the target is not
    an empty PostgreSQL database, or the counts differ after the copy (then nothing is kept).
    """
    sqlite_path = Path(sqlite_path).expanduser()
    if not sqlite_path.is_file():
        raise MigrationError(f"{sqlite_path}: no such SQLite database file")
    target = make_engine(target_url)
    try:
        _check_target(target)
        upgrade_database(target)
        with tempfile.TemporaryDirectory(prefix="battlefield-migrate-") as folder:
            source = make_engine(f"sqlite:///{_snapshot(sqlite_path, Path(folder))}")
            try:
                upgrade_database(source)
                counters = _sqlite_counters(source)
                return _copy(source, target, counters)
            finally:
                source.dispose()
    finally:
        target.dispose()


def _copy(source: Engine, target: Engine, counters: dict[str, int]) -> dict[str, int]:
    """Copy the rows table by table in one target transaction; reset sequences; compare counts."""
    copied: dict[str, int] = {}
    with source.connect() as reader, target.begin() as writer:
        for table in _tables():
            copied[table.name] = 0
            result = reader.execute(select(table)).mappings()
            while batch := result.fetchmany(BATCH_ROWS):
                writer.execute(insert(table), [dict(row) for row in batch])
                copied[table.name] += len(batch)
            _reset_sequence(writer, table, counters.get(table.name, 0))
        for table in _tables():
            expected = reader.execute(select(func.count()).select_from(table)).scalar()
            found = writer.execute(select(func.count()).select_from(table)).scalar()
            if expected != found or found != copied[table.name]:
                raise MigrationError(f"table {table.name}: {expected} rows in SQLite but {found} in PostgreSQL; nothing was kept")
    return copied


def main(argv: list[str]) -> int:
    """The command line: copy, print each table's count, exit 0; or print the reason and exit 1."""
    from backend.config import settings

    parser = argparse.ArgumentParser(
        prog="python -m backend migrate-from-sqlite",
        description="Copy a SQLite database into the empty PostgreSQL database BATTLEFIELD_DATABASE_URL names.",
    )
    parser.add_argument("sqlite_path", type=Path, help="the SQLite file, e.g. ./data/battlefield.db")
    parser.add_argument("--to", default=settings.database_url,
                        help="the target PostgreSQL URL (default: $BATTLEFIELD_DATABASE_URL)")
    args = parser.parse_args(argv)
    try:
        counts = migrate_from_sqlite(args.sqlite_path, args.to)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{name}: {count} rows copied")
    print("counts match; the backend can now start with this BATTLEFIELD_DATABASE_URL")
    return 0
