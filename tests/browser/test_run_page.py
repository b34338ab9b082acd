"""The run page: curves that grow while the run trains, and the review box."""

import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser

LOSS_POINTS = "() => { const c = document.querySelector('#loss-chart'); return c && c.data ? c.data[0].x.length : -1; }"
STEP_POINTS = "() => { const c = document.querySelector('#loss-chart'); return c && c.data && c.data[2] ? c.data[2].x.length : 0; }"
REVIEW = "a wonderful film, superb acting and a moving story"


def test_loss_chart_gains_points_while_the_run_trains(page: Page, live_url: str):
    epochs = 8
    # Batches of 8 make an epoch last about a second on a quiet machine, several times the trainer's progress
    # interval (PROGRESS_INTERVAL_S): with the default batch an epoch can end before its first report is due.
    run = launch(live_url, "lstm", epochs=epochs, hidden_dim=32, maxlen=128, batch_size=8)
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-title")).to_have_text(run["name"])
    page.evaluate("() => { window.__noReload = true; }")
    seen: list[int] = []
    per_report: list[int] = []  # points of the in-epoch training-loss trace, drawn as progress reports arrive
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and (not seen or seen[-1] < epochs):
        points = page.evaluate(LOSS_POINTS)
        if not seen or seen[-1] != points:
            seen.append(points)
        per_report.append(page.evaluate(STEP_POINTS))
        time.sleep(0.02)
    assert seen[-1] == epochs, seen
    assert any(0 < n < epochs for n in seen), f"never saw a partial curve: {seen}"
    assert seen == sorted(seen), seen
    assert max(per_report) > epochs and per_report == sorted(per_report), "no live per-report loss curve"
    assert page.evaluate("() => window.__noReload") is True
    expect(page.locator("#run-title + .page-subtitle .badge")).to_have_text("succeeded", timeout=30_000)


def test_review_box_returns_a_probability(page: Page, live_url: str):
    run = wait_finished(live_url, launch(live_url, "fasttext", epochs=2)["id"])
    assert run["status"] == "succeeded"
    page.goto(f"/#/run/{run['id']}")
    page.fill("#review-text", REVIEW)
    page.click("#predict-button")
    result = page.locator("#predict-result")
    expect(result.locator(".prob-value")).to_have_text(re.compile(r"^\d{1,3}\.\d%$"), timeout=30_000)  # loads the model
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


def test_run_page_edits_labels_clones_with_changes_and_offers_downloads(page: Page, live_url: str):
    run = wait_finished(live_url, launch(live_url, "fasttext", epochs=2, name="to edit", tags=["old"])["id"])
    assert run["status"] == "succeeded" and run["has_checkpoint"] is True
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#score-card")).to_be_visible()
    # edit the labels in place
    page.click("#edit-button")
    page.fill("#edit-name", "edited name")
    page.fill("#edit-tags", "new, tags")
    page.fill("#edit-notes", "a note")
    page.click("#edit-save")
    expect(page.locator("#run-title")).to_have_text("edited name")
    expect(page.locator("#edit-form")).to_have_count(0)
    saved = httpx.get(f"{live_url}/api/runs/{run['id']}").json()
    assert (saved["name"], saved["tags"], saved["notes"]) == ("edited name", ["new", "tags"], "a note")
    # downloads: the epoch rows as CSV and the checkpoint
    csv_href = page.get_attribute("#download-epochs", "href")
    lines = httpx.get(f"{live_url}{csv_href}").text.splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 3
    checkpoint = httpx.get(f"{live_url}{page.get_attribute('#download-checkpoint', 'href')}")
    assert checkpoint.status_code == 200 and len(checkpoint.content) > 1000
    # clone with changes: the launch form opens with this run's settings
    page.click("#clone-changes-button")
    expect(page.locator("#clone-source")).to_contain_text(f"run #{run['id']}")
    expect(page.locator(".contestant.active")).to_have_attribute("data-name", "fasttext")
    expect(page.locator("#field-epochs")).to_have_value("2")
    expect(page.locator("#field-maxlen")).to_have_value(str(run["hyperparams"]["maxlen"]))
    expect(page.locator("#field-name")).to_have_value("edited name")
    expect(page.locator("#field-tags")).to_have_value("new, tags")
    page.fill("#field-epochs", "1")
    page.click("#launch-button")
    expect(page).to_have_url(re.compile(r"#/run/\d+$"))
    clone = httpx.get(f"{live_url}/api/runs/{int(page.url.rsplit('/', 1)[1])}").json()
    assert clone["hyperparams"] == {**run["hyperparams"], "epochs": 1} and clone["name"] == "edited name"
