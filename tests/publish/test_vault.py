"""The key that seals stored tokens: made once, atomically, readable by its owner only."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest

from tactful.publish import vault

PROCESSES = 12
ROUNDS = 20  # fresh key files, raced for in turn: the window is small, so try it often
GIVE_UP_S = 120  # a hang guard only


def _seal_first_tokens(folder: str, n: int, barrier: Any, results: Any) -> None:
    """One process: in each round, wait for the others, then seal a token on a key file
    that nobody has made yet."""
    import os

    for r in range(ROUNDS):
        os.environ[vault.ENV_KEY_FILE] = os.path.join(folder, f"round-{r}", "tokens.key")
        barrier.wait(GIVE_UP_S)
        try:
            results.put((r, n, vault.seal({"token": f"token-{n}"}), None))
        except Exception as exc:  # reported to the test, which fails with it
            results.put((r, n, None, f"{type(exc).__name__}: {exc}"))


def test_processes_sealing_their_first_token_at_once_share_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(target=_seal_first_tokens, args=(str(tmp_path), n, barrier, results))
        for n in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    sealed = [results.get(timeout=GIVE_UP_S) for _ in range(PROCESSES * ROUNDS)]
    for p in procs:
        p.join(GIVE_UP_S)
    assert [error for *_, error in sealed if error] == []
    for r in range(ROUNDS):
        key = tmp_path / f"round-{r}" / "tokens.key"
        monkeypatch.setenv(vault.ENV_KEY_FILE, str(key))
        # Every token opens with the one key left on disk: no process sealed with another.
        opened = {vault.open_sealed(blob)["token"] for rr, _, blob, _ in sealed if rr == r}
        assert opened == {f"token-{n}" for n in range(PROCESSES)}
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert [p.name for p in key.parent.iterdir()] == ["tokens.key"]  # no drafts left


def test_a_key_readable_by_others_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "tokens.key"
    monkeypatch.setenv(vault.ENV_KEY_FILE, str(key))
    blob = vault.seal({"token": "t"})
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    with pytest.raises(vault.InputError, match="chmod 600"):
        vault.open_sealed(blob)
