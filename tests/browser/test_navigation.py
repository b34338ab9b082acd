"""Pages outside the run views: an unknown route, and the API page at /docs with no internet."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser


def test_unknown_route_says_page_not_found_with_links(page: Page):
    page.goto("/#/nonsense")
    expect(page.locator("#app .page-title")).to_have_text("Page not found")
    expect(page.locator("#app .page-subtitle")).to_have_text("There is no page at “#/nonsense”.")
    assert page.eval_on_selector_all("#not-found a", "as => as.map((a) => a.getAttribute('href'))") == [
        "#/runs", "#/launch", "#/compare", "#/leaderboard"]
    # the leaderboard ranks groups of seeds by their mean, not each contestant's single best run
    expect(page.locator("#not-found li").last).to_have_text("Leaderboard — contestants ranked by mean test accuracy over their seeds")
    expect(page.locator("#runs-table")).to_have_count(0)
    page.click("#not-found a[href='#/runs']")
    expect(page.locator("#app .page-title")).to_have_text("Runs")


def test_first_load_fetches_meta_once_through_its_preload_and_every_module_once(page: Page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlparse(request.url).path))
    page.goto("/#/runs")
    expect(page.locator("#runs-count")).not_to_be_empty()
    page.wait_for_timeout(300)
    assert requested.count("/api/meta") == 1, "the <link rel=preload> of api/meta was not used by loadMeta()"
    modules = [path for path in requested if path.endswith(".js") and "plotly" not in path]
    assert modules and len(modules) == len(set(modules))


def test_docs_page_works_with_no_internet(page: Page, live_url: str):
    backend = urlparse(live_url).netloc
    refused: list[str] = []

    def offline(route: Route) -> None:
        if urlparse(route.request.url).netloc == backend:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", offline)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IMDB Battlefield", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/runs").first).to_be_visible()
    assert refused == []


def test_no_page_is_wider_than_the_screen_at_1024_or_390(page: Page, live_url: str):
    runs = [wait_finished(live_url, launch(live_url, name, epochs=1, name=f"{name} with a rather long custom name",
                                           tags=["a-rather-long-tag-name"])["id"]) for name in ("fasttext", "cnn")]
    ids = ",".join(str(run["id"]) for run in runs)
    routes = ["#/runs", "#/launch", f"#/run/{runs[0]['id']}", f"#/compare?ids={ids}", "#/leaderboard", "#/nonsense"]
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for route in routes:
            page.goto(f"/{route}")
            expect(page.locator("#app .page-title")).to_be_visible()
            page.wait_for_timeout(300)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{route} at {width} px"
            tabs = page.eval_on_selector_all(".topbar .tab", "ts => ts.map((t) => t.getBoundingClientRect().right)")
            assert max(tabs) <= width, f"header runs off the page at {width} px"
        page.goto("/#/runs")
        tags = page.locator("#runs-table th", has_text="Tags")
        expect(tags).to_have_count(1)  # kept: the table scrolls inside its card instead
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("(w) => w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX === 'auto'")


def test_a_running_runs_progress_label_gives_the_whole_runs_share_as_its_bar(page: Page):
    page.goto("/#/runs")
    labels = page.evaluate("""async () => { const { runProgress } = await import('/widgets.js');
      await (await import('/meta.js')).loadMeta();   // the statuses come from GET /api/meta
      const running = (epoch, fraction) => runProgress({ status: 'running', epochs_total: 80, epochs_done: epoch - 1,
                                                         progress: { epoch, fraction } });
      return [running(28, 1), running(1, 0.5), running(80, 0.99)]; }""")
    assert [item["label"] for item in labels] == ["epoch 28 of 80 · 35%", "epoch 1 of 80 · 0%", "epoch 80 of 80 · 99%"]
    assert all(int(item["label"].split("· ")[1][:-1]) == int(item["share"] * 100) for item in labels)
