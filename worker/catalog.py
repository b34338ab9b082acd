"""What the dashboard shows about the contestants without building one (imports no torch).

HYPERPARAM_GROUPS: the display groups of the hyperparameters every contestant takes
(worker.contestants.base.TrainingParams, checked by a test); a contestant's own fields form its
"Model" group. NOTEBOOK_TEST_ACC: the course notebook's best test accuracy per contestant it had.
"""

HYPERPARAM_GROUPS: dict[str, tuple[str, ...]] = {
    "Model": (),   # the contestant's own fields (sizes, kernels, layers), whatever they are
    "Training": ("epochs", "batch_size", "optimizer", "lr", "lr_schedule", "momentum", "weight_decay", "grad_clip",
                 "dropout", "seed", "patience"),
    "Data": ("num_words", "maxlen", "val_split"),
}

# From the notebook's printed cells (docs/RESULTS.md); None where its cell never finished.
NOTEBOOK_TEST_ACC: dict[str, float | None] = {
    "ff_raw": 0.4999,
    "ff_embedding": 0.6548,
    "rnn": 0.7236,
    "lstm": 0.8505,
    "cnn": None,
    "cnn_lstm": None,
}
