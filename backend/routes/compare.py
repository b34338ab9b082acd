"""Several runs side by side, and the leaderboard of contestants."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from backend import store
from backend.contestants import architectures
from backend.deps import SessionDep, StateDep, run_id_from_text
from backend.errors import InvalidInput
from backend.models import runs
from backend.schemas import DB_INT_MAX, CompareEntry, ComparePublic, EpochPublic, LeaderboardEntry, LeaderboardPublic

router = APIRouter(prefix="/api", tags=["compare"])

MAX_COMPARE = 50


def _parse_ids(ids: str) -> list[int]:
    """'1, 2,3' -> [1, 2, 3] without repeats; InvalidInput for anything else."""
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


@router.get("/compare", response_model=ComparePublic)
def compare(ids: Annotated[str, Query(description="Run ids, comma-separated: 1,2,3")], session: SessionDep, state: StateDep) -> ComparePublic:
    """The runs and their epoch rows in one reply, in the order asked; 404 names a missing id."""
    entries = []
    for run_id in _parse_ids(ids):
        row = store.get_run(session, run_id)
        metrics = [EpochPublic(**point) for point in store.metrics(session, run_id)]
        entries.append(CompareEntry(run=state.run_public(row), metrics=metrics))
    return ComparePublic(runs=entries)


@router.get("/leaderboard", response_model=LeaderboardPublic)
def leaderboard(session: SessionDep, state: StateDep, dataset: str | None = None) -> LeaderboardPublic:
    """Each contestant's best run by best validation accuracy (any status), best first."""
    entries = []
    for contestant in architectures():
        query = select(runs).where(runs.c.architecture == contestant["name"], runs.c.best_val_acc.is_not(None))
        if dataset:
            query = query.where(runs.c.dataset == dataset)
        row = session.execute(
            query.order_by(runs.c.best_val_acc.desc(), runs.c.test_acc.desc().nulls_last(), runs.c.id).limit(1)
        ).first()
        if row is not None:
            entries.append(LeaderboardEntry(architecture=contestant["name"], title=contestant["title"], run=state.run_public(row)))
    entries.sort(key=lambda entry: -(entry.run.best_val_acc or 0.0))
    return LeaderboardPublic(entries=entries)
