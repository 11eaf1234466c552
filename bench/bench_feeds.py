"""Time feed generation for 10,000 synthetic articles (no Pelican build, no network).

Run from the project root: ``.venv/bin/python bench/bench_feeds.py``. The corpus is
deterministic (seeded) and fictional: 3 categories, 63 provinces with 10 districts each (an
article names a district and its province, so province feeds roll up), 40 campaigns, a body of
about 1,500 characters with links and images, a lead image on one article in ten. Every feed is
written (site, categories, localities, campaigns; RSS and Atom; at most FEEDS_MAX_ITEMS items).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]

from plugins.feeds.feeds import DEFAULTS, plan_feeds, write_feeds  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BODY = (
    '<p>Đoạn {n}: nội dung hư cấu dùng để đo tốc độ, có <a href="/tin-tuc/bai-{m}/">liên kết nội bộ</a>, '
    'dấu & và ngoặc "kép", cùng chữ có dấu: Thừa Thiên Huế, Điện Biên, Hậu Giang.</p>'
)
IMAGE = '<p><img src="/images/anh-{n}.jpg" alt="ảnh minh họa {n}"></p>'


@dataclass(eq=False)
class Term:
    """A category, locality or campaign as the context holds it."""

    name: str
    url: str
    save_as: str


@dataclass(eq=False)
class Article:
    """The attributes the feeds plugin reads from a Pelican article."""

    title: str
    url: str
    date: datetime
    content: str
    description: str
    category: Term
    relative_source_path: str
    source_path: str
    modified: datetime | None = None
    uid: str | None = None
    author: str = ""
    source: str = ""
    image: str = ""
    localities: list = field(default_factory=list)
    campaigns: list = field(default_factory=list)


def term(kind: str, folder: str, slug: str, name: str) -> Term:
    return Term(name, f"{folder}/{slug}/", f"{folder}/{slug}/index.html")


def corpus(count: int, image_path: Path, seed: int = 2025) -> dict:
    """Return a Pelican-like context of `count` fictional articles."""
    rng = random.Random(seed)
    categories = [term("c", "chuyen-muc", f"chuyen-muc-{i}", f"Chuyên mục {i}") for i in range(3)]
    provinces = [term("l", "dia-phuong", f"tinh-{p}", f"Tỉnh Thử Nghiệm {p}") for p in range(63)]
    districts = [
        [term("l", "dia-phuong", f"huyen-{p}-{d}", f"Huyện Mẫu {d} ({p})") for d in range(10)] for p in range(63)
    ]
    campaigns = [term("p", "phong-trao", f"phong-trao-{i}", f"Phong trào hư cấu {i}") for i in range(40)]
    start = datetime(2015, 1, 1, 7, 0, tzinfo=TZ)
    articles = []
    for n in range(count):
        province = rng.randrange(63)
        district = districts[province][rng.randrange(10)]
        body = "".join(BODY.format(n=k, m=rng.randrange(count)) for k in range(6))
        if n % 7 == 0:
            body += IMAGE.format(n=n)
        date = start + timedelta(minutes=n * 517)
        articles.append(
            Article(
                title=f"Bài hư cấu số {n}: phát động thi đua & ký giao ước <{n}>",
                url=f"tin-tuc/bai-{n}/",
                date=date,
                modified=date + timedelta(days=2) if n % 5 == 0 else None,
                content=body,
                description=f"Tóm tắt hư cấu của bài {n}.",
                category=categories[n % 3],
                relative_source_path=f"tin/bai-{n}.md",
                source_path=f"/content/tin/bai-{n}.md",
                uid=None if n % 4 == 0 else f"00000000-0000-4000-8000-{n:012d}",
                author="Phóng viên hư cấu" if n % 2 else "",
                source="Theo nguồn thử nghiệm" if n % 3 else "",
                image=image_path.name if n % 10 == 0 else "",
                localities=[district, provinces[province]],
                campaigns=rng.sample(campaigns, rng.randrange(0, 3)),
            )
        )
    articles.sort(key=lambda a: -a.date.timestamp())

    def group(attribute):
        index = defaultdict(list)
        for article in articles:
            for value in [article.category] if attribute == "category" else getattr(article, attribute):
                index[value].append(article)
        return sorted(index.items(), key=lambda item: item[0].name)

    return {
        "articles": articles,
        "categories": group("category"),
        "localities": group("localities"),
        "campaigns": group("campaigns"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        content = Path(scratch, "content")
        content.mkdir()
        from PIL import Image

        image = content / "anh-dai-dien.jpg"
        Image.new("RGB", (1200, 630), (164, 22, 26)).save(image, "JPEG", quality=85)
        settings = {
            **DEFAULTS,
            "SITENAME": "Tin thi đua",
            "SITE_DESCRIPTION": "Bản đo tốc độ (hư cấu)",
            "SITEURL": "https://thidua.example.test",
            "THEME_STATIC_DIR": "theme",
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "PATH": str(content),
            "OUTPUT_PATH": str(Path(scratch, "output")),
            "CATEGORY_URL": "chuyen-muc/{slug}/",
            "LOCALITIES_URL": "dia-phuong/",
            "CAMPAIGNS_URL": "phong-trao/",
        }
        context = corpus(args.articles, image)
        timings, cpu = [], []
        for _ in range(args.repeat):
            began, began_cpu = time.perf_counter(), time.process_time()
            plans = plan_feeds(context, settings)
            feeds, items, _ = write_feeds(plans, settings, Path(settings["OUTPUT_PATH"]))
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        size = sum(p.stat().st_size for p in Path(settings["OUTPUT_PATH"]).rglob("*.xml"))
    print(
        f"{args.articles} articles → {feeds} feeds ({len(plans)} pages × RSS+Atom, "
        f"≤{settings['FEEDS_MAX_ITEMS']} items), {items} distinct items, {size / 1e6:.1f} MB"
    )
    print(
        f"wall: best {min(timings):.2f} s, median {sorted(timings)[len(timings) // 2]:.2f} s; "
        f"CPU: best {min(cpu):.2f} s (over {args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
