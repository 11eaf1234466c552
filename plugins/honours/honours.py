"""The honour roll (/bang-vang/): honourees of every article, by year, title and province."""

from pelican import signals
from pelican.generators import Generator

from plugins.content_checks.problems import Problem, report
from plugins.content_checks.reader import display_path
from thidua.vntext import fold, slugify

from .model import Honouree, assign_anchors, group_by, parse_honouree_line, sort_key

DEFAULTS = {
    "HONOURS_URL": "bang-vang/",
    "HONOURS_SAVE_AS": "bang-vang/index.html",
    "HONOURS_TITLE_URL": "bang-vang/danh-hieu/{slug}/",
    "HONOURS_TITLE_SAVE_AS": "bang-vang/danh-hieu/{slug}/index.html",
    "HONOURS_PROVINCE_URL": "bang-vang/dia-phuong/{slug}/",
    "HONOURS_PROVINCE_SAVE_AS": "bang-vang/dia-phuong/{slug}/index.html",
}


def setting(settings, name):
    return settings.get(name, DEFAULTS[name])


def collect_honourees(articles, gazetteer, localities_by_unit, settings) -> list[Honouree]:
    """Parse and resolve every Honourees line; malformed lines and unknown places are errors."""
    from plugins.taxonomies.localities import article_day, home_area

    found = []
    resolved: dict[tuple, object] = {}  # the same places recur across a site's articles
    home = home_area(settings, gazetteer)

    def resolve(names: list[str], day):
        key = (*names, day)
        if key not in resolved:
            resolved[key] = gazetteer.resolve(names, day, home)
        return resolved[key]

    for article in articles:
        for line, text in getattr(article, "honourees_raw", []):
            parts = parse_honouree_line(text)
            if parts is None:
                continue  # the reader already reported the malformed line
            name, title, place = parts
            # Alone first: context could turn "Tuần Giáo" into the town inside the district.
            result = resolve([place], article_day(article))
            if result.problems:
                result = resolve([place, *getattr(article, "localities_raw", [])], article_day(article))
            first = [p for p in result.problems if p.index == 0]
            if first:
                path = display_path(article.source_path, settings)
                report(Problem(path, line, f"Honourees: {first[0].message}", first[0].fix))
                continue
            unit = result.by_index.get(0)
            if unit is None:
                continue
            honouree = Honouree(name, title, place, line, article_day(article).year, article)
            honouree.unit = unit
            honouree.locality = localities_by_unit.get(unit.id)
            chain = gazetteer.ancestors_on(unit, article_day(article))
            province = unit if unit.is_place or unit.level == 1 else (chain[-1] if chain else None)
            honouree.province = localities_by_unit.get(province.id) if province else None
            found.append(honouree)
    assign_anchors(found)
    return sorted(found, key=sort_key)


def attach_honours(generator) -> None:
    """Collect the honour roll after localities are resolved (taxonomies runs first)."""
    from plugins.taxonomies.localities import load_settings_gazetteer

    settings = generator.settings
    localities_by_unit = {term.unit.id: term for term, _ in generator.context.get("localities", [])}
    gazetteer = load_settings_gazetteer(settings)
    honourees = collect_honourees(generator.articles, gazetteer, localities_by_unit, settings)
    by_article: dict[int, list] = {}
    for honouree in honourees:  # one pass: matching per article was quadratic at 10,000 articles
        by_article.setdefault(id(honouree.article), []).append(honouree)
    for article in generator.articles + generator.drafts + generator.hidden_articles:
        article.honourees = by_article.get(id(article), [])
    order = {id(h): number for number, h in enumerate(honourees)}
    for term, articles in generator.context.get("localities", []):
        found = [h for article in articles for h in by_article.get(id(article), ())]
        term.honourees = sorted(found, key=lambda h: order[id(h)])  # in honour-roll order
    generator.context["honourees"] = honourees
    generator.context["HONOURS_URL"] = setting(settings, "HONOURS_URL")


def filter_pages(honourees: list[Honouree], settings) -> list[dict]:
    """Return the static filter pages: one per title and one per province."""
    pages = []
    for title, members in group_by(sorted(honourees, key=lambda h: fold(h.title)), lambda h: h.title):
        slug = slugify(title)
        pages.append(
            {"kind": "title", "label": title, "slug": slug, "honourees": sorted(members, key=sort_key),
             "url": setting(settings, "HONOURS_TITLE_URL").format(slug=slug),
             "save_as": setting(settings, "HONOURS_TITLE_SAVE_AS").format(slug=slug)}
        )  # fmt: skip
    with_province = [h for h in honourees if h.province]
    for province, members in group_by(sorted(with_province, key=lambda h: fold(h.province.name)), lambda h: h.province):
        pages.append(
            {"kind": "province", "label": province.name, "slug": province.slug, "honourees": sorted(members, key=sort_key),
             "url": setting(settings, "HONOURS_PROVINCE_URL").format(slug=province.slug),
             "save_as": setting(settings, "HONOURS_PROVINCE_SAVE_AS").format(slug=province.slug)}
        )  # fmt: skip
    return pages


class HonourRollGenerator(Generator):
    """Write /bang-vang/ and its filter pages."""

    def generate_context(self):
        """Nothing to collect: attach_honours filled the context."""

    def generate_output(self, writer):
        """Write the honour roll grouped by year, then one page per title and per province."""
        honourees = self.context.get("honourees", [])
        filters = filter_pages(honourees, self.settings)
        template = self.get_template("honour_roll")
        common = {"filters": filters, "by_year": group_by(honourees, lambda h: h.year)}
        writer.write_file(
            setting(self.settings, "HONOURS_SAVE_AS"), template, self.context,
            template_name="honour_roll", url=setting(self.settings, "HONOURS_URL"), honour_filter=None, **common,
        )  # fmt: skip
        for page in filters:
            writer.write_file(
                page["save_as"], template, self.context, template_name="honour_roll", url=page["url"],
                honour_filter=page, filters=filters, by_year=group_by(page["honourees"], lambda h: h.year),
            )  # fmt: skip


def get_generators(pelican):
    """Add the honour roll generator."""
    return HonourRollGenerator


def register() -> None:
    """Connect the honours plugin (after taxonomies in PLUGINS)."""
    signals.article_generator_finalized.connect(attach_honours)
    signals.get_generators.connect(get_generators)
