"""Typed dependency aliases for the routes: the DB session, the app state, the worker token check."""

import secrets
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from backend.config import settings
from backend.db import get_session
from backend.errors import Unauthorized
from backend.schemas import DB_INT_MAX
from backend.state import AppState


async def get_state(request: Request) -> AppState:
    """The app's in-memory services."""
    return request.app.state.battlefield


async def require_worker_token(request: Request) -> None:
    """401 unless the bearer token matches BATTLEFIELD_WORKER_TOKEN (when one is set)."""
    if settings.worker_token is None:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), settings.worker_token):
        raise Unauthorized("Missing or wrong worker token; start the worker with --token or BATTLEFIELD_WORKER_TOKEN")


SessionDep = Annotated[Session, Depends(get_session)]
StateDep = Annotated[AppState, Depends(get_state)]
RunId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The run's id.")]


def run_id_from_text(text: str) -> int | None:
    """`text` as a run id the database can hold (ASCII digits, at most DB_INT_MAX), or None."""
    if not (text.isascii() and text.isdigit()) or int(text) > DB_INT_MAX:
        return None
    return int(text)
