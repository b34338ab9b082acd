"""docker-compose.yml and the Dockerfile agree with what the code reads: settings, CLI flags, the port, the paths.

No Docker engine runs here, so the file is loaded (PyYAML) and every service checked against the
backend's and the worker's settings classes and argument parsers.
"""

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

from backend.__main__ import build_parser as backend_parser
from backend.config import Settings
from tests.support.live import REPO_ROOT
from worker.agent.cli import build_parser as worker_parser
from worker.config import WorkerSettings

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
WORKERS = ("worker-gpu", "worker-cpu")


def _variables(settings_class) -> set[str]:
    """Every environment variable a settings class reads (BATTLEFIELD_<FIELD>, or its aliases)."""
    names = set()
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        names |= set(choices) if choices else {alias} if isinstance(alias, str) else {f"BATTLEFIELD_{name.upper()}"}
    return names


def _dockerfile_env(name: str) -> str:
    return re.search(rf"\b{name}=(\S+)", DOCKERFILE).group(1)


def _from_environment(value: str, variable: str) -> bool:
    """True when the compose value is taken from the host environment, required (${VAR:?message})."""
    return re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", value) is not None


def _mounts(service: dict) -> dict[str, str]:
    """{container path: source} of a service's volumes."""
    return {target.split(":")[0]: source for source, target in (v.split(":", 1) for v in service.get("volumes", []))}


def test_every_app_service_builds_the_shared_dockerfile_image():
    for name in ("backend", *WORKERS):
        assert SERVICES[name]["build"] == "."
        assert SERVICES[name]["image"] == "imdb-battlefield:latest"
    assert "pip install --no-cache-dir ." in DOCKERFILE
    assert SERVICES["postgres"]["image"].startswith("postgres:")


def test_the_backend_command_parses_and_its_port_is_the_published_and_exposed_one():
    command = SERVICES["backend"]["command"]
    assert command[:3] == ["python", "-m", "backend"]
    args = backend_parser().parse_args(command[3:])
    assert args.host == "0.0.0.0"
    published = [p.rsplit(":", 1)[1] for p in SERVICES["backend"]["ports"]]
    assert published == [str(args.port)]
    assert f"EXPOSE {args.port}" in DOCKERFILE
    assert f"--port\", \"{args.port}\"" in DOCKERFILE   # the image's default command serves the same port


@pytest.mark.parametrize("name", WORKERS)
def test_each_worker_command_parses_and_points_at_the_backend_service(name):
    command = SERVICES[name]["command"]
    assert command[:3] == ["python", "-m", "worker"]
    args = worker_parser().parse_args(command[3:])
    server = urlsplit(args.server)
    assert (server.hostname, server.port) == ("backend", backend_parser().parse_args(SERVICES["backend"]["command"][3:]).port)
    assert args.device == ("cuda:0" if name == "worker-gpu" else "cpu")
    assert SERVICES[name]["depends_on"]["backend"]["condition"] == "service_healthy"


def test_the_gpu_worker_reserves_an_nvidia_gpu_and_the_cpu_worker_is_a_profile():
    devices = SERVICES["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert "profiles" not in SERVICES["worker-gpu"]
    assert SERVICES["worker-cpu"]["profiles"] == ["cpu"]


@pytest.mark.parametrize(("name", "settings_class"), [("backend", Settings), *((w, WorkerSettings) for w in WORKERS)])
def test_every_variable_set_is_one_the_service_reads_and_the_token_comes_from_the_environment(name, settings_class):
    environment = SERVICES[name]["environment"]
    unknown = set(environment) - _variables(settings_class)
    assert not unknown, f"{name} sets variables its settings never read: {unknown}"
    assert _from_environment(environment["BATTLEFIELD_TOKEN"], "BATTLEFIELD_TOKEN")
    assert environment["BATTLEFIELD_DATA_DIR"] == _dockerfile_env("BATTLEFIELD_DATA_DIR")


def test_the_database_url_names_the_postgres_service_with_psycopg():
    url = urlsplit(SERVICES["backend"]["environment"]["BATTLEFIELD_DATABASE_URL"])
    postgres = SERVICES["postgres"]["environment"]
    assert url.scheme == "postgresql+psycopg"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.username == postgres["POSTGRES_USER"]
    assert url.path == f"/{postgres['POSTGRES_DB']}"
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert SERVICES["backend"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_volumes_hold_the_database_the_checkpoints_and_the_data_cache_where_the_code_writes_them():
    data_dir = PurePosixPath(_dockerfile_env("BATTLEFIELD_DATA_DIR"))
    checkpoints = Settings(data_dir=str(data_dir)).checkpoint_dir   # backend: <data dir>/checkpoints
    assert _mounts(SERVICES["backend"])[str(PurePosixPath(checkpoints))] == "checkpoints"
    for name in WORKERS:
        assert _mounts(SERVICES[name])[str(data_dir / "cache")] == "data-cache"   # worker/data: <data dir>/cache
    assert _mounts(SERVICES["postgres"])["/var/lib/postgresql/data"] == "postgres-data"
    named = {source for service in SERVICES.values() for source in _mounts(service).values() if not source.startswith(".")}
    assert named == set(COMPOSE["volumes"])
