"""With BATTLEFIELD_TOKEN set, the dashboard shows a login box; the right token opens it, with live streams."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.access import SESSION_COOKIE
from tests.support.live import running_backend

pytestmark = pytest.mark.browser
TOKEN = "browser-class-secret"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A backend that wants TOKEN (overrides the shared fixture: no worker needed)."""
    with running_backend(tmp_path_factory.mktemp("login-data"), env={"BATTLEFIELD_TOKEN": TOKEN}) as url:
        yield url


def test_login_box_refuses_a_wrong_token_and_lets_the_right_one_in(page: Page, live_url: str):
    run = httpx.post(f"{live_url}/api/runs", headers={"Authorization": f"Bearer {TOKEN}"},
                     json={"architecture": "lstm", "dataset": "synthetic", "name": "behind the login"}, timeout=60).json()
    page.goto("/#/runs")
    box = page.locator("#login")
    expect(box).to_be_visible()
    expect(box.locator("#login-help")).to_contain_text("This server needs its access token")
    page.fill("#login-token", "wrong-guess")
    page.click("#login button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Wrong token: type the value of the server's BATTLEFIELD_TOKEN")
    page.fill("#login-token", TOKEN)
    page.click("#login button[type=submit]")
    expect(page.locator(f'#runs-table tr[data-id="{run["id"]}"]')).to_be_visible()
    expect(box).to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert SESSION_COOKIE not in page.evaluate("() => document.cookie")  # scripts on the page cannot read it
    # The all-runs event stream now flows with the cookie: a cancel shows without a reload.
    httpx.post(f"{live_url}/api/runs/{run['id']}/cancel", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    expect(page.locator(f'#runs-table tr[data-id="{run["id"]}"]')).to_have_attribute("data-status", "cancelled")
