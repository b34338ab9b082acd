"""Groups of runs that differ only in the seed: list, one group with its runs, its mean learning curve."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from backend import groups, store
from backend.api_docs import errors
from backend.contestants import check_filters
from backend.deps import SessionDep, StateDep
from backend.routes.runs import MAX_PAGE, STATUSES_SCHEMA, parse_statuses
from backend.schemas import DB_INT_MAX, MAX_TAG_CHARS, StoredText, stored_text
from backend.verdict_schemas import GroupCurvePublic, GroupDetailPublic, GroupPublic, GroupsPublic

router = APIRouter(prefix="/api/groups", tags=["groups"])

GroupId = Annotated[str, Path(pattern="^[0-9a-f]{16}$", description="The group id (16 hex digits), a run's `group_id`.")]


@router.get("", response_model=GroupsPublic)
def list_groups(
    session: SessionDep,
    dataset: StoredText | None = None,
    architecture: StoredText | None = None,
    tag: Annotated[stored_text(MAX_TAG_CHARS) | None, Query(description="Groups with a run whose tag contains this text (any case).")] = None,
    status: Annotated[str | None, Query(description="Only member runs in this status (or these, comma-separated).",
                                        json_schema_extra=STATUSES_SCHEMA)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
) -> Response:
    """Groups of the runs matching the filters, newest member first: N, N finished, mean/sd/95 % CI, runs.

    Aggregated by the database (GROUP BY the config hash); `count` is the number of groups matching. 422 at
    ["query","dataset"] or ["query","architecture"] naming the choices for a name that is none of them.
    """
    check_filters(architecture=architecture, dataset=dataset)
    rows, count = groups.list_groups(session, dataset=dataset, architecture=architecture, tag=tag,
                                     status=parse_statuses(status), limit=limit, offset=offset)
    page = GroupsPublic(data=[GroupPublic(**row) for row in rows], count=count)
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/{group_id}", response_model=GroupDetailPublic, responses=errors(404))
def read_group(group_id: GroupId, session: SessionDep, state: StateDep) -> GroupDetailPublic:
    """One group over all its runs, with the member runs; 404 for an unknown group id."""
    summary = groups.get_group(session, group_id)
    members = [state.run_public(store.get_run(session, run_id)) for run_id in summary["run_ids"]]
    return GroupDetailPublic(**summary, runs=members)


@router.get("/{group_id}/curve", response_model=GroupCurvePublic, responses=errors(404))
def read_group_curve(group_id: GroupId, session: SessionDep) -> GroupCurvePublic:
    """The group's learning curve: per epoch the runs that reached it (`n`) and each metric's mean, sd and 95 % CI."""
    points = groups.group_curve(session, group_id)
    return GroupCurvePublic(group=GroupPublic(**groups.get_group(session, group_id)), points=points)

