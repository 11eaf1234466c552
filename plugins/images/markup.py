"""Turn cached variants into URLs, template parameters and `<picture>` markup (pure)."""

import html
import re
from html.parser import HTMLParser

from thidua.vntext import slugify

from .pipeline import ImageProblem, Variant

# Problem kind → (message, fix); "{image}" is the path as the editor wrote it.
MESSAGES = {
    "missing": (
        'ảnh "{image}" không tồn tại',
        "kiểm tra tên tệp trong content/images/ hoặc sửa dòng {key}",
    ),
    "corrupt": (
        'ảnh "{image}" bị hỏng, không đọc được',
        "xuất lại ảnh từ bản gốc rồi chép đè vào content/images/",
    ),
    "truncated": (
        'ảnh "{image}" bị cắt cụt (tệp chưa chép đủ)',
        "chép lại tệp ảnh đầy đủ vào content/images/",
    ),
    "extension": (
        'ảnh "{image}" có đuôi {extension} nhưng thực chất là {format}',
        "đổi đuôi tệp cho đúng định dạng rồi sửa dòng {key}",
    ),
    "bomb": (
        'ảnh "{image}" quá lớn để giải mã an toàn ({pixels} điểm ảnh, giới hạn {limit})',
        "thu nhỏ ảnh (rộng 2400 px là đủ) rồi chép lại vào content/images/",
    ),
    "unsupported": (
        'ảnh "{image}" có định dạng {format} không được hỗ trợ',
        "chuyển ảnh sang JPEG, PNG hoặc WebP",
    ),
    "no_alt": (
        'ảnh "{image}" thiếu mô tả thay thế (Image_alt)',
        "thêm dòng Image_alt: mô tả ngắn nội dung ảnh cho người không xem được ảnh",
    ),
    "no_alt_body": (
        'ảnh "{image}" trong bài thiếu mô tả thay thế',
        "viết mô tả trong ngoặc vuông: ![mô tả ảnh]({image})",
    ),
}


def problem_text(kind: str, image: str, key: str = "Image", **details) -> tuple[str, str]:
    """Return the (message, fix) pair for a problem kind, in Vietnamese."""
    message, fix = MESSAGES[kind]
    values = {"image": image, "key": key, **details}
    return message.format(**values), fix.format(**values)


def describe(problem: ImageProblem, image: str, key: str = "Image") -> tuple[str, str]:
    """Return the (message, fix) pair for an ImageProblem."""
    return problem_text(problem.kind, image, key, **problem.details)


def output_name(image: str) -> str:
    """Return the ASCII file stem used in URLs for an editor's image path ("Ảnh Hội nghị.jpg")."""
    stem = image.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return slugify(stem) or "anh"


def public_path(folder: str, key: str, name: str, variant: Variant) -> str:
    """Return the output path of a variant, e.g. anh/3f2a9c1d0b7e/hoi-nghi-800.webp."""
    if variant.role == "original":
        suffix = ""
    elif variant.role == "og":
        suffix = "-og" if variant.name != "card.png" else ""
    else:
        suffix = f"-{variant.width}"
    extension = variant.name.rsplit(".", 1)[-1]
    return f"{folder}/{key[:12]}/{name}{suffix}.{extension}"


def srcset(entries) -> str:
    """Return a srcset attribute value from (url, width) pairs."""
    return ", ".join(f"{url} {width}w" for url, width in entries)


def picture_params(variants_urls, alt: str, caption: str, sizes: str, loading: str) -> dict:
    """Return the `picture(params)` parameters for variants paired with their URLs."""
    sources = []
    for mime in ("image/webp", "image/jpeg"):
        rows = [(url, v.width) for v, url in variants_urls if v.role == "variant" and v.mime == mime]
        if rows:
            sources.append({"type": mime, "srcset": srcset(rows), "sizes": sizes})
    jpegs = [(v, url) for v, url in variants_urls if v.role == "variant" and v.mime == "image/jpeg"]
    # The fallback <img>: the variant nearest 800 px, so old browsers get a sensible file.
    fallback, url = min(jpegs, key=lambda pair: abs(pair[0].width - 800))
    biggest = max(jpegs, key=lambda pair: pair[0].width)[0]
    return {
        "sources": sources,
        "src": url,
        "width": biggest.width,
        "height": biggest.height,
        "alt": alt,
        "caption": caption,
        "sizes": sizes,
        "loading": loading,
        "decoding": "async" if loading == "lazy" else "auto",
        "classes": "",
    }


def og_params(url: str, variant: Variant, alt: str) -> dict:
    """Return the Open Graph image fields: url, width, height, type and alt."""
    return {"url": url, "width": variant.width, "height": variant.height, "type": variant.mime, "alt": alt}


_IMG_TAG = r"<img\b[^>]*>"
# One pass: a paragraph holding only an image, or any other image.
_IMG = re.compile(rf"<p>\s*({_IMG_TAG})\s*</p>|{_IMG_TAG}", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:\{|%7B)(static|attach|filename)(?:\}|%7D)", re.IGNORECASE)


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.attrs = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def img_attributes(tag: str) -> dict[str, str]:
    """Return the attributes of one `<img>` tag, entities decoded."""
    parser = _Attributes()
    parser.feed(tag)
    parser.close()
    return parser.attrs


def content_relative(src: str, article_dir: str) -> str | None:
    """Return an img src as a path relative to content/, or None if it is not a local image."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^data:", src, re.IGNORECASE):
        return None
    src = src.split("#", 1)[0].split("?", 1)[0]
    prefixed = _PREFIX.match(src)
    src = _PREFIX.sub("", src)
    if src.startswith("/"):
        parts = src.lstrip("/").split("/")
    elif prefixed and not src.startswith("."):
        parts = src.split("/")
    else:
        parts = [p for p in article_dir.split("/") if p] + src.split("/")
    resolved: list[str] = []
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
        else:
            resolved.append(part)
    return "/".join(resolved) or None


def rewrite_body(content: str, replace) -> str:
    """Replace each `<img>` with what replace(attrs, alone) returns (None keeps the tag).

    `alone` is true when the image is the only thing in its paragraph: the paragraph is
    replaced as a whole so that a `<figure>` is not nested in a `<p>`.
    """

    def one(match):
        alone = match.group(1) is not None
        result = replace(img_attributes(match.group(1) if alone else match.group(0)), alone)
        return match.group(0) if result is None else result

    return _IMG.sub(one, content)


def render_picture(params: dict) -> str:
    """Render `<picture>` like the theme's component does (for tests without a theme)."""
    esc = html.escape
    parts = ['<picture class="td-picture">']
    for source in params["sources"]:
        parts.append(
            f'<source type="{esc(source["type"])}" srcset="{esc(source["srcset"])}" sizes="{esc(source["sizes"])}">'
        )
    parts.append(
        f'<img class="td-picture__img" src="{esc(params["src"])}" width="{params["width"]}" '
        f'height="{params["height"]}" alt="{esc(params["alt"])}" loading="{esc(params["loading"])}" '
        f'decoding="{esc(params["decoding"])}">'
    )
    parts.append("</picture>")
    body = "".join(parts)
    if not params.get("figure", True):
        return body
    caption = (
        f'<figcaption class="td-figure__caption">{esc(params["caption"])}</figcaption>' if params["caption"] else ""
    )
    return f'<figure class="td-figure">{body}{caption}</figure>'
