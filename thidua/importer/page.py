"""Turn one saved portal page into a contract-conformant Markdown article (pure, no I/O)."""

import html as htmlmod
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from posixpath import basename, splitext
from urllib.parse import unquote, urljoin, urlparse

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from thidua.clock import build_time

from .clean import drop_chrome, leaf_blocks, sanitise
from .dates import FoundDate, find_date, parse_vi_date
from .guess import CATEGORIES, GazetteerMissing, guess_campaigns, guess_category, guess_localities
from .text import key_of, nfc, slugify, squash

__all__ = ["ImportResult", "ImportRefused", "import_page", "load_default_gazetteer", "AUTO"]

AUTO = object()  # load the gazetteer plugin lazily; fall back to text patterns without it

_TITLE_ATTR = re.compile(r"title|tieude|tieu-de|tieu_de|headline|newsname|news-name|heading", re.I)
_CHROME_TITLES = {
    key_of(s)
    for s in (
        "Thông tin điều hành", "FE_View_Detail", "Chi tiet tin tức", "Chi tiết tin tức",
        "Chi tiet tin tức - Sở Khoa học công nghệ", "Tin tức", "Tin tức - Sự kiện",
        "Tin tức sự kiện", "Văn bản chỉ đạo điều hành", "Trang chủ", "Tin hoạt động",
    )
}  # fmt: skip
_DATE_ATTR = re.compile(r"date|time|ngay|thoigian|thoi-gian|published|posted", re.I)
_SEPARATOR = re.compile(r"^[-_=*.~\s]{5,}$")
_DOC_TYPES = ("CHỈ THỊ", "KẾ HOẠCH", "QUYẾT ĐỊNH", "THÔNG BÁO", "NGHỊ QUYẾT", "HƯỚNG DẪN")
_DOC_NUMBER = re.compile(r"^Số\s*:\s*(.*)$")
_PLACE_DATE = re.compile(r"^([^,]{2,40}),\s*ngày\b", re.I)
_TRAILER_START = re.compile(r"^(?:Nơi nhận\s*:?|TM\.|KT\.|Q\.|TL\.)", re.I)
_ISSUER_SPLIT = re.compile(r"^(.*?\b(?:HUYỆN|TỈNH|THÀNH PHỐ|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN))\s+(.+)$")
_KEEP_UPPER = {"UBND", "HĐND", "TP", "TP.", "MTTQ", "TW"}
_JUNK_ALT = {"", "img", "image", "anh", "hinh", "hinh anh", "photo", "picture", "untitled"}
_ICON = re.compile(r"icon|logo|spacer|blank|print|email|facebook|share|zalo|twitter|rss|arrow|bullet", re.I)
_COMPILED = {"tong hop", "th", "tong hop tu internet"}
_DATELINE = re.compile(r"^[A-ZĐ][A-ZĐ.]{1,14}\s*[-–—]\s*")


class ImportRefused(Exception):
    """Raised when a page cannot become an article; the message says why and how to proceed."""


@dataclass
class ImportResult:
    """One imported article: its Markdown, where it goes, and what the editor must check."""

    markdown: str
    slug: str
    category_folder: str
    title: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Image:
    src: str
    alt: str
    caption: str
    alt_guessed: bool
    original: str


def load_default_gazetteer(data_dir: str = "data"):
    """Load the gazetteer plugin's data, or raise GazetteerMissing saying why."""
    try:
        from thidua.gazetteer import load_gazetteer
    except ImportError as error:
        raise GazetteerMissing(f"chưa có plugin gazetteer ({error})") from error
    try:
        return load_gazetteer(data_dir)
    except Exception as error:  # noqa: BLE001 - any failure means "no gazetteer" here
        raise GazetteerMissing(f"không nạp được dữ liệu địa danh từ {data_dir} ({error})") from error


def import_page(
    html: str,
    source_name: str,
    *,
    uid_factory=uuid.uuid4,
    today: date | None = None,
    gazetteer=AUTO,
    data_dir: str = "data",
    title: str | None = None,
    slug: str | None = None,
    category: str | None = None,
    localities: list[str] | None = None,
) -> ImportResult:
    """Turn a portal page into Markdown; options override the guesses they name."""
    warnings: list[str] = []
    review: list[str] = []
    soup = BeautifulSoup(nfc(html), "lxml")
    base_url = _base_url(soup, source_name)
    meta_title, meta_date = _meta(soup)
    sanitise(soup)
    drop_chrome(soup)

    container = _main_container(soup)
    if container is None:
        raise ImportRefused(_no_title(source_name))
    document = _extract_document(container)

    title_el = None
    if title:
        found_title = squash(title)
    elif document and document.get("title"):
        found_title = document["title"]
    else:
        title_el = _find_title(soup, container)
        found_title = squash(title_el.get_text(" ")) if title_el is not None else meta_title
    if not found_title:
        raise ImportRefused(_no_title(source_name))

    # The date: in the title "(07/03/2020)", a meta tag, a short dated line near the title.
    found_date: FoundDate | None = None
    title_date = re.search(r"\s*\((\d{1,2}/\d{1,2}/\d{4})\)\s*$", found_title)
    if title_date:
        found_date = parse_vi_date(title_date.group(1))
        found_title = found_title[: title_date.start()].strip()
    if found_date is None and meta_date:
        found_date = parse_vi_date(meta_date)
    if found_date is None:
        found_date = _date_near_title(soup, title_el, container)
    if found_date is None and document and document.get("date"):
        found_date = document["date"]
    if title_el is not None and not title_el.decomposed:
        title_el.decompose()
    if found_date is None:
        found_date = parse_vi_date(container.get_text(" "))
        if found_date is not None:
            review.append("date")
            warnings.append("Ngày đăng lấy từ ngày đầu tiên trong bài: kiểm tra lại Date.")
    if found_date is None:
        found_date = FoundDate(today or build_time({}).date())  # the day in Vietnam, from the one clock
        review.append("date")
        warnings.append("Không thấy ngày đăng: Date là ngày nhập bài, hãy sửa lại.")
    elif found_date.partial:
        review.append("date")
        warnings.append("Văn bản chỉ ghi tháng và năm: Date lấy ngày 1, hãy sửa lại.")

    author, source = ("", "") if document else _extract_byline(container, soup)
    images = _extract_images(container, base_url)
    for block in leaf_blocks(container):
        if _SEPARATOR.match(block.get_text()) and not block.find("img"):
            block.decompose()

    body_md = _to_markdown(container, images)
    body_text = squash(container.get_text(" "))
    if not body_md.strip():
        raise ImportRefused(f"{source_name}: không tìm thấy nội dung bài viết; kiểm tra đây là trang chi tiết tin.")

    chosen_category = category
    if chosen_category is None:
        chosen_category = guess_category(found_title, body_text)
        review.append("category")
    elif chosen_category not in CATEGORIES:
        raise ImportRefused(f"Chuyên mục “{chosen_category}” không có; chọn một trong: {', '.join(CATEGORIES)}.")

    if localities:
        chosen_localities = [squash(x) for x in localities if squash(x)]
    else:
        places_text = body_text
        gaz = gazetteer
        if gaz is AUTO:
            try:
                gaz = load_default_gazetteer(data_dir)
            except GazetteerMissing as error:
                gaz = None
                warnings.append(f"Đoán địa phương không dùng danh mục hành chính: {error}.")
        if document and (document.get("issuer") or document.get("place")):
            places_text = f"{document.get('issuer') or document['place']}. {body_text}"
        chosen_localities = guess_localities(found_title, places_text, gaz, on_date=found_date.day)
        review.append("localities")
    if not chosen_localities:
        raise ImportRefused(f'{source_name}: không đoán được địa phương nào; thêm --locality "Tên địa phương".')

    campaigns = guess_campaigns(body_text)
    if campaigns:
        review.append("campaigns")

    final_slug = slug or slugify(found_title)
    meta: dict[str, str] = {
        "Title": found_title,
        "Date": found_date.header_value(),
        "Category": chosen_category,
        "Localities": "; ".join(chosen_localities),
    }
    if campaigns:
        meta["Campaigns"] = "; ".join(campaigns)
    if author:
        meta["Author"] = author
    if source:
        meta["Source"] = source
    summary = _summary(container)
    if summary:
        meta["Summary"] = summary
    if images:
        lead = images[0]
        meta["Image"] = lead.src
        if lead.alt:
            meta["Image_alt"] = lead.alt
            if lead.alt_guessed:
                review.append("image_alt")
        if lead.caption:
            meta["Image_caption"] = lead.caption
        for image in images:
            warnings.append(f"Ảnh chưa tải về: lưu {image.original} thành content/{image.src}.")
    if document:
        for key in ("type", "issuer", "signer"):
            if document.get(key):
                meta[f"Document_{key}"] = document[key]
        if document.get("number"):
            meta["Document_number"] = document["number"]
        elif "number_blank" in document:
            warnings.append(f"Số văn bản để trống (“Số: {document['number_blank']}”): điền Document_number.")
        if document.get("date") and not document["date"].partial:
            meta["Document_date"] = document["date"].day.isoformat()
        if document.get("recipients"):
            meta["Recipients"] = "\n".join(document["recipients"])
    meta["Id"] = str(uid_factory())
    meta["Slug"] = final_slug
    meta["Status"] = "draft"
    order = ["date", "category", "localities", "campaigns", "image_alt"]
    review = [name for name in order if name in review]
    if review:
        meta["Review"] = ", ".join(review)

    markdown = nfc(_render(meta, body_md))
    folder = slugify(chosen_category)
    return ImportResult(markdown, final_slug, folder, found_title, meta, review, warnings)


def _no_title(source_name: str) -> str:
    return (
        f"{source_name}: không tìm thấy tiêu đề bài viết. Kiểm tra đây là trang chi tiết tin "
        f'(không phải trang danh sách), hoặc ghi tiêu đề bằng --title "Tiêu đề".'
    )


def _render(meta: dict[str, str], body: str) -> str:
    lines = []
    for key, value in meta.items():
        parts = [squash(part) for part in value.split("\n") if squash(part)]
        lines.append(f"{key}: {parts[0]}")
        lines.extend(f"    {part}" for part in parts[1:])
    return "\n".join(lines) + "\n\n" + body.strip() + "\n"


def _base_url(soup: BeautifulSoup, source_name: str) -> str:
    base = soup.find("base", href=True)
    if base is not None:
        return urljoin(source_name, base["href"]) if "://" in source_name else base["href"]
    if "://" in source_name:
        return source_name
    for selector in ({"property": "og:url"}, {"name": "og:url"}):
        tag = soup.find("meta", attrs=selector)
        if tag is not None and tag.get("content", "").startswith("http"):
            return tag["content"]
    canonical = soup.find("link", rel="canonical", href=True)
    if canonical is not None and canonical["href"].startswith("http"):
        return canonical["href"]
    return ""


def _meta(soup: BeautifulSoup) -> tuple[str, str]:
    title = ""
    og = soup.find("meta", attrs={"property": "og:title"})
    if og is not None:
        title = squash(og.get("content", ""))
    if key_of(title) in _CHROME_TITLES:
        title = ""
    published = ""
    for attrs in ({"property": "article:published_time"}, {"name": "pubdate"}, {"itemprop": "datePublished"}):
        tag = soup.find("meta", attrs=attrs)
        if tag is not None and tag.get("content"):
            published = tag["content"]
            break
    if not published:
        time_tag = soup.find("time", datetime=True)
        if time_tag is not None:
            published = time_tag["datetime"]
    return title, published


def _main_container(soup: BeautifulSoup) -> Tag | None:
    """Return the element holding most paragraph text (a small readability heuristic)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for block in leaf_blocks(soup):
        length = len(squash(block.get_text(" ")))
        if length < 25:
            continue
        parent = block.parent if block.name not in {"div", "td"} or not _is_wrapper(block) else block
        for weight, tag in ((1.0, parent), (0.5, parent.parent if parent else None)):
            if tag is None or tag.name in {"[document]", "html"}:
                continue
            scores[id(tag)] = scores.get(id(tag), 0) + weight * length
            tags[id(tag)] = tag
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k])
    container = tags[best]
    if container.name == "tr":
        container = container.find_parent("table") or container
    return container


def _is_wrapper(block: Tag) -> bool:
    """Tell whether a div/td holds its paragraphs as text lines separated by <br>."""
    return len(block.find_all("br")) >= 2


def _find_title(soup: BeautifulSoup, container: Tag) -> Tag | None:
    """Return the title element: the nearest heading-like block before the body text."""
    first_text = None
    for block in leaf_blocks(container):
        if len(squash(block.get_text(" "))) >= 60:
            first_text = block
            break
    candidates = []
    for tag in soup.find_all(True):
        if tag.name in {"h1", "h2", "h3"} or (
            tag.name in {"div", "span", "p", "a", "td", "strong", "b", "h4"}
            and _TITLE_ATTR.search(" ".join(_words(tag)))
        ):
            text = squash(tag.get_text(" "))
            fits = 10 <= len(text) <= 300 and key_of(text) not in _CHROME_TITLES
            if fits and not any(t is tag or tag in t.descendants for t in candidates[-1:]):
                candidates.append(tag)
    if not candidates:
        return None
    if first_text is None:
        return candidates[0]
    before = [c for c in candidates if _precedes(c, first_text)]
    return before[-1] if before else candidates[0]


def _precedes(a: Tag, b: Tag) -> bool:
    return any(node is b for node in a.next_elements)


def _words(tag: Tag) -> list[str]:
    words = []
    for name in ("class", "id"):
        value = tag.attrs.get(name)
        if isinstance(value, list):
            words.extend(value)
        elif value:
            words.append(str(value))
    return words


def _date_near_title(soup: BeautifulSoup, title_el: Tag | None, container: Tag) -> FoundDate | None:
    """Find a short dated line (class "date", or within the six blocks after the title) and drop it."""
    for tag in soup.find_all(True):
        if tag.name in {"html", "body"} or not _DATE_ATTR.search(" ".join(_words(tag))):
            continue
        text = squash(tag.get_text(" "))
        if len(text) <= 80:
            found = parse_vi_date(text)
            if found:
                tag.decompose()
                return found
    if title_el is not None:
        following = [b for b in leaf_blocks(soup) if _precedes(title_el, b)]
    else:
        following = leaf_blocks(container)
    for block in following[:6]:
        text = squash(block.get_text(" "))
        if len(text) <= 80:
            found = parse_vi_date(text)
            if found:
                block.decompose()
                return found
    return None


def _extract_byline(container: Tag, soup: BeautifulSoup) -> tuple[str, str]:
    """Take author and source lines from the end of the article text and remove them."""
    author, source = "", ""
    checked = 0
    for block in reversed(leaf_blocks(container)):
        text = squash(block.get_text(" "))
        if not text or _SEPARATOR.match(text):
            continue
        if checked >= 3 or len(text) > 120 or block.find("img"):
            break
        checked += 1
        parsed = _parse_byline(text)
        if parsed is None:
            break
        a, s = parsed
        author = author or a
        source = source or s
        block.decompose()
    return author, source


def _parse_byline(text: str) -> tuple[str, str] | None:
    text = text.strip().rstrip(".")
    match = re.match(r"^Theo\s+(\S.{1,80})$", text)
    if match:
        return "", text
    match = re.match(r"^(.+?)\s*\(([^()]{2,100})\)$", text)
    if match and _is_name(match.group(1)):
        if key_of(match.group(2)) in _COMPILED:
            return text, ""
        return match.group(1), match.group(2)
    match = re.match(r"^(.+?)\s+[-–—]\s+(.{2,100})$", text)
    if match and _is_name(match.group(1)):
        return match.group(1), match.group(2)
    if _is_name(text):
        return text, ""
    return None


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6:
        return False
    for word in words:
        core = word.replace(".", "")
        if not core or not core.isalpha() or not core[0].isupper():
            return False
    return len(words) > 1 or (words[0].isupper() and 2 <= len(words[0]) <= 8)


def _extract_document(container: Tag) -> dict | None:
    """Recognise an official document (Số: …, CHỈ THỊ, Nơi nhận) and take its header and trailer."""
    blocks = leaf_blocks(container)
    texts = [squash(b.get_text(" ")) for b in blocks]
    number_at = next((i for i, t in enumerate(texts[:15]) if _DOC_NUMBER.match(t)), None)
    type_at = next((i for i, t in enumerate(texts[:20]) if t in _DOC_TYPES), None)
    if number_at is None or type_at is None:
        return None
    doc: dict = {"type": texts[type_at].capitalize()}
    number = _DOC_NUMBER.match(texts[number_at]).group(1).strip()
    if re.search(r"\d", number.split("/")[0]):
        doc["number"] = number
    else:
        doc["number_blank"] = number
    issuer_lines = [t for t in texts[:number_at] if t.isupper() and "CỘNG HÒA" not in t and "CỘNG HOÀ" not in t]
    if issuer_lines:
        doc["issuer"] = _issuer_case(" ".join(issuer_lines))
    for t in texts[: type_at + 1]:
        match = _PLACE_DATE.match(t)
        if match:
            doc["place"] = match.group(1).strip()
            doc["date"] = find_date(t)
    end_header = type_at + 1
    if end_header < len(texts) and len(texts[end_header]) < 200:
        subject = texts[end_header]
        doc["title"] = (
            f"{doc['type']} {subject[0].lower()}{subject[1:]}"
            if not subject[:2].isupper()
            else f"{doc['type']} {subject}"
        )
        end_header += 1
    trailer_at = next((i for i in range(end_header, len(texts)) if _TRAILER_START.match(texts[i])), len(texts))
    recipients, signer = [], ""
    for block in blocks[trailer_at:]:
        for line in block.get_text("\n").split("\n"):
            line = squash(line)
            if re.match(r"^[-–+•]\s*", line):
                recipients.append(re.sub(r"^[-–+•]\s*", "", line).rstrip(";.,"))
            elif _is_name(line) and not line.isupper():
                signer = line
    doc["recipients"] = recipients
    doc["signer"] = signer
    for block in blocks[:end_header] + blocks[trailer_at:]:
        if not block.decomposed:
            block.decompose()
    _drop_empty(container)
    return doc


def _issuer_case(upper: str) -> str:
    match = _ISSUER_SPLIT.match(upper)
    head, tail = (match.group(1), match.group(2)) if match else (upper, "")
    words = head.split()
    head_cased = " ".join(w if w in _KEEP_UPPER else w.lower() for w in words)
    head_cased = head_cased[0].upper() + head_cased[1:]
    return f"{head_cased} {tail.title()}".strip()


def _drop_empty(root: Tag) -> None:
    for tag in reversed(root.find_all(["table", "tr", "td", "tbody", "div", "p"])):
        if not tag.decomposed and not squash(tag.get_text(" ")) and tag.find("img") is None:
            tag.decompose()


def _extract_images(container: Tag, base_url: str) -> list[_Image]:
    """Replace each content image (and its caption) with a placeholder paragraph."""
    images: list[_Image] = []
    for img in list(container.find_all("img")):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src or _ICON.search(src) or _tiny(img):
            img.decompose()
            continue
        original = urljoin(base_url, src) if base_url else src
        name = unquote(basename(urlparse(src).path)) or "anh.jpg"
        stem, ext = splitext(name)
        filename = f"{slugify(stem) or 'anh'}{ext.lower() or '.jpg'}"
        unit, caption = _image_unit(img)
        alt = squash(img.get("alt", ""))
        alt_guessed = False
        if key_of(alt) in _JUNK_ALT or key_of(alt) == key_of(name) or key_of(alt) == key_of(stem):
            alt = caption or squash(img.get("title", ""))
            alt_guessed = bool(alt)
        images.append(_Image(f"images/{filename}", alt, caption, alt_guessed, original))
        marker = BeautifulSoup(f"<p>IMPORTERIMAGE{len(images) - 1}</p>", "lxml").p
        unit.replace_with(marker)
    return images


def _tiny(img: Tag) -> bool:
    for attr in ("width", "height"):
        value = str(img.get(attr, "")).rstrip("px")
        if value.isdigit() and int(value) < 40:
            return True
    return False


def _image_unit(img: Tag) -> tuple[Tag, str]:
    """Return the element to replace for an image (figure, table, paragraph) and its caption."""
    figure = img.find_parent("figure")
    if figure is not None:
        caption_el = figure.find("figcaption")
        return figure, squash(caption_el.get_text(" ")) if caption_el else ""
    table = img.find_parent("table")
    if table is not None and len(squash(table.get_text(" "))) < 400:
        caption = squash(table.get_text(" "))
        return table, caption
    unit = img
    while (
        unit.parent is not None
        and unit.parent.name in {"p", "div", "center", "a", "span", "strong"}
        and not squash(unit.parent.get_text(" "))
    ):
        unit = unit.parent
    caption = ""
    nxt = unit.find_next_sibling()
    if nxt is not None and nxt.name in {"p", "div", "em", "i", "span"}:
        text = squash(nxt.get_text(" "))
        classes = " ".join(_words(nxt)).lower()
        italic = nxt.name in {"em", "i"} or (
            nxt.find(["em", "i"]) is not None and squash(nxt.find(["em", "i"]).get_text(" ")) == text
        )
        if (
            text
            and len(text) < 300
            and (italic or "caption" in classes or "ghichu" in classes or text.startswith("Ảnh"))
        ):
            caption = text
            nxt.decompose()
    return unit, caption


class _Converter(MarkdownConverter):
    """markdownify with every `<` in text escaped, so no markup can come back from text."""

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return text.replace("<", "&lt;").replace(">", "&gt;")

    def convert_a(self, el, text, parent_tags):
        href = el.get("href", "")
        if not href.startswith(("http://", "https://")):
            return text
        return super().convert_a(el, text, parent_tags)


def _to_markdown(container: Tag, images: list[_Image]) -> str:
    for a in container.find_all("a"):
        if not a.get("href", "").startswith(("http://", "https://")):
            a.unwrap()
    for tag in container.find_all(True):
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in {"href", "colspan", "rowspan"}}
    converter = _Converter(heading_style="ATX", bullets="-", strip=["span", "font", "u"])
    text = converter.convert(str(container))
    text = nfc(text)

    def figure(match: re.Match) -> str:
        index = int(match.group(1))
        if index == 0:
            return ""
        image = images[index]
        parts = ["<figure>", f'<img src="{{static}}/{htmlmod.escape(image.src)}" alt="{htmlmod.escape(image.alt)}">']
        if image.caption:
            parts.append(f"<figcaption>{htmlmod.escape(image.caption, quote=False)}</figcaption>")
        parts.append("</figure>")
        return "\n".join(parts)

    text = re.sub(r"IMPORTERIMAGE(\d+)", figure, text)
    lines = [re.sub(r"^ {1,3}(?=[^\s*+\-\d])", "", line.rstrip()) for line in text.replace("\u00a0", " ").split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _summary(container: Tag) -> str:
    for block in leaf_blocks(container):
        text = squash(block.get_text(" "))
        if len(text) < 60 or "IMPORTERIMAGE" in text:
            continue
        text = _DATELINE.sub("", text)
        sentence = re.split(r"(?<=[.!?])\s+(?=[^\W\d_])", text, maxsplit=1)[0]
        if len(sentence) > 300:
            sentence = sentence[:280].rsplit(" ", 1)[0] + "…"
        return sentence
    return ""
