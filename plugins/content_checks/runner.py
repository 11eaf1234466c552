"""Run a whole build in a scratch folder and return its content problems (for `invoke check`)."""

import contextlib
import io
import logging
import tempfile

from pelican import Pelican
from pelican.settings import read_settings

from . import problems as registry
from .problems import Problem


def check_site(settings_file: str, overrides: dict | None = None) -> list[Problem]:
    """Build the site quietly into a temporary folder and return every problem found."""
    with tempfile.TemporaryDirectory(prefix="thidua-check-") as scratch:
        settings = read_settings(
            settings_file,
            override={"OUTPUT_PATH": scratch, "CONTENT_CHECKS_STRICT": False, **(overrides or {})},
        )
        logging.disable(logging.ERROR)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                Pelican(settings).run()
        finally:
            logging.disable(logging.NOTSET)
        return registry.all_problems()
