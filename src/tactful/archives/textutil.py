"""Text repairs that exports need: HTML to plain text (Mastodon), and Meta's mojibake
(UTF-8 bytes written as one \\u00XX code point each)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

BLOCKS = frozenset({"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS and self.parts and not self.parts[-1].endswith("\n\n"):
            self.parts.append("\n\n")
        classes = dict(attrs).get("class") or ""
        if (tag == "span" and "invisible" in classes.split()) or (tag == "span" and self._hidden):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Mastodon's HTML (``<p>``, ``<br>``, links with hidden ``https://``) as the text a
    reader sees."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()


def fix_mojibake(value: Any) -> Any:
    """Repair Meta's export encoding in every string of a JSON value (keys too)."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [fix_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {fix_mojibake(k): fix_mojibake(v) for k, v in value.items()}
    return value
