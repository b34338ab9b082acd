"""Browser-test fixtures: a live backend and worker shared by the browser modules (or a module's own),
one headless Chromium per module, pages that screenshot."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.live import REPO_ROOT, running_backend_and_worker

# Assertions wait up to 15 s (Playwright's default: 5 s): the suite runs in two processes on two cores,
# where a page's first fetch can wait for a backend that is still importing scipy or torch.
expect.set_options(timeout=15_000)

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


@contextlib.contextmanager
def _live_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real backend with a real worker (named browser-w1) on a fresh data dir."""
    data_dir: Path = tmp_path_factory.mktemp("browser-data")
    with running_backend_and_worker(data_dir, worker_name="browser-w1") as url:
        yield url


@pytest.fixture(scope="package")
def shared_live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One live backend and worker for the browser modules whose tests look only at their own runs
    (starting them is seconds per module); their runs end or are cancelled, so the queue drains."""
    with _live_backend(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def own_live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live backend and worker for one module alone: one that counts every worker or ranks every group
    overrides `live_url` with this."""
    with _live_backend(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def live_url(shared_live_url: str) -> str:
    """The dashboard a module's pages open: the shared live backend unless the module overrides this."""
    return shared_live_url


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
