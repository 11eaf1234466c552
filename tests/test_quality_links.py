"""Gate: no broken internal link, missing asset, missing anchor or third-party resource in a build."""

import pytest

from tests.quality import link_problems, short_list


@pytest.mark.parametrize("site", ["fixture_build", "real_build"])
def test_every_internal_link_and_asset_resolves(site, request):
    build = request.getfixturevalue(site)
    problems = link_problems(build.output)
    assert not problems, f"{len(problems)} broken references in {site}:\n{short_list(problems)}"


def _write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _page(body, head=""):
    return f'<!doctype html><html lang="vi"><head><title>t</title>{head}</head><body>{body}</body></html>'


def test_crawler_accepts_a_sound_site(tmp_path):
    _write(
        tmp_path,
        "index.html",
        _page(
            '<a href="tin-tuc/a/">a</a><a href="#top-news">x</a><p id="top-news">',
            '<link rel="stylesheet" href="/s.css">',
        ),
    )
    _write(
        tmp_path,
        "tin-tuc/a/index.html",
        _page('<a href="../../#top-news">home</a><img src="/i.png" srcset="/i.png 1x, /i%20b.png 2x" alt="">'),
    )
    _write(tmp_path, "s.css", "body{background:url(i.png)} .x{background:url('data:image/png;base64,AA==')}")
    _write(tmp_path, "i.png", "")
    _write(tmp_path, "i b.png", "")
    _write(
        tmp_path,
        "404.html",
        _page(
            '<a href="/">home</a><a href="#main-content">skip</a><main id="main-content">',
            '<link rel="stylesheet" href="/s.css">',
        ),
    )
    assert link_problems(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "head", "expected"),
    [
        ('<a href="/tin-tuc/khong-co/">x</a>', "", "no such file in the output: /tin-tuc/khong-co/index.html"),
        ('<a href="/tin-tuc">x</a>', "", "without the trailing '/'"),
        ('<a href="/#khong-co">x</a>', "", "no element with id='khong-co' in /index.html"),
        ('<a href="#khong-co">x</a>', "", "no element with id='khong-co' in /index.html"),
        (
            '<img src="https://cdn.example.com/a.png" alt="">',
            "",
            "loads a resource from another host (cdn.example.com)",
        ),
        ('<img srcset="/a.png 1x, //cdn.example.com/b.png 2x" alt="">', "", "another host (cdn.example.com)"),
        ("", '<script src="https://example.com/x.js"></script>', "another host (example.com)"),
        ("", '<link rel="stylesheet" href="https://fonts.example.com/css">', "another host (fonts.example.com)"),
        (
            '<picture><source srcset="/khong-co.webp"><img src="/a.png" alt=""></picture>',
            "",
            "no such file in the output: /khong-co.webp",
        ),
        ('<a href="javascript:void(0)">x</a>', "", "javascript: URL"),
        ("<style>body{background:url(/khong-co.png)}</style>", "", "no such file in the output: /khong-co.png"),
    ],
)
def test_crawler_reports_each_kind_of_broken_reference(tmp_path, body, head, expected):
    _write(tmp_path, "index.html", _page(body, head))
    _write(tmp_path, "a.png", "")
    _write(tmp_path, "tin-tuc/index.html", _page(""))
    problems = link_problems(tmp_path)
    assert any(expected in line for line in problems), problems


def test_crawler_ignores_external_links_but_not_missing_css_assets(tmp_path):
    _write(
        tmp_path,
        "index.html",
        _page(
            '<a href="https://example.com/">x</a><a href="mailto:a@b.vn">m</a>', '<link rel="stylesheet" href="/s.css">'
        ),
    )
    _write(tmp_path, "s.css", "@font-face{src:url(fonts/khong-co.woff2)}")
    assert link_problems(tmp_path) == [
        "s.css: url() in CSS 'fonts/khong-co.woff2': no such file in the output: /fonts/khong-co.woff2"
    ]


def test_crawler_checks_the_404_page_as_served_from_a_deep_path(tmp_path):
    _write(tmp_path, "index.html", _page(""))
    _write(tmp_path, "s.css", "")
    _write(
        tmp_path, "404.html", _page('<a href="#main">skip</a><main id="main">', '<link rel="stylesheet" href="s.css">')
    )
    assert link_problems(tmp_path) == [
        "404.html (served at /khong-co/trang/nay/): <link href> 's.css': no such file in the output: /khong-co/trang/nay/s.css"
    ]
