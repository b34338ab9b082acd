"""Sends a run's progress, epoch rows and telemetry from a sender thread, so training never waits on the network.

Epoch rows go through an outbox: a row leaves it only once the backend has stored it, so rows
that could not be sent (backend down or restarting) are sent again, in order, when it is back.
Progress is latest-wins (the trainer spaces its reports); a progress report that fails is simply dropped.
Telemetry (worker/agent/telemetry.py: system samples, log lines) goes every few seconds, after any
waiting row; a batch that could not be sent stays pending for the next one, a refused one is dropped.
"""

import logging
import threading
from collections import deque

from tenacity import RetryCallState, Retrying, retry_if_exception_type

from worker.agent.backoff import BACKOFF
from worker.agent.client import BackendClient, BackendRefused, BackendUnavailable
from worker.agent.telemetry import RunTelemetry
from worker.wire import EpochMetrics, Progress, Telemetry


class RunReporter:
    """The outbox and progress sender of one run."""

    def __init__(self, client: BackendClient, run_id: int, worker: str, log: logging.LoggerAdapter,
                 *, cancel_requested: threading.Event | None = None, telemetry: RunTelemetry | None = None):
        self._client, self._run_id, self._worker = client, run_id, worker
        # Set when a progress reply says the run was cancelled (the heartbeat's event, so either may tell).
        self.cancel_requested = cancel_requested or threading.Event()
        self._log = log
        self._cond = threading.Condition()
        self._outbox: deque[EpochMetrics] = deque()
        self._progress: Progress | None = None
        self._closed = False       # no more rows will come; leave once the outbox is empty
        self._abandoned = False    # leave now, whatever is left
        self._sending = False      # a row or progress is on the wire
        self._telemetry = telemetry
        self._flush_telemetry = False   # wait_sent asked for everything pending now
        self._thread = threading.Thread(target=self._loop, name=f"reporter-{run_id}", daemon=True)

    def start(self) -> "RunReporter":
        """Start the sender thread; returns self."""
        self._thread.start()
        return self

    def progress(self, progress: Progress) -> None:
        """Queue an in-epoch progress report (replaces one not sent yet); never blocks."""
        with self._cond:
            self._progress = progress
            self._cond.notify()

    def epoch(self, metrics: EpochMetrics) -> None:
        """Queue an epoch row for sending; never blocks."""
        with self._cond:
            self._outbox.append(metrics)
            if self._progress is not None and self._progress.epoch <= metrics.epoch:
                self._progress = None   # stale: that epoch is over
            self._cond.notify()

    def unsent(self) -> int:
        """Epoch rows not stored by the backend yet."""
        with self._cond:
            return len(self._outbox)

    def wait_sent(self, timeout: float) -> bool:
        """Wait up to `timeout` s for every queued row to be stored and the telemetry sent (a last sample taken);
        True when no row is left. May be called again later, to send what was logged since."""
        with self._cond:
            if self._telemetry is not None:
                if not self._closed:
                    self._telemetry.sample_now()   # the run's last sample
                self._flush_telemetry = True
            self._closed = True   # training is over: no more rows, no more progress
            self._progress = None
            self._cond.notify()
            return self._cond.wait_for(lambda: not self._outbox and not self._sending and not self._flush_telemetry,
                                       timeout=timeout)

    def close(self) -> int:
        """Stop the sender thread now; returns the rows that could not be sent."""
        with self._cond:
            self._closed = True
            self._abandoned = True
            self._cond.notify_all()
        self._thread.join(timeout=15.0)
        return self.unsent()

    def _next_job(self) -> EpochMetrics | Progress | Telemetry | None:
        """Wait for the next thing to send: the oldest epoch row first, then due progress, then due telemetry;
        None to leave (after close(), or once closed with nothing to send and no telemetry to follow)."""
        with self._cond:
            while True:
                if self._abandoned or (self._closed and not self._outbox and self._telemetry is None):
                    return None
                if self._outbox:
                    self._sending = True
                    return self._outbox[0]
                if self._progress is not None:   # the trainer already spaces them (PROGRESS_INTERVAL_S)
                    progress, self._progress = self._progress, None
                    self._sending = True
                    return progress
                if self._telemetry is not None:
                    batch = self._telemetry.batch(force=self._flush_telemetry)
                    if batch is not None:
                        self._sending = True
                        return batch
                    if self._flush_telemetry:   # all sent: wake wait_sent
                        self._flush_telemetry = False
                        self._cond.notify_all()
                self._cond.wait(timeout=None if self._telemetry is None else self._telemetry.due_in())

    def _done_sending(self, row_stored: bool) -> None:
        """Drop the outbox head once it is stored (or refused for good) and wake a waiting close()."""
        with self._cond:
            if row_stored:
                self._outbox.popleft()
            self._sending = False
            self._cond.notify_all()

    def _pause(self, seconds: float) -> None:
        """Sleep before the next retry, waking early when abandoned."""
        with self._cond:
            self._cond.wait_for(lambda: self._abandoned, timeout=seconds)

    def _loop(self) -> None:
        """Send epoch rows in order (retrying with backoff while the backend is away) and due progress."""
        while (job := self._next_job()) is not None:
            if isinstance(job, Telemetry):
                self._send_telemetry(job)
                continue
            if isinstance(job, Progress):
                try:
                    cancel = self._client.progress(self._run_id, self._worker, job)
                except (BackendUnavailable, BackendRefused) as exc:
                    self._log.debug("progress not sent: %s", exc)
                else:
                    if cancel and not self.cancel_requested.is_set():
                        self._log.info("cancel requested (progress reply)")
                        self.cancel_requested.set()
                self._done_sending(row_stored=False)
                continue
            self._done_sending(row_stored=self._send_row(job))

    def _send_telemetry(self, batch: Telemetry) -> None:
        """Send one telemetry batch once; it stays pending when the backend is away (a flush then gives up)."""
        try:
            self._client.telemetry(self._run_id, self._worker, batch)
            sent = True
        except BackendUnavailable as exc:
            self._log.debug("telemetry not sent, keeping it: %s", exc)
            sent = False
        except BackendRefused as exc:   # the lease is gone, or a bug: these items will never be stored
            self._log.debug("telemetry refused, dropping it: %s", exc.detail)
            sent = True
        with self._cond:
            if sent:
                self._telemetry.ack(batch)
            else:
                self._flush_telemetry = False   # retried at the next sample, not in a tight loop
            self._sending = False
            self._cond.notify_all()

    def _send_row(self, row: EpochMetrics) -> bool:
        """Send one row until the backend stores or refuses it (True: it leaves the outbox) or the reporter is abandoned."""
        retrying = Retrying(
            retry=retry_if_exception_type(BackendUnavailable),
            wait=BACKOFF,
            stop=lambda _state: self._abandoned,
            sleep=self._pause,
            before_sleep=lambda state: self._log_first_failure(row, state),
            reraise=True,
        )
        try:
            retrying(self._send_unless_abandoned, row)
        except BackendRefused as exc:
            self._log.warning("epoch %d row refused, dropping it: %s", row.epoch, exc.detail)
        except (BackendUnavailable, _Abandoned):
            return False
        else:
            if (retries := retrying.statistics["attempt_number"] - 1) > 0:
                self._log.info("backend is back; epoch %d row sent after %d retries", row.epoch, retries)
        return True

    def _send_unless_abandoned(self, row: EpochMetrics) -> None:
        """One attempt at sending the row; _Abandoned once close() gave up on the outbox."""
        if self._abandoned:
            raise _Abandoned()
        self._client.epoch(self._run_id, self._worker, row)

    def _log_first_failure(self, row: EpochMetrics, state: RetryCallState) -> None:
        if state.attempt_number == 1:
            self._log.warning("epoch %d row not sent, keeping it to resend: %s", row.epoch, state.outcome.exception())


class _Abandoned(Exception):
    """close() was called while a row was still being retried."""
