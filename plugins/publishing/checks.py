"""Checks of a built site before it goes live: every internal link resolves, every feed parses."""

from pathlib import Path

from .links import link_problems


def broken_links(folder: Path, siteurl: str = "") -> list[str]:
    """Return one line per internal link, anchor or asset of the built site that does not resolve."""
    return link_problems(folder, siteurl)


def broken_feeds(folder: Path) -> list[str]:
    """Return `feed: error` for every feed a reader cannot parse or that breaks RFC 4287."""
    import feedparser

    from feeds.validate import atom_problems

    problems = []
    for feed in sorted([*folder.rglob("rss.xml"), *folder.rglob("atom.xml")]):
        document = feed.read_bytes()
        result = feedparser.parse(document)
        if result.bozo:
            problems.append(f"{feed.relative_to(folder)}: {result.bozo_exception}")
        if feed.name == "atom.xml":
            problems += [f"{feed.relative_to(folder)}: {problem}" for problem in atom_problems(document)]
    return problems
