"""Each content's URL and save_as computed once per build, once every generator's context is complete.

Pelican formats them from the settings on every access (a copy of the metadata, a relative path:
about 35 µs), and a 10,000-article build asks for them hundreds of thousands of times: on the
article's own page, on every card that lists it, in the feeds, the search records and the sitemap.
Until the contents are final plugins may still change a slug or a date, so nothing is kept before
every generator's context is complete (all_generators_finalized, where this plugin answers last);
the memo is dropped when the build ends.

Pelican also makes each URL's `path` field (a relpath and two abspaths) whatever the URL pattern,
54,000 times a build at 10,000 articles: a content's path relative to PATH depends on nothing
else, so it is computed once per file for the life of the process (make serve's many builds).
"""

from __future__ import annotations

import os

from pelican.contents import Content

PELICANS_GET_URL_SETTING = Content.get_url_setting
PELICANS_GET_RELATIVE_SOURCE_PATH = Content.get_relative_source_path
_relative: dict[tuple[str, str, str], str | None] = {}  # (PATH, source path, working folder) → path
_memo: dict[tuple[int, str], tuple[Content, str]] = {}  # (id, key) → (content, value)
_frozen: list[bool] = [False]


def get_url_setting_once(self, key: str) -> str:
    """Content.get_url_setting, memoized while the build's contents no longer change."""
    if not _frozen[0]:
        return PELICANS_GET_URL_SETTING(self, key)
    found = _memo.get((id(self), key))
    if found is not None and found[0] is self:
        return found[1]
    value = PELICANS_GET_URL_SETTING(self, key)
    _memo[(id(self), key)] = (self, value)
    return value


def freeze_urls(contents=()) -> None:
    """From now on in this build, a content's URL and save_as no longer change.

    Those of contents are formatted at once: a process forked next has them without formatting
    them again (the page process and the build process each ask for all 10,000).
    """
    Content.get_url_setting = get_url_setting_once
    _memo.clear()
    _frozen[0] = True
    for content in contents:
        try:
            content.get_url_setting("url")
            content.get_url_setting("save_as")
        except Exception:  # noqa: BLE001, S112 - Pelican raises it where it needs the URL, as it always did
            continue


def thaw_urls(pelican_object=None) -> None:
    """The build is over: the next one (make serve) may change any content."""
    _frozen[0] = False
    _memo.clear()


def get_relative_source_path_once(self, source_path: str | None = None) -> str | None:
    """Content.get_relative_source_path, computed once per (PATH, file): it touches no disk."""
    path = source_path or self.source_path
    if path is None:
        return None
    key = (self.settings["PATH"], path, os.getcwd())  # abspath reads the working folder
    found = _relative.get(key)
    if found is None:
        found = _relative[key] = PELICANS_GET_RELATIVE_SOURCE_PATH(self, path)
    return found


def remember_relative_paths() -> None:
    """Install the memoized get_relative_source_path (plugin registration)."""
    Content.get_relative_source_path = get_relative_source_path_once
