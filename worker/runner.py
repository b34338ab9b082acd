"""One experiment from a config: data, model, trainer and checkpoint; shared by the CLI and the agent."""

from collections.abc import Callable
from pathlib import Path

from worker.contestants import get_contestant, parse_hyperparams, summarize
from worker.contestants.memory import check_fits, estimate_memory
from worker.contestants.recorded import parse_recorded
from worker.data import load_dataset
from worker.files import WriteFailed
from worker.training import EpochMetrics, Progress, TrainResult, resolve_device, seed_everything, train
from worker.training.checkpoint import CheckpointNotSaved, save_checkpoint
from worker.training.predictions import predictions_upload


def run_experiment(architecture: str, dataset: str, hyperparams: dict, *,
                   device: str = "auto",
                   on_epoch: Callable[[EpochMetrics], None] | None = None,
                   on_progress: Callable[[Progress], None] | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   on_data: Callable[[dict], None] | None = None,
                   checkpoint_path: Path | None = None,
                   aclimdb_path: Path | None = None,
                   data_dir: Path | None = None,
                   recorded: bool = False) -> TrainResult:
    """Validate the config, check it fits the device's free memory, load the data, build the contestant, train it,
    keep its test predictions, save the checkpoint.

    `recorded`: the hyperparameters are a queued run's, resolved when it was launched; fields added
    since take their old behaviour (worker.contestants.recorded), not today's defaults. Raises
    InsufficientMemory (with both figures) before loading anything when the run's estimated peak memory
    exceeds the device's free memory, and CheckpointNotSaved (with the result) when training finished
    but the checkpoint could not be written.
    """
    contestant = get_contestant(architecture)
    hp = (parse_recorded if recorded else parse_hyperparams)(architecture, hyperparams)
    device = resolve_device(device)
    check_fits(estimate_memory(architecture, hp, summarize(architecture, hp)["param_count"], dataset), device)
    data = load_dataset(dataset, num_words=hp.num_words, maxlen=hp.maxlen, val_split=hp.val_split,
                        seed=hp.seed, aclimdb_path=aclimdb_path, data_dir=data_dir)
    if on_data is not None and data.source_report is not None:
        on_data(data.source_report)  # what the reader read and skipped, before any training
    seed_everything(hp.seed)
    model = contestant.build(hp)
    result = train(model, data, hp, device=device, on_epoch=on_epoch, on_progress=on_progress,
                   should_stop=should_stop)
    if result.test_probabilities is not None:
        result.predictions = predictions_upload(result.test_probabilities, data.y_test, data.x_test, data.vocab)
    if checkpoint_path is not None:
        try:
            save_checkpoint(checkpoint_path, architecture=architecture, dataset=dataset,
                            hyperparams=hp, state_dict=result.state_dict, vocab=data.vocab)
        except WriteFailed as exc:
            raise CheckpointNotSaved(exc, result) from exc
    return result
