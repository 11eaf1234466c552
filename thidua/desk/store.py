"""Article files for the desk: list and search, save as a git commit, history, conflicts, bin, autosave.

The files under content/ stay the only truth: the desk reads them with the same header parser
as the build, writes them whole, and commits every change with the editor as git author. Work
in progress (autosave) goes to SQLite, never into content/, so a half-typed article can never
be published by someone else's `make publish`.
"""

import hashlib
import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from plugins.content_checks.header import parse_source
from thidua.scaffold import CATEGORY_FOLDERS
from thidua.vntext import fold, slugify

BIN = ".desk/thung-rac"  # outside content/: the build never sees a deleted article
SCHEMA = """
CREATE TABLE IF NOT EXISTS autosaves (
    name TEXT NOT NULL, path TEXT NOT NULL, fields TEXT NOT NULL, saved REAL NOT NULL,
    PRIMARY KEY (name, path)
);
CREATE TABLE IF NOT EXISTS proposals (
    path TEXT PRIMARY KEY, text TEXT NOT NULL, base TEXT NOT NULL, name TEXT NOT NULL, full_name TEXT NOT NULL,
    at REAL NOT NULL
);
"""
_WORD = re.compile(r"[a-z0-9]+")
_git_lock = threading.RLock()  # one commit at a time: git's index is shared


class Conflict(Exception):
    """The file changed since the editor opened it; `current` is what is on disk now."""

    def __init__(self, current: str):
        super().__init__("conflict")
        self.current = current


class BadPath(ValueError):
    """A path that is not an article file under content/."""


@dataclass(frozen=True)
class Entry:
    """One article as the list shows it."""

    path: str  # relative to content/, POSIX
    title: str
    date: str
    category: str
    localities: tuple[str, ...]
    campaigns: tuple[str, ...]
    author: str
    status: str  # the file's Status: draft, hidden or published
    words: frozenset[str]  # of the title, summary, places, campaigns, tags and author, without diacritics


def version_of(data: bytes) -> str:
    """Return the version a save starts from: the SHA-256 of the file's bytes ("" if none)."""
    return hashlib.sha256(data).hexdigest() if data else ""


def split(value: str, separator: str) -> tuple[str, ...]:
    """Return the non-empty parts of a list value."""
    return tuple(part.strip() for part in value.replace("\n", separator).split(separator) if part.strip())


def words_of(text: str) -> list[str]:
    """Return the words of a text folded (no diacritics, lower case): "Đông Hà," → ["dong", "ha"]."""
    return _WORD.findall(fold(text))


def read_entry(content: Path, file: Path) -> Entry:
    """Read one article's header for the list."""
    text = file.read_text(encoding="utf-8", errors="replace")
    fields = {f.key.casefold(): f.value for f in parse_source(text).fields}
    get = fields.get
    localities, campaigns = split(get("localities", ""), ";"), split(get("campaigns", ""), ";")
    words = [get("title", ""), get("summary", ""), get("tags", ""), get("author", ""), *localities, *campaigns]
    return Entry(
        path=file.relative_to(content).as_posix(),
        title=get("title", "") or file.stem,
        date=get("date", ""),
        category=get("category", ""),
        localities=localities,
        campaigns=campaigns,
        author=get("author", ""),
        status=(get("status", "") or "published").strip().casefold(),
        words=frozenset(words_of(" ".join(words))),
    )


# Headers read before, by file: a list of 10,000 articles then costs a stat per file, not a parse.
_read: dict[Path, tuple[tuple[int, int], Entry]] = {}


def list_entries(content: Path) -> list[Entry]:
    """Return every article (pages are not the desk's), newest first."""
    entries = []
    for file in content.rglob("*.md"):
        if file.relative_to(content).parts[0] == "pages":
            continue
        stat = file.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = _read.get(file)
        if not known or known[0] != stamp:
            known = _read[file] = (stamp, read_entry(content, file))
        entries.append(known[1])
    return sorted(entries, key=lambda e: (e.date, e.path), reverse=True)


def matches(entry: Entry, query: str = "", **filters: str) -> bool:
    """Return whether an entry fits a search (every word, any order, any diacritics) and the filters.

    Filters: category, locality, campaign, author; a place or campaign filter also matches
    without diacritics ("dong ha" finds "Thành phố Đông Hà").
    """
    if query and not all(word in entry.words for word in words_of(query)):  # whole words: "ha" is not in "phat"
        return False
    wanted = {key: fold(value) for key, value in filters.items() if value}
    checks = {
        "category": lambda v: fold(entry.category) == v,
        "locality": lambda v: any(v in fold(x) for x in entry.localities),
        "campaign": lambda v: any(v in fold(x) for x in entry.campaigns),
        "author": lambda v: v in fold(entry.author),
    }
    return all(checks[key](value) for key, value in wanted.items())


def article_file(content: Path, path: str) -> Path:
    """Return the file of a relative article path; refuse anything outside content/'s articles."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or pure.suffix != ".md" or not pure.parts or pure.parts[0] == "pages":
        raise BadPath(path)
    file = (content / pure).resolve()
    if not file.is_relative_to(content.resolve()):
        raise BadPath(path)
    return file


def new_article_path(content: Path, category: str, slug_or_title: str) -> str:
    """Return a free path for a new article: <category folder>/<slug>.md, -2, -3… if taken."""
    folder = CATEGORY_FOLDERS.get(category.strip(), "bai-moi")
    stem = slugify(slug_or_title) or "bai-moi"
    candidate, number = f"{folder}/{stem}.md", 2
    while (content / candidate).exists():
        candidate, number = f"{folder}/{stem}-{number}.md", number + 1
    return candidate


class Repo:
    """The project's git work tree; every write of the desk is one commit by its author."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"

    def git(self, *args: str) -> str:
        """Run git in the project; return its output."""
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, encoding="utf-8", check=True)
        return done.stdout

    def commit(self, paths: list[str], message: str, user) -> None:
        """Commit exactly these paths (others' uncommitted work is never swept in)."""
        with _git_lock:
            self._commit(paths, message, user)

    def _commit(self, paths: list[str], message: str, user) -> None:
        added = subprocess.run(["git", "add", "--all", "--", *paths], cwd=self.root, capture_output=True)
        if added.returncode and any((self.root / p).exists() for p in paths):
            raise subprocess.CalledProcessError(added.returncode, "git add", added.stdout, added.stderr)
        # (a path gone and never committed, e.g. a binned draft nobody saved, is no error: nothing to record)
        if not subprocess.run(["git", "diff", "--cached", "--quiet", "--", *paths], cwd=self.root).returncode:
            return
        author = ["-c", f"user.name={user.full_name}", "-c", f"user.email={user.email}"]
        self.git(*author, "commit", "--quiet", "--no-verify", "-m", message, "--", *paths)

    def save(self, path: str, text: str, base: str, user, message: str) -> str:
        """Write the article if it is still at version `base`; commit; return the new version."""
        file = article_file(self.content, path)
        data = text.encode("utf-8")
        with _git_lock:
            current = file.read_bytes() if file.exists() else b""
            if version_of(current) != base:
                raise Conflict(current.decode("utf-8", "replace"))
            if current != data:
                file.parent.mkdir(parents=True, exist_ok=True)
                temporary = file.with_name(f".{file.name}.desk-tmp")
                temporary.write_bytes(data)
                temporary.replace(file)  # readers (the preview's build) never see half a file
                try:
                    self.commit([f"content/{path}"], message, user)
                except subprocess.CalledProcessError:  # no commit, no save: the file is put back
                    file.write_bytes(current) if current else file.unlink()
                    raise
        return version_of(data)

    def history(self, path: str) -> list[dict]:
        """Return the commits that changed an article, newest first."""
        article_file(self.content, path)
        out = self.git("log", "--follow", "--format=%H%x1f%an%x1f%aI%x1f%s", "--", f"content/{path}")
        keys = ("commit", "author", "date", "subject")
        return [dict(zip(keys, line.split("\x1f"), strict=True)) for line in out.splitlines() if line]

    def text_at(self, path: str, commit: str) -> str:
        """Return an article's text at a commit of its history."""
        if commit not in {r["commit"] for r in self.history(path)}:
            raise BadPath(commit)
        try:
            return self.git("show", f"{commit}:content/{path}")
        except subprocess.CalledProcessError:  # the file had another name then (--follow)
            raise BadPath(commit) from None

    def delete(self, path: str, user, stamp: str) -> str:
        """Move an article into the bin (outside content/) and commit its removal; return its bin id."""
        file = article_file(self.content, path)
        with _git_lock:
            target = self.root / BIN / stamp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(file, target)
            try:
                self.commit([f"content/{path}"], f"Bàn biên tập: chuyển {path} vào thùng rác", user)
            except subprocess.CalledProcessError:
                shutil.move(target, file)  # not recorded, so not done
                raise
        return stamp

    def bin(self) -> list[dict]:
        """Return what the bin holds: id, original path and title, newest first."""
        found = []
        for file in sorted((self.root / BIN).glob("*/**/*.md"), reverse=True):
            stamp, *rest = file.relative_to(self.root / BIN).parts
            entry = read_entry(file.parent, file)
            found.append({"id": stamp, "path": "/".join(rest), "title": entry.title, "status": entry.status})
        return found

    def restore_from_bin(self, stamp: str, path: str, user) -> None:
        """Put a binned article back where it was; refuse if that path is taken again."""
        file = article_file(self.content, path)
        source = (self.root / BIN / stamp / path).resolve()
        if not source.is_relative_to((self.root / BIN).resolve()) or not source.is_file():
            raise BadPath(path)
        with _git_lock:
            if file.exists():
                raise Conflict(file.read_text(encoding="utf-8", errors="replace"))
            file.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, file)
            try:
                self.commit([f"content/{path}"], f"Bàn biên tập: khôi phục {path} từ thùng rác", user)
            except subprocess.CalledProcessError:
                shutil.move(file, source)
                raise


def autosave(db, user, path: str, fields: dict, now: float) -> None:
    """Keep an editor's work in progress on one article (or a new one: path "")."""
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO autosaves VALUES (?, ?, ?, ?) ON CONFLICT(name, path) DO UPDATE SET"
            " fields=excluded.fields, saved=excluded.saved",
            (user.name, path, json.dumps(fields, ensure_ascii=False), now),
        )


def autosaved(db, user, path: str) -> tuple[dict, float] | None:
    """Return the editor's work in progress on an article and when it was kept, if any."""
    with db.connect() as conn:
        row = conn.execute(
            "SELECT fields, saved FROM autosaves WHERE name = ? AND path = ?", (user.name, path)
        ).fetchone()
    return (json.loads(row["fields"]), row["saved"]) if row else None


def drop_autosave(db, user, path: str) -> None:
    """Forget work in progress once it is saved."""
    with db.connect() as conn:
        conn.execute("DELETE FROM autosaves WHERE name = ? AND path = ?", (user.name, path))


# A published article changed by someone who may not publish: the change waits here, not in content/,
# since the next publish (of any article, by anyone) would otherwise put it on the site unreviewed.
def propose(db, path: str, text: str, base: str, user, now: float) -> None:
    """Keep a correction of a published article until a chief editor publishes or replaces it."""
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
            " text=excluded.text, base=excluded.base, name=excluded.name, full_name=excluded.full_name, at=excluded.at",
            (path, text, base, user.name, user.full_name, now),
        )


def proposal(db, path: str) -> dict | None:
    """Return the correction waiting for an article (text, base, name, full_name, at), if any."""
    with db.connect() as conn:
        row = conn.execute("SELECT * FROM proposals WHERE path = ?", (path,)).fetchone()
    return dict(row) if row else None


def drop_proposal(db, path: str) -> None:
    """Forget a correction once published or replaced by a chief editor's own save."""
    with db.connect() as conn:
        conn.execute("DELETE FROM proposals WHERE path = ?", (path,))
