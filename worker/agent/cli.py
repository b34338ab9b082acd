"""`python -m worker --server URL [--name N] [--device D] [--token T] [--once]`: run the worker agent."""

import argparse
import logging

from worker.agent.agent import Agent, default_name
from worker.agent.client import BackendClient
from worker.agent.logs import setup_logging
from worker.config import settings
from worker.training.device import resolve_device

def build_parser() -> argparse.ArgumentParser:
    """The agent's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m worker",
        description="Pull queued runs from an IMDB Battlefield backend, train them, report back.",
        epilog="`python -m worker train ...` trains one run locally without a backend.",
    )
    parser.add_argument("--server", required=True, help="the backend's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--name", default=None, help="worker name shown in the dashboard (default: hostname-pid)")
    parser.add_argument("--device", default=settings.device,
                        help="cuda:0, cuda, mps, cpu or auto (default: $BATTLEFIELD_DEVICE or auto)")
    parser.add_argument("--token", default=settings.token,
                        help="bearer token the backend expects (default: $BATTLEFIELD_WORKER_TOKEN, else $BATTLEFIELD_TOKEN)")
    parser.add_argument("--once", action="store_true",
                        help="wait for one run, train it and exit (exit at once if none comes within the claim wait)")
    parser.add_argument("--verbose", action="store_true", help="log retries and other details")
    return parser


def main(argv: list[str]) -> int:
    """Run the agent until SIGINT/SIGTERM (or one run with --once); the exit code."""
    args = build_parser().parse_args(argv)
    setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    try:
        device = str(resolve_device(args.device))
    except (ValueError, RuntimeError) as exc:
        build_parser().error(str(exc))
    client = BackendClient(args.server, token=args.token)
    agent = Agent(client, name=args.name or default_name(), device=device, data_dir=settings.data_dir, once=args.once)
    agent.install_signal_handlers()
    try:
        return agent.run()
    finally:
        client.close()
