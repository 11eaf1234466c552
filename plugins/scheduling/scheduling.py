"""Scheduled articles ("hẹn giờ đăng"): an article dated after the build's clock waits for its time.

The decision is taken after reading, on `article_generator_pretaxonomy`, never in the reader:
Pelican's content cache and the incremental plugin keep what the reader returned, so a decision
taken there would still hold an article back after its time has come. At that signal Pelican has
sorted the articles into published, hidden and drafts, and nothing has listed them yet: categories,
tags, archives and `dates` are made right after it; localities, campaigns, honours, related news,
feeds, the sitemap and the search index later still, from `generator.articles`.
"""

import copy
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.utils import order_content

from plugins.content_checks import problems as registry
from plugins.content_checks.header import parse_source
from plugins.content_checks.problems import INFO, Problem
from plugins.content_checks.reader import display_path
from plugins.content_checks.rules import parse_date
from thidua.clock import build_time

FIX = "bài sẽ lên trang ở lần xuất bản đầu tiên từ thời điểm này"
_IMAGE_PATH = re.compile(r"images/[^\s\"'()<>?#]+")
WRITTEN = ("articles", "hidden_articles", "drafts", "pages", "hidden_pages", "draft_pages")
_held: list = []  # a strict build's scheduled articles, until its static files are known


def split_due(articles: list, now: datetime) -> tuple[list, list]:
    """Return (due, scheduled): the articles dated at or before `now`, and those dated after it."""
    due = [a for a in articles if a.date <= now]
    return due, [a for a in articles if a.date > now]


def when_text(moment: datetime) -> str:
    """Return a publication time the way editors write it: "08:00 ngày 01/01/2099"."""
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def scheduled_notice(path: str, line: int, moment: datetime) -> Problem:
    """Return the information line `invoke check` and builds print for a scheduled article."""
    return Problem(path, line, f"hẹn giờ đăng lúc {when_text(moment)}", FIX, INFO)


def as_draft(article):
    """Return a copy of a scheduled article built as a draft, for the preview.

    A copy, so the article as read (kept by the content cache) stays published for a later build.
    """
    draft = copy.copy(article)
    draft.status = "draft"
    draft.scheduled = when_text(article.date)
    return draft


def hold_back_scheduled(generator) -> None:
    """Take articles dated after the build's clock out of what is published.

    Strict builds (publish) write nothing of them; other builds (preview, `make html`,
    `invoke check`) build each as a draft under /ban-nhap/ with a "Hẹn giờ đăng" banner.
    """
    settings = generator.settings
    now = build_time(settings)
    held = []
    for kind in ("articles", "hidden_articles"):
        due, scheduled = split_due(getattr(generator, kind), now)
        setattr(generator, kind, due)
        held += scheduled
    for article in held:
        path = display_path(article.source_path, settings)
        registry.report(scheduled_notice(path, article.header_lines.get("date", 1), article.date))
        for problem in getattr(article, "problems", []):  # its warnings, even when it is not built
            registry.report(problem)
    _held[:] = held if settings.get("CONTENT_CHECKS_STRICT") else []
    if held and not settings.get("CONTENT_CHECKS_STRICT"):
        drafts = [as_draft(article) for article in held]
        generator.drafts = order_content(generator.drafts + drafts, settings["ARTICLE_ORDER_BY"])
        for draft in drafts:  # {filename} links to it lead to the draft
            generator.context["generated_content"][draft.get_relative_source_path()] = draft


def image_paths(content) -> set[str]:
    """Return the files under images/ a content names: its lead image and those in its body."""
    found = set(_IMAGE_PATH.findall(getattr(content, "_content", None) or ""))
    lead = getattr(content, "image", None)
    return found | {lead.strip().lstrip("/")} if lead else found


def leave_out_held_images(generator) -> None:
    """Leave out the photographs only scheduled articles use: a strict build writes nothing of them.

    Runs once every other content is final (the static generator is Pelican's last), so an image
    a written page also names is kept.
    """
    if not _held:
        return
    written = [c for kind in WRITTEN for c in generator.context.get(kind, ())]
    only_held = set().union(*map(image_paths, _held)) - set().union(*map(image_paths, written))
    staticfiles = generator.context.get("staticfiles", generator.staticfiles)
    staticfiles[:] = [s for s in staticfiles if s.save_as not in only_held]
    _held.clear()


def forget_held(pelican) -> None:
    """Forget this build's scheduled articles (live reload starts clean)."""
    _held.clear()


def article_dates(content: Path, timezone: str, skip: tuple[str, ...] = ("pages",)) -> list[tuple[datetime, str]]:
    """Return (Date, file) of every article under `content` that is not a draft, read from its header.

    Files under `skip` (pages) and dates that do not parse (errors `invoke check` reports) are left out.
    """
    found = []
    zone = ZoneInfo(timezone)
    for path in sorted(content.rglob("*.md")):
        if path.relative_to(content).parts[0] in skip:
            continue
        fields = parse_source(path.read_text(encoding="utf-8", errors="replace")).fields
        value = {f.key.lower(): f.value.strip() for f in fields}
        if value.get("status", "").lower() == "draft":
            continue
        try:
            found.append((parse_date(value.get("date", ""), zone), path.relative_to(content.parent).as_posix()))
        except ValueError:
            continue
    return found


def next_due(dated: list[tuple[datetime, str]], after: datetime) -> tuple[datetime, str] | None:
    """Return the earliest (time, file) strictly after `after`, or None when nothing is scheduled."""
    return min((item for item in dated if item[0] > after), default=None)


def register() -> None:
    """Connect the scheduling plugin."""
    signals.article_generator_pretaxonomy.connect(hold_back_scheduled)
    signals.static_generator_finalized.connect(leave_out_held_images)
    signals.finalized.connect(forget_held)
