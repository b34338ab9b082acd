"""Progress reports check the lease from memory after the first: backend/holders.py, kept by the run's events."""

import pytest
from sqlalchemy import event

from backend import holders
from backend.holders import HolderCache

LAUNCH = {"architecture": "fasttext", "dataset": "synthetic", "hyperparams": {"epochs": 3, "num_words": 100, "maxlen": 20}}
POINT = {"epoch": 1, "fraction": 0.5, "loss": 0.6}


def test_a_read_that_a_change_overtook_is_not_kept():
    cache = HolderCache()
    before = cache.generation
    cache.forget(7)   # the run changed while the database was being read
    cache.put(7, "w1", "running", read_at=holders.time.monotonic(), generation=before)
    assert cache.get(7) is None
    cache.put(7, "w1", "running", read_at=holders.time.monotonic(), generation=cache.generation)
    assert cache.get(7).worker == "w1"


def test_an_entry_expires_after_its_maximum_age(monkeypatch: pytest.MonkeyPatch):
    cache = HolderCache(max_age=5.0)
    cache.put(7, "w1", "running", read_at=100.0, generation=cache.generation)
    monkeypatch.setattr(holders.time, "monotonic", lambda: 104.9)
    assert cache.get(7) is not None
    monkeypatch.setattr(holders.time, "monotonic", lambda: 105.1)
    assert cache.get(7) is None


@pytest.fixture
def statements(engine) -> list[str]:
    """Every SQL statement the test's database runs."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *args: seen.append(sql))
    return seen



@pytest.mark.anyio
async def test_only_the_first_progress_report_of_a_run_reads_the_database(api, statements):
    run_id = (await api.post("/api/runs", json=LAUNCH)).json()["id"]
    assert (await api.post("/api/worker/claim", json={"worker": "w1", "device": "cpu"})).status_code == 200
    first = len(statements)
    assert (await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})).json() == {"cancel": False}
    after_first = len(statements)
    assert after_first > first
    for fraction in (0.6, 0.7, 0.8):
        reply = await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT, "fraction": fraction})
        assert reply.json() == {"cancel": False}
    assert len(statements) == after_first, statements[after_first:]
    # Another worker is still refused from memory; the run's progress is what w1 reported last.
    refused = await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w2", **POINT})
    assert refused.status_code == 409 and "not leased to worker w2" in refused.json()["detail"]
    assert (await api.get(f"/api/runs/{run_id}")).json()["progress"]["fraction"] == 0.8


@pytest.mark.anyio
async def test_a_cancel_reaches_the_next_progress_report_and_a_finish_ends_the_lease(api):
    run_id = (await api.post("/api/runs", json=LAUNCH)).json()["id"]
    await api.post("/api/worker/claim", json={"worker": "w1", "device": "cpu"})
    assert (await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})).json() == {"cancel": False}
    assert (await api.post(f"/api/runs/{run_id}/cancel")).json()["status"] == "cancelling"
    assert (await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})).json() == {"cancel": True}
    finished = await api.post(f"/api/worker/runs/{run_id}/finish", json={"worker": "w1", "status": "cancelled"})
    assert finished.status_code == 200, finished.text
    late = await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})
    assert late.status_code == 409


@pytest.mark.anyio
async def test_a_deleted_run_is_not_found_by_its_old_holder(api):
    run_id = (await api.post("/api/runs", json=LAUNCH)).json()["id"]
    await api.post("/api/worker/claim", json={"worker": "w1", "device": "cpu"})
    await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})
    await api.post(f"/api/runs/{run_id}/cancel")
    await api.post(f"/api/worker/runs/{run_id}/finish", json={"worker": "w1", "status": "cancelled"})
    assert (await api.delete(f"/api/runs/{run_id}")).status_code == 204
    assert (await api.post(f"/api/worker/runs/{run_id}/progress", json={"worker": "w1", **POINT})).status_code == 404
