"""The fast in-process layer: the queue's functions on a temporary SQLite, the app through httpx's ASGITransport.

Each test gets its own database file. The backend's module-level engine is created at import from
the settings; it is pointed at a throw-away folder first and rebound to the test's engine here.
"""

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session


def _import_backend() -> None:
    """Import backend.db with its default engine in a temporary folder, never in the working directory."""
    saved = {name: os.environ.pop(name, None) for name in ("BATTLEFIELD_DATA_DIR", "BATTLEFIELD_DATABASE_URL")}
    os.environ["BATTLEFIELD_DATA_DIR"] = tempfile.mkdtemp(prefix="battlefield-inprocess-")
    try:
        import backend.db  # noqa: F401
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


_import_backend()

from backend import db  # noqa: E402
from backend.main import create_app  # noqa: E402


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database of this test, migrated to head."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'battlefield.db'}")
    db.upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test's database."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def api(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app in this process on the test's database, through httpx's ASGITransport (no lifespan)."""
    import asyncio

    monkeypatch.setattr(db, "engine", engine)
    original = db.SessionLocal.kw["bind"]
    db.SessionLocal.configure(bind=engine)
    app = create_app()
    app.state.battlefield.bind(asyncio.get_running_loop())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inprocess") as client:
            yield client
    finally:
        app.state.battlefield.begin_shutdown()
        db.SessionLocal.configure(bind=original)
