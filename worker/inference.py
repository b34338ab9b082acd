"""Scoring review text with a finished run's checkpoint, on the CPU."""

from pathlib import Path

import torch

from worker.contestants import get_contestant, parse_hyperparams
from worker.data.tokenizer import TOKENIZER_VERSION, encode
from worker.training.checkpoint import load_checkpoint


class Predictor:
    """A contestant with its trained weights and vocabulary, ready to score text."""

    def __init__(self, model: torch.nn.Module, vocab: list[str], maxlen: int, tokenizer_version: int = TOKENIZER_VERSION):
        self.model = model.eval()
        self.vocab = vocab
        self.maxlen = maxlen
        self.tokenizer_version = tokenizer_version  # the tokenizer the run was trained with

    @classmethod
    def from_checkpoint(cls, path: Path) -> "Predictor":
        """Rebuild the model named in the checkpoint and load its weights."""
        checkpoint = load_checkpoint(path)
        hp = parse_hyperparams(checkpoint["architecture"], checkpoint["hyperparams"])
        model = get_contestant(checkpoint["architecture"]).build(hp)
        model.load_state_dict(checkpoint["state_dict"])
        return cls(model, checkpoint["vocab"] or [], hp.maxlen, checkpoint.get("tokenizer_version", 1))

    @torch.no_grad()
    def predict(self, text: str) -> float:
        """The probability that the review is positive."""
        ids = torch.as_tensor(encode(text, self.vocab, self.maxlen, self.tokenizer_version), dtype=torch.int64)[None, :]  # (1, T)
        return float(torch.sigmoid(self.model(ids))[0])
