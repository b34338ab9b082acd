"""HTTP client for the backend's worker endpoints: keep-alive, timeouts, retries with backoff (tenacity).

Bodies are the wire models of worker/wire.py, serialised by Pydantic (NaN and infinities as null).
"""

import logging
from pathlib import Path

import httpx
from pydantic import BaseModel
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_before_delay, stop_never

from worker.agent.backoff import BACKOFF
from worker.wire import ClaimReply, EpochMetrics, FinishReport, Progress, ProgressReply, Telemetry, to_json

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
CLAIM_GRACE_SECONDS = 10.0   # read timeout of a long-poll claim = its wait + this


JSON_HEADERS = {"Content-Type": "application/json"}


class BackendUnavailable(Exception):
    """The backend could not be reached (or answered 5xx) for longer than the call's retry window."""


class BackendRefused(Exception):
    """The backend answered 4xx: an answer, never retried. `detail` is its message."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class LeaseLost(BackendRefused):
    """409 on a run-scoped call: the run is no longer held by this worker."""


class _Retryable(Exception):
    """A connection error or a 5xx: worth another attempt."""


def _detail(response: httpx.Response) -> str:
    """The `detail` of an error reply, or its text when it is not JSON."""
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text
    return detail if isinstance(detail, str) else str(detail)


class BackendClient:
    """One keep-alive connection pool to the backend, shared by the agent's threads (httpx.Client is thread-safe)."""

    def __init__(self, server: str, *, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.server = server.rstrip("/")
        self._http = httpx.Client(base_url=self.server, headers=headers, timeout=REQUEST_TIMEOUT)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def request(self, method: str, path: str, *, retry_seconds: float | None, **kwargs) -> httpx.Response:
        """Send a request; retry connection errors and 5xx with backoff for `retry_seconds` (None: forever).

        Raises BackendRefused for a 4xx (never retried), BackendUnavailable once the next wait would
        pass `retry_seconds` (0: one attempt).
        """
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            wait=BACKOFF,
            stop=stop_never if retry_seconds is None else stop_before_delay(retry_seconds),
            before_sleep=lambda state: log.debug("%s %s failed (%s); retrying in %.1f s", method, path,
                                                 state.outcome.exception(), state.upcoming_sleep),
        )
        try:
            return retrying(self._attempt, method, path, **kwargs)
        except RetryError as exc:
            raise BackendUnavailable(f"{method} {path} failed: {exc.last_attempt.exception()}") from None

    def _attempt(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One try: the response, BackendRefused for a 4xx, _Retryable for a connection error or a 5xx."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code < 400:
            return response
        if response.status_code < 500:
            raise BackendRefused(response.status_code, _detail(response))
        raise _Retryable(f"{response.status_code}: {_detail(response)}")

    def _post_model(self, run_id: int, action: str, worker: str, model: BaseModel, *,
                    retry_seconds: float | None) -> httpx.Response:
        """POST a wire model with the worker's name, serialised by Pydantic (NaN as null)."""
        body = to_json({"worker": worker, **model.model_dump()})
        return self._run_call("POST", run_id, action, content=body, headers=JSON_HEADERS, retry_seconds=retry_seconds)

    def _run_call(self, method: str, run_id: int, action: str, *, retry_seconds: float | None, **kwargs) -> httpx.Response:
        """A call on /api/worker/runs/{id}/{action}; a 409 becomes LeaseLost."""
        try:
            return self.request(method, f"/api/worker/runs/{run_id}/{action}", retry_seconds=retry_seconds, **kwargs)
        except BackendRefused as exc:
            if exc.status_code == 409:
                raise LeaseLost(exc.status_code, exc.detail) from None
            raise

    def register(self, name: str, about: dict, *, retry_seconds: float | None = None) -> dict:
        """POST /api/worker/register with `about` -> {"name", "lease_seconds", "heartbeat_seconds"}.

        about: worker/agent/sysinfo.describe()'s host, device, memory and versions, plus "datasets":
        {name: {"ready", "detail"}}, what this worker can load (worker.data.readiness).
        BackendRefused (409) when the backend finds the worker's version incompatible.
        """
        body = {"name": name, **about}
        return self.request("POST", "/api/worker/register", json=body, retry_seconds=retry_seconds).json()

    def claim(self, worker: str, device: str, *, wait: float, retry_seconds: float | None = None) -> ClaimReply | None:
        """Long-poll POST /api/worker/claim; the claimed run and its lease, or None when nothing came."""
        body = {"worker": worker, "device": device, "wait": wait}
        timeout = httpx.Timeout(wait + CLAIM_GRACE_SECONDS, connect=5.0)
        response = self.request("POST", "/api/worker/claim", json=body, timeout=timeout, retry_seconds=retry_seconds)
        return None if response.status_code == 204 else ClaimReply.model_validate_json(response.content)

    def heartbeat(self, run_id: int, worker: str, *, retry_seconds: float | None = 0) -> dict:
        """Renew the lease -> {"cancel": bool, "lease_expires_at"}; LeaseLost when the run is not ours any more."""
        return self._run_call("POST", run_id, "heartbeat", json={"worker": worker}, retry_seconds=retry_seconds).json()

    def progress(self, run_id: int, worker: str, progress: Progress) -> bool:
        """Report in-epoch progress once, without retries (the next report supersedes it); True when the
        reply says the run was cancelled."""
        reply = self._post_model(run_id, "progress", worker, progress, retry_seconds=0)
        return ProgressReply.model_validate_json(reply.content).cancel

    def epoch(self, run_id: int, worker: str, row: EpochMetrics, *, retry_seconds: float | None = 0) -> bool:
        """Store one epoch row; True when stored now, False when the backend already had it."""
        return self._post_model(run_id, "epochs", worker, row, retry_seconds=retry_seconds).status_code == 201

    def telemetry(self, run_id: int, worker: str, batch: Telemetry, *, retry_seconds: float | None = 0) -> dict:
        """Store a batch of system samples and log lines -> {"samples", "lines"}: how many the run kept."""
        return self._post_model(run_id, "telemetry", worker, batch, retry_seconds=retry_seconds).json()

    def upload_checkpoint(self, run_id: int, worker: str, path: Path, *, retry_seconds: float | None = 60) -> None:
        """PUT the checkpoint file's bytes."""
        self._run_call(
            "PUT", run_id, "checkpoint",
            params={"worker": worker},
            content=Path(path).read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
            timeout=UPLOAD_TIMEOUT,
            retry_seconds=retry_seconds,
        )

    def upload_predictions(self, run_id: int, worker: str, predictions: dict, *, retry_seconds: float | None = 60) -> None:
        """PUT the run's test predictions ({"probabilities", "labels", "wrong"}, worker/training/predictions.py)."""
        self._run_call("PUT", run_id, "predictions", json={"worker": worker, **predictions},
                       timeout=UPLOAD_TIMEOUT, retry_seconds=retry_seconds)

    def finish(self, run_id: int, worker: str, report: FinishReport, *, retry_seconds: float | None = 120) -> dict:
        """Report the run's final status and metrics -> the run (RunPublic)."""
        return self._post_model(run_id, "finish", worker, report, retry_seconds=retry_seconds).json()
