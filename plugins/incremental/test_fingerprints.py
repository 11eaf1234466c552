"""Unit tests of page fingerprints and of the template analysis behind them."""

import datetime
import zoneinfo

import jinja2
import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Category

from plugins.incremental.fingerprints import Fingerprinter, Unfingerprintable
from plugins.incremental.render_cache import code_digest, load_fingerprints, save_fingerprints, template_variables

SETTINGS = {**DEFAULT_CONFIG, "ARTICLE_URL": "tin-tuc/{slug}/", "ARTICLE_SAVE_AS": "tin-tuc/{slug}/index.html"}


def article(tmp_path, name, text="Nội dung.", title="Bài thử (hư cấu)", day=1):
    source = tmp_path / f"{name}.md"
    source.write_text(text, encoding="utf-8")
    metadata = {
        "title": title,
        "slug": name,
        "date": datetime.datetime(2025, 1, day, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")),
        "category": Category("Tin", SETTINGS),
    }
    return Article(text, metadata=metadata, settings=SETTINGS, source_path=str(source))


def test_an_article_counts_by_its_metadata_where_another_page_shows_it(tmp_path):
    a, b = article(tmp_path, "a"), article(tmp_path, "b")
    b.metadata["summary"] = "Tóm tắt."
    a.related = [b]
    before = Fingerprinter().full(a)
    assert Fingerprinter().full(a) == before  # stable from one build to the next
    (tmp_path / "b.md").write_text("Nội dung đã sửa ở cuối bài.", encoding="utf-8")
    assert Fingerprinter().full(a) == before  # the related article's body: not shown on a's page
    b.metadata["title"] = "Tiêu đề mới"
    assert Fingerprinter().full(a) != before  # its title: shown in the related-news link
    b.metadata["title"] = "Bài thử (hư cấu)"
    assert Fingerprinter().full(a) == before
    del b.metadata["summary"]  # Pelican then cuts the summary from the body: the source counts
    without_summary = Fingerprinter().full(a)
    (tmp_path / "b.md").write_text("Nội dung sửa lần nữa.", encoding="utf-8")
    assert Fingerprinter().full(a) != without_summary


def test_a_source_with_the_size_and_mtime_of_the_last_build_is_not_read_again(tmp_path):
    import os

    a = article(tmp_path, "a")
    first = Fingerprinter()
    before = first.full(a)
    known = first.source_stamps
    source = tmp_path / "a.md"
    stamp = source.stat()
    source.write_text("Nội dung.".replace("N", "M"), encoding="utf-8")  # same size
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert Fingerprinter(known).full(a) == before  # trusted, as Pelican's content cache trusts mtimes
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1000))
    assert Fingerprinter(known).full(a) != before  # another mtime: read again
    assert Fingerprinter().full(a) != before


def test_an_attribute_set_by_a_plugin_changes_the_fingerprint(tmp_path):
    a = article(tmp_path, "a")
    before = Fingerprinter().full(a)
    a.problems = ["a.md:3: ảnh không tồn tại"]
    assert Fingerprinter().full(a) != before


def test_a_list_counts_urls_and_dates_but_not_titles(tmp_path):
    a = article(tmp_path, "a")
    before = Fingerprinter().shape([a])
    (tmp_path / "a.md").write_text("Nội dung khác.", encoding="utf-8")
    assert Fingerprinter().shape([a]) == before
    assert Fingerprinter().shape([article(tmp_path, "a", day=2)]) != before
    assert Fingerprinter().shape([a, a]) != before


def test_the_shared_context_sees_the_terms_but_not_their_articles(tmp_path):
    one, other = article(tmp_path, "a"), article(tmp_path, "b", day=5)
    news, more = Category("Tin", SETTINGS), Category("Tin khác", SETTINGS)
    assert Fingerprinter().count([(news, [one])]) == Fingerprinter().count([(news, [one, other])])
    assert Fingerprinter().count([(news, [one])]) != Fingerprinter().count([(news, [one]), (more, [other])])


def test_terms_count_by_name_and_url(tmp_path):
    assert Fingerprinter().ref(Category("Tin", SETTINGS)) == Fingerprinter().ref(Category("Tin", SETTINGS))
    assert Fingerprinter().ref(Category("Tin", SETTINGS)) != Fingerprinter().ref(Category("Tin khác", SETTINGS))


def test_terms_met_as_separate_objects_within_one_build(tmp_path):
    # Pelican makes one Category per article: equal terms share a digest, different ones do not,
    # and a term whose URL reads more of its state than its name is not known by its name alone.
    fingerprints = Fingerprinter()
    assert fingerprints.ref(Category("Tin", SETTINGS)) == fingerprints.ref(Category("Tin", SETTINGS))
    assert fingerprints.ref(Category("Tin", SETTINGS)) != fingerprints.ref(Category("Tin khác", SETTINGS))
    renamed = Category("Tin", SETTINGS)
    renamed.slug = "tin-rieng"
    assert fingerprints.ref(renamed) != fingerprints.ref(Category("Tin", SETTINGS))

    place_settings = {**SETTINGS, "PLACE_URL": "dia-phuong/{code}/"}

    class Place(Category):  # hư cấu: a term whose URL comes from a code it holds
        def __init__(self, name, code):
            super().__init__(name, place_settings)
            self.code = code

    assert fingerprints.ref(Place("Xã A", "001")) != fingerprints.ref(Place("Xã A", "002"))


def test_plain_values_functions_and_cycles():
    fingerprints = Fingerprinter()
    assert fingerprints.ref({"b": 1, "a": {2, 3}}) == Fingerprinter().ref({"b": 1, "a": {3, 2}})
    assert fingerprints.ref({"b": 1, "a": {2, 3}}) != Fingerprinter().ref({"b": 1, "a": {2, 4}})
    assert fingerprints.ref(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")) != fingerprints.ref(zoneinfo.ZoneInfo("UTC"))

    def one():
        return 1

    def two():
        return 2

    assert Fingerprinter().ref(one) != Fingerprinter().ref(two)

    class Node:
        def __init__(self):
            self.self = self

    assert Fingerprinter().ref(Node()) == Fingerprinter().ref(Node())


def test_a_value_without_a_stable_digest_is_refused():
    with pytest.raises(Unfingerprintable):
        Fingerprinter().ref(object())


def test_template_variables_follow_extends_includes_and_imports():
    loader = jinja2.DictLoader(
        {
            "base.html": "{{ SITENAME }}{% block body %}{% endblock %}{% include 'footer.html' %}",
            "footer.html": "{{ footer_note }}",
            "macros.html": "{% macro card(a) %}{{ a.title }}{{ SITEURL }}{% endmacro %}",
            "page.html": "{% extends 'base.html' %}{% from 'macros.html' import card %}"
            "{% block body %}{{ card(article) }}{% endblock %}",
            "computed.html": "{% include chosen %}",
        }
    )
    environment = jinja2.Environment(loader=loader)
    assert {"SITENAME", "footer_note", "SITEURL", "article"} <= template_variables(environment, "page.html")
    assert template_variables(environment, "computed.html") is None


def test_fingerprints_survive_a_round_trip_and_a_damaged_file_is_ignored(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<p>trang</p>", encoding="utf-8")
    where = tmp_path / "cache/render.pickle"
    save_fingerprints(where, {str(page): b"key", str(tmp_path / "gone.html"): b"other"})
    loaded = load_fingerprints(where)
    assert loaded[str(page)][0] == b"key" and str(tmp_path / "gone.html") not in loaded
    where.write_bytes(b"not a pickle")
    assert load_fingerprints(where) == {}


def test_pages_found_unchanged_keep_the_entry_just_checked(tmp_path):
    page, other = tmp_path / "a.html", tmp_path / "b.html"
    page.write_text("<p>a</p>", encoding="utf-8")
    other.write_text("<p>b</p>", encoding="utf-8")
    where = tmp_path / "render.pickle"
    checked = (b"key", 8, 123)  # as the unchanged check read it earlier in this build
    save_fingerprints(where, {str(page): b"key", str(other): b"new"}, {str(page): checked, str(other): (b"old", 1, 1)})
    loaded = load_fingerprints(where)
    assert loaded[str(page)] == checked  # stored as checked, not looked up again
    assert loaded[str(other)] == (b"new", other.stat().st_size, other.stat().st_mtime_ns)  # rendered: looked up


def test_the_code_digest_follows_plugins_but_not_their_tests(tmp_path):
    plugin = tmp_path / "plugins" / "tin"
    plugin.mkdir(parents=True)
    (plugin / "tin.py").write_text("X = 1\n", encoding="utf-8")
    (plugin / "test_tin.py").write_text("def test_x(): pass\n", encoding="utf-8")
    settings = {"THEME": str(tmp_path / "theme"), "PLUGIN_PATHS": [str(tmp_path / "plugins")]}
    first = code_digest(settings)
    (plugin / "test_tin.py").write_text("def test_y(): pass\n", encoding="utf-8")
    assert code_digest(settings) == first  # a test renders nothing
    (plugin / "tin.py").write_text("X = 2\n", encoding="utf-8")
    assert code_digest(settings) != first


def test_the_code_digest_follows_every_data_file_the_settings_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "places.toml").write_text('[cum]\nname = "Cụm"\n', encoding="utf-8")
    (tmp_path / "bots.txt").write_text("bot\n", encoding="utf-8")
    settings = {"THEME": str(tmp_path / "theme"), "LOCALITIES_DATA_PATH": str(data), "BOTS": str(tmp_path / "bots.txt")}
    names = ["LOCALITIES_DATA_PATH", "BOTS", "UNSET_PATH"]
    first = code_digest(settings, names)
    assert code_digest(settings) != first
    (data / "places.toml").write_text('[cum]\nname = "Cụm mới"\n', encoding="utf-8")
    second = code_digest(settings, names)
    assert second != first
    (tmp_path / "bots.txt").write_text("other bot\n", encoding="utf-8")
    assert code_digest(settings, names) != second
