"""Settings of the visitor_stats plugin: defaults in one place, paths resolved the same way."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

DEFAULTS = {
    # SQLite database with the aggregates (relative paths are under the project folder).
    "VISITOR_STATS_DB": "cache/visitor-stats.sqlite3",
    # User-agent rules: one case-insensitive substring per line, "#" starts a comment.
    "VISITOR_STATS_BOTS_FILE": "data/visitor_stats/bots.txt",
    # Where the build writes the snapshot and the statistics page.
    "VISITOR_STATS_JSON_SAVE_AS": "thong-ke.json",
    "VISITOR_STATS_PAGE_SAVE_AS": "thong-ke/index.html",
    "VISITOR_STATS_PAGE_URL": "thong-ke/",
    # Number of entries of the "Đọc nhiều nhất" list and the window it covers, in days.
    "VISITOR_STATS_MOST_READ": 10,
    "VISITOR_STATS_MOST_READ_DAYS": 30,
    # Bytes read per transaction: smaller means less work lost to a crash, more commits.
    "VISITOR_STATS_CHUNK_BYTES": 16 * 1024 * 1024,
}


def setting(settings: dict | None, name: str):
    """Return a setting, falling back to its default."""
    if settings and name in settings:
        return settings[name]
    return DEFAULTS[name]


def project_dir(settings: dict | None) -> Path:
    """Return the folder relative paths are resolved against (the parent of content/)."""
    if settings and settings.get("PATH"):
        return Path(settings["PATH"]).resolve().parent
    return PROJECT_DIR


def resolve_path(settings: dict | None, name: str) -> Path:
    """Resolve a path setting against the project folder."""
    path = Path(setting(settings, name))
    return path if path.is_absolute() else project_dir(settings) / path


def validate(settings: dict) -> None:
    """Raise ValueError naming the setting and the fix when a value is unusable."""
    for name in (
        "VISITOR_STATS_DB",
        "VISITOR_STATS_BOTS_FILE",
        "VISITOR_STATS_JSON_SAVE_AS",
        "VISITOR_STATS_PAGE_SAVE_AS",
        "VISITOR_STATS_PAGE_URL",
    ):
        value = setting(settings, name)
        if not isinstance(value, (str, Path)) or not str(value):
            raise ValueError(f"visitor_stats: {name} must be a non-empty path string, got {value!r}")
    for name in ("VISITOR_STATS_MOST_READ", "VISITOR_STATS_MOST_READ_DAYS", "VISITOR_STATS_CHUNK_BYTES"):
        value = setting(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"visitor_stats: {name} must be a positive integer, got {value!r}")
