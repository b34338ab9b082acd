"""GET /api/meta: the fixed vocabulary the dashboard needs, from the modules that define it."""

from fastapi import APIRouter

from backend.schemas import HyperparamGroup, MetaPublic
from worker.catalog import HYPERPARAM_GROUPS, NOTEBOOK_TEST_ACC
from worker.wire import ACTIVE_STATUSES, TERMINAL_STATUSES, EndReason, RunStatus

router = APIRouter(prefix="/api", tags=["meta"])

_META = MetaPublic(
    statuses=list(RunStatus),
    active_statuses=list(ACTIVE_STATUSES),
    terminal_statuses=list(TERMINAL_STATUSES),
    end_reasons=list(EndReason),
    hyperparam_groups=[HyperparamGroup(name=name, fields=list(fields)) for name, fields in HYPERPARAM_GROUPS.items()],
    notebook_test_acc=NOTEBOOK_TEST_ACC,
)


@router.get("/meta", response_model=MetaPublic)
def meta() -> MetaPublic:
    """Run statuses (all, active, terminal) and end reasons, hyperparameter display groups, the notebook's figures."""
    return _META
