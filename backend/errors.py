"""Domain errors with the exact messages the API returns, and their JSON handlers."""

import math

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error the client can act on: an HTTP status and a `detail` (a message or a 422 list)."""

    status_code = 400

    def __init__(self, detail: str | list[dict]):
        self.detail = detail
        super().__init__(detail if isinstance(detail, str) else str(detail))


class RunNotFound(ApiError):
    """No run has this id."""

    status_code = 404

    def __init__(self, run_id: int):
        super().__init__(f"Run {run_id} not found")


class NotFound(ApiError):
    """Some other thing the path names does not exist."""

    status_code = 404


class Conflict(ApiError):
    """The run is in a state that does not allow this."""

    status_code = 409


class NotLeased(Conflict):
    """A worker acted on a run it does not hold."""

    def __init__(self, run_id: int, worker: str):
        super().__init__(f"Run {run_id} is not leased to worker {worker}")


class StaleStatus(Conflict):
    """A guarded status change matched no row: the run changed state meanwhile."""

    def __init__(self, run_id: int, expected: tuple[str, ...]):
        super().__init__(f"Run {run_id} is no longer {' or '.join(expected)}; it changed while this request ran")


class UnreadableCheckpoint(Conflict):
    """The run's stored checkpoint does not load as a model."""

    def __init__(self, run_id: int, error: Exception):
        reason = (str(error).splitlines() or [""])[0][:200]
        super().__init__(f"Run {run_id}'s checkpoint cannot be loaded ({type(error).__name__}: {reason}); "
                         f"clone the run to train it again")


class InvalidInput(ApiError):
    """422 in FastAPI's format: a list of {"loc", "msg", "type"}."""

    status_code = 422


class Unauthorized(ApiError):
    """The route needs the access token (backend/access.py), or a login gave a wrong one."""

    status_code = 401


async def _api_error_handler(_request: Request, error: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)


def _json_safe(value):
    """`value` with what JSON cannot carry made printable: NaN and infinities as text, unpaired surrogates escaped."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


async def _validation_error_handler(_request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, also when the rejected input is NaN or holds an unpaired surrogate (which JSON cannot echo)."""
    return JSONResponse({"detail": _json_safe(jsonable_encoder(error.errors()))}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every ApiError as JSON {"detail": ...} with its status, and every invalid request with a 422."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
