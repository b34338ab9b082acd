"""Every route keeps blocking work off the event loop: a plain `def` (FastAPI's thread pool), or one of
the few `async def` routes that await and hop to the thread pool for each database or file call."""

import inspect

from fastapi.routing import APIRoute

from backend.main import create_app

# Each awaits something (a launch, a request body, an event queue) and uses run_in_threadpool for I/O.
ASYNC_ROUTES = {"claim", "upload_checkpoint", "all_events", "run_events", "progress", "add_epoch"}
# Pages and files that make no blocking call of their own (FileResponse reads in the thread pool).
NO_IO_ROUTES = {"plotly_js", "custom_swagger_ui_html", "swagger_ui_redirect", "redoc_html"}


def _api_routes(routes) -> list[APIRoute]:
    """Every APIRoute, including those of included routers (FastAPI keeps those nested)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (router := getattr(route, "original_router", None)) is not None:
            found.extend(_api_routes(router.routes))
    return found


def test_every_route_is_a_plain_def_or_a_known_hopping_async_route():
    routes = _api_routes(create_app().routes)
    assert len(routes) > 20
    async_routes = {route.endpoint.__name__ for route in routes if inspect.iscoroutinefunction(route.endpoint)}
    assert async_routes - NO_IO_ROUTES == ASYNC_ROUTES, "a new async def route: make it a plain def, or hop for its I/O and list it"
    dependencies = {d.call for route in routes for d in route.dependant.dependencies}
    blocking = {call.__name__ for call in dependencies if inspect.isasyncgenfunction(call) and "session" in call.__name__}
    assert blocking == set(), "a session dependency must be a plain def generator (opened in the thread pool)"
