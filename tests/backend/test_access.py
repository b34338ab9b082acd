"""BATTLEFIELD_TOKEN guards every route of the app but GET /api/health and the static files, by bearer or login cookie."""

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from backend.access import PUBLIC, PUBLIC_OPERATIONS, SESSION_COOKIE, is_loopback, open_bind_refusal
from backend.main import create_app
from backend.static import static_paths
from tests.support.live import REPO_ROOT, _child_env, running_backend

TOKEN = "class-of-2026-secret"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
SAMPLE_PATH_VALUES = {"name": "lstm"}  # any other path parameter gets "1"


@pytest.fixture(scope="module")
def token_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A backend that wants TOKEN."""
    with running_backend(tmp_path_factory.mktemp("data"), env={"BATTLEFIELD_TOKEN": TOKEN}) as url:
        yield url


def route_requests() -> list[tuple[str, str, bool]]:
    """(method, concrete path, public) for every method of every route in the app's own route table."""
    requests, static = [], static_paths()
    for route in iter_route_contexts(create_app().routes):  # included routers flattened
        if isinstance(route.original_route, Mount):
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), "1"), route.path)
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            requests.append((method, path, (method, path) in PUBLIC_OPERATIONS or path in static))
    return requests


def status_of(url: str, method: str, path: str, **kwargs) -> int:
    """The status line of one request, without reading the body (event streams never end)."""
    with httpx.stream(method, f"{url}{path}", timeout=10, **kwargs) as response:
        return response.status_code


def login_cookie(url: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/login", json={"token": TOKEN})
    assert response.status_code == 204, response.text
    return {SESSION_COOKIE: response.cookies[SESSION_COOKIE]}


def test_every_route_answers_401_without_the_token_and_not_with_it(token_url: str):
    requests = route_requests()
    assert len(requests) > 20 and ("GET", "/api/events", False) in requests
    assert {(m, p) for m, p, public in requests if public} == {
        ("GET", "/api/health"), ("POST", "/api/login"), ("POST", "/api/logout"), ("GET", "/vendor/plotly.min.js")}
    cookies = login_cookie(token_url)
    wrong = {"Authorization": "Bearer not-the-token"}
    for method, path, public in requests:
        without, with_wrong = status_of(token_url, method, path), status_of(token_url, method, path, headers=wrong)
        assert (without == 401) is not public and (with_wrong == 401) is not public, (method, path, without, with_wrong)
        assert status_of(token_url, method, path, headers=BEARER) != 401, (method, path, "bearer")
        assert status_of(token_url, method, path, cookies=cookies) != 401, (method, path, "cookie")


def test_401_says_what_to_do(token_url: str):
    response = httpx.delete(f"{token_url}/api/runs/1")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "This server needs its access token: log in on the dashboard, or send "
                                         "'Authorization: Bearer <token>' (the value of the server's BATTLEFIELD_TOKEN)"}
    assert httpx.post(f"{token_url}/api/runs", json={}).status_code == 401


def test_static_files_and_health_need_no_token(token_url: str):
    assert httpx.get(f"{token_url}/").status_code == 200
    assert httpx.get(f"{token_url}/api.js").status_code == 200
    assert httpx.get(f"{token_url}/api/health").json()["status"] == "ok"


def test_login_sets_an_httponly_strict_cookie_and_logout_drops_it(token_url: str):
    response = httpx.post(f"{token_url}/api/login", json={"token": TOKEN})
    header = response.headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=") and TOKEN not in header
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    with httpx.Client(base_url=token_url, cookies=response.cookies) as browser:
        assert browser.get("/api/runs").status_code == 200
        logout = browser.post("/api/logout")
        assert logout.status_code == 204 and 'battlefield_session=""' in logout.headers["set-cookie"]
        assert browser.get("/api/runs").status_code == 401


def test_wrong_login_and_forged_cookie_are_refused(token_url: str):
    response = httpx.post(f"{token_url}/api/login", json={"token": "guess"})
    assert response.status_code == 401 and SESSION_COOKIE not in response.cookies
    assert response.json() == {"detail": "Wrong token: type the value of the server's BATTLEFIELD_TOKEN"}
    forged = {SESSION_COOKIE: "eyJ2IjoxfQ.aaaa.bbbbbbbb"}
    assert httpx.get(f"{token_url}/api/runs", cookies=forged).status_code == 401


def test_no_wildcard_cors(token_url: str):
    preflight = httpx.options(f"{token_url}/api/runs", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type", **BEARER})
    simple = httpx.get(f"{token_url}/api/runs", headers={"Origin": "https://evil.example", **BEARER})
    assert simple.status_code == 200
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers


def test_openapi_declares_the_schemes_and_the_public_routes():
    schema = create_app().openapi()
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "session"}
    assert schema["security"] == [{"bearer": []}, {"session": []}]
    assert schema["paths"]["/api/health"]["get"]["security"] == PUBLIC["security"]
    assert "security" not in schema["paths"]["/api/runs"]["post"]  # the global requirement applies


def test_loopback_detection_and_the_refusal_rule():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.0.2.7")
    assert open_bind_refusal("0.0.0.0", None, insecure=False).startswith("error: refusing to listen on 0.0.0.0")
    assert open_bind_refusal("0.0.0.0", TOKEN, insecure=False) is None
    assert open_bind_refusal("0.0.0.0", None, insecure=True) is None
    assert open_bind_refusal("127.0.0.1", None, insecure=False) is None


def test_backend_refuses_an_open_bind_without_a_token(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "backend", "--host", "0.0.0.0", "--port", "1"], cwd=REPO_ROOT,
                          env=_child_env(tmp_path, {}), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: refusing to listen on 0.0.0.0 without a token")
    assert "BATTLEFIELD_TOKEN" in lines[0] and "--insecure" in lines[0]
