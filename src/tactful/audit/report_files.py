"""A finished audit run as files a person reads: the HTML report (the riskiest posts
highlighted) and every flagged post as JSONL and CSV, plus a "delete or edit" list. The CLI
writes them to a folder; the web app serves the same page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tactful.audit import html, outputs, results
from tactful.errors import InputError

REPORT_LIMIT = 300  # riskiest posts shown in the HTML report (all are in the CSV and JSONL)
FILES = ("report.html", "findings.csv", "findings.jsonl", "actions.csv")


def report_page(session: Session, run_id: int, *, source_name_only: bool = False) -> str:
    """The HTML report of ``run_id``; ``source_name_only`` hides the folder the archive came
    from (the web app shows the file name, not the user's folders)."""
    info = results.run_info(session, run_id)
    if source_name_only:
        info = replace(info, source=Path(info.source).name)
    return html.render(
        info,
        results.timeline(session, run_id),
        results.categories(session, run_id),
        results.riskiest(session, run_id, REPORT_LIMIT),
    )


def write_report_files(store: Any, run_id: int, folder: Path) -> list[str]:
    """Write :data:`FILES` for ``run_id`` into ``folder``; returns their names."""
    with store.session() as s:
        page = report_page(s, run_id)
        try:
            with outputs.open_out(folder, "findings.jsonl") as out:
                outputs.write_jsonl(results.flagged(s, run_id), out)
            with outputs.open_out(folder, "findings.csv") as out:
                outputs.write_csv(results.flagged(s, run_id), out)
            with outputs.open_out(folder, "actions.csv") as out:
                outputs.write_actions(results.flagged(s, run_id), out)
            with outputs.open_out(folder, "report.html") as out:
                out.write(page)
        except OSError as exc:
            raise InputError(f"cannot write to {str(folder)!r}: {exc.strerror or exc}") from None
    return list(FILES)
