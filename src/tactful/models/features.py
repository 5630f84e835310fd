"""Hashed word and character n-grams: the fast tier's features, shared by training and runtime.

The same function featurises training data and posts at run time, so the two can never drift.
Text should already be normalised (``tactful.text.normalize``): lower case, look-alikes and
invisible characters undone.
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np
import numpy.typing as npt

DIM = 1 << 18
_URL = re.compile(r"https?://\S+|www\.\S+|\burl\b")
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[^\w\s]", re.UNICODE)


def prepare(text: str) -> str:
    """Replace the parts that carry no meaning for these categories (URLs, handles, digits)."""
    text = _URL.sub(" url ", text)
    text = _MENTION.sub(" @user ", text)
    return _DIGITS.sub("0", text)


def ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams, and character 3-5-grams inside words."""
    words = _WORD.findall(prepare(text))
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    for w in words:
        if len(w) < 2:
            continue
        padded = f" {w} "
        n = len(padded)
        grams += [padded[i : i + k] for k in (3, 4, 5) for i in range(n - k + 1)]
    return grams


def featurize(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Sparse feature vector: (indices, values), log-scaled counts, L2-normalised."""
    counts: dict[int, int] = {}
    for h in map(zlib.crc32, (g.encode("utf-8") for g in ngrams(text))):
        key = h & (DIM - 1)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    val = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
    val /= float(np.linalg.norm(val))
    return idx, val


def word_hash(word: str) -> int:
    """The feature index of a word unigram (used to explain which words weighed most)."""
    return zlib.crc32(f"w:{word}".encode()) & (DIM - 1)
