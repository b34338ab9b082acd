"""A backend with BATTLEFIELD_WORKER_TOKEN (or BATTLEFIELD_TOKEN) accepts only workers that send it."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.runs import api_client, launch, read_log, wait_until_terminal
from tests.support.factories import epoch_row, launch_and_claim
from tests.support.live import running_backend, running_backend_and_worker, running_worker

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def token_backend(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A backend that wants TOKEN from workers, and its data dir."""
    data_dir = tmp_path_factory.mktemp("data")
    with running_backend(data_dir, env={"BATTLEFIELD_WORKER_TOKEN": TOKEN}) as url:
        yield url, data_dir


def test_worker_with_the_token_trains_a_run(token_backend):
    url, data_dir = token_backend
    with running_worker(url, name="w1", data_dir=data_dir, extra_args=["--token", TOKEN]), api_client(url) as api:
        run = launch(api, "fasttext", epochs=1)

        finished = wait_until_terminal(api, run["id"], timeout=60)

    assert finished["status"] == "succeeded"


def test_worker_with_a_wrong_token_exits_with_code_2(token_backend):
    url, data_dir = token_backend
    with running_worker(url, name="w2", data_dir=data_dir, extra_args=["--token", "wrong"]) as worker:
        assert worker.wait(timeout=30) == 2

    assert "backend refused this worker: 401" in read_log(data_dir / "worker-w2.log")


def test_the_lean_epoch_path_enforces_the_worker_token(token_backend):
    url, _ = token_backend   # the epoch POST parses its own body (tests/backend/test_epoch_route.py): the token still holds
    with httpx.Client(base_url=url, timeout=10, headers={"Authorization": f"Bearer {TOKEN}"}) as worker:
        run = launch_and_claim(worker, worker="w-lean")
    path = f"{url}/api/worker/runs/{run['id']}/epochs"
    refused = httpx.post(path, json=epoch_row(1, worker="w-lean"))
    wrong = httpx.post(path, json=epoch_row(1, worker="w-lean"), headers={"Authorization": "Bearer nope"})
    accepted = httpx.post(path, json=epoch_row(1, worker="w-lean"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert (refused.status_code, wrong.status_code, accepted.status_code) == (401, 401, 201)
    assert refused.headers["www-authenticate"] == "Bearer"


def test_one_token_guards_people_and_workers_and_the_worker_reads_it_from_the_environment(tmp_path: Path):
    data_dir, secret = tmp_path / "data", "one-class-token"
    with running_backend_and_worker(data_dir, worker_name="w3", env={"BATTLEFIELD_TOKEN": secret},
                                    worker_env={"BATTLEFIELD_TOKEN": secret}) as url, \
            api_client(url, token=secret) as api:
        run = launch(api, "fasttext", epochs=1)
        finished = wait_until_terminal(api, run["id"], timeout=60)

    assert finished["status"] == "succeeded"
