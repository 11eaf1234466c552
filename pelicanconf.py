"""Development settings. publishconf.py imports these and changes only what production needs."""

import calendar
import tomllib
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from thidua.vntext import format_date_vi, format_datetime_iso

PROJECT_ROOT = Path(__file__).resolve().parent

PUBLISHER = "Ban biên tập Tin thi đua"
SITENAME = "Tin thi đua"
SITE_DESCRIPTION = "Tin tức về phong trào thi đua yêu nước: phát động, tổng kết, tôn vinh điển hình."
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
LOCALE = ("C",)  # dates come from Babel's "vi" locale, never the operating system's
# Pages show no clock time except through this setting; tests pin it.
BUILD_DATE = None

THEME = "theme"
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS = ["static"]
THEME_STRINGS = tomllib.loads((PROJECT_ROOT / "theme/strings/vi.toml").read_text(encoding="utf-8"))
# Compiled templates are kept between builds (Jinja's own bytecode cache, keyed by each template's
# source): every build makes a new Jinja environment, and compiling the theme took 0.7 s of a
# preview rebuild.
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    "auto_reload": False,
    "bytecode_cache": FileSystemBytecodeCache(),
}
JINJA_GLOBALS = {"t": THEME_STRINGS, "month_weeks": calendar.Calendar(0).monthdayscalendar}
JINJA_FILTERS = {"vi_date": format_date_vi, "iso": format_datetime_iso}

# The plugins are this project's package `plugins` (installed editable by make), imported by name.
PLUGINS = [
    "plugins.gc_policy",  # first: the collector policy covers the whole build
    "plugins.archives",
    "plugins.content_checks",
    "plugins.scheduling",  # before any plugin lists articles: a future Date is held back
    "plugins.images",
    "plugins.taxonomies",
    "plugins.honours",
    "plugins.related_news",
    "plugins.feeds",
    "plugins.seo",
    "plugins.search",
    "plugins.visitor_stats",
    "plugins.assets",
    "plugins.incremental",  # last: its clean-up runs after every other plugin has written its files
]
CONTENT_CHECKS_STRICT = False
LOCALITIES_DATA_PATH = str(PROJECT_ROOT / "data")
LOCALITIES_CACHE_PATH = str(PROJECT_ROOT / "cache/gazetteer")
# The portal's own provinces, by name or code, e.g. ["Quảng Trị"] for a Quảng Trị portal: a name
# that could be several places ("Đông Hà") is looked for there first. This site covers several
# provinces (its seed articles come from five portals), so it has none.
LOCALITIES_HOME_AREA = []
IMAGES_CACHE_PATH = str(PROJECT_ROOT / "cache/images")
SEARCH_CACHE_PATH = str(PROJECT_ROOT / "cache/pagefind")
VISITOR_STATS_DB = str(PROJECT_ROOT / "cache/visitor-stats.sqlite3")
VISITOR_STATS_BOTS_FILE = str(PROJECT_ROOT / "data/visitor_stats/bots.txt")
# Set only by the local preview server: shows content problems as a banner on their page.
PREVIEW = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html",
}

ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["pages", "images"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
USE_FOLDER_AS_CATEGORY = False
# Incremental builds: only files whose bytes change are written; stale ones are removed by the
# incremental plugin's manifest, so the folder is not emptied first.
DELETE_OUTPUT_DIRECTORY = False
OUTPUT_RETENTION = []
# Pelican's content cache: a rebuild re-reads only the files whose modification time changed
# (the reader's output, problems included, is kept; everything decided later, such as scheduling,
# duplicates and localities, is decided again on every build).
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
# When the content cache is on, keep it uncompressed: it is read back at the start of every
# rebuild (48 MB at 10,000 articles; gunzip took 0.13 s of it) and written by a forked process.
GZIP_CACHE = False
SUMMARY_MAX_LENGTH = None


def _newest_first(article):
    return (-article.date.timestamp(), article.slug)


ARTICLE_ORDER_BY = _newest_first

ARTICLE_URL = "tin-tuc/{slug}/"
ARTICLE_SAVE_AS = "tin-tuc/{slug}/index.html"
ARTICLE_LANG_URL = ARTICLE_LANG_SAVE_AS = ""
DRAFT_URL = "ban-nhap/{slug}/"
DRAFT_SAVE_AS = "ban-nhap/{slug}/index.html"
DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_SAVE_AS = ""
DRAFT_PAGE_URL = "ban-nhap/trang/{slug}/"
DRAFT_PAGE_SAVE_AS = "ban-nhap/trang/{slug}/index.html"
CATEGORY_URL = "chuyen-muc/{slug}/"
CATEGORY_SAVE_AS = "chuyen-muc/{slug}/index.html"
CATEGORIES_SAVE_AS = ""
TAG_URL = "the/{slug}/"
TAG_SAVE_AS = "the/{slug}/index.html"
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
LOCALITY_URL = "dia-phuong/{slug}/"
LOCALITY_SAVE_AS = "dia-phuong/{slug}/index.html"
LOCALITIES_URL = "dia-phuong/"
LOCALITIES_SAVE_AS = "dia-phuong/index.html"
CAMPAIGN_URL = "phong-trao/{slug}/"
CAMPAIGN_SAVE_AS = "phong-trao/{slug}/index.html"
CAMPAIGNS_URL = "phong-trao/"
CAMPAIGNS_SAVE_AS = "phong-trao/index.html"
ARCHIVES_URL = "luu-tru/"
ARCHIVES_SAVE_AS = "luu-tru/index.html"
YEAR_ARCHIVE_URL = "luu-tru/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "luu-tru/{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "luu-tru/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "luu-tru/{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_URL = "luu-tru/{date:%Y}/{date:%m}/{date:%d}/"
DAY_ARCHIVE_SAVE_AS = "luu-tru/{date:%Y}/{date:%m}/{date:%d}/index.html"
DIRECT_TEMPLATES = ["index", "archives", "not_found", "search"]
NOT_FOUND_SAVE_AS = "404.html"
# The no-JS search's offer pages (/tim-kiem/noi/<name>/: which place of that name?) are a choice
# for a reader who typed a name, not news for search engines.
SEO_SITEMAP_EXCLUDE = ["^tim-kiem/noi/"]
SEARCH_URL = "tim-kiem/"
SEARCH_SAVE_AS = "tim-kiem/index.html"

DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {
    "index": None,
    "tag": None,
    "category": None,
    "period_archives": None,
    "locality": None,
    "campaign": None,
}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/trang-{number}/", "{base_name}/trang-{number}/index.html"),
)

# The feeds plugin owns every feed URL; Pelican's own feeds are off so no URL has two writers.
FEED_ALL_ATOM = FEED_ALL_RSS = None
FEED_ATOM = FEED_RSS = None
CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None

MENU_CATEGORIES = ("Phát động phong trào", "Hội nghị tổng kết", "Tôn vinh điển hình")
READERS = {"rst": None, "htm": None, "html": None}
HONOURS_URL = "bang-vang/"
