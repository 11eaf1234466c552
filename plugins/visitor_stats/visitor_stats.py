"""Pelican adapters: the statistics page /thong-ke/ and the snapshot /thong-ke.json.

The numbers are never baked into pages: the page and the widget are static and a small
script fills them from /thong-ke.json. The build copies the newest snapshot of the
database (or a valid empty one when there is none), and `invoke stats` rewrites only
that one file when new logs are counted.
"""

import logging
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from .cli import run_stats
from .settings import DEFAULTS, resolve_path, setting, validate
from .snapshot import latest_snapshot, write_snapshot

__all__ = ["run_stats", "latest_snapshot", "register"]

logger = logging.getLogger(__name__)


def apply_defaults(pelican) -> None:
    """Fill in missing VISITOR_STATS_ settings and reject unusable ones."""
    for name, value in DEFAULTS.items():
        pelican.settings.setdefault(name, value)
    validate(pelican.settings)


class StatisticsPageGenerator(Generator):
    """Write the statistics page, whose numbers the script fills from the snapshot."""

    def generate_context(self):
        self.context["VISITOR_STATS_PAGE_URL"] = setting(self.settings, "VISITOR_STATS_PAGE_URL")

    def generate_output(self, writer):
        writer.write_file(
            setting(self.settings, "VISITOR_STATS_PAGE_SAVE_AS"),
            self.get_template("visitor_stats_page"),
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS", False),
            url=setting(self.settings, "VISITOR_STATS_PAGE_URL"),
            page_name="thong-ke",
        )


def get_statistics_generator(pelican):
    """Add the statistics page generator to the build."""
    return StatisticsPageGenerator


def write_build_snapshot(pelican) -> None:
    """Copy the newest snapshot (titles from the built articles) into the output folder."""
    settings = pelican.settings
    db = resolve_path(settings, "VISITOR_STATS_DB")
    out = Path(pelican.output_path) / setting(settings, "VISITOR_STATS_JSON_SAVE_AS")
    snap = write_snapshot(
        db,
        out,
        pelican.output_path,
        setting(settings, "VISITOR_STATS_MOST_READ"),
        setting(settings, "VISITOR_STATS_MOST_READ_DAYS"),
    )
    if snap["updated_at"] is None:
        logger.info("visitor_stats: no database at %s; wrote an empty %s", db, out)
    else:
        logger.info("visitor_stats: wrote %s (snapshot of %s)", out, snap["updated_at"])


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(apply_defaults)
    signals.get_generators.connect(get_statistics_generator)
    signals.finalized.connect(write_build_snapshot)
