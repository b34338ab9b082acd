"""Scoring review text with a finished run's checkpoint, on the CPU."""

from pathlib import Path

import torch

from worker.contestants import get_contestant
from worker.data.tokenizer import TOKENIZER_VERSION, encode
from worker.training.checkpoint import checkpoint_hyperparams, checkpoint_tokenizer_version, load_checkpoint


class Predictor:
    """A contestant with its trained weights and vocabulary, ready to score text."""

    def __init__(self, model: torch.nn.Module, vocab: list[str], maxlen: int, tokenizer_version: int = TOKENIZER_VERSION):
        self.model = model.eval()
        self.vocab = vocab
        self.maxlen = maxlen
        self.tokenizer_version = tokenizer_version  # the tokenizer the run was trained with

    @classmethod
    def from_checkpoint(cls, path: Path) -> "Predictor":
        """Rebuild the model named in the checkpoint as it was trained, and load its weights.

        The hyperparameters are the checkpoint's own (fields added since take their old behaviour,
        never today's defaults) and typed text is tokenised by the tokenizer version it was trained with.
        Raises CheckpointUnreadable, HyperparamError or torch's errors for a checkpoint that does not fit.
        """
        checkpoint = load_checkpoint(path)
        hp = checkpoint_hyperparams(checkpoint)
        model = get_contestant(checkpoint["architecture"]).build(hp)
        model.load_state_dict(checkpoint["state_dict"])
        return cls(model, checkpoint["vocab"] or [], hp.maxlen, checkpoint_tokenizer_version(checkpoint))

    @torch.no_grad()
    def predict(self, text: str) -> float:
        """The probability that the review is positive."""
        ids = torch.as_tensor(encode(text, self.vocab, self.maxlen, self.tokenizer_version), dtype=torch.int64)[None, :]  # (1, T)
        return float(torch.sigmoid(self.model(ids))[0])
