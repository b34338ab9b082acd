"""The compare page: one trace per run and split."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser

TRACES = "() => { const c = document.querySelector('#compare-chart'); return c && c.data ? c.data.length : -1; }"


@pytest.fixture(scope="module")
def two_finished_runs(live_url: str) -> list[dict]:
    """Two finished tiny runs of different contestants."""
    runs = [launch(live_url, "lstm", epochs=3), launch(live_url, "cnn", epochs=3)]
    return [wait_finished(live_url, run["id"]) for run in runs]


def test_compare_draws_one_trace_per_run_for_each_split(page: Page, two_finished_runs: list[dict]):
    ids = ",".join(str(run["id"]) for run in two_finished_runs)
    page.goto(f"/#/compare?ids={ids}")
    page.wait_for_function(f"({TRACES})() === 2")
    page.click("#control-split button[data-value=both]")
    page.wait_for_function(f"({TRACES})() === 4")
    page.click("#control-split button[data-value=train]")
    page.wait_for_function(f"({TRACES})() === 2")
    names = page.evaluate("() => document.querySelector('#compare-chart').data.map((t) => t.line.dash)")
    assert names == ["dash", "dash"]
    expect(page.locator("#compare-table tbody tr")).to_have_count(2)
    expect(page.locator("#compare-diff td.mono").first).to_have_text("contestant")
