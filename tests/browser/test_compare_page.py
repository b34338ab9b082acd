"""The compare page: one trace per run and split."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser

TRACES = "() => { const c = document.querySelector('#compare-chart'); return c && c.data ? c.data.length : -1; }"


@pytest.fixture(scope="module")
def two_finished_runs(live_url: str) -> list[dict]:
    """Two finished tiny runs of different contestants."""
    runs = [launch(live_url, "lstm", epochs=3, name="wide vocab"), launch(live_url, "cnn", epochs=3)]
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


def test_compare_names_each_run_once_and_never_repeats_a_tick_label(page: Page, two_finished_runs: list[dict]):
    custom, plain = two_finished_runs
    page.goto(f"/#/compare?ids={custom['id']},{plain['id']}")
    page.wait_for_function(f"({TRACES})() === 2")
    legend = page.evaluate("() => document.querySelector('#compare-chart').data.map((t) => t.name)")
    assert legend == [f"wide vocab #{custom['id']}", f"cnn #{plain['id']}"]
    expect(page.locator("#compare-table tbody tr").last.locator(".run-link")).to_have_text(f"cnn #{plain['id']}")
    ticks = page.eval_on_selector_all("#compare-chart .ytick text", "els => els.map((e) => e.textContent)")
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), ticks
    # a narrow accuracy range (52.1 % .. 52.9 %) needs a decimal; a wide one does not
    formats = page.evaluate("""async () => { const { tickFormat } = await import('/charts.js');
        return [tickFormat([0.521, 0.529], { percent: true }), tickFormat([0.5, 0.9], { percent: true }),
                tickFormat([0.6931, 0.6925])]; }""")
    assert formats == [".1%", ".0%", ".4f"]


def test_parallel_coordinates_lay_hyperparameters_against_accuracy(page: Page, two_finished_runs: list[dict]):
    custom, plain = two_finished_runs
    page.goto(f"/#/compare?ids={custom['id']},{plain['id']}")
    page.wait_for_function("() => document.querySelector('#compare-parcoords')?.data?.[0]?.type === 'parcoords'")
    dims = page.evaluate("() => document.querySelector('#compare-parcoords').data[0].dimensions"
                         ".map((d) => [d.label, d.values.length, d.ticktext || null])")
    assert dims[0] == ["contestant", 2, ["cnn", "lstm"]]
    assert dims[-1][0] == "test accuracy" and dims[-1][1] == 2
    labels = [label for label, _, _ in dims]
    assert "filters" in labels and "hidden_dim" in labels and "epochs" not in labels  # only what differs
    # Every axis has room for its tick labels: a wide set scrolls inside its card, never squeezed or off the page.
    chart_width = page.evaluate("() => document.querySelector('#compare-parcoords').getBoundingClientRect().width")
    assert chart_width >= 96 * len(dims)
    scroller = page.evaluate("() => { const s = document.querySelector('#compare-parcoords-scroll');"
                             " return [s.clientWidth, s.scrollWidth, document.documentElement.scrollWidth, innerWidth]; }")
    assert scroller[1] >= scroller[0] and scroller[2] <= scroller[3]
    # the colour bar's labels never repeat (a narrow accuracy range gets a decimal), and each axis's range is
    # not printed again beside its end ticks
    colour_ticks = page.eval_on_selector_all("#compare-parcoords .colorbar .cbaxis text", "els => els.map((e) => e.textContent)")
    assert len(colour_ticks) >= 2 and len(set(colour_ticks)) == len(colour_ticks), colour_ticks
    extents = page.eval_on_selector_all("#compare-parcoords .axis-extent-text",
                                        "els => els.map((e) => getComputedStyle(e).fillOpacity)")
    assert extents and set(extents) == {"0"}, extents


PARCOORDS_AXES = """() => [...document.querySelectorAll('#compare-parcoords g.y-axis')].map((axis) => ({
  title: axis.querySelector('.axis-title')?.textContent,
  ticks: [...axis.querySelectorAll('.tick text')].map((t) => t.textContent) }))"""


def test_parallel_coordinates_tick_integer_hyperparameters_in_whole_numbers(page: Page, live_url: str):
    runs = [wait_finished(live_url, launch(live_url, "lstm", epochs=epochs, seed=seed)["id"]) for epochs, seed in ((2, 0), (3, 1))]
    page.goto(f"/#/compare?ids={runs[0]['id']},{runs[1]['id']}")
    page.wait_for_function("() => document.querySelectorAll('#compare-parcoords g.y-axis .tick text').length > 4")
    axes = {axis["title"]: axis["ticks"] for axis in page.evaluate(PARCOORDS_AXES)}
    assert set(axes) >= {"epochs", "seed"}, axes
    assert axes["seed"] == ["0", "1"] and axes["epochs"] == ["2", "3"], axes   # neighbours: not 0.1, 0.2... 2.5
    ticks = page.evaluate("async () => { const { integerTicks } = await import('/charts.js');"
                          " return [integerTicks([2, 24]).tickvals, integerTicks([1000, 100000]).ticktext]; }")
    assert ticks == [[5, 10, 15, 20], ["20,000", "40,000", "60,000", "80,000", "100,000"]], ticks


def test_compare_and_the_run_page_show_only_the_kernel_field_that_applies(page: Page, live_url: str):
    one = launch(live_url, "cnn", epochs=1, kernel_size=5)   # one width: kernel_sizes null, kernel_size 5 applies
    several = launch(live_url, "cnn", epochs=1, kernel_sizes=[2, 3])   # kernel_sizes overrides the default kernel_size 3
    runs = [wait_finished(live_url, run["id"]) for run in (one, several)]
    assert runs[0]["hyperparams"]["kernel_sizes"] is None and runs[1]["hyperparams"]["kernel_size"] == 3
    page.goto(f"/#/compare?ids={one['id']},{several['id']}")
    rows = page.locator("#compare-diff tbody tr")
    expect(rows.first).to_be_visible()
    fields = rows.locator("td.mono").all_inner_texts()
    assert "kernel_sizes" in fields and "kernel_size" not in fields, fields   # as the launch form: one field
    widths = rows.filter(has=page.locator("td.mono", has_text="kernel_sizes")).locator("td.num").all_inner_texts()
    assert widths == ["5", "2, 3"], widths
    page.wait_for_function("() => document.querySelector('#compare-parcoords')?.data?.[0]?.type === 'parcoords'")
    labels = page.evaluate("() => document.querySelector('#compare-parcoords').data[0].dimensions.map((d) => d.label)")
    assert "kernel_sizes" in labels and "kernel_size" not in labels, labels
    page.goto("/#/runs")   # the runs table's column picker offers the one field too, and its cells say what applies
    page.locator("#column-picker summary").click()
    expect(page.locator('#column-picker input[value="hp.kernel_sizes"]')).to_have_count(1)
    expect(page.locator('#column-picker input[value="hp.kernel_size"]')).to_have_count(0)
    page.check('#column-picker input[value="hp.kernel_sizes"]')
    expect(page.locator('#runs-table th[data-sort="hp.kernel_sizes"]')).to_have_count(1)
    column = page.evaluate("""() => [...document.querySelectorAll('#runs-table thead th')]
        .findIndex((th) => th.dataset.sort === 'hp.kernel_sizes')""")
    for run, text in ((one, "5"), (several, "2, 3")):
        expect(page.locator(f'#runs-table tbody tr[data-id="{run["id"]}"] td').nth(column)).to_have_text(text)
    page.goto(f"/#/run/{one['id']}")
    config = page.locator("#run-config tr:not(.group-row)")
    expect(config.first).to_be_visible()
    names = config.locator("td.mono").all_inner_texts()
    assert "kernel_sizes" in names and "kernel_size" not in names, names
    expect(config.filter(has=page.locator("td.mono", has_text="kernel_sizes")).locator("td.num")).to_have_text("5")
    page.click("#clone-changes-button")   # and the launch form, cloning it, has the one width in its one field
    expect(page.locator("#field-kernel_sizes")).to_have_value("5")
