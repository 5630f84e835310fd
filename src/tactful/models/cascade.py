"""Run the trained models: the fast tier on every text, the teacher where the fast tier is unsure.

Artifacts (``models/artifacts/``): ``fast.npz`` (int8 n-gram weights with a per-category
scale, bias and the cascade band), ``meta.json`` (written by ``tactful.training.train``),
``teacher.onnx`` and ``teacher.json`` (written by ``tactful.training.teacher``).

Both tiers speak in *margins*: the teacher's logit minus its threshold for the category, and
the fast tier's estimate of that margin (it was trained to predict it). A margin of 0 or more
flags the category; the fast tier's answer stands unless some category the post's context
allows is inside its band around 0, or the post names a group and the fast tier leans
towards calling it an attack on one: then the teacher reads the whole text.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.errors import TactfulError
from tactful.models.features import featurize, identity_terms, mask_identity
from tactful.models.teacher import TEACHER_FILE, TEACHER_META, Teacher

Array = npt.NDArray[Any]
THREADS_ENV = "TACTFUL_ENCODER_THREADS"
# A post naming a group goes to the teacher unless the fast tier's offense.identity margin is
# below -GROUP_MARGIN (sure it is not an attack).
GROUP_MARGIN = 0.0
TEACHER_RECENT = 1024  # texts whose teacher margins are remembered (a scan chunk's worth)
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


class ModelUnavailable(TactfulError):
    """The model artifacts are missing or unreadable."""


def artifacts_dir() -> Path:
    return Path(str(resources.files("tactful.models").joinpath("artifacts")))


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-category probabilities for one text, and whether the teacher was consulted."""

    probs: Array  # (n_categories,): sigmoid of the margin
    flagged: Array  # bool (n_categories,): margin at or above 0
    escalated: bool


def _sigmoid(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


class Cascade:
    """Load once, score many. ``encoder_threads`` bounds the teacher's CPU use."""

    def __init__(self, directory: Path | None = None, *, encoder_threads: int | None = None):
        directory = directory or artifacts_dir()
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            teacher = json.loads((directory / TEACHER_META).read_text(encoding="utf-8"))
            fast = np.load(directory / "fast.npz")
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(
                f"model artifacts in {directory} cannot be read ({exc}); "
                "reinstall tactful or run `make train`"
            ) from None
        self.categories: tuple[str, ...] = tuple(meta["categories"])
        if tuple(teacher["categories"]) != self.categories or meta.get(
            "teacher_sha256"
        ) != teacher.get("sha256"):
            raise ModelUnavailable(
                f"the fast tier in {directory} was distilled from another teacher; run `make train`"
            )
        self.index = {c: i for i, c in enumerate(self.categories)}
        self.fast_w = fast["weights"]  # int8 (DIM, C)
        self.fast_scale = fast["scale"].astype(np.float32)
        self.fast_b = fast["bias"].astype(np.float32)
        self.band = fast["band"].astype(np.float32)
        self.teacher_thresholds = np.array(teacher["thresholds"], dtype=np.float32)
        self._teacher_path = directory / TEACHER_FILE
        self._teacher_sha256: str = teacher["sha256"]
        self._encoder_threads = encoder_threads
        self._teacher: Teacher | None = None
        self._recent: dict[str, Array] = {}  # normalised text -> teacher margins, oldest first
        self._lock = threading.Lock()
        self.meta = meta

    @property
    def teacher(self) -> Teacher:
        if self._teacher is None:  # loaded on first need: most posts never need it
            # Two threads make one check faster; a scan worker per core sets this to 1
            # (read here, after a fork, not when the artifacts were loaded).
            threads = self._encoder_threads or int(os.environ.get(THREADS_ENV, "2"))
            self._teacher = Teacher(
                self._teacher_path, expected_sha256=self._teacher_sha256, threads=threads
            )
        return self._teacher

    def fast_margins(self, normalised: str) -> Array:
        """The fast tier's estimate of the teacher's margin per category."""
        idx, val = _features(normalised)
        if not len(idx):
            empty: Array = self.fast_b.copy()
            return empty
        rows = self.fast_w[idx].astype(np.float32)
        margins: Array = (val @ rows) * self.fast_scale + self.fast_b
        return margins

    def fast_contributions(self, normalised: str, words: Sequence[str], j: int) -> Array:
        """What each of ``words`` (normalised, from ``normalised``) adds to category ``j``'s
        fast margin: the weights of its own unigram and character n-grams, as the whole text
        scales them."""
        idx, val = _features(normalised)
        if not len(idx):
            return np.zeros(len(words), dtype=np.float32)
        weighted = val * self.fast_w[idx, j].astype(np.float32) * self.fast_scale[j]
        weight_of = dict(zip(idx.tolist(), weighted.tolist(), strict=True))
        return np.array(
            [
                sum(weight_of.get(k, 0.0) for k in _word_features(w))
                if len(w) <= _CACHED_WORD
                else sum(weight_of.get(k, 0.0) for k in featurize(w)[0].tolist())
                for w in words
            ],
            dtype=np.float32,
        )

    def teacher_margins(self, normalised: Sequence[str]) -> Array:
        """The teacher's margins (logit minus threshold) per category. Each text is scored
        on its own, so a recent text's answer is reused: a finding the teacher decided is
        pointed at words by scoring its post again with each word blanked."""
        if not normalised:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        with self._lock:  # the web app checks posts from several threads on one cascade
            known = {t: self._recent[t] for t in normalised if t in self._recent}
        missing = list(dict.fromkeys(t for t in normalised if t not in known))
        if missing:
            logits = self.teacher.logits([mask_identity(t) for t in missing])
            fresh = logits - self.teacher_thresholds
            with self._lock:
                for text, row in zip(missing, fresh, strict=True):
                    known[text] = self._recent[text] = row.copy()
                    while len(self._recent) > TEACHER_RECENT:
                        self._recent.pop(next(iter(self._recent)), None)  # the oldest
        return np.stack([known[t] for t in normalised])

    def _judges_a_group(
        self, normalised: str, margins: Array, allowed: Array, identity: frozenset[str]
    ) -> bool:
        """The fast tier never sees the words that name a group, so it cannot tell "people
        from china are just that, people" from an attack: a post that names a group and that
        it leans towards calling an attack on one goes to the teacher, which reads it whole."""
        j = self.index.get("offense.identity")
        if j is None or not allowed[j] or margins[j] < -GROUP_MARGIN:
            return False
        return _names_a_group(normalised, identity)

    def fast_was_sure(self, normalised: str, category: str) -> bool:
        """Whether the fast tier alone flags ``category`` on this text, outside its band (so
        a teacher that flags it too only confirms it), and the category is one it can judge
        alone: never ``offense.identity`` on a post that names a group."""
        j = self.index[category]
        margins = self.fast_margins(normalised)
        if margins[j] < self.band[j]:
            return False
        return category != "offense.identity" or not _names_a_group(normalised, identity_terms())

    def score_many(self, normalised: Sequence[str], allowed: Sequence[Array]) -> list[Scores]:
        """Score normalised texts; ``allowed[i]`` masks the categories that apply to text i."""
        fast = [self.fast_margins(t) for t in normalised]
        results: list[Scores | None] = [None] * len(normalised)
        escalate: list[int] = []
        identity = identity_terms()
        for i, margins in enumerate(fast):
            if np.any((np.abs(margins) < self.band) & allowed[i]) or self._judges_a_group(
                normalised[i], margins, allowed[i], identity
            ):
                escalate.append(i)
            else:
                results[i] = Scores(_sigmoid(margins), (margins >= 0) & allowed[i], False)
        if escalate:
            slow = self.teacher_margins([normalised[i] for i in escalate])
            for row, i in enumerate(escalate):
                results[i] = Scores(_sigmoid(slow[row]), (slow[row] >= 0) & allowed[i], True)
        return [r for r in results if r is not None]


def _names_a_group(normalised: str, identity: frozenset[str]) -> bool:
    """Whether the text has a word that names a group of people (``identity_terms.yml``)."""
    return not identity.isdisjoint(_WORDS.findall(normalised))


_CACHED_WORD = 40  # longer "words" (a pasted hash, a run of letters) are not kept
_CACHED_TEXT = 1000  # a post, a sentence: what a check asks about again (sentences, spans)


def _features(normalised: str) -> tuple[Array, Array]:
    """:func:`featurize`, remembered for recent texts: a finding asks the fast tier about its
    post and sentences again (where it points, which words weigh)."""
    return (
        _features_cached(normalised) if len(normalised) <= _CACHED_TEXT else featurize(normalised)
    )


@lru_cache(maxsize=1024)
def _features_cached(normalised: str) -> tuple[Array, Array]:
    idx, val = featurize(normalised)
    idx.flags.writeable = False  # shared between callers
    val.flags.writeable = False
    return idx, val


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[int, ...]:
    """The feature indices of one word on its own (words repeat: most lookups are cached)."""
    return tuple(featurize(word)[0].tolist())


@cache
def default_cascade() -> Cascade:
    return Cascade()
