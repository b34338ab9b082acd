"""Tune a contestant's defaults with Optuna on validation accuracy only (docs/RESULTS.md, "Tuning").

Each trial trains through the product's runner (`worker.runner.run_experiment`) with hyperparameters
drawn by Optuna's TPE sampler (Bergstra et al. 2011) from the contestant's search space below, at
one fixed seed. After every epoch the trial reports its validation accuracy; Optuna's MedianPruner
stops a trial whose accuracy at that epoch is below the median of earlier trials at the same epoch.
A trial's value is its best validation accuracy. The test reviews are removed from the data before
any trial trains (`subsets.without_test`), so no choice can ever see them.

The study lives in an SQLite file in the results folder: a rerun continues it up to --trials.

Usage (from the repository root; `pip install -e '.[bench]'` brings Optuna):
  BATTLEFIELD_ACLIMDB=path/to/aclImdb_v1.tar.gz OMP_NUM_THREADS=1 \
    .venv/bin/python bench/tune.py nbsvm --trials 20
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo
sys.path.insert(0, str(REPO_ROOT / "bench"))

import optuna  # noqa: E402

from worker import runner  # noqa: E402
from worker.cli import DATASET_CHOICES  # noqa: E402
from worker.contestants import REGISTRY, parse_hyperparams  # noqa: E402
from worker.training import EpochMetrics  # noqa: E402
from subsets import subset, transformed_data, without_test  # noqa: E402

DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results" / "tune"
Draw = Callable[[optuna.Trial, str], object]   # (trial, hyperparameter name) -> the value tried


def log_float(low: float, high: float) -> Draw:
    """A float drawn on a log scale between low and high."""
    return lambda trial, name: trial.suggest_float(name, low, high, log=True)


def uniform(low: float, high: float) -> Draw:
    """A float drawn uniformly between low and high."""
    return lambda trial, name: trial.suggest_float(name, low, high)


def one_of(*choices) -> Draw:
    """One of the choices."""
    return lambda trial, name: trial.suggest_categorical(name, list(choices))


# Search spaces: hyperparameter name -> how to draw it. Every value is inside the contestant's bounds.
SPACES: dict[str, dict[str, Draw]] = {
    "nbsvm": {"lr": log_float(1e-3, 5e-2), "batch_size": one_of(32, 64, 128, 256), "dropout": uniform(0.0, 0.6),
              "weight_decay": log_float(1e-9, 1e-4), "ngram_buckets": one_of(250_000, 500_000, 1_000_000, 2_000_000)},
    "fasttext": {"lr": log_float(1e-3, 2e-2), "lr_schedule": one_of("constant", "linear"),
                 "batch_size": one_of(32, 64, 128), "dropout": uniform(0.0, 0.5),
                 "embedding_dim": one_of(10, 16, 32, 50), "ngram_buckets": one_of(200_000, 500_000, 1_000_000)},
    "ff_embedding": {"lr": log_float(2e-4, 3e-3), "lr_schedule": one_of("constant", "linear"),
                     "batch_size": one_of(32, 64, 128, 256), "dropout": uniform(0.2, 0.7),
                     "embedding_dim": one_of(16, 32, 50, 64)},
    "cnn_lstm": {"lr": log_float(5e-4, 5e-3), "lr_schedule": one_of("constant", "linear"),
                 "batch_size": one_of(32, 64, 128), "dropout": uniform(0.0, 0.6), "hidden_dim": one_of(32, 64, 128),
                 "num_words": one_of(10_000, 20_000)},
    # cnn: its cost is embedding_dim x maxlen x the widths' sum, so the space holds cheaper shapes too
    "cnn": {"lr": log_float(1e-3, 4e-3), "lr_schedule": one_of("constant", "linear"),
            "batch_size": one_of(32, 64, 128), "dropout": uniform(0.1, 0.5),
            "embedding_dim": one_of(32, 50, 64), "maxlen": one_of(400, 500)},
}
# The gated recurrent nets share one space: their defaults and their costs are alike.
SPACES["lstm"] = SPACES["gru"] = SPACES["bilstm"] = {"lr": log_float(5e-4, 5e-3), "lr_schedule": one_of("constant", "linear"),
                                                     "batch_size": one_of(32, 64, 128), "dropout": uniform(0.0, 0.6),
                                                     "num_words": one_of(10_000, 20_000)}
# Any other contestant: the training hyperparameters every contestant takes.
TRAINING_SPACE: dict[str, Draw] = {"lr": log_float(1e-4, 1e-2), "batch_size": one_of(32, 64, 128, 256),
                                   "dropout": uniform(0.0, 0.6)}


def draw(trial: optuna.Trial, space: dict[str, Draw], fixed: dict[str, str]) -> dict:
    """The trial's values: each name of the space not held fixed, drawn by Optuna; then the fixed ones."""
    return {**{name: suggest(trial, name) for name, suggest in space.items() if name not in fixed}, **fixed}


def objective(contestant: str, args: argparse.Namespace) -> Callable[[optuna.Trial], float]:
    """One trial: train with the drawn values, report validation accuracy per epoch, prune, return the best."""
    space = SPACES.get(contestant, TRAINING_SPACE)

    def run_trial(trial: optuna.Trial) -> float:
        values = {**draw(trial, space, dict(args.fixed)), "seed": args.seed, "patience": 0}
        if args.epochs:
            values["epochs"] = args.epochs
        parse_hyperparams(contestant, values)  # a space outside the contestant's bounds fails here, loudly

        def report(m: EpochMetrics) -> None:
            trial.report(m.val_acc, m.epoch)
            print(f"  trial {trial.number} epoch {m.epoch}: val_acc {m.val_acc:.4f}", flush=True)
            if trial.should_prune():
                raise optuna.TrialPruned(f"val_acc {m.val_acc:.4f} at epoch {m.epoch} is below the median")

        result = runner.run_experiment(contestant, args.dataset, values, device=args.device, on_epoch=report,
                                       aclimdb_path=args.aclimdb, data_dir=args.data_dir)
        return max(m.val_acc for m in result.epochs)

    return run_trial


def data_without_test(args: argparse.Namespace):
    """The runner's data with the test reviews removed (and cut to --limit reviews per split)."""
    def transform(data):
        return without_test(subset(data, args.limit, args.seed) if args.limit else data)

    return transformed_data(transform)


def tune(contestant: str, args: argparse.Namespace) -> optuna.Study:
    """Run (or continue) the contestant's study until it holds --trials trials."""
    args.results_dir.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(
        study_name=f"{contestant}-{args.dataset}-seed{args.seed}", direction="maximize", load_if_exists=True,
        storage=f"sqlite:///{(args.results_dir / 'studies.db').resolve()}",
        sampler=optuna.samplers.TPESampler(seed=args.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=args.startup_trials, n_warmup_steps=0),
    )
    left = args.trials - len(study.trials)
    if left > 0:
        with data_without_test(args):
            study.optimize(objective(contestant, args), n_trials=left, catch=())
    return study


def study_record(contestant: str, study: optuna.Study) -> dict:
    """The study as JSON: every trial's state, values and per-epoch validation accuracy, and the best one."""
    trials = [{"number": t.number, "state": t.state.name, "value": t.value, "params": t.params,
               "val_acc_per_epoch": {str(k): v for k, v in sorted(t.intermediate_values.items())}}
              for t in study.trials]
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = {"number": study.best_trial.number, "value": study.best_value, "params": study.best_params} if done else None
    return {"contestant": contestant, "study": study.study_name, "trials": trials, "best": best}


def fixed_value(text: str) -> tuple[str, str]:
    """NAME=VALUE -> (NAME, VALUE)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--set takes NAME=VALUE (got {text!r})")
    return name.strip(), value.strip()


def build_parser() -> argparse.ArgumentParser:
    """The bench's arguments."""
    parser = argparse.ArgumentParser(description="Tune contestants' defaults with Optuna on validation accuracy.")
    parser.add_argument("contestants", nargs="+", help=f"of: {', '.join(REGISTRY)}")
    parser.add_argument("--trials", type=int, default=20, help="trial budget per contestant (a rerun continues)")
    parser.add_argument("--startup-trials", type=int, default=3, help="trials before the median pruner may prune")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per trial (default: the contestant's)")
    parser.add_argument("--seed", type=int, default=1, help="the one seed every trial trains with")
    parser.add_argument("--set", dest="fixed", type=fixed_value, action="append", default=[], metavar="NAME=VALUE",
                        help="hold one hyperparameter fixed in every trial; repeatable")
    parser.add_argument("--dataset", default="aclimdb", choices=DATASET_CHOICES)
    parser.add_argument("--limit", type=int, default=None, help="cap each split at N reviews (a quick check)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--aclimdb", type=Path, default=None, help="aclImdb_v1.tar.gz (default: $BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--data-dir", type=Path, default=None, help="dataset cache (default: $BATTLEFIELD_DATA_DIR)")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR, help="studies.db and one JSON per study")
    return parser


def main(argv: list[str]) -> int:
    """Tune each asked contestant; print its best trials and write the study as JSON."""
    args = build_parser().parse_args(argv)
    unknown = [name for name in args.contestants if name not in REGISTRY]
    if unknown:
        raise SystemExit(f"Unknown contestant(s): {', '.join(unknown)}; choose from: {', '.join(REGISTRY)}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for contestant in args.contestants:
        study = tune(contestant, args)
        record = study_record(contestant, study)
        (args.results_dir / f"{study.study_name}.json").write_text(json.dumps(record, indent=1))
        ranked = sorted((t for t in record["trials"] if t["state"] == "COMPLETE"), key=lambda t: -t["value"])
        print(f"{contestant}: {len(record['trials'])} trials "
              f"({sum(t['state'] == 'PRUNED' for t in record['trials'])} pruned); best validation accuracy:")
        for trial in ranked[:5]:
            print(f"  trial {trial['number']}: {trial['value']:.4f} {trial['params']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
