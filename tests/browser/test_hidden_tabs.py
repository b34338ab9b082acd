"""A hidden tab pauses its live work (the event stream, the clocks, the Workers page's poll) and catches up
when shown again. The test acts as the worker over HTTP, so the run stays running as long as it likes.

Headless Chromium never hides a page by itself, so the page's Page Visibility state is set from the
test: `document.visibilityState` and `document.hidden` are overridden and `visibilitychange` dispatched,
which is what a browser does when a tab goes to the background.
"""

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.support.factories import claim, launch, post_epoch
from tests.support.live import running_backend

pytestmark = pytest.mark.browser

# Every EventSource the page opens, and a switch for its visibility.
TRACKING = """
(() => {
  const Native = window.EventSource;
  window.__sources = [];
  window.EventSource = class extends Native {
    constructor(...args) { super(...args); window.__sources.push(this); }
  };
  window.__setVisibility = (state) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  };
})();
"""
OPEN_STREAMS = "() => window.__sources.filter((s) => s.readyState !== EventSource.CLOSED).length"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One backend for the module (starting one is seconds): each test looks only at its own run or page."""
    with running_backend(tmp_path_factory.mktemp("data"), lease_seconds=600) as url:
        yield url


@pytest.fixture
def context(browser: Browser, backend: str) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=VIEWPORT, base_url=backend)
    context.set_default_timeout(30_000)
    context.add_init_script(TRACKING)
    yield context
    context.close()


def hide(page: Page) -> None:
    page.evaluate("() => window.__setVisibility('hidden')")


def show(page: Page) -> None:
    page.evaluate("() => window.__setVisibility('visible')")


def test_a_hidden_run_page_closes_its_stream_stops_its_clock_and_catches_up_when_shown(context, backend: str):
    errors: list[str] = []
    with httpx.Client(base_url=backend, timeout=15) as api:
        run = launch(api)
        assert claim(api).json()["run"]["id"] == run["id"]
        post_epoch(api, run["id"], 1)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"/#/run/{run['id']}")
        expect(page.locator("#run-title + .page-subtitle .badge")).to_have_text("running")
        expect(page.locator("#stat-speed .stat-sub")).to_have_text("1 of 3 epochs")
        page.wait_for_function(f"{OPEN_STREAMS} > 0")
        clock = page.locator("#run-duration")
        ticking = clock.text_content()
        expect(clock).not_to_have_text(ticking, timeout=5_000)   # the live clock runs while the tab is visible

        hide(page)
        page.wait_for_function(f"{OPEN_STREAMS} === 0")   # nobody in the browser wants the stream: closed
        frozen = clock.text_content()
        post_epoch(api, run["id"], 2)   # news the hidden tab does not take in
        time.sleep(2.5)
        assert clock.text_content() == frozen
        expect(page.locator("#stat-speed .stat-sub")).to_have_text("1 of 3 epochs")

        show(page)
        page.wait_for_function(f"{OPEN_STREAMS} > 0")   # the stream is open again
        expect(page.locator("#stat-speed .stat-sub")).to_have_text("2 of 3 epochs")   # re-fetched on showing
        expect(clock).not_to_have_text(frozen, timeout=5_000)
        post_epoch(api, run["id"], 3)   # and live again: the next epoch arrives by the stream
        expect(page.locator("#stat-speed .stat-sub")).to_have_text("3 of 3 epochs")
    assert errors == []


def test_a_hidden_workers_page_stops_polling_and_refreshes_when_shown(context):
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    polls: list[float] = []
    page.on("request", lambda request: polls.append(time.monotonic()) if request.url.endswith("/api/workers") else None)
    page.goto("/#/workers")
    page.wait_for_function("() => document.querySelector('#workers-summary') !== null")
    deadline = time.monotonic() + 10
    while len(polls) < 2 and time.monotonic() < deadline:   # the 2 s poll runs while visible
        page.wait_for_timeout(200)
    assert len(polls) >= 2, polls

    hide(page)
    page.wait_for_timeout(500)   # a poll already in flight may still land
    hidden_at = len(polls)
    page.wait_for_timeout(5_000)   # two and a half poll intervals
    assert len(polls) == hidden_at, "a hidden tab went on polling /api/workers"

    shown = time.monotonic()
    show(page)
    page.wait_for_timeout(1_000)
    assert [t for t in polls if t >= shown], "no refresh when shown again"
    assert errors == []
