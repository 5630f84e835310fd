"""Run the trained models: the fast tier on every text, MiniLM where the fast tier is unsure.

Artifacts (``models/artifacts/``) are written by ``tactful.training.train``:
``fast.npz`` (int8 n-gram weights with a per-category scale, bias), ``slow.npz`` (MiniLM
heads, the per-category stacker, thresholds and the cascade band) and ``meta.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.errors import TactfulError
from tactful.models.features import (
    explain_skip,
    featurize,
    identity_terms,
    mask_identity,
    word_hash,
)

Array = npt.NDArray[Any]
THREADS_ENV = "TACTFUL_ENCODER_THREADS"
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


class ModelUnavailable(TactfulError):
    """The model artifacts are missing or unreadable."""


def artifacts_dir() -> Path:
    return Path(str(resources.files("tactful.models").joinpath("artifacts")))


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-category probabilities for one text, and whether MiniLM was consulted."""

    probs: Array  # (n_categories,)
    flagged: Array  # bool (n_categories,): at or above the category's threshold
    escalated: bool


def _sigmoid(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


class Cascade:
    """Load once, score many. ``encoder_threads`` bounds MiniLM's CPU use."""

    def __init__(self, directory: Path | None = None, *, encoder_threads: int | None = None):
        directory = directory or artifacts_dir()
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            fast = np.load(directory / "fast.npz")
            slow = np.load(directory / "slow.npz")
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(
                f"model artifacts in {directory} cannot be read ({exc}); "
                "reinstall tactful or run `make train`"
            ) from None
        self.categories: tuple[str, ...] = tuple(meta["categories"])
        self.index = {c: i for i, c in enumerate(self.categories)}
        self.fast_w = fast["weights"]  # int8 (DIM, C)
        self.fast_scale = fast["scale"].astype(np.float32)
        self.fast_b = fast["bias"].astype(np.float32)
        self.slow_w = slow["weights"].astype(np.float32)
        self.slow_b = slow["bias"].astype(np.float32)
        self.stack = slow["stack"].astype(np.float32)
        self.thresholds = slow["thresholds"].astype(np.float32)
        self.band = slow["band"].astype(np.float32)
        self._encoder_threads = encoder_threads
        self._encoder: Any = None
        self.meta = meta

    @property
    def encoder(self) -> Any:
        if self._encoder is None:  # loaded on first need: most posts never need it
            from tactful.models.encoder import Encoder

            # Two threads make one check faster; a scan worker per core sets this to 1
            # (read here, after a fork, not when the artifacts were loaded).
            threads = self._encoder_threads or int(os.environ.get(THREADS_ENV, "2"))
            self._encoder = Encoder(threads=threads)
        return self._encoder

    def fast_logits(self, normalised: str) -> Array:
        idx, val = featurize(normalised)
        if not len(idx):
            empty: Array = self.fast_b.copy()
            return empty
        rows = self.fast_w[idx].astype(np.float32)
        logits: Array = (val @ rows) * self.fast_scale + self.fast_b
        return logits

    def score_many(self, normalised: Sequence[str], allowed: Sequence[Array]) -> list[Scores]:
        """Score normalised texts; ``allowed[i]`` masks the categories that apply to text i."""
        fast = np.stack([self.fast_logits(t) for t in normalised]) if normalised else np.zeros((0,))
        results: list[Scores | None] = [None] * len(normalised)
        escalate: list[int] = []
        identity = identity_terms()
        for i, logits in enumerate(fast):
            near = np.abs(logits - self.thresholds[:, 0]) < self.band
            # The fast tier never sees words naming a group, so it cannot judge a post that
            # names one: MiniLM, which reads the whole text, decides those.
            names_group = not identity.isdisjoint(_WORDS.findall(normalised[i]))
            if np.any(near & allowed[i]) or names_group:
                escalate.append(i)
            else:
                flagged = (logits >= self.thresholds[:, 0]) & allowed[i]
                results[i] = Scores(_sigmoid(logits - self.thresholds[:, 0]), flagged, False)
        if escalate:
            emb = self.encoder.embed([mask_identity(normalised[i]) for i in escalate])
            slow = emb @ self.slow_w + self.slow_b
            for row, i in enumerate(escalate):
                stacked = (
                    self.stack[:, 0] * fast[i] + self.stack[:, 1] * slow[row] + self.stack[:, 2]
                )
                margin = stacked - self.thresholds[:, 1]
                flagged = (margin >= 0) & allowed[i]
                results[i] = Scores(_sigmoid(margin), flagged, True)
        return [r for r in results if r is not None]

    def top_words(self, words: Sequence[str], category: str, k: int = 3) -> list[str]:
        """The words whose unigram weights pushed hardest towards ``category``."""
        j = self.index[category]
        skip = explain_skip() | identity_terms()
        weighted = []
        for w in dict.fromkeys(w for w in words if w not in skip and len(w) > 1):
            weight = float(self.fast_w[word_hash(w), j]) * float(self.fast_scale[j])
            if weight > 0:
                weighted.append((weight, w))
        return [w for _, w in sorted(weighted, reverse=True)[:k]]


@cache
def default_cascade() -> Cascade:
    return Cascade()
