"""Import of saved portal pages: fixtures against expected Markdown, refusals, guesses."""

import io
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.error import URLError

import pytest

from thidua.importer import cli
from thidua.importer.dates import find_date
from thidua.importer.guess import guess_campaigns, guess_category
from thidua.importer.page import ImportRefused, _parse_byline, import_page

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "thidua" / "importer" / "test_data"
FIXTURES = sorted(p.stem for p in DATA.glob("*.html"))
UID = uuid.UUID("5f0c6a52-3b7e-4d1a-9c2e-000000000001")
CATEGORIES = {"Phát động phong trào", "Hội nghị tổng kết", "Tôn vinh điển hình"}
REQUIRED = ("Title", "Date", "Category", "Localities")
CHROME = (
    "Thống kê truy cập", "Tổng truy cập", "Truy cập hiện tại", "Đang online", "Hôm nay:",
    "Đã truy cập", "Dự báo thời tiết", "Độ ẩm", "Các tin khác", "Xem tin theo ngày",
    "Quay lại", "In trang", "Chia sẻ", "Gửi email", "portlet", "Đơn vị hỗ trợ", "Trang chủ",
    "Liên kết website", "FE_View_Detail", "Thông tin điều hành", "KOICA", "------",
)  # fmt: skip


def read_fixture(stem: str) -> str:
    return (DATA / f"{stem}.html").read_bytes().decode("utf-8")


def expected(stem: str) -> str:
    return (DATA / f"{stem}.md").read_text(encoding="utf-8")


def run(sources, content_dir, **options):
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("gazetteer", None)
    options.setdefault("uid_factory", lambda: UID)
    code = cli.run_import([str(s) for s in sources], str(content_dir), out=out, err=err, **options)
    return code, out.getvalue(), err.getvalue()


def parse_article(text: str) -> tuple[dict[str, list[str]], str]:
    """Parse Pelican's `Key: value` header (4-space continuation lines), a blank line, the body."""
    header, sep, body = text.partition("\n\n")
    assert sep, "no blank line after the header"
    meta: dict[str, list[str]] = {}
    last = None
    for line in header.split("\n"):
        if line.startswith("    ") and last:
            meta[last].append(line.strip())
            continue
        match = re.match(r"^([A-Za-z_]+): (\S.*)$", line)
        assert match, f"not a `Key: value` line: {line!r}"
        last = match.group(1)
        assert last not in meta, f"duplicate key {last}"
        meta[last] = [match.group(2)]
    return meta, body


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


# Fixture pages against their expected Markdown


@pytest.mark.parametrize("stem", FIXTURES)
def test_fixture_page_imports_to_expected_markdown(stem):
    result = import_page(read_fixture(stem), f"{stem}.html", gazetteer=None, uid_factory=lambda: UID)
    assert result.markdown == expected(stem)


def test_there_are_at_least_four_layouts_each_with_expected_markdown():
    assert len(FIXTURES) >= 4
    for stem in FIXTURES:
        assert (DATA / f"{stem}.md").is_file()


@pytest.mark.parametrize("stem", FIXTURES)
def test_run_import_writes_expected_file_under_category_folder(content, stem):
    code, out, err = run([DATA / f"{stem}.html"], content)
    assert (code, err) == (0, "")
    written = list(content.rglob("*.md"))
    assert len(written) == 1
    meta, _ = parse_article(written[0].read_text(encoding="utf-8"))
    assert written[0].name == f"{meta['Slug'][0]}.md"
    assert written[0].read_text(encoding="utf-8") == expected(stem)
    assert f"→ {written[0]}" in out


@pytest.mark.parametrize("stem", FIXTURES)
def test_expected_markdown_round_trips_as_contract_article(stem):
    text = expected(stem)
    assert unicodedata.is_normalized("NFC", text)
    meta, body = parse_article(text)
    for key in REQUIRED:
        assert meta.get(key) and meta[key][0].strip(), f"{key} missing or empty"
    assert all(key.isascii() for key in meta)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", meta["Date"][0])
    assert meta["Category"] == [meta["Category"][0]] and meta["Category"][0] in CATEGORIES
    assert all(part.strip() for part in meta["Localities"][0].split(";"))
    assert uuid.UUID(meta["Id"][0])
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta["Slug"][0])
    assert meta["Status"] == ["draft"]
    review = [name.strip() for name in meta["Review"][0].split(",")]
    assert {"category", "localities"} <= set(review)
    assert set(review) <= {"date", "category", "localities", "campaigns", "image_alt"}
    assert body.strip()


@pytest.mark.parametrize("stem", FIXTURES)
def test_portal_chrome_and_active_content_never_survive(stem):
    text = expected(stem)
    for phrase in CHROME:
        assert phrase not in text, phrase
    for pattern in (r"<script", r"<style", r"<iframe", r"\son\w+\s*=", r"javascript:", r"style="):
        assert not re.search(pattern, text, re.I), pattern


# Layout-specific findings


def test_document_block_becomes_document_keys_and_recipients():
    meta, body = parse_article(expected("tuan-giao-chi-thi"))
    assert meta["Document_type"] == ["Chỉ thị"]
    assert meta["Document_issuer"] == ["Ủy ban nhân dân huyện Tuần Giáo"]
    assert meta["Document_signer"] == ["Vũ Văn Đức"]
    assert meta["Recipients"][:2] == ["UBND tỉnh Điện Biên", "Ban TĐKT tỉnh Điện Biên"]
    assert "Document_number" not in meta  # "Số: /CT-UBND" is blank in the page
    assert "Nơi nhận" not in body and "CỘNG HÒA" not in body and "Số:" not in body


def test_month_only_document_date_is_day_one_and_flagged():
    result = import_page(read_fixture("tuan-giao-chi-thi"), "x.html", gazetteer=None)
    assert result.metadata["Date"] == "2021-02-01"
    assert result.review[0] == "date"
    assert "Văn bản chỉ ghi tháng và năm: Date lấy ngày 1, hãy sửa lại." in result.warnings


def test_lead_image_goes_to_header_and_others_become_figures():
    meta, body = parse_article(expected("tth-hoi-nghi-tong-ket"))
    assert meta["Image"] == ["images/hoi-nghi-cum-thi-dua.jpg"]
    assert meta["Image_caption"][0].startswith("Hội nghị tổng kết công tác thi đua")
    assert "hoi-nghi-cum-thi-dua" not in body
    assert '<img src="{static}/images/trao-co-thi-dua.jpg" alt="Trao cờ thi đua cho các tỉnh trong Cụm">' in body
    assert "<figcaption>Các tỉnh trong Cụm nhận cờ thi đua</figcaption>" in body


def test_image_files_are_referenced_with_a_download_hint():
    result = import_page(read_fixture("dong-ha-fe-view-detail"), "x.html", gazetteer=None)
    assert result.warnings == [
        "Ảnh chưa tải về: lưu https://dongha.quangtri.gov.vn/Portals/0/Images/2020/03/ky-ket-giao-uoc.jpg"
        " thành content/images/ky-ket-giao-uoc.jpg."
    ]
    assert "image_alt" in result.review  # alt="img" replaced by the caption, a guess


def test_date_in_title_parentheses_is_removed_from_title():
    meta, _ = parse_article(expected("dong-ha-fe-view-detail"))
    assert meta["Date"] == ["2020-03-07"]
    assert "(07/03/2020)" not in meta["Title"][0]


def test_wrong_charset_meta_does_not_garble_utf8_page(content):
    assert b"charset=iso-8859-1" in (DATA / "hau-giang-so-khcn.html").read_bytes()
    code, _, _ = run([DATA / "hau-giang-so-khcn.html"], content)
    assert code == 0
    text = next(content.rglob("*.md")).read_text(encoding="utf-8")
    assert "Title: Phát động phong trào thi đua yêu nước năm 2021 trên địa bàn tỉnh Hậu Giang" in text


def test_nfd_page_gives_nfc_markdown():
    html = unicodedata.normalize("NFD", read_fixture("hue-thong-tin-dieu-hanh"))
    result = import_page(html, "x.html", gazetteer=None, uid_factory=lambda: UID)
    assert result.markdown == expected("hue-thong-tin-dieu-hanh")


def test_sanitiser_drops_scripts_frames_handlers_and_script_text():
    html = """<html><body><h1>Tuyên dương điển hình tiên tiến tỉnh Hậu Giang</h1>
    <p>Ngày 15-01-2021</p>
    <div><p onclick="steal()" style="color:red">Tỉnh Hậu Giang tuyên dương các tập thể, cá nhân tiêu biểu
    trong phong trào thi đua <a href="javascript:alert(1)">năm 2021</a>, tôn vinh điển hình.</p>
    <script>alert(1)</script><iframe src="https://example.invalid"></iframe>
    <p>Văn bản có ký tự &lt;img src=x onerror=alert(1)&gt; được giữ là chữ, không thành thẻ.</p>
    <svg onload="alert(1)"><circle r="1"/></svg></div></body></html>"""
    result = import_page(html, "x.html", gazetteer=None)
    assert result.metadata["Category"] == "Tôn vinh điển hình"
    lowered = result.markdown.lower()
    for bad in ("<script", "<iframe", "<svg", "onclick", "javascript:", "style=", "<img"):
        assert bad not in lowered, bad
    assert "&lt;img src=x onerror=alert(1)&gt;" in result.markdown


# Refusals, with the exact messages the editor sees


def test_existing_file_is_never_overwritten(content):
    source = DATA / "hue-thong-tin-dieu-hanh.html"
    assert run([source], content)[0] == 0
    target = content / "phat-dong-phong-trao" / "thanh-pho-hue-phat-dong-phong-trao-thi-dua-nam-2021.md"
    target.write_text("bản của biên tập viên\n", encoding="utf-8")
    code, out, err = run([source], content)
    assert code == 1 and out == ""
    assert err == (
        f"{target}: đã có tệp này, không ghi đè. Nếu là bài khác, đặt tên khác: invoke import "
        f"{source} --slug thanh-pho-hue-phat-dong-phong-trao-thi-dua-nam-2021-2; nếu muốn nhập lại, "
        "xoá hoặc đổi tên tệp cũ trước.\n"
    )
    assert target.read_text(encoding="utf-8") == "bản của biên tập viên\n"


def test_slug_option_gives_a_new_name(content):
    source = DATA / "hue-thong-tin-dieu-hanh.html"
    assert run([source], content)[0] == 0
    code, _, err = run([source], content, slug="thanh-pho-hue-phat-dong-2021-ban-2")
    assert (code, err) == (0, "")
    text = (content / "phat-dong-phong-trao" / "thanh-pho-hue-phat-dong-2021-ban-2.md").read_text(encoding="utf-8")
    assert "Slug: thanh-pho-hue-phat-dong-2021-ban-2\n" in text


def test_symlinked_folder_leading_outside_content_is_refused(content, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (content / "phat-dong-phong-trao").symlink_to(outside, target_is_directory=True)
    code, out, err = run([DATA / "hue-thong-tin-dieu-hanh.html"], content)
    target = content / "phat-dong-phong-trao" / "thanh-pho-hue-phat-dong-phong-trao-thi-dua-nam-2021.md"
    assert code == 1 and out == ""
    assert err == (
        f"{target}: nằm ngoài thư mục {content} (qua liên kết tượng trưng), không ghi. "
        f"Thay liên kết {content / 'phat-dong-phong-trao'} bằng thư mục thật rồi chạy lại.\n"
    )
    assert list(outside.iterdir()) == []


def test_symlinked_target_file_is_refused(content, tmp_path):
    victim = tmp_path / "victim.md"
    victim.write_text("x", encoding="utf-8")
    folder = content / "phat-dong-phong-trao"
    folder.mkdir()
    (folder / "thanh-pho-hue-phat-dong-phong-trao-thi-dua-nam-2021.md").symlink_to(victim)
    code, _, err = run([DATA / "hue-thong-tin-dieu-hanh.html"], content)
    assert code == 1 and "không ghi" in err
    assert victim.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize(
    "slug",
    ["../../etc/passwd", "Thi-Dua", "thi đua", "a/b", "-x", ""],
)
def test_unsafe_slug_option_is_refused(content, slug):
    code, _, err = run([DATA / "hue-thong-tin-dieu-hanh.html"], content, slug=slug)
    assert code == 1
    assert err == (
        f"Slug “{slug}” không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch nối, "
        "ví dụ --slug thi-dua-nam-2021.\n"
    )
    assert list(content.rglob("*")) == []


def test_missing_file_is_refused_and_others_still_import(content, tmp_path):
    missing = tmp_path / "khong-co.html"
    code, out, err = run([missing, DATA / "dong-ha-fe-view-detail.html"], content)
    assert code == 1
    assert err == (
        f"{missing}: không đọc được tệp (không có tệp này). Kiểm tra lại đường dẫn; "
        "tên tệp có dấu cách thì đặt trong ngoặc kép.\n"
    )
    assert "Đã nhập" in out and len(list(content.rglob("*.md"))) == 1


def test_directory_instead_of_file_is_refused(content, tmp_path):
    code, _, err = run([tmp_path], content)
    assert code == 1
    assert err == (f"{tmp_path}: không đọc được tệp (đây là thư mục). Chỉ ra tệp .html đã lưu trong thư mục đó.\n")


def test_unreadable_file_is_refused(content, tmp_path, monkeypatch):
    page = tmp_path / "khoa.html"
    page.write_text("<h1>x</h1>", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 0 does not stop root or CAP_DAC
    code, _, err = run([page], content)
    assert code == 1
    assert err == (f"{page}: không đọc được tệp (không có quyền đọc). Sao chép tệp về thư mục của bạn rồi chạy lại.\n")


def test_page_without_title_is_refused(content, tmp_path):
    page = tmp_path / "danh-sach.html"
    page.write_text(
        "<html><head><title>FE_View_Detail</title></head><body><div class='module-title'>FE_View_Detail</div>"
        "<div><p>Nội dung không có tiêu đề, chỉ là một đoạn văn dài hơn hai mươi lăm ký tự.</p></div></body></html>",
        encoding="utf-8",
    )
    code, _, err = run([page], content)
    assert code == 1
    assert err == (
        f"{page}: không tìm thấy tiêu đề bài viết. Kiểm tra đây là trang chi tiết tin (không phải "
        'trang danh sách), hoặc ghi tiêu đề bằng --title "Tiêu đề".\n'
    )
    assert list(content.rglob("*")) == []


def test_page_without_any_locality_is_refused_with_the_option_to_use(tmp_path):
    html = "<h1>Phát động thi đua năm 2021</h1><p>Ngày 15-01-2021</p><p>" + "Nội dung bài viết. " * 5 + "</p>"
    with pytest.raises(ImportRefused) as error:
        import_page(html, "a.html", gazetteer=None)
    assert str(error.value) == 'a.html: không đoán được địa phương nào; thêm --locality "Tên địa phương".'
    result = import_page(html, "a.html", gazetteer=None, localities=["Hậu Giang"])
    assert result.metadata["Localities"] == "Hậu Giang" and "localities" not in result.review


def test_unknown_category_option_is_refused():
    with pytest.raises(ImportRefused) as error:
        import_page(read_fixture("hue-thong-tin-dieu-hanh"), "x.html", gazetteer=None, category="Tin tức")
    assert str(error.value) == (
        "Chuyên mục “Tin tức” không có; chọn một trong: Phát động phong trào, Hội nghị tổng kết, Tôn vinh điển hình."
    )


def test_category_option_replaces_the_guess_and_its_review_mark():
    result = import_page(read_fixture("tth-hoi-nghi-tong-ket"), "x.html", gazetteer=None, category="Tôn vinh điển hình")
    assert result.metadata["Category"] == "Tôn vinh điển hình"
    assert result.category_folder == "ton-vinh-dien-hinh"
    assert "category" not in result.review


def test_offline_url_gives_a_clear_message(content, monkeypatch):
    def no_network(request, timeout):
        raise URLError("Temporary failure in name resolution")

    monkeypatch.setattr(cli, "urlopen", no_network)
    url = "https://tth.vn/tin-tuc/bai-viet"
    code, _, err = run([url], content, fetch=cli.fetch_url)
    assert code == 1
    assert err == (
        f"{url}: không tải được trang (Temporary failure in name resolution). Máy không có mạng hoặc "
        "trang không mở được: mở trang trong trình duyệt, lưu lại (Ctrl+S) rồi chạy: "
        "invoke import ten-tep-da-luu.html\n"
    )


def test_url_source_is_imported_through_fetch(content):
    url = "https://dongha.quangtri.gov.vn/FE_View_Detail.aspx?id=1"
    code, _, err = run([url], content, fetch=lambda u: read_fixture("dong-ha-fe-view-detail"))
    assert (code, err) == (0, "")


def test_missing_content_dir_is_refused(tmp_path):
    code, _, err = run([DATA / "hue-thong-tin-dieu-hanh.html"], tmp_path / "khong-co")
    assert code == 1
    assert err == f"{tmp_path / 'khong-co'}: không có thư mục nội dung này; chạy lệnh từ thư mục gốc của trang web.\n"


def test_undated_page_uses_today_and_flags_the_date():
    html = "<h1>Tuyên dương điển hình tỉnh Hậu Giang</h1><p>" + "Tỉnh Hậu Giang tuyên dương. " * 4 + "</p>"
    result = import_page(html, "a.html", gazetteer=None, today=date(2026, 1, 2))
    assert result.metadata["Date"] == "2026-01-02"
    assert result.review[0] == "date"


# Pure helpers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ngày 11 tháng 1 năm 2021.", "2021-01-11"),
        ("Ngày 15-01-2021", "2021-01-15"),
        ("(07/03/2020)", "2020-03-07"),
        ("Ngày cập nhật 14/03/2024", "2024-03-14"),
        ("06/3/2020", "2020-03-06"),
        ("2021-01-15", "2021-01-15"),
        ("2021-01-15T08:30:00+07:00", "2021-01-15 08:30"),
        ("Cập nhật 14/03/2024 08:15", "2024-03-14 08:15"),
        ("Tuần Giáo, ngày tháng 02 năm 2021", "2021-02-01"),
        ("ngày 31/02/2020", None),
        ("Tổng truy cập 7.168.680", None),
    ],
)
def test_vietnamese_dates(text, value):
    found = find_date(text)
    assert (found.header_value() if found else None) == value


@pytest.mark.parametrize(
    ("line", "author", "source"),
    [
        ("Huỳnh Thị Ly (Phòng Văn hóa & Thông tin TP Huế)", "Huỳnh Thị Ly", "Phòng Văn hóa & Thông tin TP Huế"),
        ("Theo baothuathienhue.vn", "", "Theo baothuathienhue.vn"),
        ("NTTG (Tổng hợp)", "NTTG (Tổng hợp)", ""),
        ("Nguyễn Đức Hải - Văn phòng HĐND và UBND", "Nguyễn Đức Hải", "Văn phòng HĐND và UBND"),
        ("Minh Anh", "Minh Anh", ""),
    ],
)
def test_byline_lines(line, author, source):
    assert _parse_byline(line) == (author, source)


@pytest.mark.parametrize("line", ["Phong trào thi đua yêu nước góp phần phát huy vai trò.", "năm 2021"])
def test_body_sentences_are_not_bylines(line):
    assert _parse_byline(line) is None


@pytest.mark.parametrize(
    ("title", "body", "category"),
    [
        ("Thành phố Huế phát động phong trào thi đua năm 2021", "", "Phát động phong trào"),
        ("Phát triển phong trào thi đua", "Cụm tổ chức hội nghị tổng kết công tác thi đua", "Hội nghị tổng kết"),
        ("Tuyên dương 34 doanh nghiệp tiêu biểu", "tôn vinh, vinh danh", "Tôn vinh điển hình"),
        ("Tin không rõ", "", "Phát động phong trào"),
    ],
)
def test_category_guess(title, body, category):
    assert guess_category(title, body) == category


def test_campaigns_are_quoted_names_after_phong_trao_or_cuoc_van_dong():
    text = (
        "thực hiện cuộc vận động “Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”; "
        "phong trào thi đua “Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau”; "
        'phong trào "Huế - bốn mùa hoa"; chủ đề “Đồng thuận cao”; phong trào “Huế - bốn mùa hoa”'
    )
    assert guess_campaigns(text) == [
        "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau",
        "Huế - bốn mùa hoa",
    ]


# Locality guesses through the gazetteer, and without it


@dataclass
class FakeUnit:
    name: str
    short_name: str
    code: str
    level: str


class FakeGazetteer:
    """Stands in for gazetteer.load_gazetteer(...): finds the names it knows, in text order."""

    units = (
        FakeUnit("Thành phố Huế", "Huế", "474", "district"),
        FakeUnit("Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "46", "province"),
    )

    def find_mentions(self, text, on_date=None):
        found = []
        for unit in self.units:
            found += [(m.start(), unit) for m in re.finditer(re.escape(unit.short_name), text)]
        return [unit for _, unit in sorted(found, key=lambda pair: pair[0])]


def test_gazetteer_mentions_become_locality_guesses():
    result = import_page(read_fixture("hue-thong-tin-dieu-hanh"), "x.html", gazetteer=FakeGazetteer())
    assert result.metadata["Localities"] == "Thành phố Huế; Tỉnh Thừa Thiên Huế"
    assert "localities" in result.review
    assert not any("gazetteer" in w for w in result.warnings)


def test_missing_gazetteer_falls_back_with_a_warning(monkeypatch):
    monkeypatch.setitem(sys.modules, "thidua.gazetteer", None)  # makes `import thidua.gazetteer` fail
    result = import_page(read_fixture("hue-thong-tin-dieu-hanh"), "x.html", uid_factory=lambda: UID)
    assert result.markdown == expected("hue-thong-tin-dieu-hanh")
    assert result.warnings[0].startswith("Đoán địa phương không dùng danh mục hành chính: chưa có plugin gazetteer (")


def test_gazetteer_gets_the_article_date():
    seen = []

    class Recording(FakeGazetteer):
        def find_mentions(self, text, on_date=None):
            seen.append(on_date)
            return super().find_mentions(text)

    import_page(read_fixture("hue-thong-tin-dieu-hanh"), "x.html", gazetteer=Recording())
    assert set(seen) == {date(2021, 1, 11)}


@pytest.mark.parametrize(
    ("stem", "localities"),
    [
        ("hue-thong-tin-dieu-hanh", "Thành phố Huế"),
        ("tuan-giao-chi-thi", "Huyện Tuần Giáo"),
        ("hau-giang-so-khcn", "Tỉnh Hậu Giang"),
        ("dong-ha-fe-view-detail", "Thành phố Đông Hà"),
    ],
)
def test_real_gazetteer_guesses(stem, localities):
    gazetteer = pytest.importorskip("thidua.gazetteer")
    data_dir = Path(__file__).resolve().parents[1] / "data"
    try:
        loaded = gazetteer.load_gazetteer(str(data_dir))
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"gazetteer data not available: {error}")
    result = import_page(read_fixture(stem), "x.html", gazetteer=loaded)
    assert result.metadata["Localities"].startswith(localities)
    assert "localities" in result.review


def test_real_gazetteer_finds_the_city(tmp_path):
    gazetteer = pytest.importorskip("thidua.gazetteer")
    data_dir = Path(__file__).resolve().parents[1] / "data"
    try:
        loaded = gazetteer.load_gazetteer(str(data_dir))
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"gazetteer data not available: {error}")
    result = import_page(read_fixture("hue-thong-tin-dieu-hanh"), "x.html", gazetteer=loaded)
    assert "Huế" in result.metadata["Localities"]
    assert "localities" in result.review
