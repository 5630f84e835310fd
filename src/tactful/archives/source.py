"""An export as a set of named files, whatever it arrived as: a zip, a .tar.gz (Mastodon),
an unpacked folder, or a single file (outbox.json, repo.car, Shares.csv, tweets.js)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from tactful.archives.limits import ReadLimits, read_limits, size
from tactful.errors import InputError, LimitExceeded


class _Counting:
    """A read-only file wrapper that adds what it reads to its source's ``bytes_read``, and
    stops (:class:`LimitExceeded`) where the file goes past a read limit."""

    def __init__(self, fh: IO[bytes], source: ArchiveSource, name: str, compressed: int | None):
        self._fh = fh
        self._source = source
        self._name = name
        self._compressed = compressed  # the member's compressed size, in a zip
        self._read = 0

    def _count(self, data: bytes) -> bytes:
        self._read += len(data)
        self._source.bytes_read += len(data)
        self._source.check_expansion(self._name, self._read, self._compressed)
        return data

    def read(self, n: int = -1) -> bytes:
        return self._count(self._fh.read(n))

    def readable(self) -> bool:
        return True

    def read1(self, n: int = -1) -> bytes:
        reader = getattr(self._fh, "read1", self._fh.read)
        data: bytes = reader(n)
        return self._count(data)

    def readinto(self, b: bytearray | memoryview) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readinto1(self, b: bytearray | memoryview) -> int:
        data = self.read1(len(b))
        b[: len(data)] = data
        return len(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._fh, name)


class _BoundedTar(io.RawIOBase):
    """A compressed tar's decompressed stream that goes no further than the read limits
    allow: a .tar.gz is decompressed once to list its files, which a bomb must not make
    endless."""

    def __init__(self, fh: Any, archive: Path, limits: ReadLimits):
        super().__init__()
        self._fh = fh
        self._cap = min(
            limits.export_bytes,
            max(limits.expansion_floor_bytes, limits.expansion_ratio * archive.stat().st_size),
        )
        self._name = archive.name
        self._ratio = limits.expansion_ratio

    def _check(self, position: int) -> None:
        if position > self._cap:
            raise LimitExceeded(
                f"{self._name} expands to more than {size(self._cap)} (over {self._ratio} "
                "times its size, or past the export limit), as no real export does"
            )

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._fh.read(len(b))
        b[: len(data)] = data
        self._check(self._fh.tell())
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._fh.tell() + offset
        if whence not in (io.SEEK_SET, io.SEEK_CUR):
            target = self._fh.seek(offset, whence)
        self._check(target)
        return int(self._fh.seek(target))

    def tell(self) -> int:
        return int(self._fh.tell())

    def close(self) -> None:
        self._fh.close()
        super().close()


class HeadAndRest(io.RawIOBase):
    """A file object that gives ``head`` (bytes already read from ``fh`` to look at them),
    then the rest of ``fh``: peeking at a stream without reading it twice."""

    def __init__(self, head: bytes, fh: IO[bytes]):
        super().__init__()
        self._head = head
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._fh.read(len(b))
        b[: len(data)] = data
        return len(data)


def peek(fh: IO[bytes], size: int = 4096) -> tuple[bytes, io.BufferedReader]:
    """The first ``size`` bytes of ``fh``, and a stream that still starts at its beginning."""
    head = fh.read(size)
    return head, io.BufferedReader(HeadAndRest(head, fh))


class ArchiveSource:
    """Files by their path inside the export (POSIX style, no leading folder). ``bytes_read``
    counts what importers have read so far, for progress."""

    def __init__(self, path: str | Path, limits: ReadLimits | None = None):
        self.path = Path(path)
        self.bytes_read = 0
        self.limits = limits or read_limits()
        self.problems: list[tuple[str, str]] = []  # (where, why) the export is cut short
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._root: Path | None = None
        self._names: list[str] = []
        if not self.path.exists():
            raise InputError(f"{str(path)!r} does not exist; give an export zip, folder or file")
        try:
            if self.path.is_dir():
                self._root = self.path
                self._names = sorted(
                    p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
                )
            elif zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
                self._names = sorted(n for n in self._zip.namelist() if not n.endswith("/"))
            elif _is_tar(self.path):
                self._tar = _open_tar(self.path, self.limits)
                self._names = sorted(
                    m.name.lstrip("./") for m in self._list_tar(self._tar) if m.isfile()
                )
            elif _looks_like_zip(self.path):
                raise InputError(
                    f"{self.path.name} is a zip that is truncated or damaged; download the "
                    "export again"
                )
            else:
                self._root = self.path.parent
                self._names = [self.path.name]
        except LimitExceeded:
            raise
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            raise InputError(
                f"{self.path.name} cannot be opened ({exc}); it may be truncated: download the "
                "export again"
            ) from None
        self._prefix = _common_prefix(self._names)
        self._name_set = frozenset(self.names)
        # A zip may hold two entries of one name; only the last can be opened by name.
        self.duplicates = {n: k for n, k in sorted(Counter(self.names).items()) if k > 1}

    def _list_tar(self, tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
        """The tar's files, up to where its listing reaches a read limit (then the files
        listed so far, and the reason in ``problems``)."""
        while True:
            try:
                member = tar.next()
            except LimitExceeded as exc:
                self.problems.append((self.path.name, f"{exc}; the files after it were not read"))
                tar._loaded = True  # type: ignore[attr-defined]  # keep the listing as it is
                break
            if member is None:
                break
        return tar.getmembers()

    @property
    def names(self) -> list[str]:
        """Paths inside the export, with a single top folder (``archive-2024/...``) removed."""
        return [n[len(self._prefix) :] for n in self._names]

    def find(self, *patterns: str) -> list[str]:
        """Names matching any glob pattern (``data/tweets*.js``), sorted naturally."""
        found = {n for n in self.names for p in patterns if PurePosixPath(n).match(p)}
        return sorted(found, key=_natural)

    def exists(self, name: str) -> bool:
        return name in self._name_set

    def size(self, name: str) -> int:
        full = self._prefix + name
        if self._zip is not None:
            return self._zip.getinfo(full).file_size
        if self._tar is not None:
            return self._tar.getmember(self._tar_name(full)).size
        assert self._root is not None
        return (self._root / full).stat().st_size

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        full = self._prefix + name
        try:
            if self._zip is not None:
                info = self._zip.getinfo(full)
                with self._zip.open(info) as fh:
                    yield _Counting(fh, self, name, info.compress_size)  # type: ignore[misc]
            elif self._tar is not None:
                member = self._tar.extractfile(self._tar_name(full))
                if member is None:
                    raise InputError(f"{name} is not a file in the archive")
                with member:
                    yield _Counting(member, self, name, None)  # type: ignore[misc]
            else:
                assert self._root is not None
                with open(self._root / full, "rb") as fh:
                    yield _Counting(fh, self, name, None)  # type: ignore[misc]
        except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
            raise InputError(f"{name} in {self.path.name} is damaged ({exc})") from None

    def check_expansion(self, name: str, read: int, compressed: int | None) -> None:
        """Stop (:class:`LimitExceeded`) where one file, or the whole export, has given more
        decompressed bytes than the read limits allow."""
        lim = self.limits
        if read > lim.member_bytes:
            raise LimitExceeded(
                f"{name} holds more than {size(lim.member_bytes)}; the rest of it was not read"
            )
        expanded = compressed is not None and read > lim.expansion_ratio * max(compressed, 1)
        if expanded and read > lim.expansion_floor_bytes:
            raise LimitExceeded(
                f"{name} expands more than {lim.expansion_ratio} times its compressed size "
                f"({size(compressed or 0)}), as no real export does; the rest of it was not read"
            )
        if self.bytes_read > lim.export_bytes:
            raise LimitExceeded(
                f"the export has given more than {size(lim.export_bytes)}; the rest of {name} "
                "and the files after it were not read"
            )

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def _tar_name(self, full: str) -> str:
        assert self._tar is not None
        for candidate in (full, "./" + full):
            try:
                self._tar.getmember(candidate)
                return candidate
            except KeyError:
                continue
        raise InputError(f"{full} is not in the archive")

    def fingerprint(self, inputs: list[str] | None = None) -> str:
        """What identifies this export for resuming: its path and the sizes of the files
        read (and, for an unpacked folder, their modification times)."""
        import hashlib

        st = self.path.stat()
        parts = [str(self.path.resolve()), str(st.st_size), str(int(st.st_mtime))]
        for name in inputs or []:
            parts.append(f"{name}:{self.size(name)}")
            if self._root is not None:
                parts.append(str(int((self._root / (self._prefix + name)).stat().st_mtime)))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()

    def __enter__(self) -> ArchiveSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _looks_like_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _open_tar(path: Path, limits: ReadLimits) -> tarfile.TarFile:
    """A tar, compressed or not, whose listing stops at the read limits."""
    import bz2
    import gzip
    import lzma

    with open(path, "rb") as fh:
        magic = fh.read(6)
    opener = (
        gzip.open
        if magic[:2] == b"\x1f\x8b"
        else bz2.open
        if magic[:3] == b"BZh"
        else lzma.open
        if magic[:6] == b"\xfd7zXZ\x00"
        else None
    )
    if opener is None:
        return tarfile.open(path)  # not compressed: its size is what it holds
    stream = io.BufferedReader(_BoundedTar(opener(path, "rb"), path, limits), 1 << 16)
    try:
        tar = tarfile.open(fileobj=stream, mode="r:")  # noqa: SIM115 - closed with the source
    except BaseException:
        stream.close()
        raise
    tar._extfileobj = False  # type: ignore[attr-defined]  # closing the tar closes the stream
    return tar


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


# Folders that belong to a format's own layout, never a wrapper to strip.
FORMAT_FOLDERS = frozenset(
    {
        "data",
        "content",
        "media",
        "posts",
        "your_instagram_activity",
        "your_facebook_activity",
        "your_activity_across_facebook",
    }
)


def _common_prefix(names: list[str]) -> str:
    """A single top-level folder wrapping every file (``archive-2024/...``), else ''."""
    if not names or not all("/" in n for n in names):
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1:
        return ""
    top = tops.pop()
    return "" if top in FORMAT_FOLDERS else top + "/"


def _natural(name: str) -> tuple[object, ...]:
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))
