"""The runs table: live status updates from /api/events without a reload."""

import re

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
    # the longest label a running run can show (epochs are at most 200) stays inside its cell, off the next column
    spill = row.locator(".progress-label").evaluate("""(label) => { label.textContent = 'epoch 200 of 200 · 99%';
      const cell = label.closest('td'), pad = parseFloat(getComputedStyle(cell).paddingRight);
      return label.getBoundingClientRect().right - (cell.getBoundingClientRect().right - pad); }""")
    assert spill <= 0, f"the progress label runs {spill:.0f} px into the next column"


def test_selecting_two_runs_opens_compare(page: Page, live_url: str):
    first = launch(live_url, "lstm", epochs=1)
    second = launch(live_url, "lstm", epochs=1)
    page.goto("/#/runs")
    for run in (first, second):
        page.locator(f'#runs-table tr[data-id="{run["id"]}"] input[type=checkbox]').check()
    page.click('[data-testid="compare-selected"]')
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/compare?ids={first['id']},{second['id']}")


def test_table_pages_sorts_searches_filters_by_tag_and_adds_columns(page: Page, live_url: str):
    import httpx

    with httpx.Client(base_url=live_url, timeout=60) as client:
        for i in range(60):
            body = {"architecture": "cnn", "dataset": "synthetic", "name": f"pager {i:02d}", "tags": [f"pager-{i % 3}"],
                    "hyperparams": {"lr": 0.001 * (i + 1), "epochs": 1}}
            run = client.post("/api/runs", json=body).json()
            client.post(f"/api/runs/{run['id']}/cancel")
        total = client.get("/api/runs", params={"limit": 1}).json()["count"]
        by_lr = client.get("/api/runs", params={"q": "pager", "sort": "hp.lr", "order": "desc", "limit": 5}).json()["data"]
    page.goto("/#/runs")
    rows = page.locator("#runs-table tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#runs-range")).to_have_text(f"1–50 of {total:,}")
    expect(page.locator("#runs-count")).to_have_text(f"{total:,} runs")
    page.click("#runs-next")
    last = min(total, 100)   # the backend is shared with other modules' runs (tests/browser/conftest.py)
    expect(rows).to_have_count(last - 50)
    expect(page.locator("#runs-range")).to_have_text(f"51–{last} of {total:,}")
    # search by name, then add the lr column and sort by it, highest first
    page.fill("#runs-search", "pager")
    expect(page.locator("#runs-count")).to_have_text("60 runs")
    page.locator("#column-picker summary").click()
    page.check('#column-picker input[value="hp.lr"]')
    page.locator("#column-picker summary").click()
    lr_header = page.locator('#runs-table th[data-sort="hp.lr"] button')
    lr_header.click()
    expect(page.locator('#runs-table th[data-sort="hp.lr"]')).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_have_attribute("data-id", str(by_lr[0]["id"]))
    ids = page.eval_on_selector_all("#runs-table tbody tr", "rs => rs.slice(0, 5).map((r) => Number(r.dataset.id))")
    assert ids == [run["id"] for run in by_lr]
    assert "sort=hp.lr" in page.url
    # a tag is a button that filters by it; the filter matches part of a tag
    page.locator("#runs-table tbody tr").first.locator("button.tag", has_text="pager-").click()
    expect(page.locator("#runs-count")).to_have_text("20 runs")
    # a tag has at most 64 characters: the filter box takes no more (the API would refuse a longer one)
    page.fill("#runs-tag", "")
    page.locator("#runs-tag").press_sequentially("p" * 70)
    assert len(page.input_value("#runs-tag")) == 64
    page.wait_for_url(re.compile("tag=" + "p" * 64 + "(&|$)"))
    expect(page.locator("#runs-count")).to_have_text("0 runs")
    expect(page.locator(".error-box")).to_have_count(0)
    page.fill("#runs-tag", "ager-")
    expect(page.locator("#runs-count")).to_have_text("60 runs")
    # the chosen column survives a reload
    page.reload()
    expect(page.locator('#runs-table th[data-sort="hp.lr"]')).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#runs-csv")).to_have_attribute("href", re.compile(r"^/api/runs\.csv\?.*sort=hp\.lr"))
