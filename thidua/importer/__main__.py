"""Run the importer: `python -m thidua.importer FILE.html ...`."""

import sys

from .cli import main

sys.exit(main())
