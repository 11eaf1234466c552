import re
import unicodedata
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from plugins.search import names


def term(name, short, url):
    return SimpleNamespace(name=name, short_name=short, url=url)


ARTICLES = [
    SimpleNamespace(
        localities=[
            term("Thành phố Đông Hà", "Đông Hà", "dia-phuong/dong-ha/"),
            term("Quận Hà Đông", "Hà Đông", "dia-phuong/ha-dong/"),
            term("Tỉnh Hà Tĩnh", "Hà Tĩnh", "dia-phuong/ha-tinh/"),
            term("Thành phố Hà Tĩnh", "Hà Tĩnh", "dia-phuong/tp-ha-tinh/"),
        ],
        campaigns=[term("Dạy tốt, học tốt", "Dạy tốt, học tốt", "phong-trao/day-tot-hoc-tot/")],
    )
]


def entries(text):
    """The map's (compiled pattern, value) pairs, as nginx reads them with `~*` (PCRE's named groups
    spelled as Python's)."""
    found = re.findall(r'^"~\*(.*)" (\S+);$', text, re.M)
    return [(re.compile(pattern.replace("(?<", "(?P<"), re.I), value) for pattern, value in found]


def nginx_answer(query, raw=None):
    """What the two maps of deploy/nginx/thidua.conf make of the form's query: a path or None."""
    raw = raw or urlencode({"tim": query})[4:]
    for pattern, _ in entries(names.units_map()):
        if match := pattern.match(raw):
            raw = match["tim_rest"]
            break
    index = names.names_index(ARTICLES)
    return next((v.strip('"') for p, v in entries(names.nginx_map(index, "tim-kiem/noi/{key}/")) if p.match(raw)), None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dong ha", "/dia-phuong/dong-ha/"),
        ("Đông Hà", "/dia-phuong/dong-ha/"),
        ("ĐÔNG HÀ", "/dia-phuong/dong-ha/"),
        (unicodedata.normalize("NFD", "Đông Hà"), "/dia-phuong/dong-ha/"),
        ("TP Đông Hà", "/dia-phuong/dong-ha/"),
        ("TP. Đông Hà", "/dia-phuong/dong-ha/"),
        ("t.p. dong ha", "/dia-phuong/dong-ha/"),
        ("thành phố đông hà", "/dia-phuong/dong-ha/"),
        ("  dong   ha ", "/dia-phuong/dong-ha/"),
        ("Hà Đông", "/dia-phuong/ha-dong/"),
        ("Quận Hà Đông", "/dia-phuong/ha-dong/"),
        ("hà tĩnh", "/tim-kiem/noi/hatinh/"),  # the province and its city
        ("tinh ha tinh", "/tim-kiem/noi/hatinh/"),  # the unit word is dropped, as search.js does
        ("Dạy tốt, học tốt", "/phong-trao/day-tot-hoc-tot/"),
        ("day tot hoc tot", "/phong-trao/day-tot-hoc-tot/"),
        ("dong", None),
        ("dong ha tinh", None),
        ("phát động", None),
        ("Thành phố", None),
        ("", None),
    ],
)
def test_nginx_maps_a_name_typed_any_way_to_its_page(query, expected):
    assert nginx_answer(query) == expected


def test_spaces_typed_as_percent_twenty_are_spaces():
    assert nginx_answer("", raw="Dong%20Ha") == "/dia-phuong/dong-ha/"


def test_every_map_entry_fits_in_an_nginx_parameter():
    long = "Cả nước chung tay vì người nghèo, không để ai bị bỏ lại phía sau " * 3
    assert len(names.query_pattern(long)) < 4096
    assert re.match(names.query_pattern(long), urlencode({"q": names.fold(long)})[2:], re.I)


def test_a_full_name_is_a_key_only_when_dropping_its_unit_word_does_not_give_the_short_name():
    # search.js and nginx drop a leading unit word before looking up: "Thành phố Đông Hà" is asked as
    # "dongha", so a second key would only make names.json (fetched by every first query) larger.
    assert sorted(names.names_index(ARTICLES)["names"]) == ["daytothoctot", "dongha", "hadong", "hatinh"]
    park = SimpleNamespace(localities=[term("Khu công nghiệp Phú Bài", "Phú Bài", "dia-phuong/phu-bai/")])
    assert sorted(names.names_index([park])["names"]) == ["khucongnghiepphubai", "phubai"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Thành phố Đông Hà", "dongha"),
        ("TP. Đông Hà", "dongha"),
        ("thị xã Hương Trà", "huongtra"),
        ("Đông Hà", "dongha"),
    ],
)
def test_typed_key_drops_one_leading_unit_word_as_search_js_does(typed, expected):
    assert names.typed_key(typed) == expected
