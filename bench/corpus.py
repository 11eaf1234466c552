"""Deterministic generator of realistic Vietnamese articles for the benchmark (never for content/).

    .venv/bin/python -m bench.corpus --count 1000 --out bench/work/1000

Articles follow ../shared/CONTRACT.md: the three categories, real provinces and districts (from
the gazetteer in data/ when it loads, else a built-in list), real national campaign names, tags,
small generated JPEG lead images on a fraction of articles, honourees, and official documents.
People's names and events are generated and say so in every article ("bài mô phỏng").
"""

import argparse
import functools
import random
import shutil
import sys
import uuid
from collections import Counter
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from thidua.vntext import slugify  # noqa: E402

SEED = 20261123
CATEGORIES = ("Phát động phong trào", "Hội nghị tổng kết", "Tôn vinh điển hình")
CAMPAIGNS = (
    "Cả nước chung sức xây dựng nông thôn mới",
    "Cả nước chung tay vì người nghèo, không để ai bị bỏ lại phía sau",
    "Doanh nghiệp Việt Nam hội nhập và phát triển",
    "Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở",
    "Toàn dân đoàn kết xây dựng đời sống văn hóa",
    "Toàn dân bảo vệ an ninh Tổ quốc",
    "Thi đua đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số",
    "Dạy tốt, học tốt",
    "Đẩy mạnh chuyển đổi số quốc gia",
    "Cả nước chung tay xóa nhà tạm, nhà dột nát",
)
TAGS = (
    "thi đua yêu nước",
    "khen thưởng",
    "nông thôn mới",
    "giảm nghèo",
    "chuyển đổi số",
    "cải cách hành chính",
    "giáo dục",
    "y tế",
    "an sinh xã hội",
    "quốc phòng",
    "an ninh trật tự",
    "văn hóa công sở",
    "doanh nghiệp",
    "thanh niên",
    "phụ nữ",
    "nông dân",
    "công đoàn",
    "cựu chiến binh",
    "khuyến học",
    "môi trường",
    "giao ước thi đua",
    "điển hình tiên tiến",
    "người tốt việc tốt",
    "Huân chương Lao động",
    "Bằng khen",
    "Cờ thi đua",
    "Chiến sĩ thi đua",
    "tổng kết năm",
    "sơ kết",
    "đại hội thi đua",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Thu", "Công", "Kim")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Yến",
)
HONOUR_TITLES = (
    "Chiến sĩ thi đua cơ sở",
    "Lao động tiên tiến",
    "Tập thể lao động xuất sắc",
    "Bằng khen của Chủ tịch UBND tỉnh",
    "Cờ thi đua của UBND tỉnh",
    "Huân chương Lao động hạng Ba",
    "Công dân tiêu biểu",
    "Gương điển hình tiên tiến",
)
COLLECTIVES = (
    "Hợp tác xã",
    "Trường Tiểu học",
    "Trạm Y tế xã",
    "Hội Nông dân xã",
    "Đoàn Thanh niên xã",
    "Công ty TNHH",
    "Phòng Giáo dục và Đào tạo",
)
SOURCES = (
    "Ban Thi đua - Khen thưởng tỉnh",
    "Phòng Nội vụ huyện",
    "Văn phòng UBND tỉnh",
    "Theo Cổng thông tin điện tử tỉnh",
)
SENTENCES = (
    "Phong trào thi đua yêu nước được triển khai sâu rộng đến từng cơ quan, đơn vị, địa phương.",
    "Các cấp ủy, chính quyền đã quan tâm lãnh đạo, chỉ đạo sát sao công tác thi đua, khen thưởng.",
    "Nhiều mô hình hay, cách làm sáng tạo được nhân rộng, tạo sức lan tỏa trong cộng đồng.",
    "Công tác phát hiện, bồi dưỡng và nhân rộng điển hình tiên tiến tiếp tục được chú trọng.",
    "Các chỉ tiêu phát triển kinh tế - xã hội cơ bản đạt và vượt kế hoạch đề ra.",
    "Khen thưởng kịp thời, đúng người, đúng việc đã tạo động lực cho cán bộ, công chức, viên chức.",
    "Việc ứng dụng công nghệ thông tin, chuyển đổi số trong quản lý được đẩy mạnh.",
    "Đời sống vật chất và tinh thần của nhân dân từng bước được nâng lên rõ rệt.",
    "Công tác tuyên truyền về các phong trào thi đua được thực hiện thường xuyên, đa dạng.",
    "Hội nghị đã thảo luận, đánh giá những hạn chế và đề ra giải pháp khắc phục trong thời gian tới.",
    "Các khối thi đua đã ký kết giao ước thi đua với nhiều nội dung thiết thực.",
    "Phong trào xây dựng nông thôn mới đạt nhiều kết quả quan trọng, bộ mặt nông thôn đổi thay.",
    "Công tác giảm nghèo bền vững, bảo đảm an sinh xã hội được quan tâm thực hiện hiệu quả.",
    "Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững.",
)
HEADINGS = ("Kết quả nổi bật", "Những hạn chế, tồn tại", "Nhiệm vụ trọng tâm thời gian tới", "Nội dung thi đua")
FALLBACK_PLACES = (  # (district, province): real units, used only when the gazetteer is missing
    ("Huyện Tuần Giáo", "Tỉnh Điện Biên"),
    ("Thành phố Đông Hà", "Tỉnh Quảng Trị"),
    ("Thành phố Huế", "Tỉnh Thừa Thiên Huế"),
    ("Huyện Phong Điền", "Tỉnh Thừa Thiên Huế"),
    ("Thành phố Vị Thanh", "Tỉnh Hậu Giang"),
    ("Huyện Châu Thành A", "Tỉnh Hậu Giang"),
    ("Quận Ba Đình", "Thành phố Hà Nội"),
    ("Huyện Sóc Sơn", "Thành phố Hà Nội"),
    ("Quận 1", "Thành phố Hồ Chí Minh"),
    ("Huyện Củ Chi", "Thành phố Hồ Chí Minh"),
    ("Thành phố Thái Nguyên", "Tỉnh Thái Nguyên"),
    ("Huyện Đại Từ", "Tỉnh Thái Nguyên"),
    ("Thành phố Vinh", "Tỉnh Nghệ An"),
    ("Huyện Nghi Lộc", "Tỉnh Nghệ An"),
    ("Thành phố Buôn Ma Thuột", "Tỉnh Đắk Lắk"),
    ("Huyện Krông Pắc", "Tỉnh Đắk Lắk"),
)


def load_places() -> list[tuple[str, str]]:
    """Return (district, province) full names of pre-2025 units from the gazetteer, else the fallback."""
    try:
        from thidua.gazetteer import load_gazetteer

        gaz = load_gazetteer(ROOT / "data", ROOT / "cache/gazetteer")
        units = gaz.units
        pairs = []
        for unit in sorted(units.values(), key=lambda u: u.id):
            parent = units.get(unit.parent) if unit.parent else None
            if unit.level == 2 and parent is not None and parent.level == 1 and "@" not in unit.id:
                pairs.append((unit.name, parent.name))
        if pairs:
            return pairs
    except Exception as error:  # noqa: BLE001 - any failure: use the built-in list
        print(f"bench.corpus: gazetteer unavailable ({error}); using built-in places", file=sys.stderr)
    return list(FALLBACK_PLACES)


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def jpeg(rng: random.Random) -> bytes:
    """A small photo-like JPEG: a gradient in a random hue with a few blocks."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((320, 200)).convert("RGB")
    tint = Image.new("RGB", image.size, tuple(rng.randrange(256) for _ in range(3)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(300), rng.randrange(180)
        draw.rectangle(
            (x, y, x + rng.randrange(10, 80), y + rng.randrange(10, 60)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


# Sentence frames with slots, so bodies repeat far less than a fixed list of sentences would.
FRAMES = (
    "Năm {year}, {unit} đã {verb} {n} {thing}, vượt {p}% kế hoạch đề ra.",
    "Đồng chí {person}, {role}, nhấn mạnh yêu cầu {task} trong thời gian tới.",
    "Tại hội nghị, đại diện {unit} chia sẻ kinh nghiệm {task} ở {place}.",
    "Ban Thi đua phát động đợt thi đua cao điểm {task}, kéo dài đến tháng {month}.",
    "Đoàn công tác của {unit2} đã đến thăm, làm việc tại {place} và ghi nhận {thing} đạt kết quả tốt.",
    "Theo báo cáo, {n} {thing} đã được {verb2}; {p}% hộ dân hài lòng với kết quả.",
    "{person} cho biết, nhờ {task}, đời sống của bà con ở {place} được cải thiện rõ rệt.",
    "Các đồng chí trong Ban Chỉ đạo đã kiểm tra {n} {thing} và đề nghị khen thưởng {m} tập thể.",
    "Phong trào {topic} lan tỏa đến {n} thôn, tổ dân phố, với nhiều cách làm sáng tạo.",
    "Dịp này, {unit} trao {award} cho {m} cá nhân có thành tích xuất sắc trong {topic}.",
    "Bên cạnh kết quả đạt được, {unit} còn hạn chế về {weak}, cần sớm khắc phục.",
    "Người dân {place} tích cực hưởng ứng, đóng góp {n} ngày công và {m} triệu đồng.",
)
VERBS = ("hoàn thành", "xây dựng", "sửa chữa", "hỗ trợ", "triển khai", "nâng cấp")
VERBS2 = ("bàn giao", "đưa vào sử dụng", "nghiệm thu", "công nhận", "nhân rộng")
THINGS = ("công trình", "mô hình", "căn nhà", "tuyến đường", "lớp học", "hộ gia đình", "sáng kiến", "dự án")
TASKS = (
    "cải cách hành chính",
    "chuyển đổi số",
    "xây dựng nông thôn mới",
    "giảm nghèo bền vững",
    "bảo vệ môi trường",
    "phòng chống thiên tai",
    "khuyến học, khuyến tài",
    "giữ gìn an ninh trật tự",
    "phát triển kinh tế tập thể",
)
ROLES = ("Phó Chủ tịch UBND", "Trưởng ban Thi đua", "Bí thư Đảng ủy", "Chủ tịch Ủy ban MTTQ", "Giám đốc Sở Nội vụ")
WEAK = ("nguồn lực", "công tác tuyên truyền", "chất lượng báo cáo", "tiến độ giải ngân", "phối hợp giữa các ngành")
AWARDS = ("Bằng khen", "Giấy khen", "Cờ thi đua", "danh hiệu Chiến sĩ thi đua")


def unit_word(name: str) -> str:
    """Return the unit word a full name starts with, or ''."""
    for word in ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Tỉnh", "Phường", "Xã"):
        if name.startswith(word + " "):
            return word
    return ""


@functools.lru_cache(maxsize=1)
def shared_names() -> frozenset[str]:
    """Return the names, without their unit word, that several units of the gazetteer have."""
    try:
        from thidua.gazetteer import load_gazetteer

        units = load_gazetteer(ROOT / "data", ROOT / "cache/gazetteer").units.values()
    except Exception:  # noqa: BLE001 - the built-in places: none shared
        return frozenset()
    seen = Counter(slugify(unit.short_name) for unit in units if "@" not in unit.id)
    return frozenset(name for name, count in seen.items() if count > 1)


def as_written(name: str, rng: random.Random) -> str:
    """Write a place as editors do: full, without the unit word, or with an abbreviation.

    The unit word stays where editors keep it: a number ("Quận 1") or a name other units share
    ("Thị xã Hương Thủy", a commune of Hà Tĩnh is Hương Thủy too): bare, the build could not tell
    which place it is.
    """
    word = unit_word(name)
    if not word:
        return name
    bare = name[len(word) + 1 :]
    short = {"Thành phố": ["TP.", "TP", "Tp"], "Thị xã": ["TX."], "Huyện": ["H."], "Quận": ["Q."]}.get(word, [])
    roll = rng.random()  # the same draws either way: the rest of the corpus does not change
    keep_unit = not any(c.isalpha() for c in bare) or slugify(bare) in shared_names()
    if roll < 0.45 or (keep_unit and (roll < 0.8 or not short)):
        return name
    if roll < 0.8 or not short:
        return bare
    return f"{rng.choice(short)} {bare}"


def sentence(rng: random.Random, place: str, other: str, year: int) -> str:
    frame = rng.choice(FRAMES)
    return frame.format(
        year=year,
        unit=rng.choice(("UBND " + place, "các xã, phường", "ngành giáo dục", "Hội Nông dân", "Đoàn Thanh niên")),
        unit2=rng.choice(("tỉnh", "Bộ Nội vụ", other, "Ban Thi đua - Khen thưởng")),
        verb=rng.choice(VERBS),
        verb2=rng.choice(VERBS2),
        n=rng.randint(3, 480),
        m=rng.randint(2, 60),
        p=rng.randint(5, 40),
        month=rng.randint(1, 12),
        thing=rng.choice(THINGS),
        person=person(rng),
        role=rng.choice(ROLES),
        task=rng.choice(TASKS),
        place=rng.choice((place, place, other)),
        topic=rng.choice(TAGS),
        award=rng.choice(AWARDS),
        weak=rng.choice(WEAK),
    )


def body_words(rng: random.Random) -> int:
    """Return a body length in words: 500–1,700 with the last paragraph, median about 950."""
    return min(1600, max(480, round(rng.lognormvariate(6.8, 0.3))))


def body(
    rng: random.Random, district: str, province: str, campaigns: list[str], other: str = "", year: int = 2024
) -> str:
    place = district[len(unit_word(district)) :].strip()
    other = other or province
    parts = [
        f"Bài mô phỏng phục vụ đo hiệu năng, nội dung được sinh tự động. Tại {district}, {province}, "
        + " ".join(rng.sample(SENTENCES, 2))
    ]
    target = body_words(rng)
    words = len(parts[0].split())
    headings = list(rng.sample(HEADINGS, len(HEADINGS)))
    while words < target:
        if headings and rng.random() < 0.15:
            parts.append(f"## {headings.pop()}")
        if rng.random() < 0.12:
            paragraph = "\n".join(f"- {sentence(rng, place, other, year)}" for _ in range(3))
        else:
            paragraph = " ".join(
                sentence(rng, place, other, year) if rng.random() < 0.8 else rng.choice(SENTENCES)
                for _ in range(rng.randint(3, 6))
            )
        parts.append(paragraph)
        words += len(paragraph.split())
    if campaigns:
        parts.append("Các phong trào được hưởng ứng: " + ", ".join(f"**“{c}”**" for c in campaigns) + ".")
    return "\n\n".join(parts) + "\n"


def article(
    index: int, rng: random.Random, places: list[tuple[str, str]], facts: dict | None = None
) -> tuple[str, str, bool]:
    """Return (relative path, Markdown text, has_image) for article number index.

    facts: filled with what the article is about, under its places' full names (district,
    province, campaigns, tags, people, body), for benchmarks that judge relevance.
    """
    category = CATEGORIES[rng.randrange(3)]
    district, province = rng.choice(places)
    other = rng.choice(places)[0]
    date = datetime(2019, 1, 1, 7, 0) + timedelta(days=rng.randrange(6 * 365), minutes=rng.randrange(600))
    campaigns = rng.sample(CAMPAIGNS, rng.randint(0, 3))
    short_district = district.removeprefix("Huyện ")
    verb = {
        "Phát động phong trào": "phát động thi đua",
        "Hội nghị tổng kết": "tổng kết phong trào thi đua",
        "Tôn vinh điển hình": "tôn vinh điển hình tiên tiến",
    }[category]
    title = f"{short_district} {verb} năm {date.year}: {rng.choice(TAGS)} (số {index})"
    slug = slugify(title)
    lines = [
        f"Title: {title}",
        f"Slug: {slug}",
        f"Id: {uuid.UUID(int=rng.getrandbits(128), version=4)}",
        f"Date: {date:%Y-%m-%d %H:%M}",
        f"Category: {category}",
        f"Localities: {as_written(district, rng)}; {as_written(province, rng)}",
    ]
    if campaigns:
        lines.append("Campaigns: " + "; ".join(campaigns))
    lines.append("Tags: " + ", ".join(rng.sample(TAGS, rng.randint(1, 4))))
    lines.append(f"Author: {person(rng)}")
    lines.append(f"Source: {rng.choice(SOURCES)}")
    if rng.random() < 0.3:
        lines.append(f"Modified: {date + timedelta(days=rng.randint(1, 30)):%Y-%m-%d %H:%M}")
    has_image = rng.random() < 0.1
    if has_image:
        lines += [
            f"Image: images/bai-{index:05d}.jpg",
            f"Image_alt: Quang cảnh buổi lễ tại {short_district}",
            "Image_caption: Ảnh minh họa được sinh tự động",
        ]
    if category == "Phát động phong trào" and rng.random() < 0.25:
        lines += [
            "Document_type: Kế hoạch",
            f"Document_number: {rng.randint(10, 300)}/KH-UBND",
            f"Document_issuer: Ủy ban nhân dân {district[0].lower()}{district[1:]}",
            f"Document_signer: {person(rng)}",
            f"Document_date: ngày {date:%d} tháng {date:%m} năm {date.year}",
            f"Recipients: UBND {province}",
            "    Ban Thi đua - Khen thưởng tỉnh",
            "    Các cơ quan, ban, ngành, đoàn thể",
            "    Lưu: VT",
        ]
    people = []
    if category == "Tôn vinh điển hình":
        honourees = []
        for _ in range(rng.randint(2, 5)):
            name = person(rng) if rng.random() < 0.7 else f"{rng.choice(COLLECTIVES)} {rng.choice(GIVEN)}"
            people.append(name)
            honourees.append(f"    {name} | {rng.choice(HONOUR_TITLES)} | {district}")
        lines += ["Honourees:", *honourees]
    if rng.random() < 0.5:
        lines.append(f"Summary: {rng.choice(SENTENCES)}")
    text_body = body(rng, district, province, campaigns, other, date.year)
    text = "\n".join(lines) + "\n\n" + text_body
    if facts is not None:
        tags = next(line for line in lines if line.startswith("Tags: "))[6:].split(", ")
        facts.update(
            district=district, province=province, campaigns=campaigns, tags=tags, people=people, body=text_body
        )
    return f"{slugify(category)}/{slug}.md", text, has_image


def generate(count: int, out: Path, seed: int = SEED, image_fraction_ok: bool = True) -> Path:
    """Write count articles into out/content (replacing it) and return the content folder."""
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "images").mkdir(parents=True)
    rng = random.Random(seed)
    places = load_places()
    for index in range(1, count + 1):
        relative, text, has_image = article(index, rng, places)
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if has_image and image_fraction_ok:
            (content / "images" / f"bai-{index:05d}.jpg").write_bytes(jpeg(rng))
    return content


def build_overrides(work: Path, content: Path) -> dict:
    """Return the settings a benchmark builds the corpus with: pinned clock, every cache in work/."""
    cache = work / "cache"
    return {
        "PATH": str(content),
        "BUILD_DATE": "2026-01-01T00:00:00+07:00",
        "CACHE_PATH": str(cache),
        "IMAGES_CACHE_PATH": str(cache / "images"),
        "SEARCH_CACHE_PATH": str(cache / "pagefind"),
        "LOCALITIES_CACHE_PATH": str(cache / "gazetteer"),
        "VISITOR_STATS_DB": str(work / "no-stats.sqlite3"),
    }


def edit_one(content: Path, round_number: int = 1) -> Path:
    """Append a sentence to the body of one fixed article (the first in path order); return it."""
    first = sorted(p for p in content.rglob("*.md"))[0]
    with first.open("a", encoding="utf-8") as handle:
        handle.write(f"\nĐoạn bổ sung lần {round_number} (mô phỏng sửa bài).\n")
    return first


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/work/corpus")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(generate(args.count, args.out, args.seed))


if __name__ == "__main__":
    main()
