"""Stream the regular files of a tar archive (gzip, bzip2, xz or plain) and check that all of it was read.

tarfile alone stops silently at the first unreadable header and never checks gzip's CRC in stream
mode, so a corrupt archive would pass for a shorter one. Here the decompression is done by the
gzip, bz2 and lzma modules (which check the CRC and the length at the end of the stream), the stream
is read to its very end, and whatever follows the tar's end must be the zero padding tar writes.
"""

import bz2
import gzip
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK_BYTES = 1 << 20
_OPENERS: tuple[tuple[bytes, Callable[[BinaryIO], BinaryIO]], ...] = (
    (b"\x1f\x8b", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    (b"BZh", lambda raw: bz2.BZ2File(raw, mode="rb")),
    (b"\xfd7zXZ\x00", lambda raw: lzma.LZMAFile(raw, mode="rb")),
)


class ArchiveDamaged(Exception):
    """The archive is corrupt or truncated; `kind` is "corrupt" or "truncated", the message the detail."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


def tar_files(path: Path, wanted: Callable[[str], bool]) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of each regular file whose name is `wanted`, in archive order.

    Raises ArchiveDamaged when the compressed stream fails its CRC, ends early, holds invalid data,
    or the tar stops at an unreadable header with data after it. OSError for a file that cannot be read.
    """
    with open(path, "rb") as raw:
        stream = _decompressed(raw)
        try:
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                for member in archive:
                    if member.isfile() and wanted(member.name):
                        yield member.name, archive.extractfile(member).read()
            _read_to_the_end(stream)
        except EOFError as exc:
            raise ArchiveDamaged("truncated", f"the compressed stream ends early: {exc}") from exc
        except (gzip.BadGzipFile, zlib.error, lzma.LZMAError) as exc:
            raise ArchiveDamaged("corrupt", f"{type(exc).__name__}: {exc}") from exc
        except tarfile.ReadError as exc:
            ended = any(sign in str(exc) for sign in ("unexpected end", "empty header", "truncated header"))
            kind = "truncated" if ended else "corrupt"
            raise ArchiveDamaged(kind, f"tar: {exc}") from exc
        except OSError as exc:  # bz2 reports invalid data as a plain OSError
            if "Invalid data stream" in str(exc):
                raise ArchiveDamaged("corrupt", f"{type(exc).__name__}: {exc}") from exc
            raise
        finally:
            stream.close()


def _decompressed(raw: BinaryIO) -> BinaryIO:
    """The decompressing reader for the magic bytes at the start of `raw` (raw itself for a plain tar)."""
    magic = raw.read(6)
    raw.seek(0)
    for prefix, opener in _OPENERS:
        if magic.startswith(prefix):
            return opener(raw)
    return raw


def _read_to_the_end(stream: BinaryIO) -> None:
    """Read past the tar's end to the end of the stream (where gzip checks its CRC); only zeros may follow."""
    while chunk := stream.read(CHUNK_BYTES):
        if chunk.strip(b"\0"):
            raise ArchiveDamaged("corrupt", "the tar stops at an unreadable header, with data after it")
