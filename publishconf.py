"""Production settings: development settings plus what the published site changes."""

import os

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://thidua.example.gov.vn")
RELATIVE_URLS = False
CONTENT_CHECKS_STRICT = True
