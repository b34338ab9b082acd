"""Epoch rows are stored on one thread of their own, one at a time, not on FastAPI's pool (backend/epoch_writer.py)."""

import asyncio
import threading
import time

import pytest
from sqlalchemy import event

from backend import store

LAUNCH = {"architecture": "fasttext", "dataset": "synthetic", "hyperparams": {"epochs": 3, "num_words": 100, "maxlen": 20}}
ROW = {"worker": "w1", "epoch": 1, "train_loss": 0.6, "train_acc": 0.7, "val_loss": 0.5, "val_acc": 0.8, "seconds": 1.0}


@pytest.mark.anyio
async def test_rows_posted_at_once_are_stored_one_at_a_time_on_the_epoch_thread_sharing_connections(
        api, engine, monkeypatch: pytest.MonkeyPatch):
    run_ids = []
    for _ in range(8):
        run_ids.append((await api.post("/api/runs", json=LAUNCH)).json()["id"])
        assert (await api.post("/api/worker/claim", json={"worker": "w1", "device": "cpu"})).status_code == 200
    threads, inside, most_inside = set(), [0], [0]
    lock = threading.Lock()
    add_epoch = store.add_epoch

    def watched_add_epoch(*args, **kwargs):
        with lock:
            threads.add(threading.current_thread().name)
            inside[0] += 1
            most_inside[0] = max(most_inside[0], inside[0])
        try:
            time.sleep(0.02)   # long enough for a second thread to come in, were there one
            return add_epoch(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(store, "add_epoch", watched_add_epoch)
    checkouts = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(threading.current_thread().name))
    headers = {"content-type": "application/json"}
    replies = await asyncio.gather(*(api.post(f"/api/worker/runs/{run_id}/epochs", json=ROW, headers=headers)
                                     for run_id in run_ids))
    assert [reply.status_code for reply in replies] == [201] * 8
    assert most_inside[0] == 1 and len(threads) == 1 and threads.pop().startswith("epoch-rows")
    # The rows that waited while the first was stored went in on one connection, not one each.
    assert 1 <= len(checkouts) < 8 and all(name.startswith("epoch-rows") for name in checkouts), checkouts
    for run_id in run_ids:
        assert [point["epoch"] for point in (await api.get(f"/api/runs/{run_id}/metrics")).json()] == [1]
