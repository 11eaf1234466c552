"""Allow-list sanitising of article HTML with nh3 (Ammonia): no script, no handlers, no javascript:."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "lang", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"srcset", "type", "sizes", "media"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_BLOCK_TAGS = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|figure|figcaption)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def sanitize_html(markup: str) -> str:
    """Return markup with only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def plain_text(markup: str) -> str:
    """Return the text of an HTML fragment, tags removed and entities decoded."""
    return " ".join(html.unescape(_TAGS.sub("", _BLOCK_TAGS.sub(" ", markup))).split())


def first_paragraph_text(markup: str) -> str:
    """Return the plain text of the first non-empty paragraph."""
    for match in _FIRST_PARAGRAPH.finditer(markup):
        text = plain_text(match.group(1))
        if text:
            return text
    return plain_text(markup)[:300]
