"""Dashboard login: POST /api/login trades BATTLEFIELD_TOKEN for an HttpOnly session cookie; POST /api/logout drops it."""

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from backend.access import PUBLIC, SESSION_COOKIE, new_session_cookie, token_matches
from backend.config import settings
from backend.errors import Unauthorized

router = APIRouter(prefix="/api", tags=["session"])

TOKEN_MAX_LENGTH = 1000


class LoginRequest(BaseModel):
    """The server's access token, as typed into the dashboard's login box."""

    token: str = Field(min_length=1, max_length=TOKEN_MAX_LENGTH, description="The value of BATTLEFIELD_TOKEN.")


@router.post("/login", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=PUBLIC,
             responses={401: {"description": "Wrong token."}})
def login(body: LoginRequest, request: Request) -> Response:
    """Set the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) when `token` is the server's token.

    A server without BATTLEFIELD_TOKEN needs no login: 204 without a cookie. Raises Unauthorized (401) for a
    wrong token.
    """
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if settings.token is None:
        return response
    if not token_matches(body.token, settings.token):
        raise Unauthorized("Wrong token: type the value of the server's BATTLEFIELD_TOKEN")
    response.set_cookie(SESSION_COOKIE, new_session_cookie(settings.token), max_age=settings.session_seconds,
                        path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=PUBLIC)
def logout() -> Response:
    """Drop the session cookie (the browser forgets it; the next guarded request answers 401)."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
