"""Production settings: development settings plus what the published site changes."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://thidua.example.gov.vn")
RELATIVE_URLS = False
CONTENT_CHECKS_STRICT = True
