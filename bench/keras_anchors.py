"""The Keras example recipes the targets quote, run through Keras itself on this project's split.

Each recipe keeps its own vocabulary, review length, batch, optimiser, epochs and preprocessing
(keras-team/keras, examples/imdb_fasttext.py, imdb_cnn.py, imdb_lstm.py, Keras 2 era), but reads
the project's aclimdb reviews (`worker.data.load_dataset`: our tokenizer, our seeded validation
share carved from the training reviews). The Keras scripts pass the test reviews as
`validation_data`; here the epoch is chosen on our validation share and the test reviews are
scored once, at the end, with that epoch's weights, as the product's trainer does.

Beside each anchor the product's own contestant (`worker.runner.run_experiment`, its defaults)
trains in the same process on the same data, and both training speeds are printed in reviews
per second of training (validation passes excluded): Keras `fit` is what a student would use.

Usage (from the repository root; a single seed is the anchor, the recipes have no seed of their own):
  BATTLEFIELD_ACLIMDB=path/to/aclImdb_v1.tar.gz KERAS_BACKEND=torch OMP_NUM_THREADS=1 \
    .venv/bin/python bench/keras_anchors.py imdb_fasttext --seed 1
Results: one JSON file per recipe and seed in bench/results/keras_anchors/ (kept; --force redoes).
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo
sys.path.insert(0, str(REPO_ROOT / "bench"))

from worker import runner  # noqa: E402
from worker.data import load_dataset  # noqa: E402
from worker.data.types import EncodedData  # noqa: E402
from subsets import subset  # noqa: E402

DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results" / "keras_anchors"
READ_LENGTH = 2_000   # tokens read per review before a recipe's own preprocessing (the data's upper bound)


@dataclass(frozen=True)
class Recipe:
    """One Keras example: its data settings, training settings, model and the figure its script states."""

    num_words: int          # max_features
    maxlen: int             # pad_sequences length (pre-padding, pre-truncation: Keras' defaults)
    batch_size: int
    epochs: int
    build: Callable[[int, int], object]   # (input_dim, maxlen) -> compiled keras.Model
    ours: str               # the product's contestant that stands beside it
    published: str          # what the script's docstring reports (its "validation" is the test set)
    ngram_range: int = 1    # imdb_fasttext: 2 adds an explicit table of every training bigram


def build_fasttext(input_dim: int, maxlen: int):
    """imdb_fasttext: Embedding(input_dim, 50) -> GlobalAveragePooling1D (over padding too) -> Dense(1, sigmoid)."""
    import keras
    from keras import layers
    model = keras.Sequential([
        keras.Input(shape=(maxlen,), dtype="int64"),
        layers.Embedding(input_dim, 50),
        layers.GlobalAveragePooling1D(),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def build_cnn(input_dim: int, maxlen: int):
    """imdb_cnn: Embedding(5000, 50) -> Dropout 0.2 -> Conv1D(250, 3, relu) -> global max -> Dense 250 -> Dropout -> relu -> 1."""
    import keras
    from keras import layers
    model = keras.Sequential([
        keras.Input(shape=(maxlen,), dtype="int64"),
        layers.Embedding(input_dim, 50),
        layers.Dropout(0.2),
        layers.Conv1D(250, 3, padding="valid", activation="relu", strides=1),
        layers.GlobalMaxPooling1D(),
        layers.Dense(250),
        layers.Dropout(0.2),
        layers.Activation("relu"),
        layers.Dense(1),
        layers.Activation("sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def build_lstm(input_dim: int, maxlen: int):
    """imdb_lstm: Embedding(20000, 128) -> LSTM(128, dropout 0.2, recurrent dropout 0.2) -> Dense(1, sigmoid)."""
    import keras
    from keras import layers
    model = keras.Sequential([
        keras.Input(shape=(maxlen,), dtype="int64"),
        layers.Embedding(input_dim, 128),
        layers.LSTM(128, dropout=0.2, recurrent_dropout=0.2),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


RECIPES: dict[str, Recipe] = {
    "imdb_fasttext": Recipe(20_000, 400, 32, 5, build_fasttext, "fasttext",
                            "0.9056 test accuracy after 5 epochs (bigrams; 0.8813 unigrams)", ngram_range=2),
    "imdb_cnn": Recipe(5_000, 400, 32, 2, build_cnn, "cnn", "0.89 test accuracy after 2 epochs"),
    "imdb_lstm": Recipe(20_000, 80, 32, 15, build_lstm, "lstm", "none stated in the script"),
}


def unpadded(x: np.ndarray) -> list[list[int]]:
    """Pre-padded ids (N, T) -> each review's ids without the padding."""
    return [row[row != 0].tolist() for row in x]


def bigram_table(sequences: list[list[int]], first_id: int) -> dict[tuple[int, int], int]:
    """imdb_fasttext's explicit n-gram table: every neighbouring pair in the training reviews gets its own id.

    The script numbers a Python set in its iteration order; sorting makes the ids repeatable.
    """
    pairs = sorted({pair for sequence in sequences for pair in zip(sequence, sequence[1:])})
    return {pair: first_id + index for index, pair in enumerate(pairs)}


def add_bigrams(sequences: list[list[int]], table: dict[tuple[int, int], int]) -> list[list[int]]:
    """imdb_fasttext's add_ngram for bigrams: each review's known pair ids appended after its words."""
    return [sequence + [table[pair] for pair in zip(sequence, sequence[1:]) if pair in table]
            for sequence in sequences]


def prepare(recipe: Recipe, data: EncodedData) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], int]:
    """The recipe's preprocessing of our three splits: {split: (x, y)} and the embedding's input_dim."""
    import keras
    splits = {"train": (data.x_train, data.y_train), "val": (data.x_val, data.y_val), "test": (data.x_test, data.y_test)}
    sequences = {name: unpadded(x) for name, (x, _) in splits.items()}
    input_dim = recipe.num_words
    if recipe.ngram_range == 2:
        table = bigram_table(sequences["train"], recipe.num_words + 1)   # the script's start_index
        input_dim = max(table.values(), default=recipe.num_words) + 1
        sequences = {name: add_bigrams(seqs, table) for name, seqs in sequences.items()}
    prepared = {name: (keras.utils.pad_sequences(sequences[name], maxlen=recipe.maxlen), splits[name][1])
                for name in splits}
    return prepared, input_dim


def run_recipe(name: str, seed: int, data: EncodedData, epochs: int | None = None) -> dict:
    """Fit the recipe one epoch at a time, keep the best validation epoch's weights, score the test once."""
    import keras
    recipe = RECIPES[name]
    keras.utils.set_random_seed(seed)
    splits, input_dim = prepare(recipe, data)
    model = recipe.build(input_dim, recipe.maxlen)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = splits["train"], splits["val"], splits["test"]
    rows, best, best_weights = [], None, None
    for epoch in range(1, (epochs or recipe.epochs) + 1):
        started = time.perf_counter()
        history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=1, verbose=0, shuffle=True)
        train_seconds = time.perf_counter() - started
        val_loss, val_acc = model.evaluate(x_val, y_val, batch_size=512, verbose=0)
        row = {"epoch": epoch, "train_loss": float(history.history["loss"][0]),
               "train_acc": float(history.history["accuracy"][0]), "val_loss": float(val_loss),
               "val_acc": float(val_acc), "train_seconds": train_seconds,
               "samples_per_second": len(y_train) / max(train_seconds, 1e-9)}
        rows.append(row)
        print(f"  {name} epoch {epoch}: val_acc {val_acc:.4f} ({train_seconds:.0f} s, "
              f"{row['samples_per_second']:.0f} reviews/s)", flush=True)
        if best is None or (row["val_acc"], -row["val_loss"]) > (best["val_acc"], -best["val_loss"]):
            best, best_weights = row, model.get_weights()
    model.set_weights(best_weights)
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    return {"recipe": name, "seed": seed, "num_words": recipe.num_words, "maxlen": recipe.maxlen,
            "batch_size": recipe.batch_size, "input_dim": input_dim, "param_count": int(model.count_params()),
            "best_epoch": best["epoch"], "val_acc": best["val_acc"], "test_acc": float(test_acc),
            "test_loss": float(test_loss), "published": recipe.published, "epochs": rows,
            "keras_samples_per_second": float(np.median([r["samples_per_second"] for r in rows]))}


def our_speed(contestant: str, seed: int, args: argparse.Namespace) -> dict:
    """One epoch of our contestant at its defaults through the product's runner: reviews/s and val accuracy."""
    values = {"seed": seed, "epochs": args.our_epochs, "patience": 0}
    result = runner.run_experiment(contestant, args.dataset, values, device="cpu",
                                   aclimdb_path=args.aclimdb, data_dir=args.data_dir)
    return {"ours": contestant, "our_epochs": len(result.epochs),
            "our_samples_per_second": float(np.median([m.samples_per_second for m in result.epochs])),
            "our_val_acc": max(m.val_acc for m in result.epochs), "our_test_acc_at_those_epochs": result.test_acc}


def load_split(recipe: Recipe, seed: int, args: argparse.Namespace) -> EncodedData:
    """Our reviews at the recipe's vocabulary, whole (up to READ_LENGTH tokens), with our validation share."""
    data = load_dataset(args.dataset, num_words=recipe.num_words, maxlen=READ_LENGTH if args.dataset == "aclimdb" else 64,
                        val_split=0.2, seed=seed, aclimdb_path=args.aclimdb, data_dir=args.data_dir)
    if args.limit:
        data = subset(data, args.limit, seed)
    return data


def build_parser() -> argparse.ArgumentParser:
    """The bench's arguments."""
    parser = argparse.ArgumentParser(description="Keras example recipes on our split, beside our contestants.")
    parser.add_argument("recipes", nargs="*", default=["imdb_fasttext"], help=f"of: {', '.join(RECIPES)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dataset", default="aclimdb", choices=["aclimdb", "synthetic"])
    parser.add_argument("--epochs", type=int, default=None, help="fewer epochs than the recipe's (a quick check)")
    parser.add_argument("--our-epochs", type=int, default=1, help="epochs of our contestant timed beside it")
    parser.add_argument("--limit", type=int, default=None, help="cap each split at N reviews (a quick check)")
    parser.add_argument("--aclimdb", type=Path, default=None, help="aclImdb_v1.tar.gz (default: $BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--data-dir", type=Path, default=None, help="dataset cache (default: $BATTLEFIELD_DATA_DIR)")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR)
    parser.add_argument("--force", action="store_true", help="run again even when a result file exists")
    return parser


def main(argv: list[str]) -> int:
    """Run each asked recipe (skipping finished ones), then our contestant, and print both."""
    args = build_parser().parse_args(argv)
    unknown = [name for name in args.recipes if name not in RECIPES]
    if unknown:
        raise SystemExit(f"Unknown recipe(s): {', '.join(unknown)}; choose from: {', '.join(RECIPES)}")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    for name in args.recipes:
        path = args.results_dir / f"{name}__seed{args.seed}.json"
        if path.exists() and not args.force:
            record = json.loads(path.read_text())
            print(f"{name}: done before, kept ({path})", flush=True)
        else:
            recipe = RECIPES[name]
            data = load_split(recipe, args.seed, args)
            started = time.perf_counter()
            record = run_recipe(name, args.seed, data, args.epochs)
            record |= our_speed(recipe.ours, args.seed, args)
            record |= {"dataset": args.dataset, "limit": args.limit, "seconds": time.perf_counter() - started,
                       "finished_at": datetime.now(UTC).isoformat()}
            path.write_text(json.dumps(record, indent=1))
        ratio = record["our_samples_per_second"] / record["keras_samples_per_second"]
        print(f"{name} (seed {record['seed']}): val {record['val_acc']:.4f} test {record['test_acc']:.4f} "
              f"(epoch {record['best_epoch']}); published {record['published']}; Keras fit "
              f"{record['keras_samples_per_second']:.0f} reviews/s, ours ({record['ours']}) "
              f"{record['our_samples_per_second']:.0f} reviews/s: {ratio:.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
