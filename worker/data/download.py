"""Download a file with a timeout and a sha256 check, into place atomically."""

import hashlib
import time
import urllib.request
from pathlib import Path

from worker.files import atomic_writer

CHUNK_BYTES = 1 << 20


class DownloadFailed(RuntimeError):
    """The file could not be fetched or did not match its checksum; the message says why."""


def download_verified(url: str, dest: Path, sha256: str, *, timeout_s: float = 30.0, deadline_s: float = 1800.0) -> Path:
    """Fetch `url` to `dest`, failing if a read stalls `timeout_s`, the whole takes `deadline_s`, or the sha256 differs.

    The file is written atomically (worker.files): a failed or cut-off download leaves nothing at `dest`.
    """
    digest = hashlib.sha256()
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, atomic_writer(dest) as out:
            while chunk := response.read(CHUNK_BYTES):
                if time.monotonic() - started > deadline_s:
                    raise DownloadFailed(f"took longer than {deadline_s:.0f} s")
                digest.update(chunk)
                out.write(chunk)
            if digest.hexdigest() != sha256:
                raise DownloadFailed(f"sha256 {digest.hexdigest()} differs from the expected {sha256}")
        return dest
    except DownloadFailed:
        raise
    except Exception as exc:  # network, HTTP and disk errors all mean the same to the caller
        raise DownloadFailed(f"{type(exc).__name__}: {exc}") from exc
