"""Who may call the API: BATTLEFIELD_TOKEN, checked once for every route by one ASGI middleware.

- Scripts and workers send `Authorization: Bearer <token>`.
- Browsers cannot set headers on an EventSource, so POST /api/login with the token sets an HttpOnly,
  SameSite=Strict session cookie: the token's HMAC signature (itsdangerous) over the time of the login,
  good for `settings.session_seconds`; changing the token ends every session.
- BATTLEFIELD_WORKER_TOKEN, when set, is an extra, narrower secret that opens only /api/worker/*.

Deny by default: a request goes through without credentials only when it is a GET or HEAD of one of
the dashboard's static files (backend/static.py lists them once at start-up) or one of
PUBLIC_OPERATIONS (GET /api/health, login, logout; those routes say so in the OpenAPI document with
`openapi_extra=PUBLIC`, and create_app checks the two agree). Every other path, a route added later
or an unknown one, needs the token, without anyone remembering to guard it.
"""

import ipaddress
import secrets
import socket
from collections.abc import Iterable

from itsdangerous import BadSignature, URLSafeTimedSerializer
from fastapi.routing import iter_route_contexts
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.config import settings
from backend.static import static_paths

SESSION_COOKIE = "battlefield_session"
PUBLIC = {"security": []}
"""`openapi_extra` of a route anyone may call without the token (OpenAPI's "no security" for it)."""
PUBLIC_OPERATIONS = frozenset({("GET", "/api/health"), ("POST", "/api/login"),
                               ("POST", "/api/logout")})
"""(method, path) of the API operations that need no token; their routes carry `openapi_extra=PUBLIC`."""
WORKER_PREFIX = "/api/worker/"
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "BATTLEFIELD_TOKEN (or BATTLEFIELD_WORKER_TOKEN "
               "for /api/worker/*) as `Authorization: Bearer <token>`."},
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                "description": "The session cookie POST /api/login sets (the dashboard's way in)."},
}
API_MESSAGE = ("This server needs its access token: log in on the dashboard, or send "
               "'Authorization: Bearer <token>' (the value of the server's BATTLEFIELD_TOKEN)")
WORKER_MESSAGE = ("Missing or wrong worker token; start the worker with --token or BATTLEFIELD_TOKEN "
                  "(or BATTLEFIELD_WORKER_TOKEN)")


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback one (127.0.0.0/8, ::1, "localhost")."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def open_bind_refusal(host: str, token: str | None, insecure: bool) -> str | None:
    """Why the backend must not listen on `host` (a non-loopback address with no token and no --insecure), or None."""
    if token is not None or insecure or is_loopback(host):
        return None
    return (f"error: refusing to listen on {host} without a token: anyone who can reach it could launch, cancel "
            f"and delete runs. Set BATTLEFIELD_TOKEN to a secret (and give it to your workers and users), "
            f"listen on 127.0.0.1, or pass --insecure to serve an open API anyway.")


def _serializer(token: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(token, salt="battlefield-session")


def new_session_cookie(token: str) -> str:
    """A session cookie's value: the login time signed with `token` (HMAC-SHA1 via itsdangerous)."""
    return _serializer(token).dumps({"v": 1})


def session_is_valid(value: str | None, token: str, max_age_seconds: int) -> bool:
    """True when `value` was signed with `token` at most `max_age_seconds` ago."""
    if not value:
        return False
    try:
        _serializer(token).loads(value, max_age=max_age_seconds)
    except BadSignature:  # also SignatureExpired, its subclass
        return False
    return True


def token_matches(offered: str, expected: str | None) -> bool:
    """Constant-time comparison; never true when no token is expected."""
    return expected is not None and secrets.compare_digest(offered.encode(), expected.encode())


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_authorised(connection: HTTPConnection, worker_route: bool) -> bool:
    """Whether the request carries a credential this route accepts (or the server asks for none)."""
    token, worker_token = settings.token, settings.worker_token
    if token is None and not (worker_route and worker_token is not None):
        return True
    offered = bearer_token(connection)
    if offered is not None and (token_matches(offered, token) or (worker_route and token_matches(offered, worker_token))):
        return True
    return token is not None and session_is_valid(connection.cookies.get(SESSION_COOKIE), token, settings.session_seconds)


class AccessMiddleware:
    """Answers 401 (with `WWW-Authenticate: Bearer`) to any request for a non-public route without a valid credential."""

    def __init__(self, app: ASGIApp, static: frozenset[str]):
        self.app = app
        self.static = static

    def is_public(self, scope: Scope) -> bool:
        """A GET/HEAD of a static file, or one of PUBLIC_OPERATIONS."""
        method, path = scope.get("method", "GET"), scope["path"]
        return (method, path) in PUBLIC_OPERATIONS or (method in ("GET", "HEAD") and path in self.static)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or (settings.token is None and settings.worker_token is None):
            await self.app(scope, receive, send)
            return
        if self.is_public(scope):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        worker_route = scope["path"].startswith(WORKER_PREFIX)
        if is_authorised(connection, worker_route):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "unauthorised"})
            return
        message = WORKER_MESSAGE if worker_route else API_MESSAGE
        response = JSONResponse({"detail": message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)


def public_operations(routes) -> set[tuple[str, str]]:
    """(method, path) of every route in `routes` (an app's route table, included routers flattened) marked PUBLIC."""
    return {(method, context.path) for context in iter_route_contexts(routes)
            if getattr(context.original_route, "openapi_extra", None) == PUBLIC for method in context.methods or ()}


def install_access(app) -> None:
    """Guard every route of `app` (a FastAPI app) with AccessMiddleware and declare the schemes in its OpenAPI.

    Call after the routers are included: raises AssertionError when the routes marked PUBLIC and
    PUBLIC_OPERATIONS disagree.
    """
    marked = public_operations(app.routes)
    assert marked == PUBLIC_OPERATIONS, f"routes marked PUBLIC {sorted(marked)} != PUBLIC_OPERATIONS"
    app.add_middleware(AccessMiddleware, static=static_paths())
    build = app.openapi

    def openapi() -> dict:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            schema["security"] = [{"bearer": []}, {"session": []}]
        return schema

    app.openapi = openapi
