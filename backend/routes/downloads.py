"""Downloads: the runs table as CSV, a run's epoch rows as CSV, a run's checkpoint file."""

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from backend import store
from backend.api_docs import errors
from backend.csv_export import epochs_csv, runs_csv
from backend.deps import RunId, SessionDep, StateDep
from backend.errors import NotFound
from backend.predict import checkpoint_path
from backend.routes.runs import RunsQueryDep

router = APIRouter(prefix="/api", tags=["downloads"])

CSV = "text/csv; charset=utf-8"
EXPORT_LIMIT = 100_000  # rows in one runs.csv


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get("/runs.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def download_runs(query: RunsQueryDep, session: SessionDep, state: StateDep) -> Response:
    """Every run matching the filters, in the chosen order (as GET /api/runs, without paging), as CSV."""
    rows, _ = store.list_runs(session, **query, limit=EXPORT_LIMIT, offset=0)
    text = runs_csv([state.run_public(row) for row in rows])
    return Response(text, media_type=CSV, headers=_attachment("runs.csv"))


@router.get("/runs/{run_id}/metrics.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}, **errors(404)})
def download_metrics(run_id: RunId, session: SessionDep) -> Response:
    """The run's epoch rows as CSV; 404 for an unknown run."""
    text = epochs_csv(store.metrics(session, run_id))
    return Response(text, media_type=CSV, headers=_attachment(f"run-{run_id}-epochs.csv"))


@router.get("/runs/{run_id}/checkpoint", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}, **errors(404)})
def download_checkpoint(run_id: RunId, session: SessionDep) -> FileResponse:
    """The run's checkpoint file (torch.save format, see docs/ARCHITECTURE.md); 404 when it has none."""
    store.get_run(session, run_id)
    path = checkpoint_path(run_id)
    if not path.is_file():
        raise NotFound(f"Run {run_id} has no checkpoint; only a finished run that saved one can be downloaded")
    return FileResponse(path, media_type="application/octet-stream", filename=f"run-{run_id}.pt")
