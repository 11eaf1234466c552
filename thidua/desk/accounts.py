"""Accounts, roles, login throttling and server-side sessions, all in the desk's SQLite file.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second profile); a
session cookie holds a random token whose SHA-256 alone is stored, so a copy of the database
opens no session. A new session is made at every login (no fixation), and the login form's
CSRF token lives in a cookie until then (see csrf.py).
"""

import hashlib
import secrets
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("editor", "chief", "admin")
# What each role may do; every route asks `user.can(action)` on the server.
PERMISSIONS = {
    "editor": frozenset({"write", "submit"}),
    "chief": frozenset({"write", "submit", "review", "publish"}),
    "admin": frozenset({"write", "submit", "review", "publish", "accounts"}),
}
FREE_FAILURES = 5  # wrong passwords in a row allowed before each try must wait
FIRST_DELAY = 30  # seconds; the wait doubles with each further failure, up to MAX_DELAY
MAX_DELAY = 15 * 60
SESSION_SECONDS = 10 * 3600  # a working day; then log in again

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, full_name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT PRIMARY KEY, count INTEGER NOT NULL, last REAL NOT NULL
);
"""

_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


DATABASE = ".desk/desk.sqlite3"  # beside the checkout, ignored by git, never under content/


class Database:
    """The desk's SQLite file; one short connection per operation (routes run in threads)."""

    def __init__(self, path: Path, *schemas: str):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            for schema in (SCHEMA, *schemas):
                db.executescript(schema)

    @contextmanager
    def connect(self):
        """Yield a connection inside a transaction (committed on success)."""
        with closing(sqlite3.connect(self.path, timeout=15)) as db:
            db.row_factory = sqlite3.Row
            with db:
                yield db


def open_database(root: Path, *schemas: str) -> "Database":
    """Return the desk's database of a project, creating its tables."""
    return Database(root / DATABASE, *schemas)


@dataclass(frozen=True)
class User:
    """A logged-in account."""

    name: str
    full_name: str
    role: str

    def can(self, action: str) -> bool:
        """Return whether the role allows the action."""
        return action in PERMISSIONS.get(self.role, ())

    @property
    def email(self) -> str:
        """Return the address git records for this account's commits (not a mailbox)."""
        return f"{self.name}@ban-bien-tap.invalid"


class LoginRefused(Exception):
    """Wrong name or password, or a try while the account must wait (`wait` seconds)."""

    def __init__(self, wait: int = 0):
        super().__init__(wait)
        self.wait = wait


def valid_name(name: str) -> bool:
    """Return whether a login name is short ASCII (it becomes a git author address)."""
    return 2 <= len(name) <= 40 and all(c.isascii() and (c.isalnum() or c in "._-") for c in name)


def set_account(db: Database, name: str, role: str, password: str, full_name: str = "") -> None:
    """Create the account or reset its role, name and password (desk-user and the admin page)."""
    if not valid_name(name):
        raise ValueError("name")
    if role not in ROLES:
        raise ValueError("role")
    if len(password) < 10:
        raise ValueError("password")
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO accounts VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
            " full_name=excluded.full_name, role=excluded.role, hash=excluded.hash",
            (name, full_name or name, role, _hasher.hash(password)),
        )
        conn.execute("DELETE FROM sessions WHERE name = ?", (name,))  # a reset ends open sessions
        conn.execute("DELETE FROM login_failures WHERE name = ?", (name,))


def remove_account(db: Database, name: str) -> None:
    """Delete an account and its sessions."""
    with db.connect() as conn:
        conn.execute("DELETE FROM accounts WHERE name = ?", (name,))
        conn.execute("DELETE FROM sessions WHERE name = ?", (name,))


def list_accounts(db: Database) -> list[User]:
    """Return every account by name."""
    with db.connect() as conn:
        rows = conn.execute("SELECT name, full_name, role FROM accounts ORDER BY name").fetchall()
    return [User(**row) for row in rows]


def login_delay(failures: int) -> int:
    """Return the seconds a try must wait after `failures` wrong passwords in a row."""
    if failures < FREE_FAILURES:  # typing mistakes are not punished
        return 0
    return min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES), MAX_DELAY)


def authenticate(db: Database, name: str, password: str, now: float) -> User:
    """Return the account if the password is right; raise LoginRefused otherwise.

    While an account must wait, the password is not even checked: guesses in that time learn
    nothing, so ten fast guesses are ten refusals, not ten tries.
    """
    key = name.strip().casefold()
    with db.connect() as conn:
        failed = conn.execute("SELECT count, last FROM login_failures WHERE name = ?", (key,)).fetchone()
        row = conn.execute("SELECT * FROM accounts WHERE name = ?", (name.strip(),)).fetchone()
    count = failed["count"] if failed else 0
    wait = (failed["last"] + login_delay(count) - now) if failed else 0
    if wait > 0:
        raise LoginRefused(int(wait) + 1)
    try:
        _hasher.verify(row["hash"] if row else _DUMMY_HASH, password)
        if not row:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        with db.connect() as conn:
            conn.execute(
                "INSERT INTO login_failures VALUES (?, 1, ?) ON CONFLICT(name) DO UPDATE SET count=count+1, last=?",
                (key, now, now),
            )
        raise LoginRefused(login_delay(count + 1)) from None
    with db.connect() as conn:
        conn.execute("DELETE FROM login_failures WHERE name = ?", (key,))
        if _hasher.check_needs_rehash(row["hash"]):
            conn.execute("UPDATE accounts SET hash = ? WHERE name = ?", (_hasher.hash(password), row["name"]))
    return User(row["name"], row["full_name"], row["role"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Database, user: User, now: float) -> tuple[str, str]:
    """Start a new session; return (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.connect() as conn:
        conn.execute("DELETE FROM sessions WHERE expires < ?", (now,))
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(token), user.name, csrf, now + SESSION_SECONDS)
        )
    return token, csrf


def session_user(db: Database, token: str, now: float) -> tuple[User, str] | None:
    """Return the session's account and CSRF token, or None if unknown or expired."""
    if not token:
        return None
    with db.connect() as conn:
        row = conn.execute(
            "SELECT a.name, a.full_name, a.role, s.csrf FROM sessions s JOIN accounts a ON a.name = s.name"
            " WHERE s.digest = ? AND s.expires > ?",
            (_digest(token), now),
        ).fetchone()
    return (User(row["name"], row["full_name"], row["role"]), row["csrf"]) if row else None


def close_session(db: Database, token: str) -> None:
    """End a session (log out)."""
    with db.connect() as conn:
        conn.execute("DELETE FROM sessions WHERE digest = ?", (_digest(token),))
