"""tactful audit end to end: outputs, filters, resuming after an interruption, workers, and
exit codes."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.archives.synthetic import write
from tactful.cli.main import main

TEXTS = [
    "Great quarter for the team, thank you all.",
    "My idiot boss moved the deadline again.",
    "Our client told us in a closed-door meeting they are cutting 200 jobs.",
    "Lovely walk by the river this morning.",
    "Still hungover from the bar crawl, shots shots shots.",
    "We shipped the new onboarding flow today.",
] * 30  # 180 posts, 90 of them risky


def audit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["audit", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def interrupt_after_one_chunk(monkeypatch: pytest.MonkeyPatch):
    """Make the local engine act as if Ctrl-C came after the first chunk; returns the real
    engine, to put back."""
    from tactful.audit import engine, runner

    real = engine.run_local

    def flaky(*args, **kwargs):
        for n, results in enumerate(real(*args, **kwargs), start=1):
            if n == 2:
                raise KeyboardInterrupt
            yield results

    monkeypatch.setattr(runner, "run_local", flaky)
    return real


@pytest.fixture
def x_zip(tmp_path: Path) -> Path:
    return write("x", tmp_path / "export", TEXTS)


def test_audit_writes_every_output(x_zip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = audit(
        str(x_zip), "--account-kind", "professional", "-o", str(out), "--workers", "1"
    )
    assert code == 1
    # 90 risky posts and, on a professional account, the 30 walks by the river (personal).
    # The 4 "Great quarter" posts the export writes as replies are thanks to the team: no
    # finding (the model does not call them low-value engagement).
    assert "180 posts checked, 120 to act on; 0 skipped, 0 unreadable" in stdout
    page = (out / "report.html").read_text()
    assert page.count("<article") == 120 and "<svg" in page and '<mark class="block"' in page
    assert "idiot boss" in page and "https://x.com/sam_example/status/" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched from anywhere
    rows = list(csv.DictReader((out / "findings.csv").open()))
    # The walks by the river and the replies that only praise are notes (register.personal
    # and engagement.low_value are info here): listed with the verdict "ok", nothing above.
    assert len(rows) == 120 and {r["verdict"] for r in rows} <= {"blocked", "review", "ok"}
    assert {r["verdict"] for r in rows} >= {"blocked", "review"}
    noted = {c for r in rows if r["verdict"] == "ok" for c in r["categories"].split()}
    assert noted and noted <= {"register.personal", "account.mismatch", "engagement.low_value"}
    reports = [json.loads(line) for line in (out / "findings.jsonl").open()]
    assert len(reports) == 120 and all(r["findings"] and r["archive"]["url"] for r in reports)
    actions = list(csv.DictReader((out / "actions.csv").open()))
    assert len(actions) == 120 and {a["action"] for a in actions} <= {"delete", "edit or delete"}


def test_filters(x_zip: Path, tmp_path: Path) -> None:
    code, stdout, _ = audit(str(x_zip), "--until", "2019-01-02", "-o", str(tmp_path / "a"))
    assert "15 posts checked" in stdout and "165 outside the date range" in stdout
    code, stdout, _ = audit(str(x_zip), "--category", "work.venting", "-o", str(tmp_path / "b"))
    rows = list(csv.DictReader((tmp_path / "b" / "findings.csv").open()))
    assert rows and all(r["categories"] == "work.venting" for r in rows)
    code, stdout, _ = audit(
        str(x_zip),
        "--min-severity",
        "block",
        "--account-kind",
        "professional",
        "-o",
        str(tmp_path / "c"),
    )
    rows = list(csv.DictReader((tmp_path / "c" / "findings.csv").open()))
    assert rows and {r["verdict"] for r in rows} == {"blocked"}
    code, _, err = audit(str(x_zip), "--category", "nonsense")
    assert code == 2 and "matches no rule" in err


def test_an_interrupted_audit_resumes_where_it_stopped(
    x_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.audit import runner

    real = interrupt_after_one_chunk(monkeypatch)
    code, _, err = audit(str(x_zip), "--workers", "1", "-o", str(tmp_path / "o"))
    assert code == 130 and "run the same command again" in err
    monkeypatch.setattr(runner, "run_local", real)
    code, stdout, _ = audit(str(x_zip), "--workers", "1", "-o", str(tmp_path / "o"))
    assert "resumed after 64 records" in stdout
    assert "180 posts checked" in stdout
    resumed = list(csv.DictReader((tmp_path / "o" / "findings.csv").open()))
    code, stdout, _ = audit(str(x_zip), "--workers", "1", "--fresh", "-o", str(tmp_path / "f"))
    fresh = list(csv.DictReader((tmp_path / "f" / "findings.csv").open()))
    assert resumed == fresh


def test_two_workers_give_the_same_results(x_zip: Path, tmp_path: Path) -> None:
    audit(str(x_zip), "--workers", "1", "--fresh", "-o", str(tmp_path / "one"))
    audit(str(x_zip), "--workers", "2", "--fresh", "-o", str(tmp_path / "two"))
    assert (tmp_path / "one" / "findings.csv").read_text() == (
        tmp_path / "two" / "findings.csv"
    ).read_text()


def test_every_format_audits(tmp_path: Path) -> None:
    from tactful.archives.synthetic import FORMATS

    for fmt in FORMATS:
        path = write(fmt, tmp_path / fmt, TEXTS[:6])
        code, stdout, _ = audit(str(path), "--workers", "1", "-o", str(tmp_path / f"out-{fmt}"))
        assert code == 1, (fmt, stdout)
        assert "6 posts checked" in stdout or "5 posts checked" in stdout, (fmt, stdout)


def test_nothing_readable_is_exit_2_and_partial_is_not(tmp_path: Path) -> None:
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("data/tweets.js", 'window.YTD.tweets.part0 = [{"tweet": ')
    code, stdout, err = audit(str(z), "-o", str(tmp_path / "o"))
    assert code == 2 and "0 posts checked" in stdout and "1 unreadable" in stdout
    folder = tmp_path / "not-an-export"
    folder.mkdir()
    code, _, err = audit(str(folder))
    assert code == 2 and "not an export tactful knows" in err and len(err.strip().splitlines()) == 1


def test_audits_list_and_report_again(x_zip: Path, tmp_path: Path) -> None:
    audit(str(x_zip), "--workers", "1", "-o", str(tmp_path / "o"))
    result = CliRunner().invoke(main, ["audits", "list", "--json"])
    runs = json.loads(result.stdout)
    assert runs[-1]["status"] == "done" and runs[-1]["posts"] == 180
    result = CliRunner().invoke(
        main, ["audits", "report", str(runs[-1]["id"]), "-o", str(tmp_path / "again")]
    )
    assert result.exit_code == 0 and (tmp_path / "again" / "report.html").is_file()


def test_missing_media_files_are_reported(tmp_path: Path) -> None:
    tweets = [
        {
            "tweet": {
                "id_str": "1",
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "full_text": "Our stand at the fair",
                "extended_entities": {
                    "media": [{"media_url_https": "https://pbs.twimg.com/media/a.jpg"}]
                },
            }
        },
    ]
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))
    code, stdout, _ = audit(str(z), "-o", str(tmp_path / "o"))
    assert code == 0 and "media: 1 posts whose media files are missing from the export" in stdout
    assert "missing from the export" in (tmp_path / "o" / "report.html").read_text()


def test_outputs_are_safe_to_open(tmp_path: Path) -> None:
    public = "https://www.w3.org/ns/activitystreams#Public"
    outbox = {
        "orderedItems": [
            {
                "type": "Create",
                "object": {
                    "id": "https://s.example/1",
                    "url": "javascript:alert(1)",
                    "published": "2023-01-02T03:04:05Z",
                    "to": [public],
                    "cc": [],
                    "content": '<p>=HYPERLINK("https://evil.example") my idiot boss &lt;script&gt;alert(1)&lt;/script&gt;</p>',
                },
            }
        ]
    }
    (tmp_path / "outbox.json").write_text(json.dumps(outbox))
    code, _, _ = audit(str(tmp_path / "outbox.json"), "-o", str(tmp_path / "o"))
    assert code == 1
    page = (tmp_path / "o" / "report.html").read_text()
    assert "javascript:" not in page and "<script>" not in page and "&lt;script&gt;" in page
    assert "Content-Security-Policy" in page
    row = next(csv.DictReader((tmp_path / "o" / "findings.csv").open()))
    assert (row["text"].startswith("'=HYPERLINK") and row["url"] == "'javascript:alert(1)") or row[
        "url"
    ].startswith("javascript") is False


def test_a_date_filter_still_commits_as_it_reads(
    x_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.audit import runner

    monkeypatch.setattr(runner, "FLUSH_EVERY", 50)
    real = interrupt_after_one_chunk(monkeypatch)
    code, _, _ = audit(
        str(x_zip), "--since", "2030-01-01", "--workers", "1", "-o", str(tmp_path / "o")
    )
    assert code == 130
    monkeypatch.setattr(runner, "run_local", real)
    code, stdout, _ = audit(
        str(x_zip), "--since", "2030-01-01", "--workers", "1", "-o", str(tmp_path / "o")
    )
    assert "resumed after 50 records" in stdout and "180 outside the date range" in stdout


def test_a_post_a_detector_failed_on_is_listed(
    x_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.detectors.pii import PiiDetector

    def boom(self, post, ctx):
        raise RuntimeError("broken detector")

    monkeypatch.setattr(PiiDetector, "detect", boom)
    code, _, _ = audit(
        str(x_zip), "--workers", "1", "--category", "safety", "-o", str(tmp_path / "o")
    )
    assert code == 1
    rows = list(csv.DictReader((tmp_path / "o" / "findings.csv").open()))
    assert len(rows) == 180 and all(r["verdict"] == "review" for r in rows)
