"""User text is rendered as text: a hostile run name shows literally and runs no script."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import launch, wait_finished

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def test_hostile_run_name_renders_as_text_and_fires_no_dialog(page: Page, live_url: str, dialogs: list[str]):
    hostile = wait_finished(live_url, launch(live_url, "lstm", epochs=2, name=HOSTILE, tags=[HOSTILE])["id"])
    other = wait_finished(live_url, launch(live_url, "lstm", epochs=2)["id"])

    page.goto("/#/runs")
    row = page.locator(f'#runs-table tr[data-id="{hostile["id"]}"]')
    expect(row.locator(".run-link")).to_have_text(HOSTILE)
    expect(row.locator(".tag")).to_have_text(HOSTILE)
    expect(page.locator("#runs-table img")).to_have_count(0)

    page.goto(f"/#/run/{hostile['id']}")
    expect(page.locator("#run-title")).to_have_text(HOSTILE)

    page.goto(f"/#/compare?ids={hostile['id']},{other['id']}")
    expect(page.locator("#compare-chart .legendtext").first).to_have_text(f"{HOSTILE} #{hostile['id']}")
    page.goto(f"/#/compare?ids={hostile['id']}")
    expect(page.locator("#compare-chart .legendtext")).to_have_text(f"{HOSTILE} #{hostile['id']}")
    box = page.locator("#compare-chart .scatterlayer .trace:first-child .point").last.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#compare-chart .hoverlayer .hovertext")).to_contain_text(HOSTILE)
    expect(page.locator("#app img")).to_have_count(0)
    assert dialogs == []
