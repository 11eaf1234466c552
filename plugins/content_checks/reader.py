"""The Markdown reader: NFC, our own header parser with line numbers, sanitised body."""

import contextlib
import os
import uuid
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown import Markdown
from markupsafe import Markup, escape
from pelican.contents import Author, Category, Tag
from pelican.readers import BaseReader
from pelican.utils import slugify

from thidua.safe_html import first_paragraph_text, plain_text, sanitize_html
from thidua.vntext import collapse_spaces, nfc

from .header import Source, parse_source
from .problems import ERROR, Problem
from .rules import SLUG, STATUSES, canonical_category, check_source, parse_date
from .settings import get_setting

DOCUMENT_KEYS = ("number", "type", "issuer", "signer", "date")
MAX_SLUG = 200  # characters (ASCII): a file name may have 255 bytes, "-2" may be added to a clashing one


def display_path(source_path: str, settings: dict) -> str:
    """Return the path an editor recognises: relative to the project, e.g. content/x.md."""
    return _display_path(str(source_path), str(settings["PATH"]))


@cache
def _display_path(source_path: str, content_path: str) -> str:
    base = os.path.dirname(os.path.abspath(content_path))
    return Path(os.path.relpath(os.path.abspath(source_path), base)).as_posix()


def is_page_path(source_path: str, settings: dict) -> bool:
    """Tell whether a file lies under one of the PAGE_PATHS."""
    relative = Path(os.path.relpath(os.path.abspath(source_path), os.path.abspath(settings["PATH"])))
    return any(relative.parts[: len(Path(p).parts)] == Path(p).parts for p in settings["PAGE_PATHS"])


def split_list(value: str, separator: str) -> list[str]:
    """Split a list value, dropping empty items and duplicates but keeping order."""
    items = [collapse_spaces(item) for item in value.replace("\n", separator).split(separator)]
    return list(dict.fromkeys(item for item in items if item))


class ThiDuaReader(BaseReader):
    """Read an article or page written to the content contract."""

    enabled = True
    file_extensions = ["md", "markdown"]

    def read(self, source_path):
        """Return sanitised HTML and metadata; problems travel in metadata["problems"]."""
        raw = Path(source_path).read_bytes()
        path = display_path(source_path, self.settings)
        text, problems = decode(raw, path)
        source = parse_source(nfc(text).replace("\r\n", "\n"))
        is_page = is_page_path(source_path, self.settings)
        tz = ZoneInfo(self.settings["TIMEZONE"])
        categories = tuple(get_setting(self.settings, "CONTENT_CHECKS_CATEGORIES"))
        if not problems or problems[0].message != NOT_TEXT[0]:  # a file that is not text: one problem is enough
            findings = check_source(source, is_page=is_page, categories=categories, tz=tz)
            problems += [Problem(path, line, message, fix, severity) for line, message, fix, severity in findings]
        content = sanitize_html(self._markdown().convert(source.body))
        metadata = self.build_metadata(source, content, tz, categories)
        stem = Path(source_path).stem
        # Pelican drops a content without a title (or whose title gives no URL) with an English log
        # line: give it the file's name instead, so it is still built (with its error, as a draft).
        metadata.setdefault("title", stem)
        problems += self._settle_slug(metadata, stem, path)
        if metadata.get("image"):
            problems += self._check_image(metadata, path)
        if (any(p.severity == ERROR for p in problems) and not is_page) or metadata["status"] not in STATUSES:
            # Never drop an article: one with errors is still built, as a draft to preview.
            metadata["status"] = "draft"
        metadata["problems"] = problems
        return content, metadata

    def _check_image(self, metadata: dict, path: str) -> list[Problem]:
        """Report a lead image that is missing, or outside the static folders (`Image: ../../x` would
        read, and publish, any file of the machine): such an image is dropped from the article."""
        image = metadata["image"]
        line = metadata["header_lines"]["image"]
        root = Path(self.settings["PATH"]).resolve()
        target = (root / image).resolve()
        if not any(target.is_relative_to(root / folder) for folder in self.settings["STATIC_PATHS"]):
            del metadata["image"]
            return [
                Problem(
                    path,
                    line,
                    f'ảnh "{image}" nằm ngoài content/images/',
                    'chép ảnh vào content/images/ rồi ghi "Image: images/<tên tệp ảnh>"',
                )
            ]
        if not target.is_file():
            return [
                Problem(
                    path,
                    line,
                    f'ảnh "{image}" không tồn tại',
                    "kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image",
                )
            ]
        return []

    def _settle_slug(self, metadata: dict, stem: str, path: str) -> list[Problem]:
        """Give the content a slug that makes a file name, reporting a title or Slug that does not.

        A title of punctuation alone makes no slug (Pelican would write the article over
        tin-tuc/index.html); one of 40 words makes a file name the system refuses (a traceback).
        """
        lines = metadata["header_lines"]
        slug = metadata.get("slug") or self._slugify(metadata["title"])
        if not slug:
            example = self._slugify(stem)[:MAX_SLUG].strip("-") or "tin-moi"
            problem, fix = f'tiêu đề "{metadata["title"]}" không tạo được đường dẫn', 'thêm dòng "Slug: …",'
        elif len(slug) > MAX_SLUG:
            example = slug[: MAX_SLUG + 1].rsplit("-", 1)[0]
            problem, fix = f"đường dẫn dài {len(slug)} ký tự, quá giới hạn {MAX_SLUG}", "đặt Slug ngắn hơn,"
        else:
            return []
        metadata["slug"] = example
        line = lines.get("slug", lines.get("title", 1))
        return [Problem(path, line, problem, f'{fix} ví dụ "Slug: {example}"')]

    def _slugify(self, text: str) -> str:
        """Return the slug Pelican would make of a title."""
        return slugify(
            text,
            regex_subs=self.settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
            preserve_case=self.settings.get("SLUGIFY_PRESERVE_CASE", False),
            use_unicode=self.settings.get("SLUGIFY_USE_UNICODE", False),
        )

    def _markdown(self) -> Markdown:
        """Return this reader's Markdown converter, built once (building it costs ~7 ms), reset per file."""
        md = self.__dict__.get("_md")
        if md is None:
            configs = self.settings["MARKDOWN"].get("extension_configs", {})
            md = self._md = Markdown(extensions=list(configs), extension_configs=configs, output_format="html")
        return md.reset()

    def build_metadata(self, source: Source, content: str, tz: ZoneInfo, categories: tuple[str, ...]) -> dict:
        """Turn header fields into Pelican metadata plus the portal's own attributes."""
        fields = {f.key.lower(): f for f in source.fields}
        value = {key: f.value.strip() for key, f in fields.items()}
        meta: dict = {"header_lines": {key: f.line for key, f in fields.items()}}
        meta["header_lines"]["body"] = source.body_line
        if value.get("title"):
            meta["title"] = collapse_spaces(value["title"])
        for key in ("date", "modified"):
            with contextlib.suppress(ValueError):  # reported by the rules; the article becomes a draft
                meta[key] = parse_date(value.get(key, ""), tz)
        category = canonical_category(value.get("category", ""), categories)
        if category:
            meta["category"] = Category(category, self.settings)
        if value.get("tags"):
            meta["tags"] = [Tag(tag, self.settings) for tag in split_list(value["tags"], ",")]
        if value.get("author"):
            meta["author"] = Author(value["author"], self.settings)
        for key in ("source", "image", "image_alt", "image_caption"):
            if value.get(key):
                meta[key] = value[key]
        if SLUG.match(value.get("slug", "")):  # any other slug is reported; it could even lead out of the site
            meta["slug"] = value["slug"]
        meta["status"] = value.get("status") or "published"
        meta["localities_raw"] = split_list(value.get("localities", ""), ";")
        meta["campaigns_raw"] = split_list(value.get("campaigns", ""), ";")
        meta["recipients"] = (
            [line.lstrip("-–• ").rstrip(";") for _, line in fields["recipients"].items()]
            if "recipients" in fields
            else []
        )
        meta["honourees_raw"] = fields["honourees"].items() if "honourees" in fields else []
        document = {key: value.get(f"document_{key}", "") for key in DOCUMENT_KEYS}
        meta["document"] = document if any(document.values()) else None
        meta["uid"] = str(uuid.UUID(value["id"])) if _valid_uuid(value.get("id")) else None
        meta["description"] = plain_text(value["summary"]) if value.get("summary") else first_paragraph_text(content)
        meta["summary"] = Markup(escape(meta["description"]))
        return meta


NOT_TEXT = (
    "tệp chứa ký tự NUL, không phải văn bản (có thể là tệp Word, PDF hoặc ảnh đổi tên thành .md)",
    "mở tệp gốc, chép nội dung vào một tệp .md mới viết theo docs/editor-guide.md",
)


def decode(raw: bytes, path: str) -> tuple[str, list[Problem]]:
    """Return a file's text and the problem of its encoding, if any.

    A file with NUL bytes is not text (a .docx, a PDF or a photo renamed .md): it gets one problem
    and, unless the rest is valid UTF-8, no text, rather than a page of garbage and missing keys.
    """
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        try:
            text = raw.replace(b"\x00", b"").decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        return text, [Problem(path, line, *NOT_TEXT)]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return raw.decode("utf-8", errors="replace"), [
            Problem(path, line, "tệp không phải UTF-8", "lưu lại tệp với bảng mã UTF-8")
        ]


def _valid_uuid(value: str | None) -> bool:
    try:
        return bool(value) and bool(uuid.UUID(value))
    except ValueError:
        return False


def add_reader(readers) -> None:
    """Use ThiDuaReader for Markdown files."""
    for extension in ThiDuaReader.file_extensions:
        readers.reader_classes[extension] = ThiDuaReader
