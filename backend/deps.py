"""Typed dependency aliases for the routes: the DB session, the app state, the run id (access: backend/access.py)."""

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from backend.config import settings
from backend.db import get_session
from backend.schemas import DB_INT_MAX
from backend.state import AppState


async def get_state(request: Request) -> AppState:
    """The app's in-memory services."""
    return request.app.state.battlefield


SessionDep = Annotated[Session, Depends(get_session)]
StateDep = Annotated[AppState, Depends(get_state)]
RunId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The run's id.")]


def run_id_from_text(text: str) -> int | None:
    """`text` as a run id the database can hold (ASCII digits, at most DB_INT_MAX), or None."""
    if not (text.isascii() and text.isdigit()) or int(text) > DB_INT_MAX:
        return None
    return int(text)
