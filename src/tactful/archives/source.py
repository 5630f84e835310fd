"""An export as a set of named files, whatever it arrived as: a zip, a .tar.gz (Mastodon),
an unpacked folder, or a single file (outbox.json, repo.car, Shares.csv, tweets.js)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from tactful.errors import InputError


class _Counting:
    """A read-only file wrapper that adds what it reads to its source's ``bytes_read``."""

    def __init__(self, fh: IO[bytes], source: ArchiveSource):
        self._fh = fh
        self._source = source

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._source.bytes_read += len(data)
        return data

    def readable(self) -> bool:
        return True

    def read1(self, n: int = -1) -> bytes:
        reader = getattr(self._fh, "read1", self._fh.read)
        data: bytes = reader(n)
        self._source.bytes_read += len(data)
        return data

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

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.bytes_read = 0
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
                self._tar = tarfile.open(self.path)  # noqa: SIM115 - closed in close()
                self._names = sorted(
                    m.name.lstrip("./") for m in self._tar.getmembers() if m.isfile()
                )
            elif _looks_like_zip(self.path):
                raise InputError(
                    f"{self.path.name} is a zip that is truncated or damaged; download the "
                    "export again"
                )
            else:
                self._root = self.path.parent
                self._names = [self.path.name]
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            raise InputError(
                f"{self.path.name} cannot be opened ({exc}); it may be truncated: download the "
                "export again"
            ) from None
        self._prefix = _common_prefix(self._names)
        self._name_set = frozenset(self.names)

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
                with self._zip.open(full) as fh:
                    yield _Counting(fh, self)  # type: ignore[misc]
            elif self._tar is not None:
                member = self._tar.extractfile(self._tar_name(full))
                if member is None:
                    raise InputError(f"{name} is not a file in the archive")
                with member:
                    yield _Counting(member, self)  # type: ignore[misc]
            else:
                assert self._root is not None
                with open(self._root / full, "rb") as fh:
                    yield _Counting(fh, self)  # type: ignore[misc]
        except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
            raise InputError(f"{name} in {self.path.name} is damaged ({exc})") from None

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
