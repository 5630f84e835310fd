"""Train tactful's models: ``python -m tactful.training.train --data ../shared/data``.

Reproducible on a 2-core CPU in a few minutes: fixed seeds, fixed splits, no downloads.
Writes ``src/tactful/models/artifacts/{fast,slow}.npz`` and ``meta.json``.

1. Every training example is normalised like a post and featurised (hashed n-grams).
2. A fixed 15% "dev" slice of the training data (by text hash) is kept aside for choosing
   thresholds, stacking and the cascade band. Validation sets are never read here.
3. Fast tier: one logistic regression per category over the n-grams, on the examples whose
   source speaks to that category.
4. MiniLM tier: one logistic regression per category over the sentence embedding.
5. Per category, a 2-input logistic regression stacks the two tiers' logits on dev; the
   thresholds maximise F1 on dev; the cascade band is the fast-tier logit range around its
   threshold inside which the MiniLM tier is consulted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.core.text import normalize
from tactful.models.contexts import context_mask
from tactful.models.features import DIM, featurize, mask_identity, profanity_fingerprint
from tactful.training.corpus import CATEGORIES
from tactful.training.data import Example, training_set

ARTIFACTS = Path(__file__).resolve().parent.parent / "models" / "artifacts"
DEV_PERCENT = 15
ESCALATE_BUDGET = 0.10  # share of dev posts sent to MiniLM (the cascade's cost knob)
# How much one example of each source counts: the project's corpus and ToxiGen's neutral
# statements carry the context we care about; Davidson's tweets are mostly slurs, which the
# lexicon already handles, and would teach the model that identity words are attacks.
SOURCE_WEIGHT = {"corpus": 3.0, "toxigen": 3.0, "davidson": 0.5}
Array = npt.NDArray[Any]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _is_dev(text: str) -> bool:
    return int(hashlib.sha256(("dev:" + text).encode()).hexdigest()[:8], 16) % 100 < DEV_PERCENT


def sparse_matrix(texts: list[str]) -> Any:
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[Array] = []
    values: list[Array] = []
    for text in texts:
        idx, val = featurize(normalize(text).text)
        indices.append(idx)
        values.append(val)
        indptr.append(indptr[-1] + len(idx))
    return csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)),
        shape=(len(texts), DIM),
        dtype=np.float32,
    )


def label_arrays(examples: list[Example]) -> tuple[Array, Array]:
    y = np.zeros((len(examples), len(CATEGORIES)), dtype=np.int8)
    mask = np.zeros_like(y, dtype=bool)
    for i, ex in enumerate(examples):
        for c, v in ex.labels.items():
            j = CATEGORIES.index(c)
            y[i, j] = v
            mask[i, j] = True
    return y, mask


def _fit(x: Any, y: Array, c: float, weight: Array) -> tuple[Array, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")
    model.fit(x, y, sample_weight=weight)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def embed_cached(texts: list[str], cache: Path | None) -> Array:
    """MiniLM embeddings; with ``cache`` (a .npz path) reuse those of texts seen before."""
    from tactful.models.encoder import Encoder

    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    known: dict[str, Array] = {}
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        vectors = Encoder(threads=2).embed([texts[i] for i in missing])
        for i, v in zip(missing, vectors, strict=True):
            known[keys[i]] = v
        if cache is not None:
            np.savez(cache, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys])


def context_allowed(examples: list[Example]) -> Array:
    """The categories scored for each example at run time (authored, reply or inbound)."""
    return np.array([context_mask(CATEGORIES, inbound=e.inbound, reply=e.reply) for e in examples])


def escalation_bands(margins: Array, allowed: Array, budget: float) -> Array:
    """Per-category bands (in fast-tier logits around the threshold) such that about
    ``budget`` of posts have some allowed category inside its band."""
    scale = np.array(
        [
            np.median(np.abs(margins[allowed[:, j], j])) if allowed[:, j].any() else 1.0
            for j in range(margins.shape[1])
        ]
    )
    lo, hi = 0.0, 4.0
    for _ in range(40):
        mid = (lo + hi) / 2
        inside = (np.abs(margins) < mid * scale) & allowed
        if inside.any(axis=1).mean() > budget:
            hi = mid
        else:
            lo = mid
    return np.asarray(lo * scale, dtype=np.float32)


def best_threshold(scores: Array, y: Array) -> tuple[float, float]:
    """The logit threshold with the best F1 on (scores, y), and that F1."""
    order = np.argsort(-scores)
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    fp = np.cumsum(1 - t)
    positives = max(int(t.sum()), 1)
    f1 = 2 * tp / (tp + fp + positives)
    k = int(np.argmax(f1))
    threshold = float(s[k]) if k + 1 >= len(s) else float((s[k] + s[k + 1]) / 2)
    return threshold, float(f1[k])


def train(
    data: Path, out: Path, *, fast_c: float, slow_c: float, cache: Path | None = None
) -> dict[str, Any]:
    started = time.time()
    examples = training_set(data)
    texts = [e.text for e in examples]
    y, mask = label_arrays(examples)
    dev = np.array([_is_dev(t) for t in texts])
    _log(f"{len(examples):,} training examples ({int(dev.sum()):,} kept aside as dev)")

    x = sparse_matrix(texts)
    _log(f"featurised: {x.nnz / len(texts):.0f} features per example")

    emb = embed_cached([mask_identity(normalize(t).text) for t in texts], cache)
    _log("embedded with MiniLM")
    weight = np.array(
        [SOURCE_WEIGHT.get(e.source.split("/")[0], 1.0) for e in examples], dtype=np.float64
    )
    # A neutral ToxiGen statement (a negative) counts more than a hateful one.
    for i, e in enumerate(examples):
        if e.source == "toxigen" and e.labels.get("offense.identity") == 1:
            weight[i] = 1.0

    n_cat = len(CATEGORIES)
    fast_w = np.zeros((DIM, n_cat), dtype=np.float32)
    fast_b = np.zeros(n_cat, dtype=np.float32)
    slow_w = np.zeros((emb.shape[1], n_cat), dtype=np.float32)
    slow_b = np.zeros(n_cat, dtype=np.float32)
    stack = np.zeros((n_cat, 3), dtype=np.float32)
    thresholds = np.zeros((n_cat, 2), dtype=np.float32)  # fast-only, stacked
    band = np.zeros(n_cat, dtype=np.float32)
    dev_report: dict[str, Any] = {}
    for j, category in enumerate(CATEGORIES):
        rows = mask[:, j]
        fit_rows, dev_rows = rows & ~dev, rows & dev
        yj = y[:, j].astype(int)
        fast_w[:, j], fast_b[j] = _fit(x[fit_rows], yj[fit_rows], fast_c, weight[fit_rows])
        slow_w[:, j], slow_b[j] = _fit(emb[fit_rows], yj[fit_rows], slow_c, weight[fit_rows])
        f_logit = x[dev_rows] @ fast_w[:, j] + fast_b[j]
        s_logit = emb[dev_rows] @ slow_w[:, j] + slow_b[j]
        ydev = yj[dev_rows]
        from sklearn.linear_model import LogisticRegression

        stacker = LogisticRegression(C=1.0, max_iter=1000)
        stacker.fit(np.column_stack([f_logit, s_logit]), ydev)
        stack[j] = [stacker.coef_[0][0], stacker.coef_[0][1], stacker.intercept_[0]]
        st_logit = stack[j, 0] * f_logit + stack[j, 1] * s_logit + stack[j, 2]
        thresholds[j, 0], f1_fast = best_threshold(f_logit, ydev)
        thresholds[j, 1], f1_stack = best_threshold(st_logit, ydev)
        dev_report[category] = {
            "train_rows": int(fit_rows.sum()),
            "dev_rows": int(dev_rows.sum()),
            "dev_positives": int(ydev.sum()),
            "dev_f1_fast": round(f1_fast, 4),
            "dev_f1_stacked": round(f1_stack, 4),
        }
        _log(f"{category:26} dev F1 fast {f1_fast:.3f}  stacked {f1_stack:.3f}")

    dev_margins = np.asarray(x[dev] @ fast_w + fast_b) - thresholds[:, 0]
    # At run time every category the post's context allows is scored, whatever the source.
    dev_examples = [e for e, d in zip(examples, dev, strict=True) if d]
    band = escalation_bands(dev_margins, context_allowed(dev_examples), ESCALATE_BUDGET)
    _log(f"cascade bands chosen for {ESCALATE_BUDGET:.0%} of posts to reach MiniLM")
    out.mkdir(parents=True, exist_ok=True)
    # int8 with a per-category scale keeps the fast tier small (DIM x 18 bytes).
    scale = np.maximum(np.abs(fast_w).max(axis=0), 1e-6) / 127.0
    quantised = np.round(fast_w / scale).astype(np.int8)
    np.savez_compressed(
        out / "fast.npz", weights=quantised, scale=scale.astype(np.float32), bias=fast_b
    )
    np.savez_compressed(
        out / "slow.npz",
        weights=slow_w,
        bias=slow_b,
        stack=stack,
        thresholds=thresholds,
        band=band,
    )
    sources = data / "SOURCES.json"
    meta = {
        "categories": list(CATEGORIES),
        "feature_dim": DIM,
        "profanity_fingerprint": profanity_fingerprint(),
        "fast_c": fast_c,
        "slow_c": slow_c,
        "dev_percent": DEV_PERCENT,
        "escalate_budget": ESCALATE_BUDGET,
        "source_weight": SOURCE_WEIGHT,
        "training_examples": len(examples),
        "by_source": _count_sources(examples),
        "data_sources": json.loads(sources.read_text()) if sources.is_file() else {},
        "dev": dev_report,
        "train_seconds": round(time.time() - started, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    _log(f"wrote {out} in {meta['train_seconds']} s")
    return meta


def _count_sources(examples: list[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in examples:
        key = e.source.split("/")[0] if e.source.startswith("corpus") else e.source
        counts[key] = counts.get(key, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=ARTIFACTS)
    parser.add_argument("--fast-c", type=float, default=4.0)
    parser.add_argument("--slow-c", type=float, default=2.0)
    parser.add_argument(
        "--cache", type=Path, help="reuse MiniLM embeddings across runs (a .npz file)"
    )
    args = parser.parse_args(argv)
    try:
        train(args.data, args.out, fast_c=args.fast_c, slow_c=args.slow_c, cache=args.cache)
    except FileNotFoundError as exc:
        print(f"tactful train: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
