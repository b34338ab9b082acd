"""The worker's side of a run's telemetry: samples, the log capture and its caps, batches through the reporter."""

import logging
import threading

from worker.agent.client import BackendUnavailable
from worker.agent.logs import agent_log, capturing, log_prefix
from worker.agent.reporter import RunReporter
from worker.agent.telemetry import RunLogCapture, RunTelemetry, SystemSampler, clean_message
from worker.wire import LOG_TRUNCATED_MESSAGE, MAX_LOG_LINES_PER_RUN, MAX_LOG_MESSAGE_CHARS, LogLevel, Telemetry


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_cpu_sample_has_process_and_machine_figures_and_no_gpu():
    clock = Clock()
    sampler = SystemSampler("cpu", clock=clock)
    sum(i * i for i in range(200_000))   # some CPU time to measure
    clock.now += 2.5
    sample = sampler.sample()
    assert sample.t == 2.5
    assert sample.cpu_percent >= 0 and sample.rss_mb > 10 and 0 < sample.memory_percent <= 100
    assert (sample.gpu_util_percent, sample.gpu_mem_mb) == (None, None)


def test_the_capture_keeps_the_runs_lines_without_the_agents_prefix_and_with_their_level(caplog):
    caplog.set_level(logging.INFO)   # as the worker's setup_logging sets it
    capture = RunLogCapture(strip=f"{log_prefix('w1', 7)}: ")
    with capturing(capture):
        agent_log("w1", 7).info("epoch %d/%d val_acc %.3f", 1, 3, 0.5)
        logging.getLogger("worker.data").warning("skipped 2 files")
        logging.getLogger("worker.data").debug("not kept: below INFO")
    agent_log("w1", 7).info("after the run: not kept")
    lines = capture.peek(10)
    assert [(line.level, line.message) for line in lines] == [
        (LogLevel.INFO, "epoch 1/3 val_acc 0.500"), (LogLevel.WARNING, "skipped 2 files")]
    assert lines[0].time.tzinfo is not None


def test_the_capture_keeps_its_first_lines_then_one_truncated_line():
    capture = RunLogCapture()
    logger = logging.getLogger("tests.telemetry.cap")
    logger.propagate = False
    logger.addHandler(capture)
    for i in range(MAX_LOG_LINES_PER_RUN + 3):
        logger.warning("line %d", i)
    lines = capture.peek(MAX_LOG_LINES_PER_RUN + 10)
    assert len(lines) == MAX_LOG_LINES_PER_RUN + 1
    assert lines[-2].message == f"line {MAX_LOG_LINES_PER_RUN - 1}" and lines[-1].message == LOG_TRUNCATED_MESSAGE


def test_messages_are_cut_and_made_storable():
    assert clean_message("a\x00b\ud800") == "a\\x00b\\ud800"
    long = clean_message("x" * (MAX_LOG_MESSAGE_CHARS + 50))
    assert len(long) == MAX_LOG_MESSAGE_CHARS and long.endswith("…")


def test_a_batch_is_due_every_interval_and_stays_pending_until_acked():
    clock = Clock()
    capture = RunLogCapture()
    telemetry = RunTelemetry(SystemSampler("cpu", clock=clock), capture, interval=5.0, clock=clock)
    capture.handle(logging.makeLogRecord({"msg": "hello", "levelno": logging.INFO, "levelname": "INFO"}))
    assert telemetry.batch() is None and telemetry.due_in() == 5.0
    clock.now += 5.0
    batch = telemetry.batch()
    assert [s.t for s in batch.samples] == [5.0] and [line.message for line in batch.lines] == ["hello"]
    assert telemetry.batch(force=True) == batch   # not acked: the same items again
    telemetry.ack(batch)
    assert telemetry.batch(force=True) is None and not telemetry.pending()


class FakeClient:
    """Records telemetry batches; the first `failures` attempts find the backend away."""

    def __init__(self, failures: int = 0) -> None:
        self.batches: list[Telemetry] = []
        self.failures = failures
        self.sent = threading.Event()

    def telemetry(self, run_id: int, worker: str, batch: Telemetry) -> dict:
        if self.failures:
            self.failures -= 1
            raise BackendUnavailable("backend away")
        self.batches.append(batch)
        self.sent.set()
        return {"samples": len(batch.samples), "lines": len(batch.lines)}


def _reporter(client: FakeClient, interval: float) -> tuple[RunReporter, RunLogCapture]:
    capture = RunLogCapture()
    telemetry = RunTelemetry(SystemSampler("cpu"), capture, interval=interval)
    reporter = RunReporter(client, 7, "w1", agent_log("w1", 7), telemetry=telemetry)
    return reporter, capture


def test_the_reporter_sends_a_batch_every_interval_and_everything_left_at_the_end(caplog):
    caplog.set_level(logging.INFO)
    client = FakeClient()
    reporter, capture = _reporter(client, interval=0.2)
    with capturing(capture):
        reporter.start()
        agent_log("w1", 7).info("data: 100 reviews")
        assert client.sent.wait(5.0)
        agent_log("w1", 7).info("epoch 1/1")
        assert reporter.wait_sent(timeout=5.0) is True
    reporter.close()
    messages = [line.message for batch in client.batches for line in batch.lines]
    assert messages[0].endswith("data: 100 reviews") and messages[-1].endswith("epoch 1/1")
    assert all(sample.t > 0 for batch in client.batches for sample in batch.samples) and len(client.batches) >= 2


def test_a_batch_the_backend_could_not_take_is_sent_at_the_next_interval(caplog):
    caplog.set_level(logging.INFO)
    client = FakeClient(failures=1)
    reporter, capture = _reporter(client, interval=0.2)
    with capturing(capture):
        reporter.start()
        agent_log("w1", 7).info("kept while the backend is away")
        assert client.sent.wait(5.0)
    reporter.close()
    assert client.batches[0].lines[0].message.endswith("kept while the backend is away")


def test_a_cuda_sample_reads_torch_cuda_and_leaves_what_it_cannot_read_null(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 3 * 2**30)
    monkeypatch.setattr(torch.cuda, "utilization", lambda device: 87)
    sample = SystemSampler("cuda:0").sample()
    assert (sample.gpu_util_percent, sample.gpu_mem_mb) == (87.0, 3072.0)

    def no_nvml(device):
        raise ModuleNotFoundError("pynvml does not seem to be installed")

    monkeypatch.setattr(torch.cuda, "utilization", no_nvml)
    sample = SystemSampler("cuda:0").sample()
    assert (sample.gpu_util_percent, sample.gpu_mem_mb) == (None, 3072.0)
