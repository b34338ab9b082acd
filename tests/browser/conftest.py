"""Browser-test fixtures: a live backend and worker per module, one headless Chromium, pages that screenshot."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.live import REPO_ROOT, running_backend, running_worker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real backend with a real worker on a fresh data dir, shared by one test module."""
    data_dir: Path = tmp_path_factory.mktemp("browser-data")
    with running_backend(data_dir) as url, running_worker(url, name="browser-w1", data_dir=data_dir):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module: Playwright's sync API keeps an event loop running in this thread
    while it lives, which would stop the in-process async tests that run after the browser tests."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JavaScript errors seen by this test's page."""
    return []


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every alert/confirm/prompt the page opened (each is dismissed)."""
    return []


@pytest.fixture
def page(browser: Browser, live_url: str, request: pytest.FixtureRequest, page_errors: list, dialogs: list) -> Iterator[Page]:
    """A fresh page on the live dashboard; saves test-artifacts/screenshots/<test>.png and fails on JS errors."""
    context = browser.new_context(viewport=VIEWPORT, base_url=live_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.evaluate("() => window.scrollTo(0, 0)")  # a sticky top bar otherwise lands mid-page in full-page shots
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
    assert page_errors == [], f"JavaScript errors on the page: {page_errors}"
