"""Functional tests: build the fixture site and the real content, check what a reader gets."""

import unicodedata

from tests.support import EXPECTED_TREE, EXPECTED_TREE_IGNORES, tree_differences


def test_fixture_site_matches_the_committed_expected_tree(fixture_build):
    differences = tree_differences(fixture_build.output, EXPECTED_TREE, EXPECTED_TREE_IGNORES)
    assert differences == [], "output changed: review, then run `invoke update-expected`"


def test_real_content_builds_in_strict_mode_without_any_problem(real_build):
    assert [str(p) for p in real_build.problems] == []
    assert len(list((real_build.output / "tin-tuc").iterdir())) == 5


def test_contract_urls_exist(fixture_build):
    for path in [
        "index.html",
        "404.html",
        "tin-tuc/xa-thu-nghiem-phat-dong/index.html",
        "chuyen-muc/phat-dong-phong-trao/index.html",
        "dia-phuong/index.html",
        "phong-trao/index.html",
        "the/ke-hoach/index.html",
        "luu-tru/index.html",
        "luu-tru/2025/index.html",
        "luu-tru/2025/03/index.html",
        "luu-tru/2025/03/02/index.html",
        "tim-kiem/index.html",
        "trang-2/index.html",
        "gioi-thieu/index.html",
    ]:
        assert (fixture_build.output / path).is_file(), path


def test_article_links_to_its_category_localities_and_campaigns(fixture_build):
    soup = fixture_build.soup("tin-tuc/xa-thu-nghiem-phat-dong/index.html")
    hrefs = {a["href"] for a in soup.select("main a[href]")}
    assert "/chuyen-muc/phat-dong-phong-trao/" in hrefs
    assert {h for h in hrefs if h.startswith("/dia-phuong/")} >= {
        "/dia-phuong/tuan-giao-dien-bien-cu/",
        "/dia-phuong/dien-bien-cu/",
    }
    assert "/phong-trao/ca-nuoc-chung-tay-vi-nguoi-ngheo-khong-de-ai-bi-bo-lai-phia-sau/" in hrefs


def test_article_shows_vietnamese_dates_byline_and_update(fixture_build):
    soup = fixture_build.soup("tin-tuc/xa-thu-nghiem-phat-dong/index.html")
    times = soup.select(".td-article__dates time")
    assert [t.get_text() for t in times] == ["Chủ Nhật, 02/03/2025", "Thứ Tư, 05/03/2025"]
    assert times[0]["datetime"] == "2025-03-02T08:30:00+07:00"
    assert "Cập nhật" in soup.select_one(".td-article__dates").get_text()
    byline = soup.select_one(".td-article__byline").get_text(" ", strip=True)
    assert byline == "Nguyễn Văn Thử (hư cấu) · Trung tâm Truyền thông thử nghiệm"


def test_spellings_of_one_place_and_one_campaign_share_a_page(fixture_build):
    tuan_giao = fixture_build.soup("dia-phuong/tuan-giao-dien-bien-cu/index.html")
    titles = [a.get_text() for a in tuan_giao.select(".td-card__title a")]
    assert len(titles) == 2
    campaign = fixture_build.soup(
        "phong-trao/ca-nuoc-chung-tay-vi-nguoi-ngheo-khong-de-ai-bi-bo-lai-phia-sau/index.html"
    )
    assert len(campaign.select(".td-card")) == 2


def test_related_news_prefers_shared_localities_and_campaigns(fixture_build):
    soup = fixture_build.soup("tin-tuc/xa-thu-nghiem-phat-dong/index.html")
    related = [a["href"] for a in soup.select(".td-related .td-card__title a")]
    assert related[0] == "/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/"


def test_hostile_markup_is_removed_and_titles_escaped_everywhere(fixture_build):
    import json

    from bs4 import BeautifulSoup

    for path in fixture_build.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "onclick" not in text and "javascript:" not in text.lower(), path
        for script in BeautifulSoup(text, "html.parser").find_all("script"):
            if script.get("type") == "application/ld+json":
                assert "</" not in script.string, path  # a title cannot close the script element
                json.loads(script.string)
            else:
                assert script.get("src", "").startswith("/"), path  # only our own files, no inline code
    page = fixture_build.html("tin-tuc/bai-co-ma-doc-alert1-the-hu-cau/index.html")
    assert (
        "<title>Bài có mã độc &#34;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34; &amp; &lt;b&gt;thẻ&lt;/b&gt; (hư cấu)"
        in page
    )


def test_drafts_are_kept_apart_from_published_lists(fixture_build):
    assert (fixture_build.output / "ban-nhap/ban-nhap-chua-dang-hu-cau/index.html").exists()
    assert "Bản nháp chưa đăng" not in fixture_build.html("index.html")
    assert "Bản nháp chưa đăng" not in fixture_build.html("dia-phuong/hau-giang-cu/index.html")


def test_official_document_block_of_the_directive(real_build):
    soup = real_build.soup("tin-tuc/tuan-giao-chi-thi-phat-dong-phong-trao-thi-dua-yeu-nuoc-nam-2021/index.html")
    rows = {row.dt.get_text(): row.dd.get_text() for row in soup.select(".td-document__row")}
    assert rows["Số"] == "/CT-UBND"
    assert rows["Người ký"] == "Vũ Văn Đức"
    assert rows["Loại văn bản"] == "Chỉ thị"
    recipients = [li.get_text() for li in soup.select(".td-document__recipients li")]
    assert "UBND tỉnh Điện Biên" in recipients


def test_month_archive_has_a_calendar_linking_days_with_news(fixture_build):
    soup = fixture_build.soup("luu-tru/2025/03/index.html")
    links = [a["href"] for a in soup.select(".td-calendar a")]
    assert links == ["/luu-tru/2025/03/02/"]


def test_every_page_is_nfc_and_declares_vietnamese(fixture_build):
    for path in fixture_build.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path
        assert '<html lang="vi">' in text, path
