"""The aclImdb reader checks what it read: corruption, truncation, missing classes, junk files, content keys."""

import io
import json
import os
import shutil

import numpy as np
import pytest

from tests.support.archives import flip_bytes, generated_reviews, unavailable_message, without, write_archive, write_folder
from worker.config import settings
from worker.data import DatasetUnavailable, load_dataset
from worker.data.aclimdb import read_reviews

PER_CLASS = 300  # reviews per class and split: about 100 kB compressed, so a flip lands in the middle of the data


@pytest.fixture(scope="module")
def members() -> dict[str, str]:
    return generated_reviews(PER_CLASS)


@pytest.fixture
def archive(tmp_path, members):
    return write_archive(tmp_path / "aclImdb_v1.tar.gz", members)


def load(path, data_dir, **options):
    return load_dataset("aclimdb", aclimdb_path=path, data_dir=data_dir, num_words=50, maxlen=12, **options)


# corrupt and truncated archives


def test_bytes_flipped_in_the_middle_are_refused_as_corrupt(archive, tmp_path):
    flip_bytes(archive, at=0.5)
    with pytest.raises(DatasetUnavailable, match=f"The aclImdb archive at {archive} is corrupt ") as error:
        load(archive, tmp_path / "data")
    assert f"Check it with `gzip -t {archive}`, then download aclImdb_v1.tar.gz again" in str(error.value)


@pytest.mark.parametrize("at", [0.1, 0.3, 0.7, 0.9])
def test_bytes_flipped_anywhere_are_refused(archive, tmp_path, at):
    flip_bytes(archive, at=at)
    with pytest.raises(DatasetUnavailable, match="is corrupt"):
        read_reviews(archive)


def test_a_flipped_byte_in_the_gzip_trailer_fails_the_crc_check(archive, tmp_path):
    flip_bytes(archive, at=1.0 - 8 / archive.stat().st_size, count=1)  # first byte of the CRC32
    with pytest.raises(DatasetUnavailable, match="is corrupt .*CRC check failed"):
        read_reviews(archive)


def test_an_archive_cut_in_half_is_refused_as_truncated(archive, tmp_path):
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(DatasetUnavailable, match=f"The aclImdb archive at {archive} is truncated "):
        load(archive, tmp_path / "data")


def test_a_plain_tar_cut_inside_a_review_is_refused_as_truncated(tmp_path, members):
    import tarfile

    plain = tmp_path / "aclImdb.tar"
    with tarfile.open(plain, "w") as tar:
        for name, text in list(members.items())[:40]:
            path = write_folder(tmp_path / "src", {name: text}) / name
            tar.add(path, arcname=name)
    plain.write_bytes(plain.read_bytes()[: 4 * 1024 + 512 + 100])  # within the fifth review's text
    with pytest.raises(DatasetUnavailable, match="is truncated"):
        read_reviews(plain)


def test_an_intact_archive_reads_every_review(archive):
    reviews, report = read_reviews(archive)
    assert report == {"reviews": {"train/neg": PER_CLASS, "train/pos": PER_CLASS, "test/neg": PER_CLASS,
                                  "test/pos": PER_CLASS}, "skipped": {}}
    assert len(reviews["train"]["texts"]) == 2 * PER_CLASS


# the layout: both classes in each split


@pytest.mark.parametrize("folder", ["train/neg", "train/pos", "test/neg", "test/pos"])
def test_an_archive_without_a_class_is_refused_naming_it(tmp_path, members, folder):
    archive = write_archive(tmp_path / "partial.tar.gz", without(members, folder))
    with pytest.raises(DatasetUnavailable, match=f"holds no reviews under aclImdb/{folder} ") as error:
        load(archive, tmp_path / "data")
    assert f"0 {folder}" in str(error.value) and "each split needs both classes" in str(error.value)


def test_a_folder_without_a_class_folder_is_refused_naming_it(tmp_path, members):
    folder = write_folder(tmp_path / "extracted", without(members, "test/neg"))
    assert unavailable_message(load, folder, tmp_path / "data") == (
        f"The aclImdb folder {folder / 'aclImdb'} has no test/neg folder; expected the layout "
        "aclImdb/{train,test}/{pos,neg}/*.txt. Set BATTLEFIELD_ACLIMDB to the folder the archive extracts to "
        "(or to the archive itself)."
    )


# files that are not reviews


def junk_beside(members: dict[str, str]) -> dict[str, str | bytes]:
    """A Mac's leftovers beside every review, plus a hidden file, a non-text file and undecodable bytes."""
    junk: dict[str, str | bytes] = {}
    for name in members:
        folder, file = name.rsplit("/", 1)
        junk[f"{folder}/._{file}"] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02"
    junk["__MACOSX/aclImdb/train/pos/._0_7.txt"] = b"\x00\x05\x16\x07"
    junk["aclImdb/train/pos/.DS_Store"] = b"\x00\x00\x00\x01Bud1"
    junk["aclImdb/test/neg/Thumbs.db"] = b"\xd0\xcf\x11\xe0"
    junk["aclImdb/train/neg/9999_1.txt"] = b"\xff\xfe\x00b\x00a\x00d"
    return {**members, **junk}


EXPECTED_SKIPS = {"hidden": 1, "macos_metadata": 4 * PER_CLASS + 1, "not_txt": 1, "not_utf8": 1}


def test_junk_in_an_archive_is_skipped_and_counted(tmp_path, members):
    archive = write_archive(tmp_path / "mac.tar.gz", junk_beside(members))
    data = load(archive, tmp_path / "data")
    assert data.source_report["skipped"] == EXPECTED_SKIPS
    assert data.source_report["reviews"]["train/pos"] == PER_CLASS
    assert len(data.x_train) + len(data.x_val) == 2 * PER_CLASS


def test_junk_in_a_folder_is_skipped_and_counted(tmp_path, members):
    junk = {name: text for name, text in junk_beside(members).items() if not name.startswith("__MACOSX/")}
    folder = write_folder(tmp_path / "extracted", junk)
    data = load(folder, tmp_path / "data")
    assert data.source_report["skipped"] == {**EXPECTED_SKIPS, "macos_metadata": 4 * PER_CLASS}
    assert len(data.x_test) == 2 * PER_CLASS


def test_the_counts_come_back_from_the_cache(tmp_path, members):
    archive = write_archive(tmp_path / "mac.tar.gz", junk_beside(members))
    first = load(archive, tmp_path / "data")
    second = load(archive, tmp_path / "data")
    assert second.source_report == first.source_report


# the cache key is the content


def test_a_review_edited_in_place_in_a_folder_is_read_again(tmp_path, members):
    folder = write_folder(tmp_path / "extracted", members)
    first = load(folder, tmp_path / "data")
    review = folder / "aclImdb/test/pos/0_7.txt"
    stat = review.stat()
    review.write_text("zzz " * 40, encoding="utf-8")
    os.utime(review.parent, ns=(stat.st_atime_ns, review.parent.stat().st_mtime_ns))  # the folder's mtime unchanged
    second = load(folder, tmp_path / "data")
    assert first.fingerprint != second.fingerprint
    assert not np.array_equal(first.x_test, second.x_test)


def test_an_archive_replaced_by_one_of_the_same_size_and_mtime_is_read_again(tmp_path, members):
    import tarfile

    def plain_tar(path, reviews):
        with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:  # no compression: equal text, equal size
            for name, text in reviews.items():
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(text.encode()), 0
                tar.addfile(info, io.BytesIO(text.encode()))
        return path

    archive = plain_tar(tmp_path / "aclImdb.tar", members)
    first = load(archive, tmp_path / "data")
    stat = archive.stat()
    review = "aclImdb/test/pos/0_7.txt"
    changed = {**members, review: members[review].replace("the", "zzz")}
    payload = plain_tar(tmp_path / "other.tar", changed).read_bytes()
    assert len(payload) == stat.st_size and payload != archive.read_bytes()
    archive.write_bytes(payload)  # in place: the same path and size
    os.utime(archive, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same modification time
    second = load(archive, tmp_path / "data")
    assert first.fingerprint != second.fingerprint
    assert not np.array_equal(first.x_test, second.x_test)


def test_an_archive_moved_elsewhere_keeps_its_cache(tmp_path, members, monkeypatch):
    archive = write_archive(tmp_path / "aclImdb_v1.tar.gz", members)
    first = load(archive, tmp_path / "data")
    moved = shutil.move(archive, tmp_path / "moved.tar.gz")
    second = load(moved, tmp_path / "data")
    assert first.fingerprint == second.fingerprint


def test_the_hash_of_an_archive_is_computed_once(tmp_path, members, monkeypatch):
    import hashlib

    archive = write_archive(tmp_path / "aclImdb_v1.tar.gz", members)
    load(archive, tmp_path / "data")
    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: pytest.fail("hashed the archive again"))
    load(archive, tmp_path / "data", seed=5)


def test_an_entry_that_carries_another_key_is_rebuilt(tmp_path, archive):
    first = load(archive, tmp_path / "data")
    meta_path = tmp_path / "data" / "cache" / first.fingerprint / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["key"]["tokenizer"] = 1
    meta["vocab"] = ["stale"] * len(meta["vocab"])
    meta_path.write_text(json.dumps(meta))
    second = load(archive, tmp_path / "data")
    assert second.vocab == first.vocab
    assert json.loads(meta_path.read_text())["key"]["tokenizer"] != 1


# BATTLEFIELD_ACLIMDB_SHA256


def test_an_archive_of_another_sha256_is_refused(tmp_path, archive, monkeypatch):

    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"aclimdb_sha256": "ab" * 32}))
    with pytest.raises(DatasetUnavailable, match=f"has sha256 [0-9a-f]{{64}}, not the {'ab' * 32} that "
                                                 "BATTLEFIELD_ACLIMDB_SHA256 asks for"):
        load(archive, tmp_path / "data")


def test_an_archive_of_the_expected_sha256_loads(tmp_path, archive, monkeypatch):
    import hashlib

    digest = hashlib.sha256(archive.read_bytes()).hexdigest().upper()
    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"aclimdb_sha256": digest}))
    assert len(load(archive, tmp_path / "data").x_test) == 2 * PER_CLASS


# the validation share


def test_a_validation_share_that_rounds_to_zero_is_refused_with_the_figures(tmp_path):
    tiny = write_archive(tmp_path / "tiny.tar.gz", generated_reviews(2))
    assert unavailable_message(load, tiny, tmp_path / "data", val_split=0.2) == (
        "The validation share would hold no negative review: val_split 0.2 keeps 0 of 2 negative, 0 of 2 positive "
        "training reviews for validation; raise val_split to at least 0.26 or train on more reviews."
    )


def test_a_validation_share_with_one_review_of_each_class_is_accepted(tmp_path):
    tiny = write_archive(tmp_path / "tiny.tar.gz", generated_reviews(2))
    data = load(tiny, tmp_path / "data", val_split=0.26)
    assert sorted(data.y_val.tolist()) == [0.0, 1.0]


# what the command line shows


@pytest.fixture
def cli_data_dir(tmp_path, monkeypatch):
    """The command line's data folder (settings.data_dir) in tmp_path, never ./data."""

    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"data_dir": tmp_path / "data"}))


def test_the_json_summary_carries_the_reader_counts(tmp_path, members, capsys, cli_data_dir):
    from worker.cli import main

    archive = write_archive(tmp_path / "mac.tar.gz", junk_beside(members))
    code = main(["fasttext", "--dataset", "aclimdb", "--aclimdb", str(archive), "--json", "--device", "cpu",
                 "--set", "epochs=1", "--set", "num_words=100", "--set", "maxlen=16", "--set", "embedding_dim=4"])
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert code == 0
    assert summary["data"] == {"reviews": {cls: PER_CLASS for cls in ("train/neg", "train/pos", "test/neg", "test/pos")},
                               "skipped": EXPECTED_SKIPS}


def test_the_text_output_says_what_was_skipped(tmp_path, members, capsys, cli_data_dir):
    from worker.cli import main

    archive = write_archive(tmp_path / "mac.tar.gz", junk_beside(members))
    main(["fasttext", "--dataset", "aclimdb", "--aclimdb", str(archive), "--device", "cpu",
          "--set", "epochs=1", "--set", "num_words=100", "--set", "maxlen=16", "--set", "embedding_dim=4"])
    assert (f"aclimdb: read {PER_CLASS} train/neg, {PER_CLASS} train/pos, {PER_CLASS} test/neg, {PER_CLASS} test/pos "
            f"reviews; skipped {4 * PER_CLASS + 4:,} files that are not reviews: 1 hidden files, "
            f"{4 * PER_CLASS + 1:,} macOS metadata (._* files, __MACOSX/), 1 files without the .txt extension, "
            "1 files that are not UTF-8 text") in capsys.readouterr().out


def test_a_too_small_validation_share_fails_the_command_before_training(tmp_path, capsys, cli_data_dir):
    from worker.cli import main

    tiny = write_archive(tmp_path / "tiny.tar.gz", generated_reviews(2))
    code = main(["fasttext", "--dataset", "aclimdb", "--aclimdb", str(tiny), "--json", "--set", "val_split=0.2"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "error: The validation share would hold no negative review: val_split 0.2 keeps 0 of 2 negative" in err
