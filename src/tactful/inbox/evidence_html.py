"""The evidence report as one self-contained HTML page: inline CSS, no script, no image, no
font or style sheet fetched from anywhere; every value escaped."""

from __future__ import annotations

from html import escape
from typing import Any

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#111}
h1{font-size:1.5em}.meta{color:#555}.record{border:1px solid #ccc;border-radius:6px;
padding:1em;margin:1em 0}.threat,.harassment{border-left:6px solid #b00}
.where{background:#fee;padding:.4em;font-weight:bold}blockquote{white-space:pre-wrap;
margin:.5em 0;padding:.5em 1em;background:#f6f6f6}code{font-size:.85em;word-break:break-all}
table{border-collapse:collapse}td{padding:.1em .8em .1em 0;vertical-align:top}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _link(url: object) -> str:
    text = _e(url)
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{text}" rel="noreferrer noopener">{text}</a>'
    return text


def _record(r: dict[str, Any]) -> str:
    rows = [
        ("Account", _e(r.get("account")) + f" ({_e(r.get('network'))})"),
        ("Author", f"{_e(r.get('author_handle'))} <code>{_e(r.get('author_id'))}</code>"),
        ("Written", _e(r.get("written_at"))),
        ("Fetched", _e(r.get("fetched_at"))),
        ("Link", _link(r.get("url"))),
        ("Network id", f"<code>{_e(r.get('item_id'))}</code>"),
        ("In reply to", f"<code>{_e(r.get('replies_to'))}</code>"),
        ("Sorted as", _e(r.get("category")) + " — " + _e(", ".join(r.get("because") or []))),
        ("sha256", f"<code>{_e(r.get('sha256'))}</code>"),
        ("previous", f"<code>{_e(r.get('prev_sha256'))}</code>"),
    ]
    table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    where = f'<p class="where">{_e(r["whereabouts"])}</p>' if r.get("whereabouts") else ""
    cut = (
        f"<p class=meta>Cut to the size limit from {_e(r['text_cut_from_chars'])} characters.</p>"
        if r.get("text_cut_from_chars")
        else ""
    )
    thread = "".join(
        f"<li>{_e(p.get('author'))} ({_e(p.get('created_at'))}): "
        f"<blockquote>{_e(p.get('text'))}</blockquote>{_link(p.get('url'))}</li>"
        for p in r.get("thread") or []
    )
    thread_html = f"<p>Thread above it:</p><ol>{thread}</ol>" if thread else ""
    findings = "".join(
        f"<li>{_e(f.get('rule_id'))} {_e(f.get('check') or '')} ({_e(f.get('severity'))}): "
        f"{_e(f.get('message'))} “{_e(' … '.join(f.get('excerpts') or []))}”</li>"
        for f in r.get("findings") or []
    )
    return (
        f'<section class="record {_e(r.get("category"))}"><h2>#{_e(r.get("seq"))}</h2>{where}'
        f"<blockquote>{_e(r.get('text'))}</blockquote>{cut}<table>{table}</table>"
        f"{thread_html}<ul>{findings}</ul></section>"
    )


def render(document: dict[str, Any]) -> str:
    records = document.get("records") or []
    body = "".join(_record(r) for r in records) or "<p>No threats or harassment recorded.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Evidence: threats and harassment</title><style>{CSS}</style></head><body>"
        "<h1>Threats and harassment received</h1>"
        f'<p class="meta">Exported {_e(document.get("exported_at"))} by tactful; '
        f"{len(records)} records. Each record carries the SHA-256 of the one before it; the "
        f"last is <code>{_e(document.get('head_sha256'))}</code>. Check the JSON file with "
        "<code>tactful inbox evidence verify evidence.json</code>.</p>"
        f"{body}</body></html>"
    )
