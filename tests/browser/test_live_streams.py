"""Events never stay stale in the browser: a backend restart with pages open, and twelve tabs on one
shared event stream. The test acts as the worker over HTTP, so it decides when the run finishes."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.integration.proxy import switchable_proxy
from tests.support.factories import claim, finish, launch, post_epoch
from tests.support.live import running_backend

pytestmark = pytest.mark.browser


@pytest.fixture
def context_at(browser: Browser):
    """Open a browser context on a base URL; every one is closed after the test."""
    contexts = []

    def open_context(url: str):
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def _page(context, path: str, errors: list[str]) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path)
    return page


def test_pages_show_the_truth_after_a_backend_restart_without_a_reload(context_at, tmp_path: Path):
    errors: list[str] = []
    with switchable_proxy() as proxy:
        with running_backend(tmp_path, lease_seconds=600) as first, httpx.Client(base_url=first, timeout=15) as api:
            proxy.point_to(first)
            run = launch(api)
            assert claim(api).json()["run"]["id"] == run["id"]
            post_epoch(api, run["id"], 1)
            context = context_at(proxy.url)
            runs_page = _page(context, "/#/runs", errors)
            run_page = _page(context, f"/#/run/{run['id']}", errors)
            row = runs_page.locator(f'#runs-table tr[data-id="{run["id"]}"]')
            expect(row).to_have_attribute("data-status", "running")
            expect(run_page.locator("#run-title + .page-subtitle .badge")).to_have_text("running")
            for page in (runs_page, run_page):
                page.evaluate("() => { window.__noReload = true; }")
            proxy.point_to(None)   # the browser loses the backend, then it stops
        for page in (runs_page, run_page):
            expect(page.locator("#connection-banner")).to_be_visible(timeout=15_000)
        clock = run_page.locator("#run-duration").text_content()
        time.sleep(2.2)
        assert run_page.locator("#run-duration").text_content() == clock  # the live clock stopped
        with running_backend(tmp_path, lease_seconds=600) as second, httpx.Client(base_url=second, timeout=15) as api:
            post_epoch(api, run["id"], 2)   # the run finishes while the browser cannot see it
            post_epoch(api, run["id"], 3)
            assert finish(api, run["id"]).status_code == 200
            proxy.point_to(second)
            expect(row).to_have_attribute("data-status", "succeeded", timeout=20_000)
            expect(run_page.locator("#run-title + .page-subtitle .badge")).to_have_text("succeeded")
            expect(run_page.locator("#stat-speed .stat-sub")).to_have_text("3 of 3 epochs")
            for page in (runs_page, run_page):
                expect(page.locator("#connection-banner")).to_be_hidden()
                assert page.evaluate("() => window.__noReload") is True
    assert errors == []


def test_twelve_tabs_of_mixed_pages_load_and_stay_live_on_one_shared_stream(context_at, tmp_path: Path):
    errors: list[str] = []
    # A long lease: the test holds the run without heartbeats while twelve tabs load on a busy machine.
    with running_backend(tmp_path, lease_seconds=600) as url, httpx.Client(base_url=url, timeout=15) as api:
        first = launch(api)
        second = launch(api)
        assert claim(api).json()["run"]["id"] == first["id"]
        context = context_at(url)
        paths = ["/#/runs", f"/#/run/{first['id']}", f"/#/compare?ids={first['id']},{second['id']}", "/#/launch",
                 "/#/leaderboard", f"/#/run/{second['id']}"] * 2
        pages = [_page(context, path, errors) for path in paths]
        for page, path in zip(pages, paths):
            if path.startswith("/#/runs"):
                expect(page.locator(f'#runs-table tr[data-id="{first["id"]}"]')).to_be_visible()
            elif path.startswith("/#/run/"):
                expect(page.locator("#run-title")).not_to_be_empty()
            elif path.startswith("/#/compare"):
                expect(page.locator("#compare-table")).to_be_visible()
            else:
                expect(page.locator("#app .page-title")).to_be_visible()
        post_epoch(api, first["id"], 1)
        post_epoch(api, first["id"], 2)
        post_epoch(api, first["id"], 3)
        assert finish(api, first["id"]).status_code == 200
        for page, path in zip(pages, paths):   # every tab hears of it, live
            if path.startswith("/#/runs"):
                expect(page.locator(f'#runs-table tr[data-id="{first["id"]}"]')).to_have_attribute("data-status", "succeeded")
            elif path == f"/#/run/{first['id']}":
                expect(page.locator("#run-title + .page-subtitle .badge")).to_have_text("succeeded")
        streams = sum(page.evaluate("() => performance.getEntriesByType('resource')"
                                    ".filter((e) => e.name.includes('/events')).length") for page in pages)
    assert errors == []
    assert streams <= 4, f"{streams} event-stream requests from twelve tabs: the tabs do not share one"
