"""Gate: an article page stays light: under 50 KB of gzip HTML+CSS+JS, nothing from other hosts, no render-blocking script."""

from urllib.parse import urlsplit

import pytest

from tests.quality import gzip_size, open_page, pages_by_type, render_blocking_scripts, url_of, watch
from tests.support import serve

BUDGET = 50 * 1024  # bytes, gzip-compressed, HTML + CSS + JS of one article page
COUNTED = {"document", "stylesheet", "script"}
HEAVIEST = 3  # the heaviest article pages of each site are weighed


def heaviest_articles(output):
    articles = pages_by_type(output).get("article", [])
    return sorted(articles, key=lambda relative: -(output / relative).stat().st_size)[:HEAVIEST]


@pytest.mark.browser
@pytest.mark.parametrize("site", ["fixture_build", "real_build"])
def test_article_page_is_light_and_self_hosted(browser, request, site):
    build = request.getfixturevalue(site)
    articles = heaviest_articles(build.output)
    assert articles, f"no article page in the {site} output"
    problems = []
    with serve(build.output) as base_url:
        for relative in articles:
            url = url_of(relative)
            blocking = render_blocking_scripts(build.html(relative))
            problems += [f"{url}: render-blocking script in <head> (add defer): {script}" for script in blocking]
            page = browser.new_page()
            try:
                log = watch(page, base_url)
                open_page(page, base_url, build.output, url)
                page.wait_for_load_state("networkidle")
                weights = {}
                for finished in log.finished:
                    if finished.resource_type in COUNTED and urlsplit(finished.url).netloc == urlsplit(base_url).netloc:
                        response = finished.response()
                        if response is not None:
                            weights[finished.url] = gzip_size(response.body())
            finally:
                page.close()
            problems += [f"{url}: request to another host: {other}" for other in log.other_hosts]
            total = sum(weights.values())
            if total >= BUDGET:
                detail = ", ".join(f"{urlsplit(u).path} {size} B" for u, size in sorted(weights.items()))
                problems.append(f"{url}: {total} B gzip of HTML+CSS+JS, budget {BUDGET} B ({detail})")
            if not any(urlsplit(u).path == url for u in weights):
                problems.append(f"{url}: the page's own HTML was not among the recorded requests")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("head", "blocking"),
    [
        ("", 0),
        ('<script src="/theme/js/search.js" defer></script>', 0),
        ('<script src="/theme/js/search.js" async></script>', 0),
        ('<script type="module" src="/theme/js/search.js"></script>', 0),
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>', 0),
        ('<script src="/theme/js/search.js"></script>', 1),
        ("<script>document.documentElement.className = 'js'</script>", 1),
        ("<script defer>document.documentElement.className = 'js'</script>", 1),
    ],
)
def test_render_blocking_scripts_are_recognised(head, blocking):
    html = f'<!doctype html><html lang="vi"><head><title>t</title>{head}</head><body><script src="/a.js"></script></body></html>'
    assert len(render_blocking_scripts(html)) == blocking
