"""Verdicts: the leaderboard of one dataset with significance, a run's kept test predictions, two runs' disagreement."""

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from backend import contestants, predictions, store
from backend.api_docs import errors
from backend.deps import RunId, SessionDep, StateDep
from backend.errors import Conflict, InvalidInput
from backend.leaderboard import leaderboard
from backend.routes.compare import parse_ids
from backend.schemas import StoredText
from backend.stats import ALPHA, mcnemar_exact, reading
from backend.verdict_schemas import DisagreementPublic, LeaderboardPublic, PredictionsPublic

router = APIRouter(prefix="/api", tags=["verdicts"])

MAX_DISAGREEMENT_REVIEWS = 50
PAIR_SCHEMA = {"pattern": "^[1-9][0-9]{0,8},[1-9][0-9]{0,8}$"}
"""The OpenAPI schema of the disagreement's `ids`: two run ids."""


@router.get("/leaderboard", response_model=LeaderboardPublic)
def read_leaderboard(
    session: SessionDep,
    state: StateDep,
    dataset: Annotated[StoredText | None, Query(description="Default: aclimdb when any run qualifies on it, then imdb.")] = None,
) -> LeaderboardPublic:
    """One dataset's contestants by group mean test accuracy, with 95 % intervals and the leader's significance tests.

    Only succeeded runs with a test accuracy qualify; datasets are never mixed. 422 at ["query","dataset"] naming
    the datasets for a name that is none of them (a known dataset without runs is an empty board).
    """
    contestants.check_filters(dataset=dataset)
    return LeaderboardPublic(**leaderboard(session, dataset, state.run_public))


@router.get("/runs/{run_id}/predictions", response_model=PredictionsPublic, responses=errors(404))
def read_predictions(run_id: RunId, session: SessionDep) -> PredictionsPublic:
    """What the run's kept test predictions say: confusion matrix, ROC and AUC, reliability, worst errors.

    404 when the run does not exist or kept no predictions.
    """
    store.get_run(session, run_id)
    return PredictionsPublic(**predictions.analyse(run_id, predictions.load(run_id)))


@router.get("/compare/disagreement", response_model=DisagreementPublic, responses=errors(404, 409))
def read_disagreement(ids: Annotated[str, Query(description="Two run ids: 3,7", json_schema_extra=PAIR_SCHEMA)], session: SessionDep) -> DisagreementPublic:
    """How often two runs disagree on the same test reviews, McNemar's exact test, and the reviews where they do.

    422 unless exactly two ids; 404 for a run without kept predictions; 409 when they were tested on different reviews.
    """
    run_ids = parse_ids(ids)
    if len(run_ids) != 2:
        raise InvalidInput([{"loc": ["query", "ids"], "type": "value_error",
                             "msg": f"ids must name exactly 2 runs (got {len(run_ids)})"}])
    rows = [store.get_run(session, run_id) for run_id in run_ids]
    stored = [predictions.load(run_id) for run_id in run_ids]
    if rows[0].dataset != rows[1].dataset or stored[0]["labels"] != stored[1]["labels"]:
        raise Conflict(f"Runs {run_ids[0]} and {run_ids[1]} were not tested on the same reviews "
                       f"({rows[0].dataset} vs {rows[1].dataset}); compare runs of one dataset")
    first, second = (np.asarray(item["probabilities"]) for item in stored)  # (N,) each
    differs = np.flatnonzero((first >= 0.5) != (second >= 0.5))
    order = differs[np.argsort(-np.abs(first[differs] - second[differs]), kind="stable")][:MAX_DISAGREEMENT_REVIEWS]
    texts = {review["index"]: review["text"] for item in stored for review in item.get("wrong", [])}
    labels = stored[0]["labels"]
    result = mcnemar_exact(predictions.correct(stored[0]), predictions.correct(stored[1]))
    names = [f"run {run_id}" for run_id in run_ids]
    return DisagreementPublic(
        run_ids=run_ids, n=len(labels), disagreements=int(differs.size), rate=float(differs.size / len(labels)),
        only_first_right=int(result.statistic), only_second_right=int(differs.size - result.statistic),
        test={"leader": names[0], "other": names[1], "test": result.test, "statistic": result.statistic,
              "p_value": result.p_value, "significant": result.p_value < ALPHA, "detail": result.detail,
              "reading": reading(*names, result, result.first_ahead)},
        reviews=[{"index": int(i), "label": labels[i], "probabilities": [float(first[i]), float(second[i])],
                  "text": texts.get(int(i))} for i in order],
    )
