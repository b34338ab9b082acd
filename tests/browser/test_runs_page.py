"""The runs table: live status updates from /api/events without a reload."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch

pytestmark = pytest.mark.browser


def test_launched_run_appears_and_reaches_succeeded_without_reload(page: Page, live_url: str):
    page.goto("/#/runs")
    expect(page.locator("#app .page-title")).to_have_text("Runs")
    page.evaluate("() => { window.__noReload = true; }")
    run = launch(live_url, "lstm", epochs=3, name="live table run")
    row = page.locator(f'#runs-table tr[data-id="{run["id"]}"]')
    expect(row).to_be_visible(timeout=10_000)
    expect(row.locator(".run-link")).to_have_text("live table run")
    expect(row).to_have_attribute("data-status", "succeeded", timeout=120_000)
    expect(row.locator(".badge")).to_have_text("succeeded")
    expect(row.locator(".progress-label")).to_have_text("3 of 3 epochs")
    assert page.evaluate("() => window.__noReload") is True


def test_selecting_two_runs_opens_compare(page: Page, live_url: str):
    first = launch(live_url, "lstm", epochs=1)
    second = launch(live_url, "lstm", epochs=1)
    page.goto("/#/runs")
    for run in (first, second):
        page.locator(f'#runs-table tr[data-id="{run["id"]}"] input[type=checkbox]').check()
    page.click('[data-testid="compare-selected"]')
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/compare?ids={first['id']},{second['id']}")


def test_long_table_attaches_every_row_after_the_first_screen(page: Page, live_url: str):
    import httpx

    with httpx.Client(base_url=live_url, timeout=30) as client:
        for _ in range(150):
            run = client.post("/api/runs", json={"architecture": "cnn", "dataset": "synthetic"}).json()
            client.post(f"/api/runs/{run['id']}/cancel")
        total = client.get("/api/runs", params={"limit": 1}).json()["count"]
    page.goto("/#/runs")
    page.wait_for_function("() => window.__renderTimings?.runs?.complete_ms !== undefined")
    expect(page.locator("#runs-table tbody tr")).to_have_count(total)
    ids = page.eval_on_selector_all("#runs-table tbody tr", "rows => rows.map(r => Number(r.dataset.id))")
    assert ids == sorted(ids, reverse=True)

