"""A run's telemetry on the worker: system samples every few seconds and the run's log lines, batched for sending.

The reporter's sender thread (worker/agent/reporter.py) asks `RunTelemetry.batch()` for the next
batch when a sample is due and sends it; nothing here touches the network.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

import psutil

from worker.wire import (
    LOG_TRUNCATED_MESSAGE,
    MAX_LOG_LINES_PER_RUN,
    MAX_LOG_MESSAGE_CHARS,
    MAX_SAMPLES_PER_RUN,
    LogLevel,
    LogLine,
    SystemSample,
    Telemetry,
)

MIB = 2**20
BATCH_LINES = 200      # lines per POST at most (a batch stays far below the backend's 4 MiB body limit)
BATCH_SAMPLES = 200


class SystemSampler:
    """Samples this process's CPU and resident memory, the machine's memory and, on CUDA, the GPU (psutil; torch.cuda).

    CPU % is over the time since the previous sample (psutil's `cpu_percent(None)`; 100 = one core).
    """

    def __init__(self, device: str, clock: Callable[[], float] = time.monotonic):
        self._process = psutil.Process()
        self._process.cpu_percent(None)   # the first call only starts psutil's interval
        self._clock = clock
        self._start = clock()
        self._cuda = device.startswith("cuda")
        self._device = device

    def sample(self) -> SystemSample:
        """One sample now; GPU fields null off CUDA, utilisation null without NVML (pynvml)."""
        gpu_util, gpu_mem = self._gpu() if self._cuda else (None, None)
        return SystemSample(
            t=max(self._clock() - self._start, 0.0),
            cpu_percent=min(self._process.cpu_percent(None), 100_000.0),
            rss_mb=self._process.memory_info().rss / MIB,
            memory_percent=min(max(psutil.virtual_memory().percent, 0.0), 100.0),
            gpu_util_percent=gpu_util,
            gpu_mem_mb=gpu_mem,
        )

    def _gpu(self) -> tuple[float | None, float | None]:
        """(utilisation %, tensor memory MiB) of the run's CUDA device; None for what cannot be read.

        Untested without a GPU; every call is guarded so that telemetry never fails a run.
        """
        import torch

        util = mem = None
        try:
            device = torch.device(self._device)
            mem = torch.cuda.memory_allocated(device) / MIB
            util = float(torch.cuda.utilization(device))   # NVML through pynvml; raises without it
        except Exception:  # noqa: BLE001 - no NVML, a driver hiccup: leave the field null
            pass
        return (min(max(util, 0.0), 100.0) if util is not None else None), mem


def clean_message(text: str) -> str:
    """`text` as the backend stores it: NUL and unpaired surrogates escaped, cut to MAX_LOG_MESSAGE_CHARS."""
    text = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MAX_LOG_MESSAGE_CHARS else text[: MAX_LOG_MESSAGE_CHARS - 1] + "…"


class RunLogCapture(logging.Handler):
    """Keeps every record logged in this process while one run trains (attach to the root logger for the run).

    The worker trains one run at a time, so every line of its threads belongs to that run: the
    agent's, the data reader's counts, warnings. `strip` (the agent's "worker W run N: " prefix)
    is cut from messages. After MAX_LOG_LINES_PER_RUN lines one "truncated" line is kept, then none.
    """

    def __init__(self, strip: str = "", level: int = logging.INFO):
        super().__init__(level)
        self._strip = strip
        self._pending: deque[LogLine] = deque()
        self._kept = 0
        self._lines_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record as a LogLine (never raises: logging must not fail a run)."""
        try:
            message = record.getMessage()
            if self._strip and message.startswith(self._strip):
                message = message[len(self._strip):]
            when = datetime.fromtimestamp(record.created, UTC)
            with self._lines_lock:
                if self._kept > MAX_LOG_LINES_PER_RUN:
                    return
                if self._kept == MAX_LOG_LINES_PER_RUN:
                    line = LogLine(time=when, level=LogLevel.WARNING, message=LOG_TRUNCATED_MESSAGE)
                else:
                    line = LogLine(time=when, level=_level(record.levelno), message=clean_message(message))
                self._kept += 1
                self._pending.append(line)
        except Exception:  # noqa: BLE001
            self.handleError(record)

    def pending(self) -> int:
        """Lines not sent yet."""
        with self._lines_lock:
            return len(self._pending)

    def peek(self, limit: int) -> list[LogLine]:
        """The oldest `limit` lines not sent yet (they stay until `drop`)."""
        with self._lines_lock:
            return [self._pending[i] for i in range(min(limit, len(self._pending)))]

    def drop(self, count: int) -> None:
        """Forget the oldest `count` lines (sent, or refused for good)."""
        with self._lines_lock:
            for _ in range(min(count, len(self._pending))):
                self._pending.popleft()


def _level(levelno: int) -> LogLevel:
    """The LogLevel of a logging level number (custom levels round down to a named one)."""
    for level in (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO):
        if levelno >= level:
            return LogLevel(logging.getLevelName(level))
    return LogLevel.DEBUG


class RunTelemetry:
    """A run's pending samples and lines, and when the next sample is due (every `interval` s).

    Used by one sender thread: `due_in()` to sleep, `batch()` for what to send, `ack()` once sent.
    """

    def __init__(self, sampler: SystemSampler, capture: RunLogCapture, interval: float,
                 clock: Callable[[], float] = time.monotonic):
        self.sampler, self.capture = sampler, capture
        self._interval = interval
        self._clock = clock
        self._next_at = clock() + interval
        self._samples: deque[SystemSample] = deque()
        self._taken = 0

    def due_in(self) -> float:
        """Seconds until the next sample is due (0 when it is, or when a full batch of lines waits)."""
        if self.capture.pending() >= BATCH_LINES:
            return 0.0
        return max(self._next_at - self._clock(), 0.0)

    def sample_now(self) -> None:
        """Take a sample now (the last one of a run, at its end); the next is due an interval later."""
        if self._taken < MAX_SAMPLES_PER_RUN:
            self._samples.append(self.sampler.sample())
            self._taken += 1
        self._next_at = self._clock() + self._interval

    def batch(self, *, force: bool = False) -> Telemetry | None:
        """What to send now: pending samples and lines once a sample is due (taking it), a batch of lines
        is full, or `force`; None when nothing is pending or nothing is due."""
        due = self.due_in() == 0.0
        if due and self._clock() >= self._next_at:
            self.sample_now()
        if not (due or force) or not (self._samples or self.capture.pending()):
            return None
        samples = [self._samples[i] for i in range(min(BATCH_SAMPLES, len(self._samples)))]
        return Telemetry(samples=samples, lines=self.capture.peek(BATCH_LINES))

    def ack(self, batch: Telemetry) -> None:
        """Forget a batch that was stored (or refused for good); one that could not be sent stays pending."""
        for _ in range(len(batch.samples)):
            self._samples.popleft()
        self.capture.drop(len(batch.lines))

    def pending(self) -> bool:
        """True while samples or lines wait to be sent."""
        return bool(self._samples) or self.capture.pending() > 0
