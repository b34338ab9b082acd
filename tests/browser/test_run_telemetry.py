"""The run page's System chart and Log card in a real browser, over runs a real worker trains (and fails)."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import get_run, launch, wait_finished
from tests.support.live import running_backend_and_worker, wait_for

pytestmark = pytest.mark.browser

VIEWPORTS = [(1400, 900), (1024, 768), (390, 844)]
SYSTEM_POINTS = "() => document.querySelector('#system-chart')?.data?.[0]?.x?.length ?? 0"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A backend and a worker that samples every 0.5 s and has no aclImdb (so such runs fail), for this module."""
    data_dir = tmp_path_factory.mktemp("browser-telemetry")
    env = {"BATTLEFIELD_SYSTEM_METRICS_SECONDS": "0.5", "BATTLEFIELD_ACLIMDB": str(data_dir / "nowhere.tar.gz")}
    with running_backend_and_worker(data_dir, worker_name="browser-tw", worker_env=env) as url:
        yield url


def _at_every_size(page: Page, name: str) -> None:
    """Screenshot the page at each size (test-artifacts/screenshots/) and check that nothing is wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(400)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{name} at {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_an_open_run_page_gets_samples_and_log_lines_while_the_run_trains(page: Page, live_url: str):
    log_fetches: list[str] = []
    page.on("request", lambda request: "/logs" in request.url and log_fetches.append(request.url))
    run = launch(live_url, "lstm", epochs=200, hidden_dim=32, maxlen=128)
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-title")).to_have_text(run["name"])
    page.evaluate("() => { window.__noReload = true; }")
    expect(page.locator("#run-log .log-message", has_text="epoch 2/200")).to_be_visible(timeout=120_000)
    page.wait_for_function(f"() => ({SYSTEM_POINTS})() >= 2", timeout=60_000)
    assert get_run(live_url, run["id"])["status"] == "running"   # so all of it came over the stream
    assert len(log_fetches) == 1 and page.evaluate("() => window.__noReload") is True
    expect(page.locator("#run-log .log-line").first.locator(".log-level")).to_have_text("INFO")
    names = page.evaluate("() => document.querySelector('#system-chart').data.map((t) => t.name)")
    assert names == ["CPU (process)", "memory used (machine)", "RSS (process)"]   # no GPU traces on a CPU worker
    httpx.post(f"{live_url}/api/runs/{run['id']}/cancel", timeout=10)
    expect(page.locator("#run-title + .page-subtitle .badge")).to_have_text("cancelled", timeout=60_000)


def test_a_finished_run_page_shows_its_system_chart_log_and_errors_at_every_size(page: Page, live_url: str):
    run = wait_finished(live_url, launch(live_url, "fasttext", epochs=2)["id"])
    assert run["status"] == "succeeded"
    page.goto(f"/#/run/{run['id']}")
    page.wait_for_function(f"() => ({SYSTEM_POINTS})() >= 1")
    log = page.locator("#run-log")
    expect(log.locator(".log-message", has_text="epoch 2/2")).to_be_visible()
    expect(log.locator(".log-message", has_text="checkpoint uploaded")).to_have_count(1)
    expect(page.locator("#run-log-count")).to_have_text(f"{log.locator('.log-line').count()} lines")
    assert log.evaluate("(v) => getComputedStyle(v).overflowY") == "auto"   # scrolls inside its card
    expect(page.locator("#confusion-matrix tbody tr")).to_have_count(2)
    _at_every_size(page, "run-telemetry")
    page.set_viewport_size({"width": 390, "height": 844})
    wrap = page.locator("#errors-section .table-wrap").first   # the Errors tables scroll inside their card
    assert wrap.evaluate("(w) => getComputedStyle(w).overflowX") == "auto"
    card = page.locator("#errors-section").bounding_box()
    matrix = page.locator("#confusion-matrix").bounding_box()
    assert matrix["x"] >= card["x"] and matrix["width"] > 0


def test_a_failed_run_page_shows_its_traceback_and_error_line(page: Page, live_url: str):
    run = _launch_failing(live_url)
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-error")).to_contain_text("BATTLEFIELD_ACLIMDB")
    traceback = page.locator("#run-traceback pre")
    expect(traceback).to_contain_text("Traceback (most recent call last):")
    expect(traceback).to_contain_text("DatasetUnavailable")
    expect(page.locator("#run-log .log-error .log-level")).to_have_text("ERROR")
    expect(page.locator("#system-empty")).to_be_hidden()   # sampled at its end, however short the run
    page.wait_for_function("() => document.querySelectorAll('#system-chart .xtick text').length > 1")
    ticks = page.eval_on_selector_all("#system-chart .xtick text", "ts => ts.map((t) => t.textContent)")
    assert all(tick.isdigit() for tick in ticks), ticks   # whole seconds, not 0.01 s steps over a run that lasted 0.1 s
    expect(page.locator("#stat-test .stat-sub")).to_have_text("none: failed before its test")   # not "after training"
    # a failed run will never succeed: its Errors section says why it has no predictions, not "once it succeeds"
    expect(page.locator("#errors-empty")).to_have_text(
        "None: the run failed before its test, so it has no test predictions. Its log says why.")
    _at_every_size(page, "run-telemetry-failed")
    page.click("#show-traceback")
    expect(traceback).to_be_in_viewport()


LOG_VIEW_SPAN = """(sel) => { const view = document.querySelector('#run-log'); const node = view.querySelector(sel);
  const v = view.getBoundingClientRect(), n = node.getBoundingClientRect();
  return { top: n.top - v.top, bottom: v.bottom - n.bottom, overflows: view.scrollHeight > view.clientHeight + 24,
           atBottom: view.scrollHeight - view.scrollTop - view.clientHeight < 2 }; }"""


def test_a_failed_runs_log_opens_at_its_error_and_a_succeeded_runs_at_its_tail(page: Page, live_url: str):
    run = _launch_failing(live_url)
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#run-traceback pre")).to_contain_text("DatasetUnavailable")
    page.wait_for_timeout(300)   # any later render had its turn
    span = page.evaluate(LOG_VIEW_SPAN, ".log-error")
    assert span["overflows"], span   # a log longer than its card: where it opens matters
    assert 0 <= span["top"] <= 16 and span["bottom"] > 0, span   # the error line at the top of the view, not scrolled past
    # and it stays there when the page renders the log again (the run's `end` event reloads it), also when the
    # error sits a few pixels above the bottom-most scroll, where a log that follows its tail would jump past it
    height = page.evaluate("() => { const v = document.querySelector('#run-log'); return v.scrollHeight - v.scrollTop - 8; }")
    page.add_init_script("document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style');"
                         f" s.textContent = '#run-log {{ max-height: {height}px }}'; document.head.append(s); }})")
    page.reload()
    expect(page.locator("#run-traceback pre")).to_contain_text("DatasetUnavailable")
    page.wait_for_timeout(600)
    span = page.evaluate(LOG_VIEW_SPAN, ".log-error")
    assert span["overflows"] and 0 <= span["top"] <= 16, span
    done = wait_finished(live_url, launch(live_url, "fasttext", epochs=24)["id"])   # 30 lines: more than the card shows
    page.goto(f"/#/run/{done['id']}")
    expect(page.locator("#run-log .log-message", has_text="succeeded: test_acc")).to_be_visible()
    page.wait_for_timeout(300)
    tail = page.evaluate(LOG_VIEW_SPAN, ".log-line:last-child")
    assert tail["overflows"] and tail["atBottom"], tail   # any other run's log shows its newest lines


def _launch_failing(url: str) -> dict:
    """A run on aclimdb, which this module's worker cannot load: it fails at once; the finished run."""
    body = {"architecture": "fasttext", "dataset": "aclimdb", "hyperparams": {"epochs": 1}}
    reply = httpx.post(f"{url}/api/runs", json=body, timeout=60)
    assert reply.status_code == 201, reply.text
    run = wait_finished(url, reply.json()["id"])
    assert run["status"] == "failed"
    return run


def test_a_queued_run_page_says_why_it_has_no_samples_or_lines(page: Page, live_url: str):
    blocker = launch(live_url, "lstm", epochs=200)
    queued = launch(live_url, "fasttext", epochs=1)
    wait_for(lambda: get_run(live_url, blocker["id"])["status"] == "running", timeout=60)
    page.goto(f"/#/run/{queued['id']}")
    expect(page.locator("#system-empty")).to_have_text("No samples yet: the run has not started.")
    expect(page.locator("#run-log .log-empty")).to_have_text("No lines yet: the run has not started.")
    expect(page.locator("#errors-empty")).to_contain_text("Shown once the run succeeds")
    for run in (queued, blocker):
        httpx.post(f"{live_url}/api/runs/{run['id']}/cancel", timeout=10)
