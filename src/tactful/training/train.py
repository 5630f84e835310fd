"""Distil the fast tier from the teacher: ``python -m tactful.training.train --data DIR``.

Run after ``tactful.training.teacher`` (``make train`` runs both, then the calibration).
Reproducible on a 2-core CPU in a few minutes: fixed splits, deterministic solvers, no
downloads. Writes ``src/tactful/models/artifacts/fast.npz`` and ``meta.json``.

1. The texts: the labelled training set (less the hand-labelled real tweets) and every real
   tweet in the public sets' *train* files, labels unused. A fixed 15% "dev" slice (by text
   hash, the same one the teacher keeps aside) is held out.
2. The teacher scores every text; the target is its margin (logit minus the category's
   threshold), clipped to ±6.
3. Fast tier: one logistic regression per category over hashed n-grams on the teacher's
   decision (or the label, where a labelled example has one), put on the teacher's margin
   scale on dev, so its sign agrees with the teacher and its size says how sure it is.
4. The inbound categories' thresholds are chosen again on real tweets labelled as inbox
   items (their calibration half) before any of this, once per teacher.
5. The cascade band: a post goes on to the teacher when some category its context allows
   has a fast margin inside that category's band. Bands are proportional to each category's
   error on dev, scaled so that about ``ESCALATE_BUDGET`` of the dev slice's real tweets
   escalate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.core.hashing import sha256_file
from tactful.core.text import normalize
from tactful.models.contexts import context_mask
from tactful.models.features import DIM, featurize, profanity_fingerprint
from tactful.models.teacher import TEACHER_FILE, TEACHER_META, Teacher
from tactful.training.corpus import CATEGORIES
from tactful.training.teacher import (
    SOURCE_WEIGHT,
    held_out_texts,
    is_dev,
    prepare,
    teacher_examples,
)

ARTIFACTS = Path(__file__).resolve().parent.parent / "models" / "artifacts"
ESCALATE_BUDGET = 0.02  # share of real tweets the bands send on to the teacher (the cost knob;
# posts naming a group that the fast tier leans towards calling an attack go on as well)
CLIP = 6.0
LABEL_WEIGHT = 3.0  # a labelled example's weight for its own categories, times its source's
Array = npt.NDArray[Any]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sparse_matrix(texts: Sequence[str]) -> Any:
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


def best_threshold(scores: Array, y: Array, beta: float = 1.0) -> tuple[float, float]:
    """The threshold with the best F-beta on (scores, y) (F1 by default; beta 0.5 weighs
    precision twice), and that score."""
    order = np.argsort(-scores)
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    fp = np.cumsum(1 - t)
    positives = max(int(t.sum()), 1)
    b2 = beta * beta
    f1 = (1 + b2) * tp / ((1 + b2) * tp + b2 * (positives - tp) + fp)
    k = int(np.argmax(f1))
    threshold = float(s[k]) if k + 1 >= len(s) else float((s[k] + s[k + 1]) / 2)
    return threshold, float(f1[k])


# Which hand-labelled inbox classes (training/inbound_labels) each inbound category stands for.
INBOUND_CLASSES = {
    "inbound.harassment": ("threat", "harassment"),
    "inbound.trolling": ("trolling",),
    "inbound.spam": ("spam",),
    "inbound.complaint": ("complaint",),
}


def inbound_thresholds(data: Path, directory: Path) -> dict[str, Any]:
    """The teacher's thresholds for the inbound categories, chosen again (best F0.5) on the
    *calibration* half of the real tweets labelled as inbox items, and written into
    ``teacher.json``: the corpus's inbound posts alone put them where real questions and
    praise read as trolling. The test half is never read here."""
    from tactful.training.inbound_text import join_text, read_labels
    from tactful.training.real_text import read_texts

    meta_path = directory / TEACHER_META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    posts = [p for p in read_labels() if p.split == "calibration"]
    texts = read_texts(((p.file, p.line) for p in posts), data, what="inbound thresholds", log=_log)
    posts = join_text(posts, texts)
    if not posts:
        return {}
    teacher = Teacher(directory / TEACHER_FILE, expected_sha256=meta["sha256"], threads=2)
    logits = teacher.logits([prepare(p.text) for p in posts])
    chosen: dict[str, Any] = {}
    for category, classes in INBOUND_CLASSES.items():
        j = CATEGORIES.index(category)
        y = np.array([p.category in classes or p.also in classes for p in posts], dtype=int)
        # Precision first: a wrong "trolling" on a customer's question costs more than a miss.
        threshold, f1 = best_threshold(logits[:, j], y, beta=0.5)
        was = meta["thresholds"][j]
        chosen[category] = {"was": was, "now": round(threshold, 5), "f05": round(f1, 4)}
        meta["thresholds"][j] = round(threshold, 5)
        _log(f"{category:26} threshold {was:.2f} -> {threshold:.2f} (F0.5 {f1:.3f})")
    meta["inbound_thresholds"] = {
        "from": f"training/inbound_labels, calibration half ({len(posts)} tweets)",
        **chosen,
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return chosen


def teacher_margins(texts: Sequence[str], directory: Path, cache: Path | None) -> Array:
    """The teacher's margins (logit minus threshold) for ``texts``; with ``cache`` (a .npz
    path) those of texts scored before by the same teacher file are reused."""
    meta = json.loads((directory / TEACHER_META).read_text(encoding="utf-8"))
    model = directory / TEACHER_FILE
    digest = sha256_file(model)
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    known: dict[str, Array] = {}
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        if str(stored["teacher"]) == digest:
            known = dict(zip(stored["keys"].tolist(), stored["logits"], strict=True))
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        teacher = Teacher(model, expected_sha256=meta["sha256"], threads=2)
        step = 2048
        for start in range(0, len(missing), step):
            chunk = missing[start : start + step]
            rows = teacher.logits([prepare(texts[i]) for i in chunk])
            for i, row in zip(chunk, rows, strict=True):
                known[keys[i]] = row
            _log(f"teacher scored {min(start + step, len(missing)):,}/{len(missing):,} texts")
        if cache is not None:
            np.savez(
                cache,
                teacher=digest,
                keys=np.array(list(known)),
                logits=np.stack(list(known.values())),
            )
    logits = np.stack([known[k] for k in keys])
    return np.asarray(logits - np.array(meta["thresholds"], dtype=np.float32))


def fit_fast(
    x: Any, target: Array, weight: Array, dev_x: Any, dev_margin: Array, c: float
) -> tuple[Array, Array]:
    """Per category, a logistic regression over the n-grams on the target decisions (class
    weights balanced, so a rare category is not drowned), then put on the teacher's scale:
    the fast margin is ``a * (logit - t)``, with ``t`` the logit where it best agrees with the
    teacher on dev (F1) and ``a`` the least-squares slope onto the teacher's margins there."""
    from sklearn.linear_model import LogisticRegression

    n_cat = target.shape[1]
    weights = np.zeros((x.shape[1], n_cat), dtype=np.float32)
    bias = np.zeros(n_cat, dtype=np.float32)
    for j in range(n_cat):
        yj = target[:, j]
        if yj.min() == yj.max():
            bias[j] = -CLIP if yj.max() == 0 else CLIP
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")
        model.fit(x, yj, sample_weight=weight[:, j])
        w, b = model.coef_[0].astype(np.float32), float(model.intercept_[0])
        logit = np.asarray(dev_x @ w + b)
        t, _ = best_threshold(logit, (dev_margin[:, j] >= 0).astype(int))
        centred = logit - t
        a = float(centred @ dev_margin[:, j] / max(float(centred @ centred), 1e-9))
        a = max(a, 0.05)  # the sign must agree with the teacher's
        weights[:, j], bias[j] = a * w, a * (b - t)
        _log(f"{CATEGORIES[j]:26} fast tier fitted (scale {a:.2f})")
    return weights, bias


def _boundary_error(pred: Array, truth: Array) -> float:
    """How far off the fast tier is where it matters: the root-mean-square error on the
    texts that either tier puts near the decision (a rare category's far negatives, which
    it gets right, would make its band vanish)."""
    near = (np.abs(pred) < 3.0) | (np.abs(truth) < 3.0)
    rows = near if near.sum() >= 20 else np.ones_like(near)
    return float(np.sqrt(np.mean((pred[rows] - truth[rows]) ** 2)))


def escalation_bands(pred: Array, truth: Array, allowed: Array, budget: float) -> Array:
    """Per-category bands around 0 (in fast margins) sized by each category's error on dev,
    scaled so that about ``budget`` of the rows have some allowed category inside its band."""
    scale = np.array([_boundary_error(pred[:, j], truth[:, j]) for j in range(pred.shape[1])])
    lo, hi = 0.0, 8.0
    for _ in range(40):
        mid = (lo + hi) / 2
        inside = (np.abs(pred) < mid * scale) & allowed
        if inside.any(axis=1).mean() > budget:
            hi = mid
        else:
            lo = mid
    return np.asarray(lo * scale, dtype=np.float32)


def agreement(pred: Array, truth: Array, band: Array, allowed: Array) -> dict[str, Any]:
    """How often the cascade's answer (fast tier, or the teacher when escalated) matches the
    teacher's, per category, on the rows given."""
    escalated: Array = np.asarray(((np.abs(pred) < band) & allowed).any(axis=1))
    decided = np.where(escalated[:, None], truth >= 0, pred >= 0)
    out: dict[str, Any] = {"escalated": round(float(escalated.mean()), 4), "categories": {}}
    for j, c in enumerate(CATEGORIES):
        rows = allowed[:, j]
        if not rows.any():
            continue
        teacher_pos = truth[rows, j] >= 0
        fast_only = rows & ~escalated
        out["categories"][c] = {
            "agree": round(float((decided[rows, j] == teacher_pos).mean()), 4),
            "agree_fast_alone": round(
                float(((pred[fast_only, j] >= 0) == (truth[fast_only, j] >= 0)).mean()), 4
            ),
            "teacher_positive": int(teacher_pos.sum()),
        }
    return out


def train(data: Path, out: Path, *, c: float, cache: Path | None = None) -> dict[str, Any]:
    from tactful.training.data import unlabelled_tweets

    started = time.time()
    examples = teacher_examples(data)
    held = held_out_texts(data)
    real = [t for t in unlabelled_tweets(data) if t not in held]
    texts = list(dict.fromkeys([e.text for e in examples] + real))
    real_set = set(real)
    dev = np.array([is_dev(t) for t in texts])
    _log(f"{len(texts):,} texts ({len(real):,} real tweets), {int(dev.sum()):,} kept aside as dev")
    if "inbound_thresholds" not in json.loads((out / TEACHER_META).read_text(encoding="utf-8")):
        inbound_thresholds(data, out)
    truth = np.clip(teacher_margins(texts, out, cache), -CLIP, CLIP)
    x = sparse_matrix(texts)
    _log(f"featurised: {x.nnz / len(texts):.0f} features per text")
    # What the fast tier learns: the teacher's decision, or the label where a labelled
    # example speaks to the category (the teacher is right most of the time, the label always).
    target = (truth >= 0).astype(np.int8)
    # A label counts more than the teacher's word for it (the corpus's context categories
    # are rare among real tweets, and the fast tier must still learn them).
    weight = np.ones(target.shape, dtype=np.float64)
    index = {t: i for i, t in enumerate(texts)}
    for e in examples:
        for category, v in e.labels.items():
            row, j = index[e.text], CATEGORIES.index(category)
            target[row, j] = v
            weight[row, j] = LABEL_WEIGHT * SOURCE_WEIGHT.get(e.source.split("/")[0], 1.0)
    weights, bias = fit_fast(x[~dev], target[~dev], weight[~dev], x[dev], truth[dev], c)
    pred = np.asarray(x[dev] @ weights + bias)
    dev_truth = truth[dev]
    authored = np.array(context_mask(CATEGORIES, inbound=False, reply=False))
    dev_real = np.array([t in real_set for t, d in zip(texts, dev, strict=True) if d])
    allowed = np.tile(authored, (int(dev_real.sum()), 1))
    band = escalation_bands(pred[dev_real], dev_truth[dev_real], allowed, ESCALATE_BUDGET)
    report = agreement(pred[dev_real], dev_truth[dev_real], band, allowed)
    _log(
        f"dev real tweets: {report['escalated']:.1%} escalate; the cascade agrees with the "
        "teacher on " + ", ".join(f"{c} {v['agree']:.3f}" for c, v in report["categories"].items())
    )
    out.mkdir(parents=True, exist_ok=True)
    # int8 with a per-category scale keeps the fast tier small (DIM x 18 bytes).
    scale = np.maximum(np.abs(weights).max(axis=0), 1e-6) / 127.0
    quantised = np.round(weights / scale).astype(np.int8)
    np.savez_compressed(
        out / "fast.npz",
        weights=quantised,
        scale=scale.astype(np.float32),
        bias=bias,
        band=band,
    )
    teacher_meta = json.loads((out / TEACHER_META).read_text(encoding="utf-8"))
    sources = data / "SOURCES.json"
    meta = {
        "categories": list(CATEGORIES),
        "feature_dim": DIM,
        "profanity_fingerprint": profanity_fingerprint(),
        "fast_c": c,
        "clip": CLIP,
        "escalate_budget": ESCALATE_BUDGET,
        "texts": len(texts),
        "real_tweets": len(real),
        "teacher_sha256": teacher_meta["sha256"],
        "data_sources": json.loads(sources.read_text()) if sources.is_file() else {},
        "dev_real_tweets": report,
        "train_seconds": round(time.time() - started, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    _log(f"wrote {out} in {meta['train_seconds']} s")
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=ARTIFACTS)
    parser.add_argument("--c", type=float, default=4.0, help="inverse L2 penalty, fast tier")
    parser.add_argument("--cache", type=Path, help="reuse the teacher's scores (a .npz file)")
    args = parser.parse_args(argv)
    if not (args.out / TEACHER_META).is_file() or not (args.out / TEACHER_FILE).is_file():
        print(
            f"tactful train: error: no teacher in {args.out} ({TEACHER_FILE}, {TEACHER_META}); "
            "fine-tune one first: python -m tactful.training.teacher --data DIR --out DIR",
            file=sys.stderr,
        )
        raise SystemExit(2)
    try:
        train(args.data, args.out, c=args.c, cache=args.cache)
    except FileNotFoundError as exc:
        print(f"tactful train: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
