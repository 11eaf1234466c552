"""Validation rules for one article file: pure functions returning (line, message, fix, severity)."""

import difflib
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from thidua.vntext import name_key

from .header import Field, Source
from .problems import ERROR, WARNING

ARTICLE_KEYS = [
    "Title",
    "Date",
    "Modified",
    "Category",
    "Localities",
    "Campaigns",
    "Tags",
    "Author",
    "Source",
    "Summary",
    "Image",
    "Image_alt",
    "Image_caption",
    "Document_number",
    "Document_type",
    "Document_issuer",
    "Document_signer",
    "Document_date",
    "Recipients",
    "Honourees",
    "Slug",
    "Id",
    "Status",
    "Review",
]
PAGE_KEYS = ["Title", "Slug", "Summary", "Date", "Modified", "Status", "Id"]
REQUIRED_ARTICLE_KEYS = ("Title", "Date", "Category", "Localities")
STATUSES = ("draft", "hidden", "published")
EXAMPLES = {
    "Title": "Title: Thành phố Huế phát động phong trào thi đua năm 2021",
    "Date": "Date: 2021-01-11",
    "Category": "Category: Phát động phong trào",
    "Localities": "Localities: Thành phố Huế; Thừa Thiên Huế",
}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Finding = tuple[int, str, str, str]


def parse_date(value: str, tz: ZoneInfo) -> datetime:
    """Parse `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` as local time; raise ValueError with the reason."""
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError("format")
    year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError as error:
        raise ValueError("impossible") from error


def date_findings(field: Field, tz: ZoneInfo) -> list[Finding]:
    """Return the problems of a Date or Modified value."""
    try:
        parse_date(field.value, tz)
    except ValueError as error:
        if str(error) == "impossible":
            return [(field.line, f'ngày "{field.value}" không tồn tại', "kiểm tra lại ngày và tháng", ERROR)]
        return [
            (
                field.line,
                f'{field.key} "{field.value}" không đúng định dạng',
                "viết theo dạng YYYY-MM-DD hoặc YYYY-MM-DD HH:MM, ví dụ 2021-01-11",
                ERROR,
            )
        ]
    return []


def key_findings(source: Source, allowed: list[str]) -> list[Finding]:
    """Report unknown keys (with the closest known key), duplicated keys and stray header lines."""
    findings: list[Finding] = []
    canonical = {key.lower(): key for key in allowed}
    seen: dict[str, int] = {}
    for field in source.fields:
        lower = field.key.lower()
        if lower not in canonical:
            close = difflib.get_close_matches(lower, list(canonical), n=1, cutoff=0.6)
            fix = (
                f'có phải là "{canonical[close[0]]}"? Sửa tên khóa'
                if close
                else "xóa dòng này hoặc xem danh sách khóa trong docs/editor-guide.md"
            )
            findings.append((field.line, f'khóa "{field.key}" không có trong định dạng bài viết', fix, ERROR))
        elif lower in seen:
            findings.append(
                (
                    field.line,
                    f'khóa "{field.key}" xuất hiện hai lần (dòng {seen[lower]} và {field.line})',
                    "giữ một dòng, xóa dòng còn lại",
                    ERROR,
                )
            )
        else:
            seen[lower] = field.line
    for line, text in source.malformed_lines:
        findings.append(
            (
                line,
                f'dòng "{text.strip()[:60]}" trong phần đầu không đúng dạng "Khóa: giá trị"',
                "thêm một dòng trống trước nội dung, hoặc thụt vào 4 dấu cách nếu là dòng tiếp theo của khóa trước",
                ERROR,
            )
        )
    return findings


def required_findings(fields: dict[str, Field], required: tuple[str, ...], allowed: list[str]) -> list[Finding]:
    """Report required keys that are missing or empty (a misspelt key is reported once, as a typo)."""
    findings: list[Finding] = []
    misspelt = {
        match
        for key in fields
        if key not in {k.lower() for k in allowed}
        for match in difflib.get_close_matches(key, [k.lower() for k in allowed], n=1, cutoff=0.6)
    }
    for key in required:
        if key.lower() in misspelt:
            continue
        field = fields.get(key.lower())
        example = EXAMPLES.get(key, f"{key}: …")
        if field is None:
            findings.append((1, f'thiếu khóa bắt buộc "{key}"', f'thêm dòng "{example}" vào phần đầu bài', ERROR))
        elif not field.value.strip():
            findings.append((field.line, f'khóa "{key}" để trống', f'ghi giá trị, ví dụ "{example}"', ERROR))
    return findings


def category_findings(field: Field, categories: tuple[str, ...]) -> list[Finding]:
    """Report a category that is not one of the site's categories."""
    if not field.value.strip() or canonical_category(field.value, categories):
        return []
    close = difflib.get_close_matches(name_key(field.value), [name_key(c) for c in categories], n=1, cutoff=0.5)
    hint = f'có phải là "{categories[[name_key(c) for c in categories].index(close[0])]}"? ' if close else ""
    return [
        (
            field.line,
            f'chuyên mục "{field.value}" không hợp lệ',
            f"{hint}dùng đúng một trong: {', '.join(categories)}",
            ERROR,
        )
    ]


def canonical_category(value: str, categories: tuple[str, ...]) -> str | None:
    """Return the site's spelling of a category written in any case, form or tone placement."""
    wanted = name_key(value)
    return next((c for c in categories if name_key(c) == wanted), None)


def value_findings(fields: dict[str, Field]) -> list[Finding]:
    """Report malformed Status, Id, Slug and Honourees values and a pending import Review."""
    findings: list[Finding] = []
    status = fields.get("status")
    if status and status.value.strip() not in STATUSES:
        findings.append(
            (status.line, f'trạng thái "{status.value}" không hợp lệ', "dùng draft, hidden hoặc published", ERROR)
        )
    uid = fields.get("id")
    if uid and not _is_uuid(uid.value):
        findings.append(
            (
                uid.line,
                f'Id "{uid.value}" không phải là UUID',
                "khôi phục Id cũ của bài (dạng 8-4-4-4-12 chữ số hex) hoặc xóa dòng Id",
                ERROR,
            )
        )
    slug = fields.get("slug")
    if slug and not SLUG.match(slug.value.strip()):
        findings.append(
            (
                slug.line,
                f'Slug "{slug.value}" chỉ được có chữ thường không dấu, chữ số và dấu gạch ngang',
                "ví dụ: dong-ha-phat-dong-thi-dua-2020",
                ERROR,
            )
        )
    honourees = fields.get("honourees")
    for line, text in honourees.items() if honourees else []:
        if len([part for part in text.split("|") if part.strip()]) != 3:
            findings.append(
                (line, f'dòng Honourees "{text}" cần đủ 3 phần', 'viết "Tên | Danh hiệu | Địa phương"', ERROR)
            )
    review = fields.get("review")
    if review and review.value.strip():
        findings.append(
            (
                review.line,
                f"bài nhập tự động còn mục cần xác nhận: {review.value.strip()}",
                "kiểm tra các mục này rồi xóa dòng Review",
                WARNING,
            )
        )
    return findings


def check_source(source: Source, *, is_page: bool, categories: tuple[str, ...], tz: ZoneInfo) -> list[Finding]:
    """Return every problem of one parsed file."""
    if not source.fields and not source.body.strip():
        return [(1, "tệp trống", "viết bài theo mẫu trong docs/editor-guide.md hoặc xóa tệp", ERROR)]
    fields = {f.key.lower(): f for f in source.fields}
    allowed = PAGE_KEYS if is_page else ARTICLE_KEYS
    findings = key_findings(source, allowed)
    findings += required_findings(fields, ("Title",) if is_page else REQUIRED_ARTICLE_KEYS, allowed)
    for key in ("date", "modified"):
        if key in fields and fields[key].value.strip():
            findings += date_findings(fields[key], tz)
    if not is_page and "category" in fields:
        findings += category_findings(fields["category"], categories)
    findings += value_findings(fields)
    if source.front_matter:
        first, last = source.front_matter
        findings.append(
            (
                first,
                'phần đầu viết kiểu YAML, giữa hai dòng "---"',
                f'xóa dòng "---" ở dòng {first} và dòng {last}: phần đầu là các dòng "Khóa: giá trị", '
                "một dòng trống, rồi nội dung",
                ERROR,
            )
        )
    if not source.body.strip():
        findings.append(
            (source.body_line, "bài viết không có nội dung", "viết nội dung sau dòng trống kết thúc phần đầu", ERROR)
        )
    return sorted(findings, key=lambda f: f[0])


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True
