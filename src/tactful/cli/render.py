"""Human-readable terminal output for reports: the text with spans highlighted, then each
finding's message, why it matters and how to fix it."""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.text import Text

from tactful.core.findings import Report, Severity, Verdict

SEVERITY_STYLE = {
    Severity.BLOCK: "bold white on red",
    Severity.WARN: "bold black on yellow",
    Severity.INFO: "black on cyan",
}
LABEL_STYLE = {Severity.BLOCK: "bold red", Severity.WARN: "bold yellow", Severity.INFO: "cyan"}
VERDICT_STYLE = {
    Verdict.OK: "bold green",
    Verdict.REVIEW: "bold yellow",
    Verdict.BLOCKED: "bold red",
}
VERDICT_WORDS = {
    Verdict.OK: "OK to publish",
    Verdict.REVIEW: "review before publishing",
    Verdict.BLOCKED: "do not publish as it is",
}
NOTES_WORDS = "OK, with notes"  # an "ok" verdict that still has info findings to read


def verdict_words(report: Report) -> str:
    """The verdict as the user reads it: "OK, with notes" for a post with only info findings."""
    return NOTES_WORDS if report.has_notes else VERDICT_WORDS[report.verdict]


def highlighted(report: Report) -> Text:
    """The post text with every finding's spans styled by severity (worst wins)."""
    text = report.post.text
    shown = Text(text)
    # Paint weaker findings first so that overlapping stronger ones win.
    for f in sorted(report.findings, key=lambda f: f.severity.rank):
        for start, end in f.spans:
            shown.stylize(SEVERITY_STYLE[f.severity], start, end)
    return shown


def render_report(report: Report, *, label: str | None = None) -> Group:
    parts: list[Text | Padding] = []
    verdict = report.verdict
    head = Text()
    if label:
        head.append(f"{label}  ", style="bold")
    head.append(verdict_words(report), style=VERDICT_STYLE[verdict])
    ctx = report.post
    head.append(
        f"   [{ctx.platform.value}, {ctx.account.kind.value} account, "
        f"{ctx.account.audience.value} audience"
        + (", clients can see it" if ctx.account.clients_in_audience else "")
        + "]",
        style="dim",
    )
    parts.append(head)
    parts.append(Padding(highlighted(report), (0, 0, 0, 2)))
    for f in report.findings:
        line = Text("  ")
        line.append(f" {f.severity.value} ", style=SEVERITY_STYLE[f.severity])
        if f.title:
            line.append(f" {f.title}", style=LABEL_STYLE[f.severity])
            line.append(f"  {f.rule_id}", style="dim")
        else:
            line.append(f" {f.rule_id}", style=LABEL_STYLE[f.severity])
        where = f.excerpt(report.post.text) if f.spans else (f.target or "")
        if where:
            line.append(f"  “{_clip(where)}”", style="italic")
        parts.append(line)
        body = Text()
        body.append(f.message + "\n", style="bold")
        body.append("why: ", style="dim")
        body.append(f.explanation + "\n")
        for s in f.suggestions:
            body.append("fix: ", style="green")
            body.append(s.description)
            if s.replacement is not None and s.description.find(s.replacement) < 0:
                body.append(f" → “{s.replacement}”", style="green")
            body.append("\n")
        parts.append(Padding(body, (0, 0, 0, 4)))
    for sup in report.suppressed:
        excerpt = _clip(sup.finding.excerpt(report.post.text))
        note = f"  suppressed {sup.finding.rule_id} “{excerpt}”: {sup.reason}"
        parts.append(Text(note, style="dim"))
    if report.hidden_by_feedback:
        parts.append(Text(f"  {hidden_text(report.hidden_by_feedback)}", style="dim"))
    for notice in report.notices:
        parts.append(Text(f"  note: {notice}", style="magenta"))
    return Group(*parts)


def hidden_text(count: int) -> str:
    """The line that says feedback hid findings (they are listed above it)."""
    noun = "finding" if count == 1 else "findings"
    return f"{count} {noun} hidden by your feedback (tactful feedback list)"


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_report(console: Console, report: Report, *, label: str | None = None) -> None:
    console.print(render_report(report, label=label))
    console.print()
