"""The launch form: generated from the schema, launches a run, shows bounds errors beside their field."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import TINY_DATA
from tests.support.live import wait_for

pytestmark = pytest.mark.browser


def open_form(page: Page, architecture: str = "lstm") -> None:
    """Open the launch form for a contestant on the synthetic dataset and wait for its fields."""
    page.goto(f"/#/launch?architecture={architecture}&dataset=synthetic")
    expect(page.locator("#field-epochs")).to_be_visible()
    expect(page.locator("#param-count")).to_have_text(re.compile(r"^\d[\d,]*$"), timeout=60_000)  # first summary imports torch


def fill_tiny(page: Page) -> None:
    """Fill the form with settings that train in about a second."""
    for name, value in {**TINY_DATA, "epochs": 2, "embedding_dim": 16, "hidden_dim": 16}.items():
        page.fill(f"#field-{name}", str(value))


def test_launch_form_queues_run_and_opens_its_page(page: Page, live_url: str):
    open_form(page)
    fill_tiny(page)
    page.fill("#field-name", "form launched")
    page.fill("#field-tags", "browser, form")
    page.click("#launch-button")
    expect(page).to_have_url(re.compile(r"#/run/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#run-title")).to_have_text("form launched")
    run = httpx.get(f"{live_url}/api/runs/{run_id}").json()
    assert (run["architecture"], run["dataset"], run["tags"]) == ("lstm", "synthetic", ["browser", "form"])
    assert (run["hyperparams"]["epochs"], run["hyperparams"]["hidden_dim"]) == (2, 16)


def test_server_422_is_shown_beside_the_field_its_loc_names(page: Page, live_url: str):
    open_form(page)
    # take the bounds off the input so neither the browser nor the page's own check stops the value
    page.evaluate(
        """() => { const lr = document.querySelector('#field-lr');
                   for (const a of ['min', 'max', 'data-xmin', 'data-xmax']) lr.removeAttribute(a); }"""
    )
    before = httpx.get(f"{live_url}/api/runs").json()["count"]
    page.fill("#field-lr", "-1")
    page.click("#launch-button")
    expect(page.locator("#error-lr")).to_have_text("lr must be greater than 0 (got -1)")
    expect(page.locator('.field[data-field="lr"]')).to_have_class(re.compile(r"\binvalid\b"))
    assert page.url.endswith("#/launch?architecture=lstm")
    assert httpx.get(f"{live_url}/api/runs").json()["count"] == before


def test_a_tag_over_its_bound_is_named_beside_the_tags_field(page: Page, live_url: str):
    open_form(page)
    page.fill("#field-tags", "fine, " + "x" * 80)
    page.click("#launch-button")
    expect(page.locator("#error-tags")).to_have_text(f"Tag 2 “{'x' * 23}…”: String should have at most 64 characters")
    expect(page.locator("#error-tags").locator("xpath=ancestor::div[contains(@class, 'field')][1]")).to_have_class(re.compile(r"\binvalid\b"))
    assert page.url.endswith("#/launch?architecture=lstm")


def test_browser_check_stops_an_out_of_bounds_value_before_sending(page: Page, live_url: str):
    open_form(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" and r.url.endswith("/api/runs") else None)
    page.fill("#field-epochs", "0")
    page.click("#launch-button")
    expect(page.locator("#error-epochs")).to_have_text("epochs must be at least 1 (got 0)")
    assert requests == []


def test_parameter_count_follows_the_form(page: Page, live_url: str):
    open_form(page)
    page.fill("#field-hidden_dim", "32")
    expected = httpx.post(f"{live_url}/api/architectures/lstm/summary", json={"hidden_dim": 32}).json()["param_count"]
    expect(page.locator("#param-count")).to_have_text(f"{expected:,}")


def test_parameter_count_shows_dash_and_message_when_summary_refuses(page: Page):
    open_form(page)
    page.evaluate("() => document.querySelector('#field-hidden_dim').removeAttribute('max')")
    page.fill("#field-hidden_dim", "5000")
    expect(page.locator("#param-count")).to_have_text("—", timeout=15_000)
    expect(page.locator("#param-error")).to_contain_text("hidden_dim")


def test_battle_queues_every_contestant_tagged_together_and_opens_compare(page: Page, live_url: str):
    contestants = [a["name"] for a in httpx.get(f"{live_url}/api/architectures").json()]
    open_form(page)
    page.fill("#field-epochs", "1")
    page.fill("#field-seed", "7")
    page.fill("#field-maxlen", "32")
    page.click("#battle-button")
    page.click(".modal .btn-primary")
    expect(page).to_have_url(re.compile(r"#/compare\?ids=[\d,]+$"))
    ids = [int(i) for i in page.url.split("ids=")[1].split(",")]
    runs = [httpx.get(f"{live_url}/api/runs/{i}").json() for i in ids]
    for run in runs:  # keep the worker free for the other tests
        httpx.post(f"{live_url}/api/runs/{run['id']}/cancel")
    assert sorted(run["architecture"] for run in runs) == sorted(contestants)
    assert len({tuple(run["tags"]) for run in runs}) == 1
    assert re.fullmatch(r"battle-\d{8}-\d{6}", runs[0]["tags"][0])
    assert {(run["hyperparams"]["epochs"], run["hyperparams"]["seed"], run["hyperparams"]["maxlen"]) for run in runs} == {(1, 7, 32)}


def test_form_defaults_quote_bad_numbers_and_show_one_kernel_field(page: Page, live_url: str):
    def listed() -> dict | None:  # once the module's worker has registered, synthetic at least is ready
        by_name = {d["name"]: d for d in httpx.get(f"{live_url}/api/datasets").json()}
        return by_name if by_name["synthetic"]["ready"] else None

    datasets = wait_for(listed, timeout=60, interval=0.2)
    ready = next(name for name in ("aclimdb", "imdb", "synthetic") if datasets[name]["ready"])
    page.goto("/#/launch")
    expect(page.locator("#field-epochs")).to_be_visible()
    # a strong, quick contestant and a dataset some worker can load now, each unready one marked
    expect(page.locator(".contestant.active")).to_have_attribute("data-name", "fasttext")
    expect(page.locator("#field-dataset")).to_have_value(ready)
    expect(page.locator("#dataset-help")).to_have_text(datasets[ready]["how_to"])
    for name, item in datasets.items():
        option = page.locator(f'#field-dataset option[value="{name}"]')
        assert option.get_attribute("data-ready") == str(item["ready"]).lower()
        assert ("not ready" in option.inner_text()) is (not item["ready"])
    # a number the box cannot read is quoted back with what is wrong, not "is required"
    for typed, message in [
        ("1e", "epochs: “1e” is not a number; write it like 10, 0.001 or 1e-3"),
        ("--5", "epochs: “--5” is not a number; write it like 10, 0.001 or 1e-3"),
        ("1e309", "epochs: “1e309” is too large to be a number"),
    ]:
        page.fill("#field-epochs", typed)
        page.locator("#field-epochs").press("Tab")
        expect(page.locator("#error-epochs")).to_have_text(message)
        expect(page.locator("#field-epochs")).to_have_value(typed)
    # cnn: kernel widths in one field (kernel_size alone would be overridden by kernel_sizes)
    page.click('.contestant[data-name="cnn"]')
    expect(page.locator("#field-kernel_sizes")).to_be_visible()
    expect(page.locator("#field-kernel_size")).to_have_count(0)


def test_parameter_count_never_shows_another_contestants_number(page: Page, live_url: str):
    # window.__slow = {url part: ms} holds matching summary requests, ignoring their abort signal
    page.add_init_script("""(() => { const real = window.fetch; window.__slow = {};
        window.fetch = async (url, init = {}) => {
            const hold = Object.entries(window.__slow).find(([part]) => String(url).includes(part));
            if (!hold) return real(url, init);
            await new Promise((r) => setTimeout(r, hold[1]));
            return real(url, { ...init, signal: undefined }); }; })()""")
    count = {name: httpx.post(f"{live_url}/api/architectures/{name}/summary", json={}, timeout=60).json()["param_count"]
             for name in ("lstm", "cnn")}
    page.goto("/#/launch?architecture=lstm&dataset=synthetic")
    expect(page.locator("#param-count")).to_have_text(f"{count['lstm']:,}", timeout=60_000)
    # a slow reply for the new contestant: the old number goes at once
    page.evaluate("() => { window.__slow = {'/cnn/summary': 1500}; }")
    page.click('.contestant[data-name="cnn"]')
    expect(page.locator("#param-count")).to_have_text("…", timeout=500)
    expect(page.locator("#param-count")).to_have_text(f"{count['cnn']:,}", timeout=15_000)
    # an older request whose reply lands after the newer one's: the newer one stays
    page.evaluate("() => { window.__slow = {'/lstm/summary': 2000}; }")
    page.click('.contestant[data-name="lstm"]')
    page.click('.contestant[data-name="cnn"]')
    expect(page.locator("#param-count")).to_have_text(f"{count['cnn']:,}", timeout=15_000)
    page.wait_for_timeout(2500)  # the held lstm reply has come back by now
    expect(page.locator("#param-count")).to_have_text(f"{count['cnn']:,}")
    expect(page.locator("#param-count")).to_have_attribute("data-architecture", "cnn")


def test_memory_estimate_shows_live_beside_the_parameter_count(page: Page, live_url: str):
    open_form(page)
    page.fill("#field-batch_size", "16")
    memory = httpx.post(f"{live_url}/api/architectures/lstm/summary?dataset=synthetic", json={"batch_size": 16},
                        timeout=60).json()["memory"]
    estimate = page.locator("#memory-estimate")
    expect(estimate).to_have_text(f"Estimated peak memory {round(memory['total']):,} MB (budget 12,288 MB)")
    page.fill("#field-maxlen", "2000")  # lstm activations grow with the batch and the length: over the budget
    page.fill("#field-batch_size", "4096")
    expect(estimate).to_contain_text("over the 12,288 MB budget: lower batch_size, maxlen or the model's sizes")
    expect(estimate).to_have_class("field-error")
