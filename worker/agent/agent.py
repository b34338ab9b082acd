"""The agent's loop: register, claim a run, train it with heartbeats and reports, finish it, repeat."""

import contextlib
import os
import signal
import socket
import threading
import time
import traceback
from pathlib import Path

from tenacity import RetryCallState, Retrying, retry_if_exception

from worker.agent import sysinfo
from worker.agent.backoff import BACKOFF
from worker.agent.client import BackendClient, BackendRefused, BackendUnavailable, LeaseLost
from worker.agent.heartbeat import Heartbeat
from worker.agent.logs import agent_log, capturing, log_prefix
from worker.agent.reporter import RunReporter
from worker.agent.telemetry import RunLogCapture, RunTelemetry, SystemSampler
from worker.config import settings
from worker.contestants import HyperparamError, UnknownContestant
from worker.contestants.memory import InsufficientMemory
from worker.data import DatasetUnavailable, describe_report
from worker.data.readiness import dataset_readiness
from worker.files import WriteFailed
from worker.runner import run_experiment
from worker.training.checkpoint import CheckpointNotSaved
from worker.training.types import EpochMetrics, TrainingCancelled, TrainingDiverged, TrainResult
from worker.wire import MAX_TRACEBACK_CHARS, ClaimedRun, ClaimReply, EndReason, FinishReport, RunStatus

CLAIM_WAIT_SECONDS = 20.0
UNREACHABLE_LOG_SECONDS = 30.0   # retry window of a claim before the agent logs "backend unreachable"
FLUSH_SECONDS = 120.0            # how long unsent epoch rows are retried before finishing
FINISH_RETRY_SECONDS = 120.0
# After SIGTERM the supervisor (tests, systemd) waits ~10 s before SIGKILL: report within that.
STOPPING_FLUSH_SECONDS = 3.0
STOPPING_FINISH_SECONDS = 5.0
# The last telemetry batch (the uploads' lines, the outcome) is sent before finish: the backend keeps a run's lines only
# while its worker holds it. The wait ends as soon as it is sent, or the backend is found away; stopping, within the budget above.
LOG_FLUSH_SECONDS = 10.0
STOPPING_LOG_FLUSH_SECONDS = 1.0
WORKER_STOPPED = "worker stopped"
EXPECTED_FAILURES = (DatasetUnavailable, HyperparamError, UnknownContestant, TrainingDiverged, WriteFailed,
                     InsufficientMemory)


class WorkerInterrupted(BaseException):
    """Raised by the signal handler to abandon a wait while idle (BaseException: no `except Exception` eats it)."""


def default_name() -> str:
    """hostname-pid: unique per process on a machine."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Agent:
    """Pulls runs from the backend one at a time and trains them on `device`."""

    def __init__(self, client: BackendClient, *, name: str, device: str, data_dir: Path,
                 once: bool = False, claim_wait: float = CLAIM_WAIT_SECONDS):
        self.client = client
        self.name = name
        self.device = device
        self.data_dir = Path(data_dir)
        self.once = once
        self.claim_wait = claim_wait
        self.stopping = threading.Event()
        self.heartbeat_seconds = 10.0
        self.log = agent_log(name)
        self._interruptible = False

    # --- signals -------------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM stop the current run between batches, or the idle wait at once."""
        signal.signal(signal.SIGINT, self.handle_signal)
        signal.signal(signal.SIGTERM, self.handle_signal)

    def handle_signal(self, signum: int, _frame) -> None:
        """Ask the run to stop; abandon the wait when idle, or everything on a second signal."""
        name = signal.Signals(signum).name
        if self.stopping.is_set() and not self._interruptible:
            self.log.warning("second %s; exiting now (the run's lease will expire)", name)
            raise WorkerInterrupted()
        self.log.info("%s received; stopping", name)
        self.stopping.set()
        if self._interruptible:
            raise WorkerInterrupted()

    def _idle_call(self, call, *args, **kwargs):
        """Run a wait (register, claim) that a stop signal may abandon at once."""
        self._interruptible = True
        try:
            if self.stopping.is_set():
                raise WorkerInterrupted()
            return call(*args, **kwargs)
        finally:
            self._interruptible = False

    # --- the loop ------------------------------------------------------------------------------
    def run(self) -> int:
        """Register, then claim and train runs until stopped; the process exit code."""
        try:
            self._idle_call(self._register)
            while not self.stopping.is_set():
                claim = self._idle_call(self._claim)
                if claim is not None:
                    self._execute(claim.run)
                if self.once:
                    break
        except WorkerInterrupted:
            pass
        except BackendRefused as exc:
            self.log.error("backend refused this worker: %s", exc)
            return 2
        self.log.info("stopped")
        return 0

    def _register(self) -> None:
        """Register (waiting for the backend if it is not up yet) and take its heartbeat period."""
        while True:
            try:
                about = {**sysinfo.describe(self.device),
                         "datasets": dataset_readiness(settings.aclimdb_path, self.data_dir)}
                reply = self.client.register(self.name, about,
                                             retry_seconds=UNREACHABLE_LOG_SECONDS)
                break
            except BackendUnavailable as exc:
                self.log.warning("backend %s not answering, still trying: %s", self.client.server, exc)
        self.heartbeat_seconds = float(reply["heartbeat_seconds"])
        self.log.info("registered with %s on %s (lease %s s, heartbeat every %.1f s)",
                      self.client.server, self.device, reply.get("lease_seconds"), self.heartbeat_seconds)

    def _claim(self) -> ClaimReply | None:
        """Long-poll for the next run; None when none came within the wait.

        A refused claim (e.g. a restarted backend that forgot this worker) registers again and is
        retried after a backoff; 401 and 403 are raised.
        """
        retrying = Retrying(retry=retry_if_exception(_forgotten), wait=BACKOFF, before_sleep=self._register_again,
                            reraise=True)
        return retrying(self._claim_until_answered)

    def _claim_until_answered(self) -> ClaimReply | None:
        """Claim, waiting out an unreachable backend (the client retries; this logs every window)."""
        while True:
            try:
                return self.client.claim(self.name, self.device, wait=self.claim_wait,
                                         retry_seconds=UNREACHABLE_LOG_SECONDS)
            except BackendUnavailable as exc:
                self.log.warning("backend not answering, still trying: %s", exc)

    def _register_again(self, state: RetryCallState) -> None:
        self.log.warning("claim refused (%s); registering again", state.outcome.exception())
        self._register()

    # --- one run -------------------------------------------------------------------------------
    def _execute(self, run: ClaimedRun) -> None:
        """Train one claimed run with its log captured and system samples taken; never raises for a failing run."""
        capture = RunLogCapture(strip=f"{log_prefix(self.name, run.id)}: ")
        with capturing(capture):
            self._train(run, RunTelemetry(SystemSampler(self.device), capture, settings.system_metrics_seconds))

    def _train(self, run: ClaimedRun, telemetry: RunTelemetry) -> None:
        """Train one claimed run and report its end (telemetry and epoch rows sent first)."""
        run_id = run.id
        log = agent_log(self.name, run_id)
        epochs_total = run.hyperparams.get("epochs", "?")
        log.info("claimed %r: %s on %s", run.name, run.architecture, run.dataset)
        heartbeat = Heartbeat(self.client, run_id, self.name, self.heartbeat_seconds, log).start()
        reporter = RunReporter(self.client, run_id, self.name, log, cancel_requested=heartbeat.cancel_requested,
                               telemetry=telemetry).start()
        checkpoint = self.data_dir / "checkpoints" / f"run-{run_id}.pt"  # its folder is made when it is written

        def on_epoch(metrics: EpochMetrics) -> None:
            log.info("epoch %d/%s val_acc %.3f (%.1f s)", metrics.epoch, epochs_total, metrics.val_acc, metrics.seconds)
            reporter.epoch(metrics)

        def should_stop() -> bool:
            return self.stopping.is_set() or heartbeat.cancel_requested.is_set() or heartbeat.lease_lost.is_set()

        try:
            try:
                result = run_experiment(run.architecture, run.dataset, run.hyperparams, device=self.device,
                                        on_epoch=on_epoch, on_progress=reporter.progress,
                                        on_data=lambda report: log.info("data: %s", describe_report(report)),
                                        should_stop=should_stop, checkpoint_path=checkpoint,
                                        data_dir=self.data_dir, recorded=True)
                report = self._succeeded(result, cancelled=heartbeat.cancel_requested.is_set())
            except CheckpointNotSaved as exc:  # the metrics are reported with the failure; the epochs stay
                report = self._succeeded(exc.result, cancelled=False).model_copy(
                    update={"status": RunStatus.FAILED, "end_reason": EndReason.ERROR, "error": str(exc),
                            "traceback": failure_traceback()})
            except TrainingCancelled:
                report = self._failed(WORKER_STOPPED) if self.stopping.is_set() else FinishReport(status=RunStatus.CANCELLED)
            except TrainingDiverged as exc:
                report = self._failed(str(exc), EndReason.DIVERGED)
            except EXPECTED_FAILURES as exc:
                log.error("%s: %s", type(exc).__name__, exc)
                report = self._failed(str(exc), traceback=failure_traceback())
            except Exception as exc:   # a bug, but the run must still end and the worker go on
                log.exception("unexpected error")
                report = self._failed(f"{type(exc).__name__}: {exc}", traceback=failure_traceback())
            self._flush(reporter, log)
            if heartbeat.lease_lost.is_set():
                log.warning("lease lost; not reporting the end of this run")
                return
            if report.status == RunStatus.SUCCEEDED and checkpoint.exists():
                self._upload(run_id, checkpoint, log)
            if report.status == RunStatus.SUCCEEDED and result.predictions is not None:
                self._upload_predictions(run_id, result.predictions, log)
            log.info("%s", outcome(report))   # the run's last line: logged and sent before the run ends, so it is kept
            reporter.wait_sent(timeout=STOPPING_LOG_FLUSH_SECONDS if self.stopping.is_set() else LOG_FLUSH_SECONDS)
            retry = STOPPING_FINISH_SECONDS if self.stopping.is_set() else FINISH_RETRY_SECONDS
            self._finish(run_id, report, log, retry)
        finally:
            heartbeat.stop()
            reporter.close()
            with contextlib.suppress(OSError):  # cleaning up never takes the worker down (e.g. its folder is a file)
                checkpoint.unlink(missing_ok=True)

    def _flush(self, reporter: RunReporter, log) -> None:
        """Let the outbox send its rows (the backend may be restarting); cut short by a stop signal."""
        deadline = time.monotonic() + (STOPPING_FLUSH_SECONDS if self.stopping.is_set() else FLUSH_SECONDS)
        while not reporter.wait_sent(timeout=0.2):
            if self.stopping.is_set():
                deadline = min(deadline, time.monotonic() + STOPPING_FLUSH_SECONDS)
            if time.monotonic() > deadline:
                log.error("%d epoch rows could not be sent", reporter.close())
                return

    def _succeeded(self, result: TrainResult, *, cancelled: bool) -> FinishReport:
        """The finish report of a completed training (cancelled when a cancel arrived too late to stop it)."""
        if cancelled:
            return FinishReport(status=RunStatus.CANCELLED)
        return FinishReport(status=RunStatus.SUCCEEDED, test_loss=result.test_loss, test_acc=result.test_acc,
                            best_epoch=result.best_epoch, param_count=result.param_count, device=result.device)

    def _failed(self, reason: str, why: EndReason = EndReason.ERROR, *, traceback: str | None = None) -> FinishReport:
        """The finish report of a run that failed for `reason` (with the exception's traceback when there is one)."""
        return FinishReport(status=RunStatus.FAILED, end_reason=why, error=reason, device=self.device, traceback=traceback)

    def _upload(self, run_id: int, checkpoint: Path, log) -> None:
        """PUT the checkpoint; a failure is logged (the run still succeeds, without predict)."""
        try:
            self.client.upload_checkpoint(run_id, self.name, checkpoint)
            log.info("checkpoint uploaded (%.1f MB)", checkpoint.stat().st_size / 1e6)
        except (BackendUnavailable, BackendRefused) as exc:
            log.error("checkpoint upload failed: %s", exc)

    def _upload_predictions(self, run_id: int, predictions: dict, log) -> None:
        """PUT the test predictions; a failure is logged (the run still succeeds, without its Errors section)."""
        try:
            self.client.upload_predictions(run_id, self.name, predictions)
            log.info("test predictions uploaded (%d reviews)", len(predictions["probabilities"]))
        except (BackendUnavailable, BackendRefused) as exc:
            log.error("predictions upload failed: %s", exc)

    def _finish(self, run_id: int, report: FinishReport, log, retry_seconds: float) -> None:
        """POST the run's end; a refusal or an unreachable backend is logged (on stderr only: the run's log is closed)."""
        try:
            self.client.finish(run_id, self.name, report, retry_seconds=retry_seconds)
        except LeaseLost as exc:
            log.warning("finish refused: %s", exc.detail)
        except (BackendUnavailable, BackendRefused) as exc:
            log.error("finish failed: %s", exc)


def outcome(report: FinishReport) -> str:
    """The run's last log line, what its finish reports: 'succeeded: test_acc 0.871, best epoch 3', 'failed: ...', 'cancelled'."""
    if report.status == RunStatus.SUCCEEDED:
        return f"succeeded: test_acc {_fmt(report.test_acc)}, best epoch {report.best_epoch}"
    if report.status == RunStatus.FAILED:
        return f"failed: {report.error}"
    return "cancelled"


def failure_traceback() -> str:
    """The exception being handled, formatted as Python prints it; its last MAX_TRACEBACK_CHARS characters
    (where the raise is) when longer."""
    text = traceback.format_exc()
    return text if len(text) <= MAX_TRACEBACK_CHARS else "…" + text[-(MAX_TRACEBACK_CHARS - 1):]


def _forgotten(error: BaseException) -> bool:
    """A claim refusal that registering again may cure (anything but 401 and 403)."""
    return isinstance(error, BackendRefused) and error.status_code not in (401, 403)


def _fmt(value) -> str:
    """A metric for a log line: 3 decimals, or '-' when missing."""
    return "-" if value is None else f"{value:.3f}"
