"""Alembic environment: runs on the connection handed over by backend.db.upgrade_database (or the URL)."""

from alembic import context
from sqlalchemy import create_engine

from backend.models import Base

target_metadata = Base.metadata


def run_migrations(connection) -> None:
    """Configure the context on `connection` (batch mode so SQLite can alter tables) and migrate."""
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with create_engine(context.config.get_main_option("sqlalchemy.url")).begin() as own_connection:
        run_migrations(own_connection)
