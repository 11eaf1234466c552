import pytest

from thidua.safe_html import first_paragraph_text, plain_text, sanitize_html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://example.com"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        "<style>body{}</style>",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_hostile_markup_never_survives(hostile):
    cleaned = sanitize_html(hostile).lower()
    for needle in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "data:text"):
        assert needle not in cleaned


def test_ordinary_article_markup_is_kept():
    markup = '<h2 id="a">Tiêu đề</h2><p><strong>Đậm</strong> <a href="/tin-tuc/x/">liên kết</a></p><table><tr><td>1</td></tr></table>'
    assert (
        sanitize_html(markup)
        == '<h2 id="a">Tiêu đề</h2><p><strong>Đậm</strong> <a href="/tin-tuc/x/">liên kết</a></p><table><tbody><tr><td>1</td></tr></tbody></table>'
    )


def test_pelican_internal_link_syntax_is_kept():
    assert 'href="{filename}/pages/gioi-thieu.md"' in sanitize_html('<a href="{filename}/pages/gioi-thieu.md">x</a>')


def test_plain_text_and_first_paragraph():
    assert plain_text("<p>A &amp; <em>B</em></p><p>C</p>") == "A & B C"
    assert first_paragraph_text("<h2>x</h2><p> </p><p>Đoạn <b>một</b>.</p><p>hai</p>") == "Đoạn một."
