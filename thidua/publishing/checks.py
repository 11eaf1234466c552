"""Checks of a built site before it goes live: every internal link resolves, every feed parses."""

from pathlib import Path

from .links import SiteCrawler, link_problems


def broken_links(folder: Path, siteurl: str = "") -> list[str]:
    """Return one line per internal link, anchor or asset of the built site that does not resolve."""
    return link_problems(folder, siteurl)


def broken_feeds(folder: Path, only: set[str] | None = None) -> list[str]:
    """Return `feed: error` for every feed (of `only`, if given) a reader cannot parse or that breaks RFC 4287."""
    import feedparser

    from plugins.feeds.validate import atom_problems

    if only is None:
        feeds = [*folder.rglob("rss.xml"), *folder.rglob("atom.xml")]
    else:
        feeds = [folder / relative for relative in only if relative.rpartition("/")[2] in ("rss.xml", "atom.xml")]
    problems = []
    for feed in sorted(feeds):
        document = feed.read_bytes()
        result = feedparser.parse(document)
        if result.bozo:
            problems.append(f"{feed.relative_to(folder)}: {result.bozo_exception}")
        if feed.name == "atom.xml":
            problems += [f"{feed.relative_to(folder)}: {problem}" for problem in atom_problems(document)]
    return problems


def pages_to_recheck(changed: set[str], removed: set[str], links: dict[str, frozenset[str]]) -> set[str]:
    """Return the files to check after a change: those written, and those that linked to a file
    removed, or into (#fragment) a file changed, as the last checked release recorded them."""
    gone = removed | {relative + "#" for relative in removed}
    rewritten = {relative + "#" for relative in changed}
    return changed | {
        page for page, targets in links.items() if not (targets.isdisjoint(gone) and targets.isdisjoint(rewritten))
    }


def check_release(
    folder: Path,
    siteurl: str,
    files: set[str],
    changed: set[str] | None = None,
    removed: set[str] = frozenset(),
    links: dict[str, frozenset[str]] | None = None,
) -> tuple[list[str], dict[str, frozenset[str]]]:
    """Check a release (only what changed since the base release `links` describes, when given).

    Return the problems and the internal links of every page, for the next publish.
    """
    only = None if changed is None or links is None else pages_to_recheck(changed, removed, links)
    crawler = SiteCrawler(folder, siteurl or "", files=files)
    problems = crawler.problems(only) + broken_feeds(folder, only)
    kept = (
        {} if only is None else {page: targets for page, targets in links.items() if page in files and page not in only}
    )
    checked = {page: frozenset(targets) for page, targets in crawler.links.items() if targets}
    return problems, {**kept, **checked}
