"""`python -m backend [--host H] [--port P]`: migrate the database and serve the app with uvicorn."""

import argparse
import logging

import uvicorn

from backend.config import settings
from backend.main import create_app


class BattlefieldServer(uvicorn.Server):
    """uvicorn waits for open connections before the lifespan shutdown; end our streams first."""

    def __init__(self, config: uvicorn.Config, app):
        super().__init__(config)
        self.battlefield_app = app

    def handle_exit(self, sig, frame) -> None:
        self.battlefield_app.state.battlefield.begin_shutdown()
        super().handle_exit(sig, frame)


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m backend", description="Serve the IMDB Battlefield backend.")
    parser.add_argument("--host", default=settings.host, help="interface to listen on (BATTLEFIELD_HOST)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (BATTLEFIELD_PORT)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, timeout_graceful_shutdown=3, access_log=False
    )
    try:
        BattlefieldServer(config, app).run()
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled; the shutdown is already done
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
