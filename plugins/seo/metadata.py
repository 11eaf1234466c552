"""Build the JSON-LD and share metadata of pages (pure functions, no Pelican state)."""

import json
import re

from thidua.vntext import format_datetime_iso

_INDEX = re.compile(r"(?:^|(?<=/))index\.html$")
# Characters that could end a <script> element or start markup are written as \u escapes,
# so hostile titles ("</script>", "<!--") stay inside valid JSON.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_script(data) -> str:
    """Return JSON safe to place inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def absolute_url(siteurl: str, url: str) -> str:
    """Return SITEURL + "/" + url, without a trailing index.html."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", url or ""):
        return url
    return f"{siteurl}/{_INDEX.sub('', (url or '').lstrip('/'))}"


def image_of(article, siteurl: str) -> dict | None:
    """Return the share image {url, width, height, alt}: the Open Graph card, else the lead image."""
    og = getattr(article, "og_image", None)
    if isinstance(og, dict) and og.get("url"):
        return {
            "url": absolute_url(siteurl, og["url"]),
            "width": og.get("width"),
            "height": og.get("height"),
            "alt": og.get("alt") or getattr(article, "image_alt", "") or "",
        }
    image = getattr(article, "image", None)
    if image:
        return {
            "url": absolute_url(siteurl, image),
            "width": None,
            "height": None,
            "alt": getattr(article, "image_alt", "") or "",
        }
    return None


def publisher(settings) -> dict:
    """Return the schema.org Organization that publishes the site."""
    org = {"@type": "Organization", "name": settings.get("PUBLISHER") or settings.get("SITENAME", "")}
    siteurl = settings.get("SITEURL", "")
    org["url"] = f"{siteurl}/"
    logo = settings.get("SEO_PUBLISHER_LOGO")
    if logo:
        org["logo"] = {"@type": "ImageObject", "url": absolute_url(siteurl, logo)}
    return org


def news_article(article, settings) -> dict:
    """Return the NewsArticle of an article page."""
    siteurl = settings.get("SITEURL", "")
    url = absolute_url(siteurl, article.url)
    modified = getattr(article, "modified", None) or article.date
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": str(article.title),
        "description": getattr(article, "description", "") or "",
        "datePublished": format_datetime_iso(article.date),
        "dateModified": format_datetime_iso(modified),
        "inLanguage": "vi",
        "articleSection": article.category.name,
        "publisher": publisher(settings),
    }
    author = getattr(article, "author", None)
    data["author"] = {"@type": "Person", "name": author.name} if author else publisher(settings)
    image = image_of(article, siteurl)
    if image:
        data["image"] = {"@type": "ImageObject", "url": image["url"]}
        if image["width"] and image["height"]:
            data["image"].update(width=image["width"], height=image["height"])
    places = [
        {"@type": "Place", "name": locality.name, "url": absolute_url(siteurl, locality.url)}
        for locality in getattr(article, "localities", []) or []
    ]
    if places:
        data["contentLocation"] = places
    keywords = [str(tag) for tag in getattr(article, "tags", []) or []]
    keywords += [campaign.name for campaign in getattr(article, "campaigns", []) or []]
    if keywords:
        data["keywords"] = keywords
    return data


def breadcrumb_list(items: list[tuple[str, str]]) -> dict:
    """Return the BreadcrumbList of (name, absolute url) items, outermost first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url} for i, (name, url) in enumerate(items, 1)
        ],
    }


def article_breadcrumbs(article, settings, home: str) -> dict:
    """Return the BreadcrumbList of an article: home, its category, itself."""
    siteurl = settings.get("SITEURL", "")
    return breadcrumb_list(
        [
            (home, f"{siteurl}/"),
            (article.category.name, absolute_url(siteurl, article.category.url)),
            (str(article.title), absolute_url(siteurl, article.url)),
        ]
    )


def collection_page(name: str, url: str, description: str, articles, settings) -> dict:
    """Return the CollectionPage of a list page with the articles it shows."""
    siteurl = settings.get("SITEURL", "")
    data = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "url": url,
        "inLanguage": "vi",
        "isPartOf": {"@type": "WebSite", "name": settings.get("SITENAME", ""), "url": f"{siteurl}/"},
        "publisher": publisher(settings),
    }
    if description:
        data["description"] = description
    listed = list(articles or [])
    if listed:
        data["mainEntity"] = {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "url": absolute_url(siteurl, a.url), "name": str(a.title)}
                for i, a in enumerate(listed, 1)
            ],
        }
    return data


def web_page(name: str, url: str, description: str, settings) -> dict:
    """Return the WebPage of a static page (about, privacy)."""
    data = {"@context": "https://schema.org", "@type": "WebPage", "name": name, "url": url, "inLanguage": "vi"}
    if description:
        data["description"] = description
    data["publisher"] = publisher(settings)
    return data
