"""The test predictions a worker uploads at the end of a run: one probability per test review, and the worst errors."""

import numpy as np

from worker.data.tokenizer import FIRST_WORD_ID, OOV_ID, PAD_ID, START_ID

WRONG_KEPT = 50           # the most confidently wrong test reviews whose text is uploaded
MAX_TEXT_CHARS = 20_000   # the backend's bound on one review's text
OOV_MARK = "<?>"


def decode(ids: np.ndarray, vocab: list[str]) -> str:
    """The review as the model read it: its token ids (T,) as words, padding and start dropped, OOV as '<?>'."""
    words = []
    for token in ids.tolist():
        if token in (PAD_ID, START_ID):
            continue
        index = token - FIRST_WORD_ID
        words.append(vocab[index] if token != OOV_ID and 0 <= index < len(vocab) else OOV_MARK)
    return " ".join(words)[:MAX_TEXT_CHARS]


def predictions_upload(probabilities: np.ndarray, labels: np.ndarray, x_test: np.ndarray,
                       vocab: list[str] | None) -> dict:
    """The body of PUT /api/worker/runs/{id}/predictions (without `worker`).

    probabilities: (N,) P(positive) per test review; labels: (N,) in {0, 1}; x_test: (N, maxlen) ids.
    `wrong` holds the WRONG_KEPT reviews classified wrong with the highest confidence |p - 0.5|,
    with their text when the dataset has a vocabulary (empty otherwise).
    """
    probabilities = np.clip(np.nan_to_num(probabilities.astype(np.float64), nan=0.5), 0.0, 1.0)  # (N,)
    labels = labels.astype(int)  # (N,)
    wrong_at = np.flatnonzero((probabilities >= 0.5) != (labels == 1))
    worst = wrong_at[np.argsort(-np.abs(probabilities[wrong_at] - 0.5), kind="stable")][:WRONG_KEPT]
    wrong = [] if vocab is None else [
        {"index": int(i), "label": int(labels[i]), "probability": round(float(probabilities[i]), 6),
         "text": decode(x_test[i], vocab)}
        for i in worst
    ]
    return {"probabilities": np.round(probabilities, 6).tolist(), "labels": labels.tolist(), "wrong": wrong}
