"""Screenshots of Compare and the Leaderboard for the README (docs/img/), from a few finished runs."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished
from tests.support.live import REPO_ROOT

pytestmark = pytest.mark.browser

DOCS_IMG = REPO_ROOT / "docs" / "img"
CONTESTANTS = ["lstm", "cnn", "rnn", "fasttext", "ff_embedding"]


def test_compare_and_leaderboard_screenshots_for_the_readme(page: Page, live_url: str):
    runs = [launch(live_url, name, epochs=6, tags=["docs"]) for name in CONTESTANTS]
    runs = [wait_finished(live_url, run["id"], timeout=180) for run in runs]
    assert [run["status"] for run in runs] == ["succeeded"] * len(CONTESTANTS)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    ids = ",".join(str(run["id"]) for run in runs)
    page.goto(f"/#/compare?ids={ids}&metric=acc&split=both")
    page.wait_for_function("() => document.querySelector('#compare-chart')?.data?.length === 10")
    expect(page.locator("#compare-table tbody tr")).to_have_count(len(CONTESTANTS))
    page.screenshot(path=str(DOCS_IMG / "compare.png"), full_page=True)

    page.goto("/#/leaderboard")
    page.wait_for_function("() => document.querySelector('#speed-chart')?.data?.length === 1")
    page.fill("#battle-review", "A moving story with superb acting; I loved every minute.")
    page.click("#battle-score")
    expect(page.locator("#battle-score-table tbody tr")).to_have_count(len(CONTESTANTS))
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS_IMG / "leaderboard.png"), full_page=True)
