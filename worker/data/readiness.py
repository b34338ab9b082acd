"""Which datasets this worker can load right now, and what to do about the others (sent at registration)."""

import os
from pathlib import Path

from worker.data import aclimdb


def keras_imdb_file() -> Path:
    """Where keras.datasets.imdb caches its archive: $KERAS_HOME/datasets/imdb.npz (default ~/.keras)."""
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    return home / "datasets" / "imdb.npz"


def dataset_readiness(aclimdb_path: Path | None, data_dir: Path) -> dict[str, dict]:
    """{name: {"ready": bool, "detail": str}} for every dataset, without loading or downloading anything.

    "ready" means the worker holds the files and needs no network; "detail" says where they are, or
    what to do to make the dataset ready.
    """
    synthetic = {"ready": True, "detail": "generated on the worker; always available"}
    if aclimdb_path is not None:
        acl = (
            {"ready": True, "detail": "BATTLEFIELD_ACLIMDB points at a local copy"}
            if Path(aclimdb_path).exists()
            else {"ready": False, "detail": "BATTLEFIELD_ACLIMDB points at a path that does not exist; set it to "
                  "aclImdb_v1.tar.gz or its extracted folder and restart the worker"}
        )
    elif (Path(data_dir) / aclimdb.ARCHIVE_NAME).is_file():
        acl = {"ready": True, "detail": "downloaded earlier into the worker's data dir"}
    else:
        acl = {"ready": False, "detail": "set BATTLEFIELD_ACLIMDB on the worker to a local aclImdb_v1.tar.gz (or its "
               "folder) and restart it; otherwise the worker downloads 84 MB on first use, which needs the internet"}
    keras_file = keras_imdb_file()
    imdb = (
        {"ready": True, "detail": "in the Keras cache"}
        if keras_file.is_file()
        else {"ready": False, "detail": "not in the worker's Keras cache (~/.keras/datasets/imdb.npz); Keras "
              "downloads it on first use, which needs the internet"}
    )
    return {"aclimdb": acl, "imdb": imdb, "synthetic": synthetic}
