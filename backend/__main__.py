"""`python -m backend [--host H] [--port P]`: migrate the database and serve the app with uvicorn."""

import argparse
import logging

import uvicorn

from backend.config import settings
from backend.main import create_app


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and serve until Ctrl-C or SIGTERM.

    On a stop signal sse-starlette ends the event streams and waiting claims answer 204 within a
    quarter second, so uvicorn's graceful shutdown (3 s at most) does not wait on them.
    """
    parser = argparse.ArgumentParser(prog="python -m backend", description="Serve the IMDB Battlefield backend.")
    parser.add_argument("--host", default=settings.host, help="interface to listen on (BATTLEFIELD_HOST)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (BATTLEFIELD_PORT)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(
        create_app(), host=args.host, port=args.port, log_level=args.log_level, timeout_graceful_shutdown=3,
        access_log=False,
    )
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled; the shutdown is already done
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
