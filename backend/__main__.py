"""`python -m backend [--host H] [--port P] [--insecure]`: migrate the database and serve the app with uvicorn.

`python -m backend migrate-from-sqlite SQLITE_PATH` copies a SQLite database into the (empty)
PostgreSQL database BATTLEFIELD_DATABASE_URL names (backend/migrate.py).
"""

import argparse
import logging
import sys

import uvicorn

from backend.access import open_bind_refusal
from backend.config import settings


def build_parser() -> argparse.ArgumentParser:
    """The server's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m backend",
        description="Serve the IMDB Battlefield backend.",
        epilog="`python -m backend migrate-from-sqlite SQLITE_PATH` moves a SQLite database to PostgreSQL.",
    )
    parser.add_argument("--host", default=settings.host, help="interface to listen on (BATTLEFIELD_HOST)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (BATTLEFIELD_PORT)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    parser.add_argument("--insecure", action="store_true",
                        help="serve a non-loopback address without BATTLEFIELD_TOKEN (anyone reaching it can act)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and serve until Ctrl-C or SIGTERM (or run the migrate-from-sqlite command).

    On a stop signal sse-starlette ends the event streams and waiting claims answer 204 within a
    quarter second, so uvicorn's graceful shutdown (3 s at most) does not wait on them.
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["migrate-from-sqlite"]:
        from backend.migrate import main as migrate_main

        return migrate_main(argv[1:])
    args = build_parser().parse_args(argv)
    refusal = open_bind_refusal(args.host, settings.token, args.insecure)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    from backend.main import create_app  # after the check: a refusal needs no app

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
