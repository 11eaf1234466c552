"""Run the importer: `python -m importer FILE.html ...`."""

import sys

from .cli import main

sys.exit(main())
