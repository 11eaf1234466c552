"""The picture component: escaping, lazy/eager loading, figure or bare picture."""

import tomllib
from pathlib import Path

import jinja2
import pytest

from plugins.images import markup

ROOT = Path(__file__).parents[1]
PARAMS = {
    "sources": [
        {"type": "image/webp", "srcset": "/anh/k/a-480.webp 480w, /anh/k/a-800.webp 800w", "sizes": "100vw"},
        {"type": "image/jpeg", "srcset": "/anh/k/a-480.jpg 480w, /anh/k/a-800.jpg 800w", "sizes": "100vw"},
    ],
    "src": "/anh/k/a-800.jpg",
    "width": 800,
    "height": 533,
    "alt": 'Cờ "thi đua" <b>',
    "caption": "Ảnh minh họa <script>",
    "loading": "lazy",
    "decoding": "async",
    "classes": "",
}


def render(params: dict, with_strings: bool = False) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "theme" / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if with_strings:
        env.globals["t"] = tomllib.loads((ROOT / "theme/strings/vi.toml").read_text(encoding="utf-8"))
    return str(env.get_template("components/picture.html").module.picture(params))


def test_component_escapes_alt_and_caption():
    html = render(PARAMS)
    assert 'alt="Cờ &#34;thi đua&#34; &lt;b&gt;"' in html
    assert "Ảnh minh họa &lt;script&gt;</figcaption>" in html and "<script>" not in html


def test_component_renders_a_figure_with_sources_in_order():
    html = render(PARAMS)
    assert html.startswith('<figure class="td-figure"><picture class="td-picture"><source type="image/webp"')
    assert html.index("image/webp") < html.index("image/jpeg") < html.index("<img")
    assert 'width="800" height="533"' in html and 'loading="lazy" decoding="async"' in html


@pytest.mark.parametrize(
    ("loading", "expected"), [("eager", 'loading="eager" decoding="auto"'), (None, 'loading="lazy"')]
)
def test_lead_image_is_eager_and_the_default_is_lazy(loading, expected):
    assert expected in render({**PARAMS, "loading": loading, "decoding": None})


def test_bare_picture_for_inline_images_and_classes_for_figures():
    assert render({**PARAMS, "figure": False}).startswith('<picture class="td-picture">')
    assert '<figure class="td-figure td-article__lead-image">' in render(
        {**PARAMS, "classes": "td-article__lead-image"}
    )


def test_link_to_the_full_size_original_uses_the_strings_file():
    html = render({**PARAMS, "original": "/anh/k/a.jpg"}, with_strings=True)
    assert '<a class="td-figure__original" href="/anh/k/a.jpg">Xem ảnh cỡ lớn</a></figcaption>' in html


def test_python_twin_matches_the_component_markup():
    twin = markup.render_picture(PARAMS).replace("&quot;", "&#34;").replace("&#x27;", "&#39;")
    assert twin.replace("\n", "") == render(PARAMS).replace("\n", "")
