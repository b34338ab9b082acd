"""Atomic writes: a temporary sibling renamed into place, removed on failure; a full disk or a read-only folder named."""

import errno
import logging
import os

import pytest

from worker import files
from worker.data import load_dataset
from worker.files import WriteFailed, atomic_writer, write_bytes_atomically, write_folder_atomically


def full_disk_after(monkeypatch, allowed: int) -> None:
    """Make every file write fail with ENOSPC once `allowed` bytes were written in total."""
    written = {"bytes": 0}

    class FullDisk:
        def __init__(self, raw):
            self.raw = raw

        def write(self, data):
            if written["bytes"] + len(data) > allowed:
                raise OSError(errno.ENOSPC, "No space left on device")
            written["bytes"] += len(data)
            return self.raw.write(data)

        def __getattr__(self, name):
            return getattr(self.raw, name)

    real_fdopen = os.fdopen
    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_write_lands_whole_and_leaves_no_temporary(tmp_path):
    write_bytes_atomically(tmp_path / "out.bin", b"x" * 1000)
    assert (tmp_path / "out.bin").read_bytes() == b"x" * 1000
    assert leftovers(tmp_path) == ["out.bin"]


def test_a_full_disk_names_the_path_and_the_space_needed(tmp_path, monkeypatch):
    (tmp_path / "out.bin").write_bytes(b"old")
    full_disk_after(monkeypatch, allowed=100)
    with pytest.raises(WriteFailed) as error:
        write_bytes_atomically(tmp_path / "out.bin", b"x" * 250_000)
    assert str(error.value).startswith(f"Could not write {tmp_path / 'out.bin'}: the disk is full (0.2 MB needed, ")
    assert str(error.value).endswith(" free there); free some space there or set BATTLEFIELD_DATA_DIR to a larger disk.")
    assert error.value.errno == errno.ENOSPC
    assert (tmp_path / "out.bin").read_bytes() == b"old"      # the old file untouched
    assert leftovers(tmp_path) == ["out.bin"]                 # and the temporary gone


def test_a_full_disk_found_at_the_final_flush_is_named_too(tmp_path, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(WriteFailed, match=r"the disk is full \(10 bytes needed"):
        write_bytes_atomically(tmp_path / "out.bin", b"0123456789")
    assert leftovers(tmp_path) == []


def test_other_errors_inside_the_block_propagate_as_they_are(tmp_path):
    with pytest.raises(TimeoutError):
        with atomic_writer(tmp_path / "out.bin") as out:
            out.write(b"partial")
            raise TimeoutError("the network stalled")
    assert leftovers(tmp_path) == []


def test_any_exception_inside_the_block_removes_the_temporary(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(tmp_path / "out.bin") as out:
            out.write(b"partial")
            raise KeyboardInterrupt
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_named(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WriteFailed, match=f"Could not write {folder / 'out.bin'}: the folder is not writable"):
            write_bytes_atomically(folder / "out.bin", b"x")
    finally:
        folder.chmod(0o700)


def test_a_refused_folder_is_named_with_what_to_do(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    with pytest.raises(WriteFailed) as error:
        write_bytes_atomically(tmp_path / "out.bin", b"x")
    assert str(error.value) == (f"Could not write {tmp_path / 'out.bin'}: the folder is not writable (Permission denied); "
                                "make it writable or set BATTLEFIELD_DATA_DIR to a writable folder.")


def test_a_folder_write_that_fails_leaves_no_staging_folder(tmp_path, monkeypatch):
    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.Path, "write_bytes", no_space)
    with pytest.raises(WriteFailed, match=r"the disk is full \(3,000 bytes needed"):
        write_folder_atomically(tmp_path / "entry", {"a": b"x" * 1000, "b": b"y" * 2000})
    assert leftovers(tmp_path) == []


def test_a_cache_that_cannot_be_written_is_logged_and_the_data_returned(tmp_path, monkeypatch, caplog):
    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.Path, "write_bytes", no_space)
    with caplog.at_level(logging.WARNING, logger="worker.data.cache"):
        data = load_dataset("synthetic", data_dir=tmp_path, num_words=50, maxlen=10)
    written_normally = load_dataset("synthetic", data_dir=tmp_path / "other", num_words=50, maxlen=10)
    assert (data.x_train == written_normally.x_train).all() and (data.y_test == written_normally.y_test).all()
    assert f"Not cached: Could not write {tmp_path / 'cache' / data.fingerprint}: the disk is full" in caplog.text
    assert leftovers(tmp_path / "cache") == []
