"""`python -m worker train ...` trains one run; `python -m worker --server URL` runs the worker agent."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")


def main(argv: list[str]) -> int:
    """Dispatch to the one-run CLI or to the agent."""
    if argv and argv[0] == "train":
        from worker.cli import main as train_main
        return train_main(argv[1:])
    from worker.agent.cli import main as agent_main
    return agent_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
