"""The verdict views in a real browser over real runs: leaderboard, run Errors, grouped runs, group and pair compare."""

import os

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import tiny_hyperparams, wait_finished

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(own_live_url: str) -> str:
    """A live backend of this module's own: the page ranks every group on synthetic."""
    return own_live_url

SHOTS = os.environ.get("VERDICT_SHOTS")  # a folder: also save each view at 1400x900, 1024x768 and 390x844
VIEWPORTS = [(1400, 900), (1024, 768), (390, 844)]


@pytest.fixture(scope="module")
def battle(live_url: str) -> dict:
    """Two seeds each of fasttext and cnn on synthetic, trained by the module's real worker."""
    launched = {}
    for architecture in ("fasttext", "cnn"):
        body = {"architecture": architecture, "dataset": "synthetic", "repeats": 2, "tags": ["verdicts"],
                "hyperparams": tiny_hyperparams(architecture, epochs=2)}
        reply = httpx.post(f"{live_url}/api/runs", json=body, timeout=60)
        assert reply.status_code == 201, reply.text
        launched[architecture] = [wait_finished(live_url, run_id, timeout=240) for run_id in reply.json()["launched_ids"]]
    assert all(run["status"] == "succeeded" and run["has_predictions"] for runs in launched.values() for run in runs)
    return launched


def _shots(page: Page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => window.scrollTo(0, 0)")  # the sticky top bar otherwise lands mid-page
        page.wait_for_timeout(400)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_leaderboard_ranks_groups_with_intervals_and_names_the_tests(page: Page, battle: dict):
    page.goto("/#/leaderboard?dataset=synthetic")
    rows = page.locator("#leaderboard-table tbody tr")
    expect(rows).to_have_count(2)
    page.wait_for_function("() => document.querySelector('#leaderboard-chart')?.data?.[0]?.error_y?.array?.length === 2")
    expect(page.locator("#leaderboard-dataset")).to_have_value("synthetic")
    expect(rows.first.locator("td").nth(2)).to_have_text("2")
    # x = 0 is the first bar: no zero line through it, which reads as an error bar above a bar of one seed
    assert page.evaluate("() => document.querySelector('#leaderboard-chart')._fullLayout.xaxis.zeroline") is False
    ticks = page.eval_on_selector_all("#leaderboard-chart .xtick text", "ts => ts.map((t) => t.textContent)")
    assert sorted(ticks) == ["cnnn=2", "fasttextn=2"], ticks   # each bar's N under its name, clear of its error bar
    tests = page.locator("#significance-table tbody tr")
    expect(tests).to_have_count(2)  # Welch across the 2 seeds and McNemar on the best runs' predictions
    expect(page.locator("#significance-table")).to_contain_text("Welch's t-test")
    expect(page.locator("#significance-table")).to_contain_text("McNemar's exact test")
    assert "Notebook" not in page.locator("#leaderboard-table thead").inner_text()  # never beside synthetic
    _shots(page, "leaderboard")


def test_run_page_errors_section_shows_confusion_roc_reliability(page: Page, battle: dict):
    run = battle["cnn"][0]
    page.goto(f"/#/run/{run['id']}")
    expect(page.locator("#confusion-matrix tbody tr")).to_have_count(2)
    page.wait_for_function("() => document.querySelector('#roc-chart')?.data?.[0]?.x?.length > 1")
    page.wait_for_function("() => document.querySelector('#reliability-chart')?.data?.[0]?.x?.length >= 1")
    accuracy = page.locator("#errors-accuracy").inner_text()
    assert accuracy == f"{run['test_acc'] * 100:.2f}%"
    page.locator("#errors-section").scroll_into_view_if_needed()
    _shots(page, "run-errors")


def test_runs_grouped_by_configuration_open_to_their_runs(page: Page, battle: dict):
    page.goto("/#/runs?tag=verdicts")
    page.check("#group-by-config")
    rows = page.locator("#groups-table tbody tr[data-group]")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first.locator("td").nth(4)).to_have_text("2")
    first.locator("button").click()
    expect(page.locator(".member-runs tbody tr")).to_have_count(2)
    _shots(page, "runs-grouped")
    page.locator("#groups-tag").press_sequentially("v" * 70)   # a tag's bound, as on the runs view: never a 422
    assert len(page.input_value("#groups-tag")) == 64


def test_compare_groups_draws_mean_and_band_with_n_per_epoch(page: Page, battle: dict):
    groups = ",".join(runs[0]["group_id"] for runs in battle.values())
    page.goto(f"/#/compare?groups={groups}")
    page.wait_for_function("() => document.querySelector('#group-chart')?.data?.length === 6")
    hover = page.evaluate("() => document.querySelector('#group-chart').data[2].hovertemplate")
    assert "N = %{customdata[0]} runs at this epoch" in hover
    counts = page.evaluate("() => document.querySelector('#group-chart').data[2].customdata.map((c) => c[0])")
    assert counts == [2, 2]
    sd_high = page.evaluate("() => JSON.stringify(document.querySelector('#group-chart').data[1].y)")
    page.select_option("#group-band", "ci")
    page.wait_for_function("(before) => JSON.stringify(document.querySelector('#group-chart').data[1].y) !== before", arg=sd_high)
    _shots(page, "compare-groups")


def test_compare_two_runs_shows_where_they_disagree(page: Page, battle: dict):
    first, second = battle["fasttext"][0], battle["cnn"][0]
    page.goto(f"/#/compare?ids={first['id']},{second['id']}")
    summary = page.locator("#disagreement-summary")
    expect(summary).to_contain_text("McNemar's exact test")
    expect(summary).to_contain_text("test reviews")
    page.locator("#disagreement-section").scroll_into_view_if_needed()
    _shots(page, "compare-disagreement")


def test_verdict_tables_stack_on_a_phone_instead_of_squeezing_their_text(page: Page, battle: dict):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/#/leaderboard?dataset=synthetic")
    expect(page.locator("#significance-table tbody tr")).to_have_count(2)
    readings = page.eval_on_selector_all("#significance-table td.cell-wide", "cs => cs.map((c) => c.getBoundingClientRect().width)")
    assert len(readings) == 4 and min(readings) > 300, readings   # a row's test and reading span the card
    page.goto(f"/#/run/{battle['cnn'][0]['id']}")
    expect(page.locator("#wrong-reviews tbody tr").first).to_be_visible()
    texts = page.eval_on_selector_all("#wrong-reviews td.review-text", "cs => cs.map((c) => c.getBoundingClientRect().width)")
    assert texts and min(texts) > 300, texts
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


X_TICKS = """(sel) => [...document.querySelectorAll(`${sel} .xaxislayer-above .xtick text`)].map((t) => {
  const r = t.getBoundingClientRect(); return {text: t.textContent, left: r.left, right: r.right}; })"""


def test_compare_groups_epoch_axis_stays_readable_on_a_phone(page: Page, live_url: str):
    body = {"architecture": "fasttext", "dataset": "synthetic", "tags": ["long-group"],
            "hyperparams": tiny_hyperparams("fasttext", epochs=24)}
    reply = httpx.post(f"{live_url}/api/runs", json=body, timeout=60)
    assert reply.status_code == 201, reply.text
    run = wait_finished(live_url, reply.json()["id"], timeout=240)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/#/compare?groups={run['group_id']}")
    page.wait_for_function("() => document.querySelector('#group-chart')?.data?.[2]?.x?.length === 24")
    assert page.evaluate("() => document.querySelector('#group-chart').data[2].name") == "fasttext (1 run)"
    ticks = page.evaluate(X_TICKS, "#group-chart")
    assert len(ticks) >= 2 and all(not t["text"].startswith(("-", "−")) for t in ticks), ticks   # no epoch below 0
    ticks.sort(key=lambda t: t["left"])
    assert all(a["right"] <= b["left"] for a, b in zip(ticks, ticks[1:])), ticks   # no two labels overlap


def test_an_accuracy_interval_is_shown_within_0_and_100_percent(page: Page):
    page.goto("/#/leaderboard")
    texts = page.evaluate("""async () => { const { interval } = await import('/pages/leaderboard.js');
      return [interval({ n: 2, mean: 0.981, sd: 0.0042, ci_low: 0.943, ci_high: 1.019 }),
              interval({ n: 2, mean: 0.02, sd: 0.01, ci_low: -0.07, ci_high: 0.11 }),
              interval({ n: 1, mean: 0.9, sd: null, ci_low: null, ci_high: null }),
              interval({ n: 0, mean: null, sd: null, ci_low: null, ci_high: null }, '—')]; }""")
    assert texts == ["94.3% – 100.0%", "0.0% – 11.0%", "1 seed", "—"]   # Student-t passes 100 % over 2 seeds


def test_a_one_seed_entry_draws_no_error_bar_and_says_1_seed(page: Page):
    page.goto("/#/leaderboard")
    drawn = page.evaluate("""async () => {
      const { accuracyBars } = await import('/pages/leaderboard.js');
      const { draw } = await import('/charts.js');
      const entry = (n, mean, sd, low, high) => ({ title: `t${n}`, single_seed: n === 1,
        group: { test_acc: { n, mean, sd, ci_low: low, ci_high: high } } });
      const bars = accuracyBars([entry(3, 0.85, 0.01, 0.83, 0.87), entry(1, 0.8, null, null, null)], 0.6);
      const div = document.createElement('div');
      div.style.width = '600px'; div.style.height = '300px';
      document.body.append(div);
      await draw(div, [bars.trace], { yaxis: { range: [0.7, 0.9] } });
      const caps = [...div.querySelectorAll('g.errorbar')].map((g) => g.querySelectorAll('path.yerror').length);
      const { seedsLabel } = await import('/pages/leaderboard.js');
      return { caps, labels: [entry(3), entry(1)].map(seedsLabel), hover: bars.trace.customdata, low: bars.low };
    }""")
    assert drawn["caps"] == [1, 0], drawn   # one seed: no spread, so no bar (not a zero-width cap at the mean)
    assert drawn["labels"] == ["n=3", "1 seed"] and drawn["hover"][1] == "t1: 80.00%, 1 seed", drawn
    assert drawn["low"] == 0.8, drawn


def test_a_groups_band_stays_within_what_its_metric_can_be(page: Page):
    page.goto("/#/leaderboard")
    bands = page.evaluate("""async () => {
      const { groupTraces } = await import('/pages/compare_groups.js');
      const spread = (mean, sd, low, high) => ({ n: 2, mean, sd, ci_low: low, ci_high: high });
      const curve = { points: [
        { epoch: 1, val_acc: spread(0.98, 0.03, 0.71, 1.25), val_loss: spread(0.05, 0.08, -0.67, 0.77) },
        { epoch: 2, val_acc: spread(0.02, 0.03, -0.25, 0.29), val_loss: spread(0.9, 0.1, 0.0, 1.8) },
      ] };
      const band = (metric, kind) => groupTraces(curve, metric, kind, '#4e79a7', 'g').slice(0, 2).map((t) => t.y);
      return { ci: band('val_acc', 'ci'), sd: band('val_acc', 'sd'), loss: band('val_loss', 'ci') };
    }""")
    rounded = {key: [[round(v, 4) for v in side] for side in value] for key, value in bands.items()}
    assert rounded["ci"] == [[0.71, 0.0], [1.0, 0.29]], rounded   # low, then high: 125 % shown as 100 %, -25 % as 0 %
    assert rounded["sd"] == [[0.95, 0.0], [1.0, 0.05]], rounded   # mean ± sd alike
    assert rounded["loss"] == [[0.0, 0.0], [0.77, 1.8]], rounded   # a loss is never below 0, and has no top
