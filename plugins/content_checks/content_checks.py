"""Signal adapters: use our reader, gather every content problem, fail strict builds."""

import logging
from collections import defaultdict

from pelican import signals

from . import problems as registry
from .problems import Problem
from .reader import add_reader, display_path
from .settings import get_setting, validate_settings

logger = logging.getLogger(__name__)


class ContentErrors(Exception):
    """Raised in strict mode when content has errors; Pelican exits with this code."""

    exitcode = 1


def check_settings(pelican) -> None:
    """Validate the plugin's settings once."""
    validate_settings(pelican.settings)


def start_build(pelican) -> None:
    """Forget the previous build's problems (live reload rebuilds in the same process)."""
    registry.clear()
    _reported.clear()
    _articles.clear()


def duplicate_findings(contents, settings) -> list[Problem]:
    """Report two contents with the same URL or the same Id."""
    found: list[Problem] = []
    for attribute, what, fix in (
        ("url", "đường dẫn /{}", "đặt Slug khác cho một trong hai bài"),
        ("uid", "Id {}", "bài sao chép cần Id mới: xóa dòng Id rồi chạy invoke new, hoặc tạo UUID mới"),
    ):
        owners = defaultdict(list)
        for content in contents:
            key = getattr(content, attribute, None)
            if key:
                owners[key].append(content)
        for key, group in owners.items():
            if len(group) < 2:
                continue
            paths = sorted(display_path(c.source_path, settings) for c in group)
            for content in group:
                path = display_path(content.source_path, settings)
                others = ", ".join(p for p in paths if p != path) or path
                line = content.header_lines.get("slug" if attribute == "url" else "id", 1)
                found.append(Problem(path, line, f"{what.format(key)} trùng với {others}", fix))
    return found


def collect_article_problems(generator) -> None:
    """Gather the reader's problems of every article, draft and hidden one (duplicates come later)."""
    contents = generator.articles + generator.drafts + generator.hidden_articles
    for content in contents:
        for problem in getattr(content, "problems", []):
            registry.report(problem)
    _articles[:] = contents


def report_duplicates_before_writing(pelican) -> None:
    """Report two articles with the same URL or Id, once contents are final, before any page is written.

    Not while the articles are read: their URLs are formatted once the contents are final
    (incremental's freeze_urls), rather than twice on a 10,000-article site.
    """
    for problem in duplicate_findings(_articles, pelican.settings):
        registry.report(problem)
    _articles.clear()
    report_problems(pelican.settings)


def collect_page_problems(generator) -> None:
    """Gather the reader's problems of every page."""
    contents = generator.pages + generator.hidden_pages + generator.draft_pages
    for content in contents:
        for problem in getattr(content, "problems", []):
            registry.report(problem)


_reported: set[Problem] = set()
_LOG_BY_SEVERITY = {registry.ERROR: logger.error, registry.WARNING: logger.warning}
_articles: list = []  # this build's articles, drafts and hidden ones, checked for duplicates before writing


def report_problems(settings: dict) -> None:
    """Print each new problem once; in strict mode stop the build on errors."""
    current = registry.all_problems()
    for problem in current:
        if problem not in _reported:
            _reported.add(problem)
            _LOG_BY_SEVERITY.get(problem.severity, logger.info)("%s", problem)  # INFO: scheduled articles
    errors = [p for p in current if p.is_error]
    if errors and get_setting(settings, "CONTENT_CHECKS_STRICT"):
        raise ContentErrors(f"content_checks: {len(errors)} lỗi nội dung; sửa các dòng trên rồi chạy lại")


def report_before_writing(generators) -> None:
    """Report after all content is read, before any page is written."""
    if generators:
        report_problems(generators[0].settings)


def report_at_end(pelican) -> None:
    """Report problems found while writing (images, feeds)."""
    report_problems(pelican.settings)


def register() -> None:
    """Connect the content checks to Pelican."""
    signals.initialized.connect(check_settings)
    signals.readers_init.connect(add_reader)
    signals.get_generators.connect(start_build)
    signals.article_generator_finalized.connect(collect_article_problems)
    signals.page_generator_finalized.connect(collect_page_problems)
    signals.all_generators_finalized.connect(report_before_writing)
    signals.get_writer.connect(report_duplicates_before_writing)
    signals.finalized.connect(report_at_end)
