"""Checks of the RFC 4287 rules that feedparser does not enforce, for tests and publishing."""

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"


def _count(element, name: str) -> int:
    return len(element.findall(f"{ATOM}{name}"))


def atom_problems(document: bytes) -> list[str]:
    """Return every RFC 4287 violation found in an Atom document (empty when it conforms)."""
    root = etree.fromstring(document)
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}, not atom:feed"]
    problems = []
    for name in ("id", "title", "updated"):
        if _count(root, name) != 1:
            problems.append(f"feed: {_count(root, name)} atom:{name} elements, need exactly one")
    links = root.findall(f"{ATOM}link")
    if not any(link.get("rel") == "self" for link in links):
        problems.append("feed: no atom:link rel=self")
    feed_author = _count(root, "author") > 0
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
        where = f"entry {number}"
        for name in ("id", "title", "updated"):
            if _count(entry, name) != 1:
                problems.append(f"{where}: {_count(entry, name)} atom:{name} elements, need exactly one")
        if not feed_author and not _count(entry, "author"):
            problems.append(f"{where}: no atom:author and the feed has none")
        entry_links = entry.findall(f"{ATOM}link")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry_links
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):
            problems.append(f"{where}: several alternate links with the same type and hreflang")
        if not _count(entry, "content") and not alternates:
            problems.append(f"{where}: neither atom:content nor an alternate link")
        if any(link.get("href") is None for link in entry_links):
            problems.append(f"{where}: atom:link without href")
        for name in ("published", "updated"):
            for element in entry.findall(f"{ATOM}{name}"):
                if "T" not in (element.text or "") or not (element.text.endswith("Z") or element.text[-6] in "+-"):
                    problems.append(f"{where}: atom:{name} {element.text!r} is not an RFC 3339 date-time")
    return problems
