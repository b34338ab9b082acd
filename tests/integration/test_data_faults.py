"""Data faults with real processes: a checkpoint folder that cannot be written fails the run after its metrics."""

from tests.integration.runs import api_client, launch, wait_until_terminal
from tests.support.live import running_worker


def test_an_unwritable_checkpoint_folder_fails_the_run_naming_it_and_keeps_its_epochs(backend_url, tmp_path):
    worker_dir = tmp_path / "worker-data"
    worker_dir.mkdir()
    (worker_dir / "checkpoints").write_text("a file where the checkpoint folder should be")
    with running_worker(backend_url, name="w1", data_dir=worker_dir), api_client(backend_url) as api:
        run = launch(api, "fasttext", epochs=2)
        failed = wait_until_terminal(api, run["id"], timeout=60)
        metrics = api.get(f"/api/runs/{run['id']}/metrics").json()

    assert failed["status"] == "failed"
    assert "but its checkpoint was not saved: Could not write " in failed["error"]
    assert str(worker_dir / "checkpoints" / f"run-{run['id']}.pt") in failed["error"]
    assert failed["test_acc"] > 0.8 and failed["best_epoch"] in (1, 2)   # the trained model's own test figure
    assert [row["epoch"] for row in metrics] == [1, 2]
