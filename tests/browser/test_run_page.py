"""The run page: curves that grow while the run trains, and the review box."""

import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser

LOSS_POINTS = "() => { const c = document.querySelector('#loss-chart'); return c && c.data ? c.data[0].x.length : -1; }"
REVIEW = "a wonderful film, superb acting and a moving story"


def test_loss_chart_gains_points_while_the_run_trains(page: Page, live_url: str):
    epochs = 12
    run = launch(live_url, "lstm", epochs=epochs, hidden_dim=32, maxlen=128)
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-title")).to_have_text(run["name"])
    page.evaluate("() => { window.__noReload = true; }")
    seen: list[int] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and (not seen or seen[-1] < epochs):
        points = page.evaluate(LOSS_POINTS)
        if not seen or seen[-1] != points:
            seen.append(points)
        time.sleep(0.02)
    assert seen[-1] == epochs, seen
    assert any(0 < n < epochs for n in seen), f"never saw a partial curve: {seen}"
    assert seen == sorted(seen), seen
    assert page.evaluate("() => window.__noReload") is True
    expect(page.locator("#run-title + .page-subtitle .badge")).to_have_text("succeeded", timeout=30_000)


def test_review_box_returns_a_probability(page: Page, live_url: str):
    run = wait_finished(live_url, launch(live_url, "fasttext", epochs=2)["id"])
    assert run["status"] == "succeeded"
    page.goto(f"/#/run/{run['id']}")
    page.fill("#review-text", REVIEW)
    page.click("#predict-button")
    result = page.locator("#predict-result")
    expect(result.locator(".prob-value")).to_have_text(re.compile(r"^\d{1,3}\.\d%$"))
    expected = httpx.post(f"{live_url}/api/runs/{run['id']}/predict", json={"text": REVIEW}).json()
    assert float(result.get_attribute("data-probability")) == pytest.approx(expected["probability"])
    expect(result.locator(".prob-label")).to_have_text(expected["label"])


def test_review_box_is_offered_only_when_the_run_has_a_checkpoint(page: Page, live_url: str):
    run = launch(live_url, "lstm", epochs=200)
    httpx.post(f"{live_url}/api/runs/{run['id']}/cancel")
    run = wait_finished(live_url, run["id"])
    assert run["has_checkpoint"] is False
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-details")).to_contain_text("none yet")
    expect(page.locator("#score-card")).to_be_hidden()
