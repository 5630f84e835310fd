"""Real posts labelled by hand, and how the checker does on them.

The labels (``real_labels/*.jsonl``, made by ``docs/labelling.md``) point at lines of the
public data files and never hold tweet text; :func:`join_text` reads the text from the data
folder. :func:`score` compares the checker's findings with the labels:

- per labelled rule id, precision and recall of "a finding of that rule id at warn or
  block" against "the post carries that label" (and recall at any severity, info included,
  which tells a rule the account's policy lowers to info from one the detectors miss);
- micro and macro averages over the rule ids;
- the false-alarm rate on clean posts: the share of posts labelled clean with any finding
  at warn or worse, and at block;
- how many posts labelled block-worthy the checker blocks, and how many labelled posts get
  any finding at warn or worse.

Each line of a label file::

    {"file": "tweeteval/sentiment/val.tsv", "line": 12, "labels": {"offense.profanity": "warn"},
     "split": "test"}

``line`` counts physical lines from 1 (line 1 is the header). ``split`` is ``calibration``
(thresholds may be tuned on it) or ``test`` (never tuned on), half and half by a hash of
file and line (:func:`split_of`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from tactful.core.findings import Report, Severity
from tactful.errors import InputError

# The rule ids a post's text alone can raise (docs/labelling.md says why the others are not
# labelled: register.personal, tags.*, media.*, account.*, audience.*, engagement.*,
# inbound.*, platform.length).
LABELLED_RULES = (
    "offense.identity",
    "offense.insult",
    "offense.profanity",
    "conflict.public_attack",
    "conflict.former_employer",
    "work.venting",
    "work.client_story",
    "work.confidential",
    "views.political",
    "views.religious",
    "lifestyle.nightlife",
    "register.promotional",
    "safety.location",
    "safety.contact",
    "safety.identity_data",
)
SPLITS = ("test", "calibration")
ACCOUNT_KINDS = ("personal", "professional")
# The sets tactful's models train on (tactful.training.data.training_set): posts drawn from
# them are counted apart, since a model may have seen them.
TRAINED_ON = ("tweeteval/offensive/train.tsv", "tweeteval/hate/train.tsv", "tweeteval/stance/")
_LABEL_SEVERITIES = {Severity.WARN.value: Severity.WARN, Severity.BLOCK.value: Severity.BLOCK}


@dataclass(frozen=True, slots=True)
class LabelledPost:
    """One labelled post: where its text is, its labels (rule id -> severity; none = clean)
    and its split. ``text`` is empty until :func:`join_text` fills it in."""

    file: str
    line: int
    labels: Mapping[str, Severity]
    split: str
    text: str = ""

    @property
    def clean(self) -> bool:
        return not self.labels

    @property
    def trained_on(self) -> bool:
        return self.file.startswith(TRAINED_ON)


def split_of(file: str, line: int) -> str:
    """``calibration`` or ``test``: half and half by the first byte of sha256("file:line")."""
    digest = hashlib.sha256(f"{file}:{line}".encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "test"


def default_label_folder() -> Traversable:
    return resources.files("tactful.training").joinpath("real_labels")


def read_labels(folder: Traversable | Path | None = None) -> list[LabelledPost]:
    """Every labelled post in ``folder``'s ``*.jsonl`` files (default: the packaged labels),
    in file-name then line order. A malformed line is an :class:`InputError` naming it."""
    root = default_label_folder() if folder is None else folder
    files = sorted(
        (f for f in root.iterdir() if f.name.endswith(".jsonl") and f.is_file()),
        key=lambda f: f.name,
    )
    posts: list[LabelledPost] = []
    seen: dict[tuple[str, int], str] = {}
    for label_file in files:
        for number, raw in enumerate(label_file.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            where = f"{label_file.name}:{number}"
            post = _parse_label_line(raw, where)
            key = (post.file, post.line)
            if key in seen:
                raise InputError(f"{where}: {post.file}:{post.line} is labelled twice")
            seen[key] = where
            posts.append(post)
    return posts


def _parse_label_line(raw: str, where: str) -> LabelledPost:
    try:
        row = json.loads(raw)
        file, line, labels, split = row["file"], row["line"], row["labels"], row["split"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{where}: not a label line ({exc}); expected "
            '{"file": ..., "line": N, "labels": {...}, "split": "test"}'
        ) from None
    if not isinstance(file, str) or not isinstance(line, int) or line < 2:
        raise InputError(f"{where}: 'file' must be a path and 'line' a data line number (>= 2)")
    if split not in SPLITS:
        raise InputError(f"{where}: split {split!r} must be one of {', '.join(SPLITS)}")
    if split != (hashed := split_of(file, line)):
        raise InputError(f"{where}: split {split!r} is not the hashed split {hashed!r}")
    if not isinstance(labels, dict):
        raise InputError(f"{where}: 'labels' must be an object of rule id -> warn|block")
    parsed: dict[str, Severity] = {}
    for rule_id, severity in labels.items():
        if rule_id not in LABELLED_RULES:
            raise InputError(
                f"{where}: {rule_id!r} is not a rule id labelled from text (see docs/labelling.md)"
            )
        if severity not in _LABEL_SEVERITIES:
            raise InputError(f"{where}: severity {severity!r} of {rule_id} must be warn or block")
        parsed[rule_id] = _LABEL_SEVERITIES[severity]
    return LabelledPost(file=file, line=line, labels=parsed, split=split)


_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def post_text(field_text: str) -> str:
    """The text a TweetEval field stands for: CSV quotes undone, HTML entities and the
    literal ``\\uXXXX`` and ``\\n`` escapes some rows carry turned back into characters."""
    text = field_text
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('""', '"')
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text).replace("\\n", "\n")
    return html.unescape(text).strip()


def read_texts(
    refs: Iterable[tuple[str, int]],
    data: Path,
    *,
    what: str = "real text",
    log: Callable[[str], None] = print,
) -> dict[tuple[str, int], str]:
    """The text of each ``(file, line)`` in ``refs``, read from ``data``. References whose
    file is missing, or whose line is empty or not in it, are left out with one message per
    file (``what`` opens the message)."""
    wanted: dict[str, list[int]] = {}
    for file, line in refs:
        wanted.setdefault(file, []).append(line)
    texts: dict[tuple[str, int], str] = {}
    missing: dict[Path, int] = {}
    for file, numbers in wanted.items():
        path = data / file
        if not path.is_file():
            log(
                f"{what}: skipped {len(numbers)} labelled posts: {path} not found "
                "(pass --data with the shared data folder)"
            )
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for line in numbers:
            text = post_text(lines[line - 1].split("\t")[0]) if line <= len(lines) else ""
            if text:
                texts[(file, line)] = text
            else:
                missing[path] = missing.get(path, 0) + 1
    for path, n in missing.items():
        log(
            f"{what}: skipped {n} labelled posts: their lines in {path} are empty or past its "
            "end (is it the same version of the data?)"
        )
    return texts


def join_text(
    posts: Sequence[LabelledPost], data: Path, *, log: Callable[[str], None] = print
) -> list[LabelledPost]:
    """The posts with their text read from ``data`` (:func:`read_texts`); posts whose text
    is not there are skipped."""
    texts = read_texts(((p.file, p.line) for p in posts), data, log=log)
    return [
        LabelledPost(p.file, p.line, p.labels, p.split, texts[(p.file, p.line)])
        for p in posts
        if (p.file, p.line) in texts
    ]


@dataclass
class Counts:
    """One rule id on one set of posts: labelled, found at warn or worse, found at all."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    seen: int = 0  # labelled and found at any severity (info included)

    @property
    def labelled(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.labelled if self.labelled else None

    @property
    def recall_any(self) -> float | None:
        return self.seen / self.labelled if self.labelled else None


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass
class Scores:
    """The checker on one split for one account kind."""

    posts: int = 0
    clean: int = 0
    clean_warned: int = 0  # clean posts with any finding at warn or block
    clean_blocked: int = 0
    to_block: int = 0  # posts with a label at block
    blocked: int = 0  # ... that the checker blocks
    labelled: int = 0  # posts with any label
    flagged: int = 0  # ... with any finding at warn or block
    failed: int = 0  # posts the checker could not check
    trained_on: int = 0  # posts from a set tactful's models train on
    rules: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in LABELLED_RULES})
    other_rules: dict[str, int] = field(default_factory=dict)  # unlabelled rule ids at warn+
    clean_alarms: dict[str, int] = field(default_factory=dict)  # rule id -> clean posts at warn+

    @property
    def false_alarm_warn(self) -> float | None:
        return _share(self.clean_warned, self.clean)

    @property
    def false_alarm_block(self) -> float | None:
        return _share(self.clean_blocked, self.clean)

    @property
    def micro(self) -> tuple[float | None, float | None]:
        tp = sum(c.tp for c in self.rules.values())
        fp = sum(c.fp for c in self.rules.values())
        fn = sum(c.fn for c in self.rules.values())
        return _share(tp, tp + fp), _share(tp, tp + fn)

    @property
    def macro(self) -> tuple[float | None, float | None]:
        """Means over the rule ids with at least one label (precision counts 0 for a rule
        id that is labelled but never found)."""
        present = [c for c in self.rules.values() if c.labelled]
        if not present:
            return None, None
        precision = sum(c.precision or 0.0 for c in present) / len(present)
        recall = sum(c.recall or 0.0 for c in present) / len(present)
        return precision, recall

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "posts": self.posts,
            "clean": self.clean,
            "trained_on": self.trained_on,
            "clean_warned": self.clean_warned,
            "clean_blocked": self.clean_blocked,
            "labelled": self.labelled,
            "flagged": self.flagged,
            "to_block": self.to_block,
            "blocked": self.blocked,
            "false_alarm_warn": r(self.false_alarm_warn),
            "false_alarm_block": r(self.false_alarm_block),
            "micro": {"precision": r(self.micro[0]), "recall": r(self.micro[1])},
            "macro": {"precision": r(self.macro[0]), "recall": r(self.macro[1])},
            "block_labelled_blocked": r(_share(self.blocked, self.to_block)),
            "labelled_flagged": r(_share(self.flagged, self.labelled)),
            "failed": self.failed,
            "rules": {
                rule_id: {
                    "labelled": c.labelled,
                    "found": c.tp + c.fp,
                    "precision": r(c.precision),
                    "recall": r(c.recall),
                    "recall_any_severity": r(c.recall_any),
                }
                for rule_id, c in self.rules.items()
            },
            "other_rules_at_warn": dict(sorted(self.other_rules.items())),
            "clean_alarms_by_rule": dict(
                sorted(self.clean_alarms.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        }


def _worst(report: Report) -> dict[str, Severity]:
    worst: dict[str, Severity] = {}
    for finding in report.findings:
        before = worst.get(finding.rule_id)
        worst[finding.rule_id] = (
            finding.severity if before is None else Severity.max(before, finding.severity)
        )
    return worst


def score(posts: Iterable[LabelledPost], reports: Iterable[Report | None]) -> Scores:
    """Compare findings with labels, post by post (``reports[i]`` is ``posts[i]``'s report;
    None: the checker failed on it, counted as no findings)."""
    scores = Scores()
    for post, report in zip(posts, reports, strict=True):
        scores.posts += 1
        scores.trained_on += post.trained_on
        if report is None:
            scores.failed += 1
        found = _worst(report) if report is not None else {}
        warned = {r for r, sev in found.items() if sev.at_least(Severity.WARN)}
        for rule_id, counts in scores.rules.items():
            labelled = rule_id in post.labels
            predicted = rule_id in warned
            counts.tp += labelled and predicted
            counts.fp += predicted and not labelled
            counts.fn += labelled and not predicted
            counts.seen += labelled and rule_id in found
        for rule_id in sorted(warned - set(LABELLED_RULES)):
            scores.other_rules[rule_id] = scores.other_rules.get(rule_id, 0) + 1
        blocked = any(sev is Severity.BLOCK for sev in found.values())
        if post.clean:
            scores.clean += 1
            scores.clean_warned += bool(warned)
            scores.clean_blocked += blocked
            for rule_id in warned:
                scores.clean_alarms[rule_id] = scores.clean_alarms.get(rule_id, 0) + 1
        else:
            scores.labelled += 1
            scores.flagged += bool(warned)
            if any(sev is Severity.BLOCK for sev in post.labels.values()):
                scores.to_block += 1
                scores.blocked += blocked
    return scores


def _pct(x: float | None) -> str:
    return "     —" if x is None else f"{x:6.1%}"


def _num(x: float | None) -> str:
    return "    —" if x is None else f"{x:.3f}"


def format_table(title: str, by_account: Mapping[str, Mapping[str, Any]]) -> str:
    """One split's table from :meth:`Scores.to_dict` per account kind: a row per rule id and
    account kind, then the averages and the false-alarm rates."""
    first = next(iter(by_account.values()))
    lines = [
        f"{title}: {first['posts']} posts, {first['clean']} labelled clean "
        f"({first['trained_on']} from sets tactful's models train on)",
        "rule id                   labelled  account        found  prec   rec    rec(any)",
    ]
    for rule_id in LABELLED_RULES:
        for i, (kind, s) in enumerate(by_account.items()):
            c = s["rules"][rule_id]
            name = f"{rule_id:25} {c['labelled']:8}" if i == 0 else " " * 34
            lines.append(
                f"{name}  {kind:13} {c['found']:5}  {_num(c['precision'])}  "
                f"{_num(c['recall'])}  {_num(c['recall_any_severity'])}"
            )
    lines.append("")
    rows: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = (
        (
            "micro precision / recall",
            lambda s: f"{_num(s['micro']['precision'])} / {_num(s['micro']['recall'])}",
        ),
        (
            "macro precision / recall",
            lambda s: f"{_num(s['macro']['precision'])} / {_num(s['macro']['recall'])}",
        ),
        (
            f"false alarms at warn+ ({first['clean']} clean)",
            lambda s: f"{_pct(s['false_alarm_warn'])}  ({s['clean_warned']})",
        ),
        (
            f"false alarms at block ({first['clean']} clean)",
            lambda s: f"{_pct(s['false_alarm_block'])}  ({s['clean_blocked']})",
        ),
        (
            f"labelled posts flagged ({first['labelled']})",
            lambda s: f"{_pct(s['labelled_flagged'])}  ({s['flagged']})",
        ),
        (
            f"block-worthy posts blocked ({first['to_block']})",
            lambda s: f"{_pct(s['block_labelled_blocked'])}  ({s['blocked']})",
        ),
    )
    for label, cell in rows:
        for i, (kind, s) in enumerate(by_account.items()):
            lines.append(f"{label if i == 0 else '':38} {kind:13} {cell(s)}")
    for kind, s in by_account.items():
        if s["clean_alarms_by_rule"]:
            alarms = ", ".join(f"{r} {n}" for r, n in s["clean_alarms_by_rule"].items())
            lines.append(f"false alarms on clean posts by rule id ({kind}): {alarms}")
    for kind, s in by_account.items():
        if s["other_rules_at_warn"]:
            other = ", ".join(f"{r} {n}" for r, n in s["other_rules_at_warn"].items())
            lines.append(f"other rule ids at warn+ ({kind}): {other}")
        if s["failed"]:
            lines.append(f"posts the checker failed on ({kind}): {s['failed']}")
    return "\n".join(lines)


def labelled_texts(data: Path, refs: Iterable[tuple[str, int]] | None = None) -> frozenset[str]:
    """The text of every labelled post (both splits; or of ``refs``, (file, line) pairs) in
    each form a reader may give it: the raw field (TweetEval's readers), HTML entities undone
    (Davidson's) and as the labels read it (quotes undone): the models never train on them."""
    texts: set[str] = set()
    by_file: dict[str, list[int]] = {}
    for file, line in refs if refs is not None else ((p.file, p.line) for p in read_labels()):
        by_file.setdefault(file, []).append(line)
    for file, wanted in by_file.items():
        path = data / file
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for line in wanted:
            if line <= len(lines):
                raw = lines[line - 1].split("\t")[0]
                texts.update((raw, html.unescape(raw), post_text(raw)))
    return frozenset(texts)
