"""Text repairs that exports need: HTML to plain text with the links' targets (Mastodon),
links whose shortened display text stands for a full URL (Mastodon, Bluesky), alt text
written out next to a post, and Meta's mojibake (UTF-8 bytes written as one \\u00XX code
point each)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

BLOCKS = frozenset({"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:www\.)?", re.IGNORECASE)


def _bare(url: str) -> str:
    return _SCHEME.sub("", url.strip()).rstrip("/")


def shows_link(display: str, url: str) -> bool:
    """Whether ``display`` is how a client shows ``url``: the URL itself, or the URL without
    its scheme, cut short with an ellipsis (``example.com/long…``, ``example.com/lo...``)."""
    shown = _bare(display)
    cut = shown.endswith(("…", "..."))
    shown = shown.removesuffix("…").removesuffix("...")
    return bool(shown) and (_bare(url).startswith(shown) if cut else _bare(url) == shown)


def with_link_target(display: str, url: str) -> str:
    """The text to audit for a link: its target, and the words it was shown as when these
    are not the address itself (``my blog (https://blog.example/post)``)."""
    display = display.strip()
    if not display or shows_link(display, url):
        return url
    return f"{display} ({url})"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._anchor: tuple[str, int] | None = None  # href, where its text starts in parts
        self._anchor_text: list[str] = []  # the link's whole text, hidden parts too

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS and self.parts and not self.parts[-1].endswith("\n\n"):
            self.parts.append("\n\n")
        named = dict(attrs)
        classes = (named.get("class") or "").split()
        if (tag == "span" and "invisible" in classes) or (tag == "span" and self._hidden):
            self._hidden += 1
        href = (named.get("href") or "").strip()
        tagged = {"mention", "hashtag"} & set(classes) or "tag" in (named.get("rel") or "").split()
        if tag == "a" and href.startswith(("http://", "https://")) and not tagged:
            self._anchor, self._anchor_text = (href, len(self.parts)), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1
        if tag == "a" and self._anchor is not None:
            href, start = self._anchor
            self._anchor = None
            shown = "".join(self.parts[start:])
            if shown.strip().startswith(("@", "#")):  # a mention or tag without its class
                return
            # Mastodon hides "https://" and the end of a long address in invisible spans.
            whole = "".join(self._anchor_text)
            self.parts[start:] = [
                href if shows_link(whole, href) else with_link_target(shown, href)
            ]
            if href not in self.links:
                self.links.append(href)

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor_text.append(data)
        if not self._hidden:
            self.parts.append(data)


def html_text_and_links(html: str) -> tuple[str, tuple[str, ...]]:
    """Mastodon's HTML (``<p>``, ``<br>``, links shown shortened) as the text a reader sees,
    each link's shortened display replaced by its target; and the links' targets."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip(), tuple(parser.links)


def html_to_text(html: str) -> str:
    return html_text_and_links(html)[0]


def with_alt_text(text: str, descriptions: Iterable[str]) -> str:
    """The post's text and, after it, each image's description (alt text): what the
    public reads, so what is audited."""
    alts = "\n".join(f"[alt text: {d.strip()}]" for d in descriptions if d and d.strip())
    if not alts:
        return text
    return f"{text.rstrip()}\n\n{alts}" if text.strip() else alts


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
