"""Real tweets labelled by hand as inbox items, and how triage sorts them.

The labels (``inbound_labels/inbound.tsv``, made by ``inbound_labels/GUIDELINES.md``) read
each tweet as an item that arrived in the inbox of a brand or a professional's account and
give it one class of :data:`tactful.inbox.triage.CLASSES`, and where a second one would do
as well, that one too. Like the real-text labels (:mod:`tactful.training.real_text`) they
point at lines of the public data files and never hold tweet text.

Each row of the tab-separated file, after its header::

    file                    line  class      also      split        drawn_by
    tweeteval/irony/val.tsv  12   complaint  question  calibration  c2

``split`` is ``calibration`` (triage may be tuned on it) or ``test`` (never tuned on), by the
same hash of file and line as the real-text labels (:func:`~tactful.training.real_text.split_of`).
``drawn_by`` names the search that drew the tweet for labelling (the label folder's README
lists them).

:func:`score` compares the class triage gave with the labels: per class precision, recall
and F1 (against the primary class, and with the second class accepted too); complaint
against the rest (macro-F1, as the issue measures it); and how often praise and questions
are sorted into a hostile class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from tactful.errors import InputError
from tactful.inbox.triage import CLASSES
from tactful.training.real_text import SPLITS, split_of

HEADER = ("file", "line", "class", "also", "split", "drawn_by")
# The classes that hide, report or ignore the sender: praise or a question sorted into one
# of them is the worst mistake triage can make.
HOSTILE = ("threat", "harassment", "hate", "trolling")
# The targets (F1 per class; complaint against the rest; praise and questions
# sorted as hostile).
F1_TARGETS: Mapping[str, float] = {"threat": 0.90, "harassment": 0.90, "spam": 0.90}
COMPLAINT_MACRO_F1_TARGET = 0.85
HOSTILE_RATE_TARGET = 0.02
# Sources a labelled tweet may come from: TweetEval's train and validation files and
# Davidson et al. No test split, and no ToxiGen (part of it is held out).
ALLOWED_SOURCES = ("tweeteval/", "davidson/labeled.tsv")


@dataclass(frozen=True, slots=True)
class InboundPost:
    """One labelled tweet: where its text is, its class (and a second one that would also be
    right), its split and the search that drew it. ``text`` is empty until joined."""

    file: str
    line: int
    category: str
    also: str | None
    split: str
    drawn_by: str
    text: str = ""


def default_label_file() -> Traversable:
    return resources.files("tactful.training").joinpath("inbound_labels").joinpath("inbound.tsv")


def read_labels(path: Traversable | Path | None = None) -> list[InboundPost]:
    """Every labelled tweet in ``path`` (default: the packaged file), in file order. A
    malformed row is an :class:`InputError` naming its line."""
    source = default_label_file() if path is None else path
    rows = source.read_text(encoding="utf-8").split("\n")
    if tuple(rows[0].split("\t")) != HEADER:
        raise InputError(f"{source.name}:1: the header must be {' '.join(HEADER)} (tab-separated)")
    posts: list[InboundPost] = []
    seen: dict[tuple[str, int], int] = {}
    for number, raw in enumerate(rows[1:], 2):
        if not raw.strip():
            continue
        where = f"{source.name}:{number}"
        post = _parse_row(raw, where)
        key = (post.file, post.line)
        if key in seen:
            raise InputError(
                f"{where}: {post.file}:{post.line} is labelled twice (first on line {seen[key]})"
            )
        seen[key] = number
        posts.append(post)
    return posts


def _parse_row(raw: str, where: str) -> InboundPost:
    cells = raw.split("\t")
    if len(cells) != len(HEADER):
        raise InputError(
            f"{where}: {len(cells)} tab-separated cells; expected {len(HEADER)}: {' '.join(HEADER)}"
        )
    file, line_text, category, also, split, drawn_by = cells
    if not file.startswith(ALLOWED_SOURCES) or "test" in Path(file).name:
        raise InputError(
            f"{where}: {file!r} is not a TweetEval train or validation file or Davidson's set"
        )
    if not line_text.isdigit() or int(line_text) < 2:
        raise InputError(f"{where}: line {line_text!r} must be a data line number (>= 2)")
    line = int(line_text)
    for name, value in (("class", category), ("also", also)):
        if value not in CLASSES and not (name == "also" and value == ""):
            raise InputError(f"{where}: {name} {value!r} must be one of {', '.join(CLASSES)}")
    if also == category:
        raise InputError(f"{where}: 'also' repeats the class; leave it empty")
    if split not in SPLITS:
        raise InputError(f"{where}: split {split!r} must be one of {', '.join(SPLITS)}")
    if split != (hashed := split_of(file, line)):
        raise InputError(f"{where}: split {split!r} is not the hashed split {hashed!r}")
    if not drawn_by:
        raise InputError(f"{where}: 'drawn_by' is empty; name the search that drew the tweet")
    return InboundPost(file, line, category, also or None, split, drawn_by)


def join_text(
    posts: Sequence[InboundPost], texts: Mapping[tuple[str, int], str]
) -> list[InboundPost]:
    """The posts whose text ``texts`` holds (:func:`tactful.training.real_text.read_texts`),
    with it filled in."""
    return [replace(p, text=texts[(p.file, p.line)]) for p in posts if (p.file, p.line) in texts]


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass
class TriageScores:
    """Triage on one split: counts of (labelled class, sorted class), strict and with the
    second class accepted."""

    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    accepted: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, post: InboundPost, sorted_as: str) -> None:
        strict = (post.category, sorted_as)
        self.confusion[strict] = self.confusion.get(strict, 0) + 1
        # with the second class accepted: sorted as it, the tweet counts as labelled it
        gold = sorted_as if sorted_as == post.also else post.category
        self.accepted[(gold, sorted_as)] = self.accepted.get((gold, sorted_as), 0) + 1

    @property
    def posts(self) -> int:
        return sum(self.confusion.values())

    @staticmethod
    def _counts(table: Mapping[tuple[str, str], int], name: str) -> tuple[int, int, int]:
        tp = table.get((name, name), 0)
        fp = sum(n for (g, s), n in table.items() if s == name and g != name)
        fn = sum(n for (g, s), n in table.items() if g == name and s != name)
        return tp, fp, fn

    def labelled(self, name: str) -> int:
        return sum(n for (g, _), n in self.confusion.items() if g == name)

    def sorted_as(self, name: str) -> int:
        return sum(n for (_, s), n in self.confusion.items() if s == name)

    def precision(self, name: str) -> float | None:
        tp, fp, _ = self._counts(self.confusion, name)
        return _share(tp, tp + fp)

    def recall(self, name: str) -> float | None:
        tp, _, fn = self._counts(self.confusion, name)
        return _share(tp, tp + fn)

    def f1(self, name: str, *, accepted: bool = False) -> float | None:
        tp, fp, fn = self._counts(self.accepted if accepted else self.confusion, name)
        return _f1(tp, fp, fn) if tp + fn else None

    @property
    def complaint_macro_f1(self) -> float | None:
        """Complaint against every other class: the mean of the two classes' F1."""
        if not self.posts:
            return None
        tp, fp, fn = self._counts(self.confusion, "complaint")
        tn = self.posts - tp - fp - fn
        return (_f1(tp, fp, fn) + _f1(tn, fn, fp)) / 2

    def hostile(self, names: Iterable[str]) -> tuple[int, int]:
        """How many tweets labelled one of ``names`` triage sorted as hostile, of how many."""
        wanted = set(names)
        of = [(s, n) for (g, s), n in self.confusion.items() if g in wanted]
        return sum(n for s, n in of if s in HOSTILE), sum(n for _, n in of)

    @property
    def accuracy(self) -> tuple[float | None, float | None]:
        """Share sorted as the labelled class, and as it or the accepted second class."""
        strict = sum(n for (g, s), n in self.confusion.items() if g == s)
        either = sum(n for (g, s), n in self.accepted.items() if g == s)
        return _share(strict, self.posts), _share(either, self.posts)

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        praise, questions = self.hostile(["praise"]), self.hostile(["question"])
        both = self.hostile(["praise", "question"])
        return {
            "posts": self.posts,
            "classes": {
                name: {
                    "labelled": self.labelled(name),
                    "sorted_as": self.sorted_as(name),
                    "precision": r(self.precision(name)),
                    "recall": r(self.recall(name)),
                    "f1": r(self.f1(name)),
                    "f1_second_accepted": r(self.f1(name, accepted=True)),
                    "f1_target": F1_TARGETS.get(name),
                }
                for name in CLASSES
            },
            "complaint_macro_f1": r(self.complaint_macro_f1),
            "complaint_macro_f1_target": COMPLAINT_MACRO_F1_TARGET,
            "hostile": {
                "praise": {"sorted_hostile": praise[0], "of": praise[1]},
                "question": {"sorted_hostile": questions[0], "of": questions[1]},
                "rate": r(_share(*both)),
                "target": HOSTILE_RATE_TARGET,
            },
            "accuracy": r(self.accuracy[0]),
            "accuracy_second_accepted": r(self.accuracy[1]),
            "confusion": {
                gold: {s: self.confusion.get((gold, s), 0) for s in CLASSES} for gold in CLASSES
            },
        }


def score(posts: Iterable[InboundPost], sorted_as: Iterable[str]) -> TriageScores:
    """Compare triage's classes with the labels, post by post."""
    scores = TriageScores()
    for post, category in zip(posts, sorted_as, strict=True):
        scores.add(post, category)
    return scores


def _num(x: float | None) -> str:
    return "    —" if x is None else f"{x:.3f}"


def _pct(n: int, d: int) -> str:
    return f"{n / d:.1%} ({n} of {d})" if d else "— (none labelled)"


def _verdict(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "BELOW TARGET")


def format_table(title: str, s: Mapping[str, Any], rate: float | None = None) -> str:
    """One split's table from :meth:`TriageScores.to_dict`."""
    speed = f", {rate:,.0f} posts/s" if rate else ""
    lines = [
        f"{title}: {s['posts']} tweets, sorted as items sent to a professional account{speed}",
        "class        labelled  sorted as  prec   rec    F1     F1 (2nd ok)  target",
    ]
    for name, c in s["classes"].items():
        target = c["f1_target"]
        met = None if target is None or c["f1"] is None else c["f1"] >= target
        goal = f"F1 >= {target:.2f} {_verdict(met)}" if target is not None else ""
        lines.append(
            f"{name:12} {c['labelled']:8}  {c['sorted_as']:9}  {_num(c['precision'])}  "
            f"{_num(c['recall'])}  {_num(c['f1'])}  {_num(c['f1_second_accepted'])}        "
            f"{goal}".rstrip()
        )
    macro = s["complaint_macro_f1"]
    hostile = s["hostile"]
    rate_met = None if hostile["rate"] is None else hostile["rate"] <= hostile["target"]
    lines += [
        "",
        f"complaint vs the rest, macro-F1: {_num(macro)} "
        f"(target >= {s['complaint_macro_f1_target']:.2f}) "
        f"{_verdict(None if macro is None else macro >= s['complaint_macro_f1_target'])}",
        f"praise sorted as hostile ({', '.join(HOSTILE)}): "
        f"{_pct(hostile['praise']['sorted_hostile'], hostile['praise']['of'])}",
        f"questions sorted as hostile: "
        f"{_pct(hostile['question']['sorted_hostile'], hostile['question']['of'])}",
        f"praise and questions together: {_num(hostile['rate'])} "
        f"(target <= {hostile['target']:.2f}) {_verdict(rate_met)}",
        f"sorted as the labelled class: {_num(s['accuracy'])}; "
        f"as it or the accepted second class: {_num(s['accuracy_second_accepted'])}",
        "",
        "labelled (rows) sorted as (columns):",
        "             " + " ".join(f"{name[:5]:>5}" for name in CLASSES),
    ]
    for gold, row in s["confusion"].items():
        lines.append(f"{gold:12} " + " ".join(f"{row[name]:5}" for name in CLASSES))
    return "\n".join(lines)
