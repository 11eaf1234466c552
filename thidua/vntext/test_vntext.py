import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from thidua.vntext import canonical_tones, fold, format_date_vi, format_datetime_iso, name_key, nfc, slugify


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Đông Hà", "dong ha"),
        ("ĐIỆN BIÊN", "dien bien"),
        (unicodedata.normalize("NFD", "Tuần Giáo"), "tuan giao"),
        ("  Hậu   Giang ", "hau giang"),
        ("Hoà Bình", "hoa binh"),
    ],
)
def test_fold_removes_every_diacritic_including_d_bar(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hòa", "Hoà"),
        ("Thủy", "Thuỷ"),
        ("khỏe", "khoẻ"),
        ("Thanh Hóa", "thanh hoá"),
        (unicodedata.normalize("NFD", "Khánh Hòa"), "KHÁNH HOÀ"),
    ],
)
def test_name_key_treats_tone_placement_case_and_form_alike(first, second):
    assert name_key(first) == name_key(second)


def test_name_key_keeps_diacritics_that_change_the_word():
    assert name_key("Hà Nam") != name_key("Hà Năm")
    assert name_key("quý") == "quý"


def test_canonical_tones_returns_nfc():
    assert unicodedata.is_normalized("NFC", canonical_tones(unicodedata.normalize("NFD", "Hòa")))


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Thành phố Đông Hà", "thanh-pho-dong-ha"),
        (
            "Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau",
            "ca-nuoc-chung-tay-vi-nguoi-ngheo-khong-de-ai-bi-bo-lai-phia-sau",
        ),
        ("“Mai vàng trước ngõ”!", "mai-vang-truoc-ngo"),
    ],
)
def test_slugify_is_ascii_with_d_for_d_bar(text, slug):
    assert slugify(text) == slug


def test_vietnamese_dates_come_from_babel_not_the_os_locale():
    assert format_date_vi(date(2021, 1, 11)) == "Thứ Hai, 11/01/2021"
    assert format_date_vi(datetime(2020, 3, 7, 9, 0)) == "Thứ Bảy, 07/03/2020"


def test_iso_dates_carry_the_vietnam_offset():
    moment = datetime(2024, 3, 14, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert format_datetime_iso(moment) == "2024-03-14T09:00:00+07:00"


def test_nfc():
    assert nfc(unicodedata.normalize("NFD", "Huế")) == "Huế"
