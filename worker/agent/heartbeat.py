"""Renews a run's lease from a thread and turns the replies into stop signals."""

import logging
import threading

from worker.agent.client import BackendClient, BackendRefused, BackendUnavailable


class Heartbeat:
    """Beats every `interval` s; sets `cancel_requested` on a cancel reply and `lease_lost` on a refusal (409)."""

    def __init__(self, client: BackendClient, run_id: int, worker: str, interval: float, log: logging.LoggerAdapter):
        self.cancel_requested = threading.Event()
        self.lease_lost = threading.Event()
        self._client, self._run_id, self._worker = client, run_id, worker
        self._interval = interval
        self._log = log
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{run_id}", daemon=True)

    def start(self) -> "Heartbeat":
        """Start beating; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating (the run is over)."""
        self._stopped.set()
        self._thread.join(timeout=5.0)

    def _loop(self) -> None:
        """Beat until stopped or the lease is lost; an unreachable backend is retried at the next beat."""
        while not self._stopped.wait(self._interval):
            try:
                reply = self._client.heartbeat(self._run_id, self._worker)
            except BackendUnavailable as exc:
                self._log.warning("heartbeat failed, will retry: %s", exc)
                continue
            except BackendRefused as exc:
                self._log.warning("lease lost: %s", exc.detail)
                self.lease_lost.set()
                return
            if reply.get("cancel") and not self.cancel_requested.is_set():
                self._log.info("cancel requested")
                self.cancel_requested.set()
