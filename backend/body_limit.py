"""A route class that refuses a request body over a size limit before anything reads it."""

from fastapi import Request, Response
from fastapi.routing import APIRoute

from backend.errors import ApiError


class PayloadTooLarge(ApiError):
    """The body is over the route's limit."""

    status_code = 413


class LengthRequired(ApiError):
    """The body came without a Content-Length, so its size cannot be checked before reading it."""

    status_code = 411


def limited_body_route(max_bytes: int) -> type[APIRoute]:
    """An APIRoute class whose handler answers 413 (or 411 without Content-Length) for bodies over `max_bytes`."""

    class LimitedBodyRoute(APIRoute):
        def get_route_handler(self):
            standard = super().get_route_handler()

            async def handler(request: Request) -> Response:
                length = request.headers.get("content-length")
                if length is None or not length.isdigit():
                    raise LengthRequired("Send the body with a Content-Length header")
                if int(length) > max_bytes:
                    raise PayloadTooLarge(f"The body is {int(length):,} bytes; at most {max_bytes:,} are accepted")
                return await standard(request)

            return handler

    return LimitedBodyRoute
