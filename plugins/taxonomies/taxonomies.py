"""Localities and campaigns as taxonomies of their own, with a page each and an index page."""

import logging
from collections import defaultdict
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from thidua.vntext import slugify

from .keys import campaign_key, preferred_spelling
from .localities import (
    build_localities,
    home_area,
    load_settings_gazetteer,
    locality_index,
    region_order,
    resolve_article_units,
    roll_up,
)

logger = logging.getLogger(__name__)


class Campaign(URLWrapper):
    """A named emulation campaign; URLs from CAMPAIGN_URL and CAMPAIGN_SAVE_AS."""


def group_terms(articles, attribute: str, key_function) -> dict[str, list[tuple[object, str]]]:
    """Return key → [(article, spelling)] for a raw list attribute of the articles."""
    groups: dict[str, list[tuple[object, str]]] = defaultdict(list)
    for article in articles:
        for spelling in getattr(article, attribute, []):
            groups[key_function(spelling)].append((article, spelling))
    return groups


def build_terms(articles, attribute, key_function, cls, settings) -> dict[str, URLWrapper]:
    """Create one taxonomy term per key, named by its most used spelling."""
    terms = {}
    for key, members in sorted(group_terms(articles, attribute, key_function).items()):
        term = cls(preferred_spelling([spelling for _, spelling in members]), settings)
        term.slug = slugify(term.name)
        term.key = key
        terms[key] = term
    return terms


def attach_terms(articles, attribute, key_function, terms, target) -> None:
    """Set article.<target> to its terms, in the order written, without duplicates."""
    for article in articles:
        keys = dict.fromkeys(key_function(s) for s in getattr(article, attribute, []))
        setattr(article, target, [terms[k] for k in keys if k in terms])


def articles_by_term(articles, target) -> dict:
    """Return term → articles (newest first, as the generator sorted them)."""
    index = defaultdict(list)
    for article in articles:
        for term in getattr(article, target, []):
            index[term].append(article)
    return index


def attach_localities(generator) -> None:
    """Resolve localities through the gazetteer; pages roll articles up to every parent unit."""
    settings = generator.settings
    everything = generator.articles + generator.drafts + generator.hidden_articles
    gazetteer = load_settings_gazetteer(settings)
    resolved = resolve_article_units(everything, gazetteer, settings)
    pages = roll_up(generator.articles, resolved, gazetteer)
    terms = build_localities(pages, gazetteer, settings)
    for article in everything:
        # Drafts may name a place no published article has: such a place has no page to link.
        article.localities = [terms[u.id] for u in resolved[id(article)] if u.id in terms]
    ordered = sorted(
        ((terms[i], arts) for i, arts in pages.items()), key=lambda item: (item[0].name.casefold(), item[0].slug)
    )
    generator.context["localities"] = ordered
    regions = region_order(Path(settings.get("LOCALITIES_DATA_PATH", "data")))
    generator.context["locality_groups"] = locality_index(terms, pages, gazetteer, regions)
    provinces = [item for item in ordered if item[0].unit.level == 1 and not item[0].unit.valid_to]
    provinces += [item for item in ordered if item[0].unit.level == 1 and item[0].unit.valid_to]
    generator.context["top_localities"] = sorted(
        provinces, key=lambda item: (-len(item[1]), item[0].short_name.casefold())
    )


def attach_campaigns(generator) -> None:
    """Group campaigns by their normalised name (commas, dashes and tone placement ignored)."""
    settings = generator.settings
    everything = generator.articles + generator.drafts + generator.hidden_articles
    terms = build_terms(everything, "campaigns_raw", campaign_key, Campaign, settings)
    attach_terms(everything, "campaigns_raw", campaign_key, terms, "campaigns")
    published = articles_by_term(generator.articles, "campaigns")
    for article in generator.drafts + generator.hidden_articles:
        article.campaigns = [c for c in article.campaigns if c in published]
    ordered = sorted(published.items(), key=lambda item: (item[0].name.casefold(), item[0].slug))
    generator.context["campaigns"] = ordered


def attach_taxonomies(generator) -> None:
    """Resolve every article's localities and campaigns and publish them in the context."""
    attach_localities(generator)
    attach_campaigns(generator)


class TaxonomyPagesGenerator(Generator):
    """Write the locality and campaign pages and their index pages."""

    def generate_context(self):
        """Nothing to collect: attach_taxonomies already filled the context."""

    def generate_output(self, writer):
        """Write one paginated page per term and one index page per taxonomy."""
        for target, template_name, index_template in (
            ("localities", "locality", "localities"),
            ("campaigns", "campaign", "campaigns"),
        ):
            terms = self.context.get(target, [])
            template = self.get_template(template_name)
            for term, articles in terms:
                dates = sorted(articles, key=lambda a: (a.date, a.slug))
                writer.write_file(
                    term.save_as,
                    template,
                    self.context,
                    paginated={"articles": articles, "dates": dates},
                    template_name=template_name,
                    url=term.url,
                    page_name=term.page_name,
                    articles=articles,
                    dates=dates,
                    **{template_name: term},
                )
            save_as = self.settings.get(f"{index_template.upper()}_SAVE_AS")
            if save_as:
                writer.write_file(
                    save_as,
                    self.get_template(index_template),
                    self.context,
                    template_name=index_template,
                    url=self.settings.get(f"{index_template.upper()}_URL"),
                )


def get_generators(pelican):
    """Add the taxonomy pages generator."""
    return TaxonomyPagesGenerator


def check_home_area(pelican) -> None:
    """Stop at the start of a build whose LOCALITIES_HOME_AREA names no province (not half-way)."""
    home_area(pelican.settings, load_settings_gazetteer(pelican.settings))


def register() -> None:
    """Connect the taxonomy plugin."""
    signals.initialized.connect(check_home_area)
    signals.article_generator_finalized.connect(attach_taxonomies)
    signals.get_generators.connect(get_generators)
