"""The audit report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing
fetched), readable offline and printable."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from tactful.audit.results import RunInfo
from tactful.networks.platforms import PLATFORM_NAMES
from tactful.store.models import AuditResultRow

CSS = (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


def _highlight(text: str, findings: Sequence[dict[str, Any]]) -> str:
    marks: list[tuple[int, int, str, str]] = []
    for f in findings:
        for start, end in f.get("spans") or []:
            marks.append((start, end, f["severity"], f"{f['rule_id']}: {f['message']}"))
    marks.sort()
    out, pos = [], 0
    for start, end, sev, title in marks:
        if start < pos or end <= start or end > len(text):
            continue  # overlapping spans: the first one shown is enough
        out.append(escape(text[pos:start]))
        out.append(f'<mark class="{sev}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _timeline_svg(rows: Sequence[tuple[str, int, int, int]]) -> str:
    if not rows:
        return '<p class="muted">No dated posts.</p>'
    width, height, pad = max(640, 18 * len(rows) + 60), 220, 40
    top = max(r[2] + r[3] for r in rows) or 1
    bar = (width - pad - 10) / len(rows)
    parts = [
        f'<svg role="img" aria-label="Flagged posts over time" width="{width}" '
        f'height="{height + 40}" viewBox="0 0 {width} {height + 40}">'
    ]
    for frac in (0.5, 1.0):
        y = height - frac * (height - 20)
        parts.append(f'<line x1="{pad}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ec"/>')
        parts.append(
            f'<text x="{pad - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6475">{round(top * frac)}</text>'
        )
    step = max(1, len(rows) // 12)
    for i, (period, posts, review, blocked) in enumerate(rows):
        x = pad + i * bar
        h_b = blocked / top * (height - 20)
        h_r = review / top * (height - 20)
        w = max(bar - 2, 1)
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h_b:.1f}" width="{w:.1f}" height="{h_b:.1f}" '
            f'fill="#c0392b"><title>{period}: {blocked} to delete</title></rect>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h_b - h_r:.1f}" width="{w:.1f}" '
            f'height="{h_r:.1f}" fill="#d68910"><title>{period}: {review} to review '
            f"of {posts} posts</title></rect>"
        )
        if i % step == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height + 16}" font-size="11" '
                f'text-anchor="middle" fill="#5b6475">{period}</text>'
            )
    parts.append(
        f'<text x="{pad}" y="{height + 34}" font-size="12" fill="#5b6475">'
        '■ <tspan fill="#c0392b">blocked</tspan>  ■ <tspan fill="#d68910">to review'
        "</tspan></text></svg>"
    )
    return "".join(parts)


def _categories_svg(rows: Sequence[tuple[str, int]]) -> str:
    if not rows:
        return '<p class="muted">Nothing flagged.</p>'
    rows = rows[:15]
    top = rows[0][1] or 1
    width, line = 640, 26
    parts = [
        f'<svg role="img" aria-label="Findings by category" width="{width}" '
        f'height="{line * len(rows) + 10}" viewBox="0 0 {width} {line * len(rows) + 10}">'
    ]
    for i, (rule, n) in enumerate(rows):
        y = i * line + 4
        w = n / top * (width - 290)
        parts.append(
            f'<text x="210" y="{y + 15}" font-size="12" text-anchor="end">{escape(rule)}</text>'
        )
        parts.append(
            f'<rect x="220" y="{y + 3}" width="{w:.1f}" height="16" rx="3" fill="#2e86c1"/>'
        )
        parts.append(f'<text x="{226 + w:.1f}" y="{y + 15}" font-size="12">{n:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _post(row: AuditResultRow) -> str:
    report = row.report or {}
    findings = report.get("findings") or []
    text = str(report.get("text", ""))
    when = row.created_at.strftime("%d %b %Y") if row.created_at else "undated"
    safe = row.url if row.url and row.url.startswith(("https://", "http://")) else None
    link = (
        f' · <a href="{escape(safe)}" rel="noreferrer noopener">open the original</a>'
        if safe
        else ""
    )
    items = []
    for f in sorted(findings, key=lambda f: (f["severity"] != "block", -f["score"])):
        fix = (f.get("suggestions") or [{}])[0].get("description", "")
        items.append(
            f'<li><span class="sev {f["severity"]}">{f["severity"]}</span> '
            f"<code>{escape(f['rule_id'])}</code> {escape(f['message'])}"
            f'<br><span class="muted">{escape(f.get("explanation", ""))}</span>'
            + (f'<br><span class="fix">Fix: {escape(fix)}</span>' if fix else "")
            + "</li>"
        )
    return (
        f'<article class="post {row.verdict}"><div class="meta">{when} · {escape(row.kind)}'
        f'{link}</div><div class="text">{_highlight(text, findings)}</div>'
        f'<ul class="why">{"".join(items)}</ul></article>'
    )


def render(
    info: RunInfo,
    timeline: Sequence[tuple[str, int, int, int]],
    categories: Sequence[tuple[str, int]],
    riskiest: Sequence[AuditResultRow],
) -> str:
    blocked = sum(r[3] for r in timeline)
    skipped = sum((info.counts.get("skipped") or {}).values())
    unreadable = sum((info.counts.get("unreadable") or {}).values())
    context = info.settings
    counts_rows = "".join(
        f"<tr><td>{escape(group)}</td><td>{escape(reason)}</td><td>{n:,}</td></tr>"
        for group in ("skipped", "unreadable", "shortened", "media")
        for reason, n in sorted((info.counts.get(group) or {}).items())
    )
    not_checked = f"<table>{counts_rows}</table>" if counts_rows else "Every record was read."
    network = PLATFORM_NAMES.get(info.format, info.format)
    clients = (
        " that clients can see (so as if at work)"
        if context.get("clients_in_audience") and context.get("account_kind") == "personal"
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>tactful audit #{info.id}: {escape(network)} export</title><style>{CSS}</style></head>
<body><main>
<h1>What in this {escape(network)} history could hurt you now</h1>
<p class="muted">Audit #{info.id} of {escape(info.source)} · checked as a
{escape(str(context.get("account_kind")))} account{clients},
{escape(str(context.get("audience")))} audience
· {escape(info.status)} · made on this machine by tactful; nothing was sent anywhere.</p>
<div class="cards">
<div class="card"><b>{info.posts:,}</b>posts checked</div>
<div class="card"><b>{info.flagged:,}</b>to act on</div>
<div class="card"><b>{blocked:,}</b>of them blocked</div>
<div class="card"><b>{skipped:,}</b>skipped</div>
<div class="card"><b>{unreadable:,}</b>unreadable</div>
</div>
<h2>Over time</h2><div class="panel">{_timeline_svg(timeline)}</div>
<h2>By category</h2><div class="panel">{_categories_svg(categories)}</div>
<h2>Riskiest posts first</h2>
{"".join(_post(r) for r in riskiest) or "<p>Nothing to act on. 🎉</p>"}
<h2>Not checked</h2>
<div class="panel">{not_checked}</div>
</main></body></html>
"""
