"""Hashed word and character n-grams: the fast tier's features, shared by training and runtime.

The same function featurises training data and posts at run time, so the two can never drift.
Text should already be normalised (``tactful.core.text.normalize``): lower case, look-alikes and
invisible characters undone.
"""

from __future__ import annotations

import math
import re
import zlib
from functools import cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from tactful.core.data import DataModel, Source, Text

DIM = 1 << 18
_URL = re.compile(r"https?://\S+|www\.\S+|\burl\b")
_MENTION = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w\-]+(?:\.[\w\-]+)+)?")
_LEADING_MENTIONS = re.compile(r"^\s*(?:" + _MENTION.pattern + r"[\s,]*)+")
_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[^\w\s]", re.UNICODE)


def prepare(text: str) -> str:
    """Replace the parts that carry no meaning for these categories (URLs, handles, digits)."""
    text = _URL.sub(" url ", text)
    # Handles that open a post address it to someone (a reply, or a call-out aimed at a
    # company): one placeholder token. Handles inside a sentence ("great chat with @pat",
    # "thanks @jane and @tom") are dropped: tagging is how people thank and credit, and the
    # words around a tag, not the tag, say whether it is an attack.
    text = _LEADING_MENTIONS.sub(" xmentionx ", text, count=1)
    text = _MENTION.sub(" ", text)
    return _DIGITS.sub("0", text)


PROFANITY_TOKEN = "xprofanex"
MILD = 0.5  # profanity entries scoring below this are mild ("damn", "crap")


@cache
def profane_words() -> dict[str, bool]:
    """The lexicon's single-word profanity, word -> strong? The rules decide what is profane
    (whole words, so "Shitake" is not) and report it. The models never see mild words, so
    "damn, what a week" is not an insult; strong ones reach them as one placeholder token."""
    from tactful.core.ruleset import default_ruleset

    words: dict[str, bool] = {}
    for entry in default_ruleset().entries:
        if entry.rule_id == "offense.profanity":
            for p in entry.phrases:
                if p.text.isalpha():
                    score = entry.score if p.score is None else p.score
                    words[p.text] = words.get(p.text, False) or score >= MILD
    return words


def profanity_fingerprint() -> str:
    """Changes whenever the profanity word list does: the models must then be retrained."""
    import hashlib

    listing = "\n".join(f"{w}:{int(s)}" for w, s in sorted(profane_words().items()))
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


class IdentityTermsFile(DataModel):
    """``models/identity_terms.yml``: words naming who people are, and words never named as
    weighing most in an explanation."""

    terms: tuple[Text, ...]
    explain_skip: tuple[Text, ...]
    collection_tags: tuple[Text, ...] = ()


@cache
def _word_lists() -> IdentityTermsFile:
    return Source.package("tactful.models", "identity_terms.yml").load(IdentityTermsFile)


@cache
def identity_terms() -> frozenset[str]:
    return frozenset(t.lower() for t in _word_lists().terms)


_TERM = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


@cache
def _collection_tags() -> re.Pattern[str] | None:
    tags = [re.escape(t.lower()) for t in _word_lists().collection_tags]
    return re.compile(r"(?<!\w)(?:" + "|".join(tags) + r")(?!\w)") if tags else None


def without_collection_tags(normalised: str) -> str:
    """The normalised text without the tags a data set's collection added (``#semst``)."""
    pattern = _collection_tags()
    if pattern is None or "#" not in normalised:
        return normalised
    return pattern.sub(" ", normalised)


def mask_identity(text: str) -> str:
    """The text the teacher reads: words naming a group become ``[MASK]``, so the model judges
    what is said about a group ("[MASK] are all lazy"), never that a group is named. A data
    set's collection tags (``#semst``) are left out."""
    terms = identity_terms()
    text = without_collection_tags(text)
    return _TERM.sub(lambda m: "[MASK]" if m.group().lower() in terms else m.group(), text)


@cache
def explain_skip() -> frozenset[str]:
    return frozenset(w.lower() for w in _word_lists().explain_skip)


def ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams, and character 3-5-grams inside words. Words naming who people
    are (``identity_terms.yml``) are left out: naming a group is not evidence. Profanity is
    the lexicon's call (see :func:`profane_words`)."""
    masked = identity_terms()
    profane = profane_words()
    words = []
    for w in _WORD.findall(prepare(text)):
        if w in masked:
            continue
        strong = profane.get(w)
        if strong is None:
            words.append(w)
        elif strong:
            words.append(PROFANITY_TOKEN)
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in pairwise(words)]
    for w in words:
        if len(w) < 2:
            continue
        padded = f" {w} "
        n = len(padded)
        grams += [padded[i : i + k] for k in (3, 4, 5) for i in range(n - k + 1)]
    return grams


def featurize(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Sparse feature vector: (indices, values), log-scaled counts, L2-normalised. A data
    set's collection tags (``#semst``) are not read."""
    counts: dict[int, int] = {}
    grams = ngrams(without_collection_tags(text))
    for h in map(zlib.crc32, (g.encode("utf-8") for g in grams)):
        key = h & (DIM - 1)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    val = np.fromiter(
        (1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts)
    )
    val /= float(np.linalg.norm(val))
    return idx, val
