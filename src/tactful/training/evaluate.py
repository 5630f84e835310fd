"""Evaluate the whole checker (rules + models) on labelled validation sets.

    tactful eval --data ../shared/data [--json results.json] [--limit N] [--real-only | --inbound]

First, real posts labelled by hand for every rule id a text can raise
(:mod:`tactful.training.real_text`), checked exactly as the CLI checks a post, from a
personal and from a professional public account. Then real tweets labelled by hand as inbox
items (:mod:`tactful.training.inbound_text`), sorted by the inbox's own triage
(:func:`tactful.inbox.triage.triage`, the function a sync calls) as items sent to a
professional account. Then the public sets: TweetEval offensive and hate (val), the
etiquette corpus's fixed validation split, and the held-out half of ToxiGen's neutral
statements (false positives per group). These run with every rule switched
on (``policies/eval.yml``) so the numbers measure detection, not one account's policy.
``alt-profanity-check`` runs on the offensive set in the same process for comparison
(quality and posts/s).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tactful.core.checker import Checker
from tactful.core.factory import checker_for
from tactful.core.findings import Report
from tactful.core.post import Post
from tactful.core.scan import CHUNK
from tactful.inbox.triage import ItemContext, triage
from tactful.training import inbound_text
from tactful.training.corpus import CATEGORIES
from tactful.training.data import Example, corpus, toxigen, tweeteval_hate, tweeteval_offensive
from tactful.training.real_text import (
    ACCOUNT_KINDS,
    SPLITS,
    format_table,
    join_text,
    read_labels,
    read_texts,
    score,
)

OFFENSIVE_RULES = ("offense.identity", "offense.insult", "offense.profanity")


@dataclass
class Binary:
    """Counts for one binary decision, and the scores for ROC-AUC."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    scores: list[tuple[float, int]] = field(default_factory=list)

    def add(self, predicted: bool, actual: int, score: float) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1
        self.scores.append((score, actual))

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return self._f1(self.tp, self.fp, self.fn)

    @property
    def macro_f1(self) -> float:
        """Mean F1 of the positive and the negative class (TweetEval's measure)."""
        return (self.f1 + self._f1(self.tn, self.fn, self.fp)) / 2

    @property
    def roc_auc(self) -> float:
        pos = [s for s, y in self.scores if y]
        neg = [s for s, y in self.scores if not y]
        if not pos or not neg:
            return float("nan")
        ranked = sorted(self.scores)
        rank_sum = 0.0
        i = 0
        while i < len(ranked):  # average ranks over ties
            j = i
            while j < len(ranked) and ranked[j][0] == ranked[i][0]:
                j += 1
            avg = (i + j + 1) / 2
            rank_sum += avg * sum(1 for k in range(i, j) if ranked[k][1])
            i = j
        return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def eval_policy() -> str:
    return str(resources.files("tactful").joinpath("policies").joinpath("eval.yml"))


def _post(example: Example) -> Post:
    extra = example.extra
    return Post.build(
        example.text,
        platform=extra.get("platform", "generic"),
        account_kind=extra.get("account_kind", "personal"),
        reply_to="eval" if example.reply else None,
        inbound=example.inbound,
    )


def _check_all(checker: Checker, examples: Sequence[Example]) -> tuple[list[Report | None], float]:
    return check_posts(checker, [_post(ex) for ex in examples])


def check_posts(checker: Checker, posts: Sequence[Post]) -> tuple[list[Report | None], float]:
    """Check in chunks, as ``tactful scan`` does (the models batch their work); None for a
    post the checker could not check. Also returns posts per second."""
    reports: list[Report | None] = []
    started = time.perf_counter()
    for start in range(0, len(posts), CHUNK):
        chunk = posts[start : start + CHUNK]
        try:
            reports.extend(checker.check_batch(chunk))
        except Exception:  # one empty or oversized row in public data: check one by one
            for post in chunk:
                try:
                    reports.append(checker.check(post))
                except Exception:  # counted as not flagged
                    reports.append(None)
    return reports, len(posts) / max(time.perf_counter() - started, 1e-9)


def _flags(report: Report | None, rules: Sequence[str]) -> tuple[bool, float]:
    if report is None:
        return False, 0.0
    flagged = any(f.rule_id in rules for f in report.findings)
    score = max((report.scores.get(r, 0.0) for r in rules), default=0.0)
    return flagged, score


def evaluate_real(
    data: Path,
    *,
    labels: Path | None = None,
    limit: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The hand-labelled real posts (:mod:`tactful.training.real_text`; ``labels``: another
    folder of label files), checked as the CLI checks a post
    (:func:`tactful.core.factory.checker_for`, the built-in policies) from a public personal
    account and from a public professional account; scores per split."""
    posts = join_text(read_labels(labels), data, log=log)
    if limit:
        posts = posts[:limit]
    checker = checker_for(None)
    reports: dict[str, list[Report | None]] = {}
    for kind in ACCOUNT_KINDS:
        reports[kind], rate = check_posts(
            checker, [Post.build(p.text, account_kind=kind) for p in posts]
        )
        log(f"real posts, {kind} account: {len(posts)} posts checked, {rate:,.0f} posts/s")
    results: dict[str, Any] = {}
    for split in SPLITS:
        picked = [i for i, p in enumerate(posts) if p.split == split]
        results[split] = {
            kind: score([posts[i] for i in picked], [reports[kind][i] for i in picked]).to_dict()
            for kind in ACCOUNT_KINDS
        }
    return results


def sort_items(checker: Checker, texts: Sequence[str]) -> tuple[list[str], float]:
    """Each text's class, sorted by the inbox's triage as an item sent to a public
    professional account on X; also items per second."""
    started = time.perf_counter()
    classes = [
        triage(checker, ItemContext(text=text, platform="x", account_kind="professional")).category
        for text in texts
    ]
    return classes, len(texts) / max(time.perf_counter() - started, 1e-9)


def evaluate_inbound(
    data: Path,
    *,
    labels: Path | None = None,
    limit: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The real tweets labelled as inbox items (:mod:`tactful.training.inbound_text`;
    ``labels``: another label file), each sorted by :func:`tactful.inbox.triage.triage` with
    the checker the inbox uses (:func:`tactful.core.factory.checker_for`, the built-in
    policies); scores per split."""
    labelled = inbound_text.read_labels(labels)
    texts = read_texts(((p.file, p.line) for p in labelled), data, what="inbox triage", log=log)
    posts = inbound_text.join_text(labelled, texts)
    if limit:
        posts = posts[:limit]
    classes, rate = sort_items(checker_for(None), [p.text for p in posts])
    log(f"inbox triage: {len(posts)} labelled tweets sorted, {rate:,.0f} posts/s")
    results: dict[str, Any] = {"posts_per_s": round(rate, 1)}
    for split in SPLITS:
        picked = [i for i, p in enumerate(posts) if p.split == split]
        results[split] = inbound_text.score(
            [posts[i] for i in picked], [classes[i] for i in picked]
        ).to_dict()
    return results


def evaluate(
    data: Path,
    *,
    limit: int | None = None,
    real_only: bool = False,
    inbound_only: bool = False,
    labels: Path | None = None,
    inbound_labels: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every evaluation (see the module's docstring); ``real_only``: the hand-labelled real
    posts only; ``inbound_only``: the inbox triage of real tweets only."""
    if inbound_only:
        return {"inbox_triage": evaluate_inbound(data, labels=inbound_labels, limit=limit, log=log)}
    results: dict[str, Any] = {
        "real_text": evaluate_real(data, labels=labels, limit=limit, log=log)
    }
    if real_only:
        return results
    results["inbox_triage"] = evaluate_inbound(data, labels=inbound_labels, limit=limit, log=log)
    checker = Checker(policy_files=[eval_policy()])

    def take(rows: list[Example]) -> list[Example]:
        return rows[:limit] if limit else rows

    offensive = take(tweeteval_offensive(data, "val"))
    reports, rate = _check_all(checker, offensive)
    off = Binary()
    for ex, rep in zip(offensive, reports, strict=True):
        flagged, score = _flags(rep, OFFENSIVE_RULES)
        off.add(flagged, ex.labels.get("offense.insult", 0), score)
    results["tweeteval_offensive"] = _row(off, rate, len(offensive))
    log(f"TweetEval offensive val: macro-F1 {off.macro_f1:.3f}, {rate:,.0f} posts/s")

    try:
        from profanity_check import predict_prob

        texts = [ex.text for ex in offensive]
        started = time.perf_counter()
        probs = predict_prob(texts)
        alt_rate = len(texts) / (time.perf_counter() - started)
        alt = Binary()
        for ex, p in zip(offensive, probs, strict=True):
            alt.add(bool(p >= 0.5), ex.labels.get("offense.insult", 0), float(p))
        results["alt_profanity_check_offensive"] = _row(alt, alt_rate, len(texts))
        log(f"alt-profanity-check, same set: macro-F1 {alt.macro_f1:.3f}, {alt_rate:,.0f} posts/s")
    except ImportError:
        results["alt_profanity_check_offensive"] = None
        log("alt-profanity-check is not installed (pip install -e '.[train]'); skipped")

    hate = take(tweeteval_hate(data, "val"))
    reports, rate = _check_all(checker, hate)
    hb = Binary()
    for ex, rep in zip(hate, reports, strict=True):
        flagged, score = _flags(rep, ("offense.identity",))
        hb.add(flagged, ex.labels["offense.identity"], score)
    results["tweeteval_hate"] = _row(hb, rate, len(hate))
    log(f"TweetEval hate val: macro-F1 {hb.macro_f1:.3f}")

    val = take(corpus("val"))
    reports, rate = _check_all(checker, val)
    per_cat: dict[str, Binary] = {c: Binary() for c in CATEGORIES}
    for ex, rep in zip(val, reports, strict=True):
        for category, actual in ex.labels.items():
            flagged, score = _flags(rep, (category,))
            per_cat[category].add(flagged, actual, score)
    cats = {c: _row(b, None, b.tp + b.fp + b.fn + b.tn) for c, b in per_cat.items()}
    macro = sum(b.f1 for b in per_cat.values()) / len(per_cat)
    results["corpus_val"] = {"macro_f1": round(macro, 4), "posts": len(val), "categories": cats}
    log(f"Etiquette corpus val: macro-F1 {macro:.3f} over {len(per_cat)} categories")

    neutral = [
        ex for ex in take(toxigen(data, held_out=True)) if not ex.labels.get("offense.identity")
    ]
    reports, _ = _check_all(checker, neutral)
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ex, rep in zip(neutral, reports, strict=True):
        flagged, _ = _flags(rep, ("offense.identity", "offense.insult"))
        by_group[ex.group][0] += int(flagged)
        by_group[ex.group][1] += 1
    results["toxigen_neutral_fpr"] = {
        g: {"fpr": round(f / n, 4), "posts": n} for g, (f, n) in sorted(by_group.items())
    }
    worst = max((f / n for f, n in by_group.values()), default=0.0)
    log(f"ToxiGen neutral statements: worst-group false-positive rate {worst:.1%}")
    return results


def _row(b: Binary, rate: float | None, n: int) -> dict[str, Any]:
    row = {
        "posts": n,
        "precision": round(b.precision, 4),
        "recall": round(b.recall, 4),
        "f1": round(b.f1, 4),
        "macro_f1": round(b.macro_f1, 4),
        "roc_auc": round(b.roc_auc, 4),
    }
    if rate is not None:
        row["posts_per_s"] = round(rate, 1)
    return row


def format_tables(results: dict[str, Any]) -> str:
    lines: list[str] = []
    real = results.get("real_text")
    if real:
        for split, title in (
            ("test", "Real posts, test split (never tuned on)"),
            ("calibration", "Real posts, calibration split (thresholds may be tuned on it)"),
        ):
            if real.get(split) and next(iter(real[split].values()))["posts"]:
                lines += [format_table(title, real[split]), ""]
    inbox = results.get("inbox_triage")
    if inbox:
        for split, title in (
            ("test", "Inbox triage of real tweets, test split (never tuned on)"),
            ("calibration", "Inbox triage of real tweets, calibration split (may be tuned on)"),
        ):
            if inbox[split]["posts"]:
                lines += [
                    inbound_text.format_table(title, inbox[split], inbox["posts_per_s"]),
                    "",
                ]
    if "tweeteval_offensive" not in results:
        return "\n".join(lines).rstrip()
    lines.append(
        "set                              posts  prec   rec    F1     macro-F1  AUC    posts/s"
    )
    for key in ("tweeteval_offensive", "alt_profanity_check_offensive", "tweeteval_hate"):
        r = results.get(key)
        if r:
            lines.append(
                f"{key:32} {r['posts']:5}  {r['precision']:.3f}  {r['recall']:.3f}  {r['f1']:.3f}  "
                f"{r['macro_f1']:.3f}     {r['roc_auc']:.3f}  {r.get('posts_per_s', 0):,.0f}"
            )
    corpus_res = results["corpus_val"]
    lines += [
        "",
        f"etiquette corpus val ({corpus_res['posts']} posts): "
        f"macro-F1 {corpus_res['macro_f1']:.3f}",
    ]
    lines.append("category                     n     prec   rec    F1     AUC")
    for c, r in corpus_res["categories"].items():
        lines.append(
            f"{c:28} {r['posts']:4}  {r['precision']:.3f}  {r['recall']:.3f}  "
            f"{r['f1']:.3f}  {r['roc_auc']:.3f}"
        )
    lines += ["", "ToxiGen neutral statements, false-positive rate per group:"]
    for g, r in results["toxigen_neutral_fpr"].items():
        lines.append(f"  {g:22} {r['fpr']:6.1%}  ({r['posts']} posts)")
    return "\n".join(lines)
