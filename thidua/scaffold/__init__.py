"""`invoke new`: write a new article file with every key of the contract, a fresh Id and a slug."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from thidua.clock import build_time
from thidua.vntext import collapse_spaces, nfc, slugify

CATEGORY_FOLDERS = {
    "Phát động phong trào": "phat-dong-phong-trao",
    "Hội nghị tổng kết": "hoi-nghi-tong-ket",
    "Tôn vinh điển hình": "ton-vinh-dien-hinh",
}
TEMPLATE = """Title: {title}
Date: {date}
Category: {category}
Localities: {localities}
Campaigns: {campaigns}
Tags:
Author:
Source:
Summary:
Image:
Image_alt:
Image_caption:
Slug: {slug}
Id: {uid}
Status: draft

Viết nội dung bài ở đây. Xóa các dòng không dùng ở phần đầu (Tags, Author, Image…);
đổi "Status: draft" thành "Status: published" khi bài sẵn sàng đăng.
"""


class ScaffoldError(ValueError):
    """A refusal the editor can act on."""


@dataclass(frozen=True)
class NewArticle:
    path: Path
    text: str


def check_localities(names: list[str], day, gazetteer, home: tuple = ()) -> list[str]:
    """Return one message per locality the gazetteer cannot resolve (with its candidates); home: the home area."""
    result = gazetteer.resolve(names, day, home)
    return [f"{problem.message}; {problem.fix}" for problem in result.problems]


def existing_campaigns(content_dir: Path) -> dict[str, str]:
    """Return campaign key → spelling for every campaign already used in content/."""
    from plugins.content_checks.header import parse_source
    from plugins.taxonomies.keys import campaign_key

    found: dict[str, str] = {}
    for path in sorted(content_dir.rglob("*.md")):
        for field in parse_source(path.read_text(encoding="utf-8", errors="replace")).fields:
            if field.key.lower() == "campaigns":
                for name in field.value.replace("\n", ";").split(";"):
                    if name.strip():
                        found.setdefault(campaign_key(name), collapse_spaces(nfc(name)))
    return found


def campaign_notes(names: list[str], known: dict[str, str]) -> list[str]:
    """Return a note for each campaign not used before, naming the closest existing ones."""
    import difflib

    from plugins.taxonomies.keys import campaign_key

    notes = []
    for name in names:
        key = campaign_key(name)
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
        hint = "; có phải là: " + " | ".join(f'"{known[k]}"' for k in close) if close else ""
        notes.append(f'phong trào "{collapse_spaces(nfc(name))}" chưa có bài nào dùng{hint}')
    return notes


def scaffold_article(
    content_dir: Path,
    category: str,
    title: str,
    localities: list[str] | None = None,
    campaigns: list[str] | None = None,
    now: datetime | None = None,
    uid: uuid.UUID | None = None,
) -> NewArticle:
    """Return the path and text of a new article; refuse an unknown category or an existing file."""
    from plugins.content_checks.rules import canonical_category

    canonical = canonical_category(category, tuple(CATEGORY_FOLDERS))
    if not canonical:
        raise ScaffoldError(f'chuyên mục "{category}" không hợp lệ; dùng đúng một trong: {", ".join(CATEGORY_FOLDERS)}')
    title = collapse_spaces(nfc(title))
    if not title:
        raise ScaffoldError('cần có tiêu đề; thêm --title "…"')
    slug = slugify(title)
    path = content_dir / CATEGORY_FOLDERS[canonical] / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"tệp {path.as_posix()} đã có; đổi tiêu đề hoặc sửa tệp đang có, không ghi đè")
    moment = now or build_time({})  # the real time in Asia/Ho_Chi_Minh; tasks.py passes the site's clock
    text = TEMPLATE.format(
        title=title,
        date=moment.strftime("%Y-%m-%d %H:%M"),
        category=canonical,
        localities="; ".join(nfc(x).strip() for x in localities or []),
        campaigns="; ".join(nfc(x).strip() for x in campaigns or []),
        slug=slug,
        uid=uid or uuid.uuid4(),
    )
    return NewArticle(path, text)


def write_new_article(article: NewArticle) -> None:
    """Create the file; never overwrite (exclusive create)."""
    article.path.parent.mkdir(parents=True, exist_ok=True)
    with open(article.path, "x", encoding="utf-8") as handle:
        handle.write(article.text)
