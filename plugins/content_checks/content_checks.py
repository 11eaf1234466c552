"""Signal adapters: use our reader, gather every content problem, fail strict builds."""

import copy
import fnmatch
import logging
import os
import sys
from collections import Counter, defaultdict
from itertools import count
from pathlib import Path

from pelican import signals
from pelican.utils import order_content

from . import problems as registry
from .problems import Problem
from .reader import add_reader, display_path
from .settings import get_setting, validate_settings

logger = logging.getLogger(__name__)


class OneLineEach(logging.Handler):
    """Write each problem whole, on one line of stderr, whatever the terminal's width.

    Pelican's rich console wraps at the terminal's width (at 80 columns in a pipe, as in `make html`
    or CI), splitting a file name over lines that can then not be copied, searched or clicked.
    """

    def emit(self, record: logging.LogRecord) -> None:
        # While Pelican's "Generating…" spinner runs in a terminal, rich holds sys.stderr and would
        # wrap the line: write to the terminal itself, on a cleared line.
        proxied = getattr(sys.stderr, "rich_proxied_file", None)
        stream = proxied or sys.stderr
        try:
            stream.write(("\r\x1b[2K" if proxied else "") + self.format(record) + "\n")
            stream.flush()
        except Exception:  # noqa: BLE001 - logging's own policy for a stream that fails
            self.handleError(record)


problem_log = logging.getLogger("content_checks.problems")  # not Pelican's handlers: see OneLineEach
problem_log.propagate = False
problem_log.setLevel(logging.INFO)
if not problem_log.handlers:
    problem_log.addHandler(OneLineEach())


class ContentErrors(Exception):
    """Raised in strict mode when content has errors; Pelican exits with this code."""

    exitcode = 1


def without_traceback(record: logging.LogRecord) -> bool:
    """Drop the traceback Pelican's command line logs with a ContentErrors: the editor's mistake, not a crash.

    The problems were printed above, one line each; a traceback would bury them.
    """
    if record.exc_info and isinstance(record.exc_info[1], ContentErrors):
        record.exc_info = record.exc_text = None
    return True


if without_traceback not in logging.getLogger("pelican").filters:
    logging.getLogger("pelican").addFilter(without_traceback)  # where pelican.main logs what stopped a build


def check_settings(pelican) -> None:
    """Validate the plugin's settings once."""
    validate_settings(pelican.settings)


def start_build(pelican) -> None:
    """Forget the previous build's problems (live reload rebuilds in the same process)."""
    registry.clear()
    _reported.clear()
    _articles.clear()


ID_FIX = "bài sao chép cần Id mới: xóa dòng Id rồi chạy invoke new, hoặc tạo UUID mới"


def duplicate_findings(contents, settings) -> list[Problem]:
    """Report two contents with the same Id (two with the same URL were settled before: settle_clashes)."""
    owners = defaultdict(list)
    for content in contents:
        if getattr(content, "uid", None):
            owners[content.uid].append(content)
    found: list[Problem] = []
    for uid, group in owners.items():
        if len(group) < 2:
            continue
        paths = sorted(display_path(c.source_path, settings) for c in group)
        for content in group:
            path = display_path(content.source_path, settings)
            others = ", ".join(p for p in paths if p != path) or path
            found.append(Problem(path, content.header_lines.get("id", 1), f"Id {uid} trùng với {others}", ID_FIX))
    return found


CLASH_FIX = "đặt Slug khác cho một trong hai bài"


def settle_clashes(contents, settings, reserved: frozenset[str] = frozenset()) -> tuple[dict, list[Problem]]:
    """Find contents Pelican would write to one file (the same slug, or a path of the site's own pages).

    The oldest (by Date, then by file path) keeps the file, as readers may have bookmarked it; each
    other one becomes a draft with a slug of its own, so a development build goes on (Pelican would
    stop at the second write with a traceback) and the editor sees both files named. Returns
    {id(content): its copy with the problem} and the problems. Copies, not changes: Pelican's content
    cache keeps the contents as read for the next build.
    """
    slugs = Counter(c.slug for c in contents)
    candidates = [c for c in contents if reserved or slugs[c.slug] > 1]  # a URL is costly to format
    owners: dict[str, object] = {}
    copies: dict[int, object] = {}
    found: list[Problem] = []
    for content in sorted(candidates, key=_seniority):
        target, url = content.save_as, content.url
        path = display_path(content.source_path, settings)
        line = content.header_lines.get("slug", 1)
        if target in reserved:
            problem = Problem(
                path, line, f"đường dẫn /{url} đã là một trang của hệ thống", "đặt Slug khác cho trang này"
            )
            found.append(_with(copies, content, problem))
        elif owners.setdefault(target, content) is content:
            continue
        else:
            owner = owners[target]
            other = display_path(owner.source_path, settings)
            owner_line = owner.header_lines.get("slug", 1)
            found.append(
                _with(copies, owner, Problem(other, owner_line, f"đường dẫn /{url} trùng với {path}", CLASH_FIX))
            )
            found.append(_with(copies, content, Problem(path, line, f"đường dẫn /{url} trùng với {other}", CLASH_FIX)))
        draft = copies[id(content)]
        draft.status = "draft"
        draft.slug = next(f"{content.slug}-{n}" for n in count(2) if f"{content.slug}-{n}" not in slugs)
        slugs[draft.slug] += 1
    return copies, found


def _seniority(content) -> tuple[float, str]:
    """Order contents by date (none or an unusable one last), then by file path."""
    try:
        return content.date.timestamp(), content.source_path
    except (AttributeError, OverflowError, ValueError):  # a page without Date; a draft's date.max
        return float("inf"), content.source_path


def _with(copies: dict, content, problem: Problem) -> Problem:
    """Give the copy of `content` (made once) one more problem, for the preview banner; return it."""
    if id(content) not in copies:
        copies[id(content)] = copy.copy(content)
    twin = copies[id(content)]
    twin.problems = [*getattr(twin, "problems", []), problem]
    return problem


def site_paths(settings) -> frozenset[str]:
    """Return the files the site's own pages are written to (search, archives, lists), which no page may take."""
    fixed = {v for k, v in settings.items() if k.endswith("_SAVE_AS") and isinstance(v, str) and v and "{" not in v}
    fixed |= {
        f"{v}index.html"
        for k, v in settings.items()
        if k.endswith("_URL") and isinstance(v, str) and v.endswith("/") and "{" not in v
    }
    return frozenset(fixed)


def replace_clashing(
    generator, kinds: tuple[str, ...], draft_kind: str, reserved: frozenset[str] = frozenset()
) -> bool:
    """Swap each clashing content for its draft copy in the generator's lists (in place: the context holds them)."""
    contents = [c for kind in kinds for c in getattr(generator, kind)]
    copies, found = settle_clashes(contents, generator.settings, reserved)
    for problem in found:
        registry.report(problem)
    if not copies:
        return False
    for kind in kinds:
        items = [copies.get(id(c), c) for c in getattr(generator, kind)]
        keep = [c for c in items if kind == draft_kind or c.status != "draft"]
        moved = [c for c in items if kind != draft_kind and c.status == "draft"]
        getattr(generator, kind)[:] = keep
        getattr(generator, draft_kind).extend(moved)
    for twin in copies.values():  # {filename} links lead to the copy
        generator.context["generated_content"][twin.get_relative_source_path()] = twin
    return True


def settle_article_clashes(generator) -> None:
    """Before categories, tags and archives list them, give each of two articles on one URL its own."""
    if replace_clashing(generator, ("articles", "hidden_articles", "drafts"), "drafts"):
        generator.drafts[:] = order_content(generator.drafts, generator.settings["ARTICLE_ORDER_BY"])


def settle_page_clashes(generator) -> None:
    """Give each of two pages on one URL, or a page on a URL of the site's own, its own URL."""
    replace_clashing(generator, ("pages", "hidden_pages", "draft_pages"), "draft_pages", site_paths(generator.settings))


def collect_article_problems(generator) -> None:
    """Gather the reader's problems of every article, draft and hidden one (duplicates come later)."""
    contents = generator.articles + generator.drafts + generator.hidden_articles
    for content in contents:
        for problem in getattr(content, "problems", []):
            registry.report(problem)
    _articles[:] = contents


def report_duplicates_before_writing(pelican) -> None:
    """Report two articles with the same Id, once contents are final, before any page is written.

    Not while the articles are read: their URLs are formatted once the contents are final
    (incremental's freeze_urls), rather than twice on a 10,000-article site.
    """
    for problem in duplicate_findings(_articles, pelican.settings):
        registry.report(problem)
    _articles.clear()
    report_problems(pelican.settings)


def collect_page_problems(generator) -> None:
    """Gather the reader's problems of every page."""
    settle_page_clashes(generator)
    contents = generator.pages + generator.hidden_pages + generator.draft_pages
    for content in contents:
        for problem in getattr(content, "problems", []):
            registry.report(problem)


_reported: set[Problem] = set()
_LOG_BY_SEVERITY = {registry.ERROR: problem_log.error, registry.WARNING: problem_log.warning}
_articles: list = []  # this build's articles, drafts and hidden ones, checked for duplicates before writing


def report_problems(settings: dict) -> None:
    """Print each new problem once; in strict mode stop the build on errors."""
    current = registry.all_problems()
    for problem in current:
        if problem not in _reported:
            _reported.add(problem)
            _LOG_BY_SEVERITY.get(problem.severity, problem_log.info)("%s", problem)  # INFO: scheduled articles
    errors = [p for p in current if p.is_error]
    if errors and get_setting(settings, "CONTENT_CHECKS_STRICT"):
        raise ContentErrors(f"content_checks: {len(errors)} lỗi nội dung; sửa các dòng trên rồi chạy lại")


JUNK = ("Thumbs.db", "desktop.ini", "~$*", "*~", "*.swp", "*.tmp")  # made by editors' systems and programs


def unused_files(content_path: str, used: set[str], ignored: list[str]) -> list[str]:
    """Return the files under the content folder (relative, sorted) that became nothing of the site.

    Hidden files, the backup and lock files of editors' programs and IGNORE_FILES are left out.
    """
    found = []
    for folder, dirs, files in os.walk(content_path, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not _matches(d, ignored)]
        for name in files:
            relative = Path(os.path.relpath(os.path.join(folder, name), content_path)).as_posix()
            if relative not in used and not name.startswith(".") and not _matches(name, [*JUNK, *ignored]):
                found.append(relative)
    return sorted(found)


def _matches(name: str, patterns) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def unused_file_problem(display: str) -> Problem:
    """Return the problem of a file under content/ that is neither an article, a page nor a static file."""
    suffix = Path(display).suffix.lower()
    if suffix in {".md", ".markdown"}:
        return Problem(
            display,
            1,
            "không đọc được tệp này thành bài viết",
            "kiểm tra tệp mở được và lưu lại dạng văn bản UTF-8 (xem docs/editor-guide.md)",
        )
    return Problem(
        display,
        1,
        f"tệp {suffix or 'không có đuôi'} trong content/ không phải bài viết nên không được đăng",
        "lưu bài thành tệp .md theo docs/editor-guide.md, đặt ảnh và tệp đính kèm trong content/images/, "
        "hoặc xóa tệp này",
    )


def report_unused_files(context: dict, settings: dict) -> None:
    """Report every file of the content folder that Pelican skipped (with an English line, or silently)."""
    used = {path for key in ("generated_content", "static_content") for path, c in context[key].items() if c}
    found = [
        unused_file_problem(display_path(os.path.join(settings["PATH"], relative), settings))
        for relative in unused_files(settings["PATH"], used, settings.get("IGNORE_FILES", []))
    ]
    for problem in found:
        registry.report(problem)
    # They have no page to carry a banner: the preview shows them on every page (preview_banner.html).
    context["unused_file_problems"] = [str(problem) for problem in found]


def report_before_writing(generators) -> None:
    """Report after all content is read, before any page is written."""
    if generators:
        report_unused_files(generators[0].context, generators[0].settings)
        report_problems(generators[0].settings)


def report_at_end(pelican) -> None:
    """Report problems found while writing (images, feeds)."""
    report_problems(pelican.settings)


def register() -> None:
    """Connect the content checks to Pelican."""
    signals.initialized.connect(check_settings)
    signals.readers_init.connect(add_reader)
    signals.get_generators.connect(start_build)
    signals.article_generator_pretaxonomy.connect(settle_article_clashes)
    signals.article_generator_finalized.connect(collect_article_problems)
    signals.page_generator_finalized.connect(collect_page_problems)
    signals.all_generators_finalized.connect(report_before_writing)
    signals.get_writer.connect(report_duplicates_before_writing)
    signals.finalized.connect(report_at_end)
