"""The real-text evaluation: label files, the reader that joins text from the data folder,
and the metrics. Every tweet here is invented, in TweetEval's file layout under tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli.main import main
from tactful.core.findings import Finding, Report, Severity
from tactful.core.post import Post
from tactful.core.ruleset import default_ruleset
from tactful.errors import InputError
from tactful.training.evaluate import evaluate, format_tables
from tactful.training.real_text import (
    LABELLED_RULES,
    LabelledPost,
    join_text,
    post_text,
    read_labels,
    score,
    split_of,
)

SENTIMENT = "tweeteval/sentiment/val.tsv"
OFFENSIVE = "tweeteval/offensive/train.tsv"

# (file, text, labels); written as lines 2, 3, ... of each file
FAKE_POSTS = (
    (SENTIMENT, "Lovely walk by the river this morning", {}),
    (SENTIMENT, '"""What a day,"" she said. Fish &amp; chips tonight"', {}),
    (SENTIMENT, "this fucking traffic again", {"offense.profanity": "block"}),
    (OFFENSIVE, "@user you are a pathetic idiot", {"offense.insult": "block"}),
    (OFFENSIVE, "Vote them all out in November #Resist", {"views.political": "warn"}),
    (OFFENSIVE, "Happy birthday to my little brother!", {}),
)


def _write_data(root: Path) -> None:
    for file in {f for f, _, _ in FAKE_POSTS}:
        rows = [text for f, text, _ in FAKE_POSTS if f == file]
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("text\tlabel\n" + "".join(f"{t}\t0\n" for t in rows), encoding="utf-8")


def _label_rows() -> list[dict[str, object]]:
    rows, line_of = [], {}
    for file, _, labels in FAKE_POSTS:
        line_of[file] = line_of.get(file, 1) + 1
        line = line_of[file]
        rows.append({"file": file, "line": line, "labels": labels, "split": split_of(file, line)})
    return rows


def _write_labels(folder: Path, rows: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fake.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    _write_data(tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    return _write_labels(tmp_path / "labels", _label_rows())


def test_reader_joins_text_from_the_data_folder(data: Path, labels: Path) -> None:
    posts = join_text(read_labels(labels), data, log=pytest.fail)
    assert [p.text for p in posts] == [
        "Lovely walk by the river this morning",
        '"What a day," she said. Fish & chips tonight',
        "this fucking traffic again",
        "@user you are a pathetic idiot",
        "Vote them all out in November #Resist",
        "Happy birthday to my little brother!",
    ]
    assert posts[2].labels == {"offense.profanity": Severity.BLOCK}
    assert posts[0].clean and not posts[2].clean
    assert posts[3].trained_on and not posts[0].trained_on


def test_reader_skips_a_missing_file_and_lines_past_the_end(data: Path, tmp_path: Path) -> None:
    rows = [
        *_label_rows(),
        {"file": "tweeteval/irony/train.tsv", "line": 2, "labels": {}},
        {"file": SENTIMENT, "line": 40, "labels": {}},
    ]
    for row in rows[-2:]:
        row["split"] = split_of(str(row["file"]), int(str(row["line"])))
    messages: list[str] = []
    posts = join_text(read_labels(_write_labels(tmp_path / "l", rows)), data, log=messages.append)
    assert len(posts) == len(FAKE_POSTS)
    assert len(messages) == 2
    assert "skipped 1 labelled posts" in messages[0] and "irony/train.tsv not found" in messages[0]
    assert "past its end" in messages[1] and "sentiment/val.tsv" in messages[1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels": {"tags.no_consent": "warn"}}, "not a rule id labelled from text"),
        ({"labels": {"offense.insult": "info"}}, "must be warn or block"),
        ({"split": "train"}, "must be one of test, calibration"),
        ({"line": 1}, "data line number"),
    ],
)
def test_a_malformed_label_line_names_the_line(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    row = {"file": SENTIMENT, "line": 2, "labels": {}, "split": split_of(SENTIMENT, 2)} | change
    folder = _write_labels(tmp_path / "bad", [_label_rows()[1], row])
    with pytest.raises(InputError, match=message) as caught:
        read_labels(folder)
    assert "fake.jsonl:2" in str(caught.value)


def test_the_wrong_split_and_a_post_labelled_twice_are_refused(tmp_path: Path) -> None:
    row = _label_rows()[0]
    other = "test" if row["split"] == "calibration" else "calibration"
    with pytest.raises(InputError, match="hashed split"):
        read_labels(_write_labels(tmp_path / "a", [row | {"split": other}]))
    with pytest.raises(InputError, match="labelled twice"):
        read_labels(_write_labels(tmp_path / "b", [row, row]))


def test_splits_are_a_stable_half_and_half() -> None:
    splits = [split_of(SENTIMENT, line) for line in range(2, 2002)]
    assert splits == [split_of(SENTIMENT, line) for line in range(2, 2002)]
    assert 900 < splits.count("test") < 1100


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("plain text", "plain text"),
        ('"quoted ""word"" here"', 'quoted "word" here'),
        ("Fish &amp; chips", "Fish & chips"),
        ("Saturday\\u2019s swap\\nnext line", "Saturday\u2019s swap\nnext line"),
    ],
)
def test_post_text_undoes_the_files_escapes(field: str, text: str) -> None:
    assert post_text(field) == text


def test_the_packaged_labels_are_valid_and_use_catalogue_rule_ids() -> None:
    posts = read_labels()
    assert posts, "src/tactful/training/real_labels/ has no labels"
    assert set(LABELLED_RULES) <= set(default_ruleset().catalogue)
    assert {p.split for p in posts} == {"test", "calibration"}


def _report(text: str, *findings: tuple[str, Severity]) -> Report:
    return Report(
        post=Post.build(text),
        findings=tuple(
            Finding(
                rule_id=rule_id,
                severity=severity,
                spans=(),
                score=1.0,
                message="m",
                explanation="e",
                suggestions=(),
                detector="fake",
            )
            for rule_id, severity in findings
        ),
    )


def _post(labels: dict[str, Severity]) -> LabelledPost:
    return LabelledPost(file=SENTIMENT, line=2, labels=labels, split="test", text="t")


def test_metrics_count_findings_at_warn_or_block_against_the_labels() -> None:
    warn, block, info = Severity.WARN, Severity.BLOCK, Severity.INFO
    posts = [
        _post({}),  # clean, nothing found
        _post({}),  # clean, a warn: a false alarm at warn, not at block
        _post({}),  # clean, a block
        _post({}),  # clean, info only: not an alarm
        _post({"offense.profanity": block}),  # found at warn: a hit, but not blocked
        _post({"offense.insult": block, "offense.profanity": warn}),  # insult found, blocked
        _post({"views.political": warn}),  # found at info only: a miss, seen at any severity
        _post({"views.religious": warn}),  # the checker failed on it
    ]
    reports = [
        _report("a"),
        _report("b", ("views.political", warn)),
        _report("c", ("offense.insult", block), ("tags.no_consent", warn)),
        _report("d", ("register.personal", info)),
        _report("e", ("offense.profanity", warn)),
        _report("f", ("offense.insult", block), ("offense.insult", warn)),
        _report("g", ("views.political", info)),
        None,
    ]
    s = score(posts, reports)
    assert (s.posts, s.clean, s.failed) == (8, 4, 1)
    assert (s.clean_warned, s.clean_blocked) == (2, 1)
    assert s.false_alarm_warn == 0.5 and s.false_alarm_block == 0.25
    insult, profanity = s.rules["offense.insult"], s.rules["offense.profanity"]
    assert (insult.tp, insult.fp, insult.fn) == (1, 1, 0)
    assert (profanity.tp, profanity.fp, profanity.fn) == (1, 0, 1)
    political = s.rules["views.political"]
    assert (political.tp, political.fp, political.fn, political.seen) == (0, 1, 1, 1)
    assert political.recall == 0.0 and political.recall_any == 1.0
    assert s.rules["views.religious"].fn == 1
    assert s.rules["safety.contact"].precision is None and s.rules["safety.contact"].recall is None
    # micro over every rule id: tp 2, fp 2 (b, c), fn 3 (f's profanity, g, the failed h)
    assert s.micro == (0.5, 0.4)
    # macro over the 4 labelled rule ids: precision (.5 + 1 + 0 + 0) / 4, recall (1 + .5) / 4
    assert s.macro == (0.375, 0.375)
    assert (s.to_block, s.blocked, s.labelled, s.flagged) == (2, 1, 4, 2)
    assert s.other_rules == {"tags.no_consent": 1}
    assert s.clean_alarms == {"views.political": 1, "offense.insult": 1, "tags.no_consent": 1}


def test_eval_runs_the_cli_checker_on_both_account_kinds(data: Path, labels: Path) -> None:
    results = evaluate(data, real_only=True, labels=labels, log=lambda _: None)
    assert set(results) == {"real_text"}
    real = results["real_text"]
    assert sum(real[split]["personal"]["posts"] for split in real) == len(FAKE_POSTS)
    for split in real:
        assert set(real[split]) == {"personal", "professional"}
    everything = {
        k: sum(real[s][k]["rules"]["offense.profanity"]["labelled"] for s in real)
        for k in ("personal", "professional")
    }
    assert everything == {"personal": 1, "professional": 1}
    table = format_tables(results)
    assert "false alarms at warn+" in table and "professional" in table
    assert "offense.identity" in table


def test_eval_real_only_on_the_command_line(data: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--data", str(data), "--real-only"])
    assert result.exit_code == 0, result.output
    # the packaged labels point past the end of the fake files, or at files not there
    assert "real text: skipped" in result.output
