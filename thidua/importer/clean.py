"""Strip dangerous markup and portal chrome (menus, counters, weather, related news) from a page."""

import re

from bs4 import BeautifulSoup, Comment, Tag

from .text import key_of, squash

__all__ = ["sanitise", "drop_chrome", "leaf_blocks", "BLOCK_TAGS"]

BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote",
    "figcaption", "dt", "dd", "pre", "section", "article", "table", "tr", "ul", "ol",
    "figure", "center", "header", "footer", "main",
}  # fmt: skip
_LEAF_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote",
              "figcaption", "dt", "dd", "pre", "center"}  # fmt: skip
_DANGEROUS = ("script", "style", "iframe", "frame", "frameset", "object", "embed", "noscript",
              "link", "meta", "base", "applet", "svg", "math", "canvas", "template", "input",
              "button", "select", "textarea", "audio", "video", "source", "marquee")  # fmt: skip
_ALWAYS_CHROME_TAGS = ("nav", "menu")
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|mainmenu|topmenu|breadcrumbs?|sidebar|footer|banner|share|"
    r"social|print|sendmail|toolbar|counter|thongke|thong-ke|statistic|visitors?|weather|"
    r"thoitiet|thoi-tiet|related|tinkhac|tin-khac|othernews|other-news|lienket|advert|ads|"
    r"quangcao|search|login|pager|paging|tags?)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Text that starts a block of chrome, on folded text. Section starters also take the rest of
# their box with them (the list of links after "Các tin khác").
_SECTION_STARTERS = tuple(
    key_of(s)
    for s in (
        "Các tin khác", "Tin khác", "Tin liên quan", "Tin cùng chuyên mục", "Xem tin theo ngày",
        "Dự báo thời tiết", "Thống kê truy cập", "Liên kết website", "Tin mới nhất",
        "Tin đọc nhiều", "Đơn vị hỗ trợ", "Ý kiến bạn đọc",
    )
)  # fmt: skip
_SHORT_CHROME = re.compile(
    r"^(?:tong truy cap|truy cap hien tai|dang online|dang truy cap|hom nay|hom qua|da truy cap|"
    r"luot truy cap|trong tuan|trong thang|do am|toc do gio|nhiet do|cap nhat luc|thanh pho:|"
    r"quay lai|tro ve|ve dau trang|len dau trang|dau trang|in trang|in bai|ban in|gui email|"
    r"gui cho ban be|chia se|facebook|zalo|twitter|luu tin|phan hoi|binh luan|danh gia|"
    r"ban chua co du quyen|ban khong co quyen|you do not have the roles|\d{1,2} ?o ?c$|"
    r"\d{1,2}\s*°c|font chu|co chu|ngay \d{1,2}/\d{1,2}/\d{4} \| luot xem)",
)
_SHORT_LIMIT = 90


def sanitise(soup: BeautifulSoup) -> None:
    """Remove scripts, frames, forms' controls, comments, event handlers and inline styles."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_DANGEROUS):
        tag.decompose()
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            lower = name.lower()
            value = tag.attrs[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            handler = lower.startswith("on") or lower in {"style", "srcdoc", "formaction"}
            script_url = lower in {"href", "src", "action", "xlink:href"} and _is_script_url(text)
            if handler or script_url:
                del tag.attrs[name]
    for form in soup.find_all("form"):
        form.unwrap()


def drop_chrome(soup: BeautifulSoup, keep: set[int] | None = None) -> None:
    """Remove navigation, counters, weather, share buttons and "other news" boxes."""
    for tag in soup.find_all(_ALWAYS_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(["header", "footer", "aside"]):
        if tag.find_parent("article") is None:
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in {"html", "body"}:
            continue
        marker = " ".join(_attr_words(tag))
        if marker and _CHROME_ATTR.search(marker) and not _holds_article(tag):
            tag.decompose()
    for block in leaf_blocks(soup):
        if block.decomposed:
            continue
        text = key_of(squash(block.get_text(" ")))
        if not text:
            continue
        if text.startswith(_SECTION_STARTERS) and len(text) < 400:
            _drop_section(block)
        elif len(text) <= _SHORT_LIMIT and _SHORT_CHROME.match(text):
            block.decompose()


def leaf_blocks(root: Tag) -> list[Tag]:
    """Return block elements holding text but no other block element, in document order."""
    found = []
    for tag in root.find_all(_LEAF_TAGS):
        if tag.find(_LEAF_TAGS) is None or _has_own_text(tag):
            found.append(tag)
    return found


def _has_own_text(tag: Tag) -> bool:
    return any(isinstance(c, str) and c.strip() for c in tag.children)


def _drop_section(block: Tag) -> None:
    """Remove a chrome heading, what follows it in its box, then any box left empty."""
    for sibling in list(block.find_next_siblings()):
        sibling.decompose()
    node = block.parent
    block.decompose()
    while node is not None and node.name not in {"body", "html", "[document]"}:
        parent = node.parent
        if squash(node.get_text(" ")) or node.find("img") is not None:
            return
        node.decompose()
        node = parent


def _holds_article(tag: Tag) -> bool:
    """Tell whether a tag flagged as chrome by its class still holds long article text."""
    return len(squash(tag.get_text(" "))) > 1500


def _attr_words(tag: Tag) -> list[str]:
    words = []
    for name in ("class", "id"):
        value = tag.attrs.get(name) if tag.attrs else None
        if isinstance(value, list):
            words.extend(value)
        elif value:
            words.append(str(value))
    return words


def _is_script_url(value: str) -> bool:
    compact = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
    return compact.startswith(("javascript:", "vbscript:", "data:text"))
