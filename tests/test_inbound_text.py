"""The inbox-triage evaluation on real tweets: the packaged label file, its reader, the
metrics and the eval section. Tweets here are invented; the check that every label points
at a real line runs only where the shared data folder is beside the project."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli.main import main
from tactful.errors import InputError
from tactful.inbox.triage import CLASSES
from tactful.training import inbound_text
from tactful.training.evaluate import evaluate, format_tables
from tactful.training.inbound_text import HEADER, InboundPost, read_labels, score
from tactful.training.real_text import read_texts, split_of

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OFFENSIVE = "tweeteval/offensive/train.tsv"


def _row(file: str = OFFENSIVE, line: int = 2, category: str = "complaint", also: str = "") -> str:
    return "\t".join([file, str(line), category, also, split_of(file, line), "q1"])


def _write(tmp_path: Path, *rows: str, header: str = "\t".join(HEADER)) -> Path:
    path = tmp_path / "inbound.tsv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_packaged_labels_are_well_formed() -> None:
    posts = read_labels()
    assert len(posts) >= 600
    assert {p.split for p in posts} == {"test", "calibration"}
    assert {p.category for p in posts} == set(CLASSES)
    assert all(p.also in (None, *CLASSES) and p.also != p.category for p in posts)
    assert len({(p.file, p.line) for p in posts}) == len(posts)
    # enough of each class that a split's figures mean something
    per_class = Counter(p.category for p in posts)
    assert min(per_class.values()) >= 50, per_class


@pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data folder at {DATA}")
def test_every_label_points_at_a_tweet_in_the_shared_data() -> None:
    posts = read_labels()
    messages: list[str] = []
    texts = read_texts(((p.file, p.line) for p in posts), DATA, log=messages.append)
    assert messages == []
    assert len(texts) == len(posts)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(category="rant"), "class 'rant' must be one of"),
        (_row(also="praise "), "also 'praise ' must be one of"),
        (_row(also="complaint"), "'also' repeats the class"),
        (_row(file="tweeteval/offensive/test.tsv"), "not a TweetEval train or validation"),
        (_row(file="toxigen/train.tsv"), "not a TweetEval train or validation"),
        (_row(line=1), "data line number"),
        (_row().replace("\tq1", ""), "5 tab-separated cells"),
        (_row().replace("\tq1", "\t"), "'drawn_by' is empty"),
    ],
)
def test_a_malformed_row_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    path = _write(tmp_path, _row(line=3), row)
    with pytest.raises(InputError, match=message) as caught:
        read_labels(path)
    assert "inbound.tsv:3" in str(caught.value)


def test_the_header_wrong_split_and_a_tweet_labelled_twice_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="header"):
        read_labels(_write(tmp_path, _row(), header="file\tline\tclass"))
    split = split_of(OFFENSIVE, 2)
    other = "test" if split == "calibration" else "calibration"
    with pytest.raises(InputError, match="hashed split"):
        read_labels(_write(tmp_path, _row().replace(f"\t{split}\t", f"\t{other}\t")))
    with pytest.raises(InputError, match=r"labelled twice \(first on line 2\)"):
        read_labels(_write(tmp_path, _row(), _row(category="praise")))


def _post(category: str, also: str | None = None) -> InboundPost:
    return InboundPost(OFFENSIVE, 2, category, also, "test", "q1")


def test_metrics_strict_and_with_the_second_class_accepted() -> None:
    posts = [
        _post("complaint"),  # right
        _post("complaint", "question"),  # sorted as its accepted second class
        _post("complaint"),  # missed
        _post("question"),  # sorted as trolling: hostile
        _post("praise"),  # right
        _post("other"),  # sorted as complaint: a false complaint
    ]
    s = score(posts, ["complaint", "question", "other", "trolling", "praise", "complaint"])
    assert s.posts == 6
    assert (s.labelled("complaint"), s.sorted_as("complaint")) == (3, 2)
    assert s.precision("complaint") == 0.5 and s.recall("complaint") == pytest.approx(1 / 3)
    assert s.f1("complaint") == pytest.approx(0.4)
    # accepted: the second tweet counts as a question sorted right
    assert s.f1("complaint", accepted=True) == pytest.approx(2 / 4)
    assert s.f1("question") == 0.0 and s.f1("question", accepted=True) == pytest.approx(2 / 3)
    assert s.f1("spam") is None
    # complaint against the rest: complaint's F1 0.4; the rest's (2 right, 2 complaints sorted
    # into it, 1 of it sorted as complaint) 4/7
    assert s.complaint_macro_f1 == pytest.approx((0.4 + 4 / 7) / 2)
    assert s.hostile(["praise"]) == (0, 1) and s.hostile(["question"]) == (1, 1)
    assert s.accuracy[0] == pytest.approx(2 / 6) and s.accuracy[1] == pytest.approx(3 / 6)
    d = s.to_dict()
    assert d["hostile"]["rate"] == 0.5
    assert d["confusion"]["question"]["trolling"] == 1
    table = inbound_text.format_table("test split", d, 100.0)
    assert "BELOW TARGET" in table and "complaint vs the rest, macro-F1: 0.486" in table


# (category, text): written as lines 2, 3, ... of a fake offensive/train.tsv
FAKE = (
    ("threat", "@user I will kill you, you stupid bitch"),
    ("question", "@user What time do you open on Saturday?"),
    ("praise", "@user Thank you so much, the team was brilliant"),
)


def test_eval_inbound_sorts_with_the_inbox_triage(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "tweeteval" / "offensive").mkdir(parents=True)
    (data / OFFENSIVE).write_text(
        "text\tlabel\n" + "".join(f"{t}\t0\n" for _, t in FAKE), encoding="utf-8"
    )
    labels = _write(tmp_path, *(_row(line=i, category=c) for i, (c, _) in enumerate(FAKE, 2)))
    results = evaluate(data, inbound_only=True, inbound_labels=labels, log=lambda _: None)
    assert set(results) == {"inbox_triage"}
    inbox = results["inbox_triage"]
    assert inbox["test"]["posts"] + inbox["calibration"]["posts"] == len(FAKE)
    for split in ("test", "calibration"):
        for category, _ in FAKE:
            c = inbox[split]["classes"][category]
            assert c["recall"] in (None, 1.0), (split, category, c)
    assert "Inbox triage of real tweets" in format_tables(results)


def test_eval_takes_one_of_real_only_and_inbound(tmp_path: Path) -> None:
    (tmp_path / "tweeteval").mkdir()
    result = CliRunner().invoke(main, ["eval", "--data", str(tmp_path), "--real-only", "--inbound"])
    assert result.exit_code == 2
    assert "pass one of them" in result.output
