"""HTTP client for the backend's worker endpoints: keep-alive, timeouts, retries with backoff."""

import logging
import math
import time
from pathlib import Path

import httpx

from worker.agent.backoff import Backoff

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
CLAIM_GRACE_SECONDS = 10.0   # read timeout of a long-poll claim = its wait + this


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


def json_safe(value):
    """`value` with NaN and infinities replaced by None (they are not JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


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
        """Send a request; retry connection errors and 5xx with backoff for `retry_seconds` (None: forever)."""
        deadline = None if retry_seconds is None else time.monotonic() + retry_seconds
        backoff = Backoff()
        while True:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code < 500:
                    raise BackendRefused(response.status_code, _detail(response))
                problem = f"{response.status_code}: {_detail(response)}"
            delay = backoff.delay()
            if deadline is not None and time.monotonic() + delay > deadline:
                raise BackendUnavailable(f"{method} {path} failed: {problem}")
            log.debug("%s %s failed (%s); retrying in %.1f s", method, path, problem, delay)
            time.sleep(delay)

    def _run_call(self, method: str, run_id: int, action: str, *, retry_seconds: float | None, **kwargs) -> httpx.Response:
        """A call on /api/worker/runs/{id}/{action}; a 409 becomes LeaseLost."""
        try:
            return self.request(method, f"/api/worker/runs/{run_id}/{action}", retry_seconds=retry_seconds, **kwargs)
        except BackendRefused as exc:
            if exc.status_code == 409:
                raise LeaseLost(exc.status_code, exc.detail) from None
            raise

    def register(self, name: str, host: str, device: str, *, datasets: dict | None = None,
                 retry_seconds: float | None = None) -> dict:
        """POST /api/worker/register -> {"name", "lease_seconds", "heartbeat_seconds"}.

        datasets: {name: {"ready", "detail"}}, what this worker can load (worker.data.readiness).
        """
        body = {"name": name, "host": host, "device": device, "datasets": datasets or {}}
        return self.request("POST", "/api/worker/register", json=body, retry_seconds=retry_seconds).json()

    def claim(self, worker: str, device: str, *, wait: float, retry_seconds: float | None = None) -> dict | None:
        """Long-poll POST /api/worker/claim; the claim reply ({"run", "lease_expires_at"}) or None when nothing came."""
        body = {"worker": worker, "device": device, "wait": wait}
        timeout = httpx.Timeout(wait + CLAIM_GRACE_SECONDS, connect=5.0)
        response = self.request("POST", "/api/worker/claim", json=body, timeout=timeout, retry_seconds=retry_seconds)
        return None if response.status_code == 204 else response.json()

    def heartbeat(self, run_id: int, worker: str, *, retry_seconds: float | None = 0) -> dict:
        """Renew the lease -> {"cancel": bool, "lease_expires_at"}; LeaseLost when the run is not ours any more."""
        return self._run_call("POST", run_id, "heartbeat", json={"worker": worker}, retry_seconds=retry_seconds).json()

    def progress(self, run_id: int, worker: str, *, epoch: int, fraction: float, loss: float) -> bool:
        """Report in-epoch progress once, without retries (the next report supersedes it); True when the
        reply says the run was cancelled."""
        body = json_safe({"worker": worker, "epoch": epoch, "fraction": fraction, "loss": loss})
        return bool(self._run_call("POST", run_id, "progress", json=body, retry_seconds=0).json().get("cancel"))

    def epoch(self, run_id: int, worker: str, row: dict, *, retry_seconds: float | None = 0) -> bool:
        """Store one epoch row; True when stored now, False when the backend already had it."""
        body = json_safe({"worker": worker, **row})
        return self._run_call("POST", run_id, "epochs", json=body, retry_seconds=retry_seconds).status_code == 201

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

    def finish(self, run_id: int, worker: str, report: dict, *, retry_seconds: float | None = 120) -> dict:
        """Report the run's final status and metrics -> the run (RunPublic)."""
        body = json_safe({"worker": worker, **report})
        return self._run_call("POST", run_id, "finish", json=body, retry_seconds=retry_seconds).json()
