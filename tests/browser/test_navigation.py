"""Pages outside the run views: an unknown route, and the API page at /docs with no internet."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def test_unknown_route_says_page_not_found_with_links(page: Page):
    page.goto("/#/nonsense")
    expect(page.locator("#app .page-title")).to_have_text("Page not found")
    expect(page.locator("#app .page-subtitle")).to_have_text("There is no page at “#/nonsense”.")
    assert page.eval_on_selector_all("#not-found a", "as => as.map((a) => a.getAttribute('href'))") == [
        "#/runs", "#/launch", "#/compare", "#/leaderboard"]
    expect(page.locator("#runs-table")).to_have_count(0)
    page.click("#not-found a[href='#/runs']")
    expect(page.locator("#app .page-title")).to_have_text("Runs")


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
