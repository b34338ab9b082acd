"""Request body limits: FastAPI's own (`max_body_size`: the default on every router, larger on the uploads),
with the 413 turned from Starlette's plain "Content Too Large" into JSON that names the limit."""

import json

from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_message(limit: int | None) -> str:
    """The 413's detail: the route's limit in bytes (and MiB) and what to do."""
    shown = "this route's limit" if limit is None else f"the limit of {limit:,} bytes ({limit / 2**20:,.1f} MiB)"
    return (f"Request body too large: over {shown}; send less (a review, a name, a note of reasonable size) "
            f"or raise BATTLEFIELD_MAX_BODY_BYTES on the server")


class TooLargeAsJson:
    """Rewrites a plain-text 413 from the body limit into `{"detail": "...the limit of N bytes..."}`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_json(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    body = json.dumps({"detail": too_large_message(scope.get(MAX_BODY_SIZE_SCOPE_KEY))}).encode()
                    replaced = True
                    await send({"type": "http.response.start", "status": 413, "headers": [
                        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
            if not replaced:
                await send(message)

        await self.app(scope, receive, send_json)
