"""index.html asks for every dashboard module and for GET /api/meta at once, so the first page does not
wait for one level of imports after another (bench/ui_render.py measures the first screen)."""

from html.parser import HTMLParser
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


class _Links(HTMLParser):
    """Collects (rel, href) of every <link> and the src of every module <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.modules: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link":
            self.links.append((values.get("rel") or "", values.get("href") or ""))
        elif tag == "script" and values.get("type") == "module":
            self.modules.append(values.get("src") or "")


def _index() -> _Links:
    parser = _Links()
    parser.feed((FRONTEND / "index.html").read_text())
    return parser


def test_index_preloads_every_module_but_the_entry_point_and_no_other():
    index = _index()
    preloaded = [href for rel, href in index.links if rel == "modulepreload"]
    modules = {str(path.relative_to(FRONTEND)) for path in FRONTEND.rglob("*.js")}
    assert index.modules == ["app.js"]
    assert len(preloaded) == len(set(preloaded)), "a module is preloaded twice"
    assert set(preloaded) == modules - {"app.js"}, "add or remove the module's <link rel=modulepreload> in index.html"
