"""Share of the test reviews' word tokens that fall outside the vocabulary (docs/RESULTS.md, "Tokenizer").

Loads the dataset through `worker.data.load_dataset` with the given options (the vocabulary is ranked on
the training share, as for training) and counts, in the encoded test reviews, the positions holding the
out-of-vocabulary id 2 among all word positions (ids >= 2; padding 0 and the start id 1 excluded).
It imports `worker` from the current directory, so the same script measures another checkout:

  cd /path/to/checkout && PYTHONPATH=. KERAS_BACKEND=torch /path/to/.venv/bin/python \\
    /path/to/bench/tokenizer_oov.py --aclimdb path/to/aclImdb_v1.tar.gz --data-dir /tmp/oov-cache
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, ".")  # the checkout being measured, not necessarily this script's

from worker.data import load_dataset  # noqa: E402
from worker.data.tokenizer import OOV_ID  # noqa: E402  (2 in every release)


def oov_share(x_test) -> dict:
    """{"word_tokens", "oov_tokens", "oov_share"} of an encoded test array (N, maxlen)."""
    words = int((x_test >= OOV_ID).sum())
    oov = int((x_test == OOV_ID).sum())
    return {"word_tokens": words, "oov_tokens": oov, "oov_share": oov / words if words else float("nan")}


def main(argv: list[str]) -> int:
    """Print one JSON object with the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="aclimdb")
    parser.add_argument("--aclimdb", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--num-words", type=int, default=10_000)
    parser.add_argument("--maxlen", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    data = load_dataset(args.dataset, num_words=args.num_words, maxlen=args.maxlen, seed=args.seed,
                        aclimdb_path=args.aclimdb, data_dir=args.data_dir)
    print(json.dumps({"num_words": args.num_words, "maxlen": args.maxlen, **oov_share(data.x_test)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
