"""Command line for `invoke import`: read saved pages (or fetch URLs) and write draft articles."""

import argparse
import re
import sys
import uuid
from datetime import date
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

from bs4 import UnicodeDammit

from .guess import GazetteerMissing
from .page import AUTO, ImportRefused, import_page, load_default_gazetteer

__all__ = ["run_import", "main", "decode_html", "fetch_url", "read_source"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TIMEOUT = 20


class _SourceError(Exception):
    """Raised when a source cannot be read; the message is shown to the editor."""


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: UTF-8 first (portals often declare a wrong charset), then the rest."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [c for c in (declared, "windows-1258", "windows-1252") if c]
    dammit = UnicodeDammit(data, candidates)
    if dammit.unicode_markup is None:
        return data.decode("utf-8", errors="replace")
    return dammit.unicode_markup


def fetch_url(url: str) -> str:
    """Download a page; raise _SourceError with the editor's way out when offline."""
    request = Request(url, headers={"User-Agent": "thi-dua-importer/1.0"})
    try:
        with urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310 - http(s) only
            data = response.read()
            charset = response.headers.get_content_charset()
    except (URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise _SourceError(
            f"{url}: không tải được trang ({reason}). Máy không có mạng hoặc trang không mở được: "
            f"mở trang trong trình duyệt, lưu lại (Ctrl+S) rồi chạy: invoke import ten-tep-da-luu.html"
        ) from error
    return decode_html(data, charset)


def read_source(source: str, fetch=fetch_url) -> str:
    """Return the HTML text of a saved file or of a URL."""
    if re.match(r"^https?://", source, re.I):
        return fetch(source)
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise _SourceError(
            f"{source}: không đọc được tệp (không có tệp này). Kiểm tra lại đường dẫn; "
            f"tên tệp có dấu cách thì đặt trong ngoặc kép."
        ) from error
    except IsADirectoryError as error:
        raise _SourceError(
            f"{source}: không đọc được tệp (đây là thư mục). Chỉ ra tệp .html đã lưu trong thư mục đó."
        ) from error
    except PermissionError as error:
        raise _SourceError(
            f"{source}: không đọc được tệp (không có quyền đọc). Sao chép tệp về thư mục của bạn rồi chạy lại."
        ) from error
    except OSError as error:
        raise _SourceError(f"{source}: không đọc được tệp ({error.strerror}). Kiểm tra lại tệp.") from error
    return decode_html(data)


def _target_path(content_dir: str, folder: str, slug: str, source: str) -> Path:
    """Return where the article goes, refusing paths that leave content_dir or exist already."""
    root = Path(content_dir).resolve()
    target = Path(content_dir) / folder / f"{slug}.md"
    resolved = target.resolve()
    if not resolved.is_relative_to(root):
        raise ImportRefused(
            f"{target}: nằm ngoài thư mục {content_dir} (qua liên kết tượng trưng), không ghi. "
            f"Thay liên kết {Path(content_dir) / folder} bằng thư mục thật rồi chạy lại."
        )
    if target.is_symlink() or target.exists():
        raise ImportRefused(
            f"{target}: đã có tệp này, không ghi đè. Nếu là bài khác, đặt tên khác: "
            f"invoke import {source} --slug {slug}-2; nếu muốn nhập lại, xoá hoặc đổi tên tệp cũ trước."
        )
    return target


def run_import(
    sources: list[str],
    content_dir: str = "content",
    today: date | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    category: str | None = None,
    localities: list[str] | None = None,
    data_dir: str = "data",
    gazetteer=AUTO,
    uid_factory=uuid.uuid4,
    fetch=fetch_url,
    out=None,
    err=None,
) -> int:
    """Import each source into a draft article under content_dir; return 0, or 1 if any was refused."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not sources:
        print("Chưa có trang nào để nhập: invoke import tep-da-luu.html [tep-khac.html ...]", file=err)
        return 1
    if slug is not None and not _SLUG.match(slug):
        print(
            f"Slug “{slug}” không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch nối, "
            f"ví dụ --slug thi-dua-nam-2021.",
            file=err,
        )
        return 1
    if len(sources) > 1 and (slug or title):
        print("--slug và --title chỉ dùng khi nhập một trang; nhập từng trang một.", file=err)
        return 1
    if not Path(content_dir).is_dir():
        print(f"{content_dir}: không có thư mục nội dung này; chạy lệnh từ thư mục gốc của trang web.", file=err)
        return 1
    if gazetteer is AUTO:
        try:
            gazetteer = load_default_gazetteer(data_dir)
        except GazetteerMissing as error:
            gazetteer = None
            print(f"Đoán địa phương không dùng danh mục hành chính: {error}.", file=out)
    failed = 0
    for source in sources:
        try:
            html = read_source(source, fetch)
            result = import_page(
                html,
                source,
                uid_factory=uid_factory,
                today=today,
                gazetteer=gazetteer,
                data_dir=data_dir,
                title=title,
                slug=slug,
                category=category,
                localities=localities,
            )
            target = _target_path(content_dir, result.category_folder, result.slug, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            _target_path(content_dir, result.category_folder, result.slug, source)
            with open(target, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(result.markdown)
        except (_SourceError, ImportRefused) as error:
            print(str(error), file=err)
            failed += 1
            continue
        except FileExistsError:
            print(f"{target}: đã có tệp này, không ghi đè.", file=err)
            failed += 1
            continue
        print(f"Đã nhập {source} → {target} (Status: draft)", file=out)
        if result.review:
            print(f"  Cần kiểm tra rồi xoá dòng Review: {', '.join(result.review)}", file=out)
        for warning in result.warnings:
            print(f"  - {warning}", file=out)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Parse command-line options and run the import."""
    parser = argparse.ArgumentParser(prog="invoke import", description="Nhập bài từ trang cổng thông tin cũ.")
    parser.add_argument("sources", nargs="+", metavar="URL_HOAC_TEP")
    parser.add_argument("--content-dir", default="content")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--slug")
    parser.add_argument("--title")
    parser.add_argument("--category")
    parser.add_argument("--locality", action="append", dest="localities")
    args = parser.parse_args(argv)
    return run_import(
        args.sources,
        args.content_dir,
        slug=args.slug,
        title=args.title,
        category=args.category,
        localities=args.localities,
        data_dir=args.data_dir,
    )
