"""The static dashboard at "/" and the plotly bundle from the installed plotly package."""

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from backend.errors import NotFound

FRONTEND_DIR = Path(__file__).parents[1] / "frontend"
PLOTLY_PATH = "/vendor/plotly.min.js"


def static_paths() -> frozenset[str]:
    """The URL paths of the dashboard's static files (read once, at start-up): each file of frontend/,
    "/" for its index.html, and the plotly bundle. backend/access.py lets exactly these through without the token."""
    files = {f"/{path.relative_to(FRONTEND_DIR).as_posix()}" for path in FRONTEND_DIR.rglob("*") if path.is_file()}
    folders = {path[: -len("index.html")] for path in files if path.endswith("/index.html")}
    return frozenset(files | folders | {PLOTLY_PATH})


def plotly_bundle() -> Path | None:
    """plotly/package_data/plotly.min.js of the installed plotly, found without importing plotly."""
    spec = importlib.util.find_spec("plotly")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundle = Path(folder) / "package_data" / "plotly.min.js"
        if bundle.exists():
            return bundle
    return None


def mount_static(app: FastAPI) -> None:
    """Serve /vendor/plotly.min.js and frontend/ (index.html at "/"); call after the API routers."""
    bundle = plotly_bundle()

    @app.get(PLOTLY_PATH, include_in_schema=False)
    async def plotly_js() -> FileResponse:
        if bundle is None:
            raise NotFound("plotly is not installed; pip install plotly")
        return FileResponse(bundle, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/", StaticFiles(directory=FRONTEND_DIR, html=True, check_dir=False), name="frontend")
