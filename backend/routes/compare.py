"""Several runs side by side (the leaderboard is in routes/verdicts.py)."""

from typing import Annotated

from fastapi import APIRouter, Query
from backend import store
from backend.api_docs import errors
from backend.deps import SessionDep, StateDep, run_id_from_text
from backend.errors import InvalidInput
from backend.schemas import DB_INT_MAX, CompareEntry, ComparePublic, EpochPublic

router = APIRouter(prefix="/api", tags=["compare"])

MAX_COMPARE = 50
IDS_SCHEMA = {"pattern": rf"^[1-9][0-9]{{0,8}}(,[1-9][0-9]{{0,8}}){{0,{MAX_COMPARE - 1}}}$"}
"""The OpenAPI schema of `ids`: 1 to MAX_COMPARE run ids (what `parse_ids` accepts, spaces aside)."""


def parse_ids(ids: str) -> list[int]:
    """'1, 2,3' -> [1, 2, 3] without repeats; InvalidInput for anything else (also used by the disagreement route)."""
    parsed: list[int] = []
    for part in ids.split(","):
        part = part.strip()
        if not part:
            continue
        run_id = run_id_from_text(part)
        if run_id is None:
            raise InvalidInput([{"loc": ["query", "ids"], "type": "int_parsing",
                                 "msg": f"ids must be run ids (1 to {DB_INT_MAX}) separated by commas (got {part!r})"}])
        if run_id not in parsed:
            parsed.append(run_id)
    if not parsed or len(parsed) > MAX_COMPARE:
        raise InvalidInput([{"loc": ["query", "ids"], "msg": f"ids must name 1 to {MAX_COMPARE} runs", "type": "value_error"}])
    return parsed


@router.get("/compare", response_model=ComparePublic, responses=errors(404))
def compare(ids: Annotated[str, Query(description="Run ids, comma-separated: 1,2,3", json_schema_extra=IDS_SCHEMA)], session: SessionDep, state: StateDep) -> ComparePublic:
    """The runs and their epoch rows in one reply, in the order asked; 404 names a missing id."""
    entries = []
    for run_id in parse_ids(ids):
        row = store.get_run(session, run_id)
        metrics = [EpochPublic(**point) for point in store.metrics(session, run_id)]
        entries.append(CompareEntry(run=state.run_public(row), metrics=metrics))
    return ComparePublic(runs=entries)
