"""Generate a realistic, deterministic nginx combined-format access log (fictional visitors).

The log spans several days of traffic to the portal: people reading articles and lists,
their browsers fetching assets, feed readers polling rss.xml/atom.xml, search-engine
crawlers and scripts, redirects, errors and a sprinkling of malformed lines. Every IP
address below is from the documentation ranges (RFC 5737 / RFC 3849) and every visitor is
fictional.

With ``--truth FILE`` the generator also writes what a correct counter must find, computed
from what it generated (not by parsing the log), for the tests and the benchmark.
"""

import argparse
import contextlib
import gzip
import json
import random
import sys
from datetime import datetime, timedelta, timezone

ICT = timezone(timedelta(hours=7))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A{v}5F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0",
    "Mozilla/5.0 (Linux; Android 13; CPH2{v}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Mobile Safari/537.36 Zalo/{v}",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/126.0.0.0 Safari/537.36",
    "-",
]
FEED_READERS = [
    "Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)",
    "NetNewsWire (RSS Reader; https://netnewswire.com/)",
    "Thunderbird/128.0",
    "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher)",
]
ASSETS = [
    "/theme/css/style.min.css",
    "/theme/js/visitor-stats.js",
    "/theme/js/search.js",
    "/theme/fonts/be-vietnam-pro.woff2",
    "/favicon.ico",
    "/images/hoi-nghi-tong-ket-{n}.jpg",
    "/images/phat-dong-{n}.webp",
]
LISTS = [
    "/",
    "/chuyen-muc/phat-dong-phong-trao/",
    "/chuyen-muc/hoi-nghi-tong-ket/",
    "/chuyen-muc/ton-vinh-dien-hinh/",
    "/dia-phuong/",
    "/dia-phuong/thanh-pho-hue/",
    "/phong-trao/",
    "/luu-tru/2026/",
    "/bang-vang/",
    "/tim-kiem/",
    "/chuyen-muc/hoi-nghi-tong-ket/trang-2/",
]
FEEDS = ["/rss.xml", "/atom.xml", "/chuyen-muc/ton-vinh-dien-hinh/rss.xml"]
MALFORMED = [
    "",
    "garbage line without structure",
    '203.0.113.9 - - [32/Foo/2026:99:99:99 +0700] "GET / HTTP/1.1" 200 5 "-" "x"',
    '203.0.113.9 - - [01/Nov/2026:10:00:00 +0700] "GET / HTTP/1.1" 200',
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
]


def article_slugs(count: int) -> list[str]:
    """Return fictional article slugs."""
    topics = ["phat-dong-thi-dua", "hoi-nghi-tong-ket", "ton-vinh-dien-hinh", "khen-thuong"]
    return [f"{topics[i % len(topics)]}-nam-20{20 + i % 7}-so-{i}" for i in range(count)]


def fmt_time(dt: datetime) -> str:
    """Format a datetime the way nginx writes $time_local."""
    return f"{dt.day:02d}/{MONTHS[dt.month - 1]}/{dt.year}:{dt:%H:%M:%S} {dt:%z}"


class Truth:
    """What a correct counter must report, tracked while generating."""

    def __init__(self):
        self.days = {}  # day -> [views, set(visitor)]
        self.articles = {}  # url -> views
        self.feeds = {}  # url -> fetches
        self.malformed = 0
        self.lines = 0
        self.recent = []  # (epoch, visitor)
        self.newest = None

    def page(self, dt, visitor, path):
        day = dt.astimezone(ICT).date().isoformat()
        entry = self.days.setdefault(day, [0, set()])
        entry[0] += 1
        entry[1].add(visitor)
        if path.startswith("/tin-tuc/"):
            url = path.split("?")[0]
            self.articles[url] = self.articles.get(url, 0) + 1
        self.recent.append((dt.timestamp(), visitor))

    def result(self):
        newest = self.newest.timestamp() if self.newest else 0
        recent = {v for t, v in self.recent if t > newest - 900}
        return {
            "lines": self.lines,
            "malformed": self.malformed,
            "pageviews": sum(v[0] for v in self.days.values()),
            "visitors": sum(len(v[1]) for v in self.days.values()),
            "days": {d: {"pageviews": v[0], "visitors": len(v[1])} for d, v in sorted(self.days.items())},
            "articles": dict(sorted(self.articles.items())),
            "feeds": dict(sorted(self.feeds.items())),
            "recent_visitors": len(recent),
            "updated_at": self.newest.astimezone(ICT).isoformat() if self.newest else None,
        }


def generate(lines: int, days: int = 5, seed: int = 2026, start: str = "2026-11-18", truth=None):
    """Yield the log lines; `truth` (a Truth) is complete once the last line was yielded."""
    rng = random.Random(seed)
    truth = truth if truth is not None else Truth()
    slugs = article_slugs(400)
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(slugs))]
    people = []
    for i in range(max(50, lines // 25)):
        if i % 5 == 0:
            ip = f"2001:db8:{i // 65536:x}:{i % 65536:x}::{rng.randrange(1, 65535):x}"
        else:
            ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{i % 254 + 1}"
            ip = f"{ip}" if i < 762 else f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        ua = rng.choice(BROWSERS).format(v=100 + rng.randrange(30))
        people.append((ip, ua))
    readers = [(f"198.51.100.{200 + i}", FEED_READERS[i % len(FEED_READERS)]) for i in range(40)]
    t0 = datetime.fromisoformat(start).replace(tzinfo=ICT)
    span = days * 86400
    step = span / lines
    produced = 0
    while produced < lines:
        # time advances steadily with a little jitter (nginx logs at request end)
        dt = t0 + timedelta(seconds=int(produced * step + rng.random() * 3))
        roll = rng.random()
        out = []
        if roll < 0.004:
            out.append((rng.choice(MALFORMED), None))
        elif roll < 0.20:
            ip = f"66.249.{rng.randrange(64, 80)}.{rng.randrange(1, 255)}"
            ua = rng.choice(BOTS)
            path = rng.choice(LISTS + ["/tin-tuc/" + rng.choice(slugs) + "/", "/robots.txt", "/rss.xml"])
            out.append((entry(ip, ua, dt, "GET", path, 200, rng), None))
        elif roll < 0.24:
            ip, ua = rng.choice(readers)
            path = rng.choice(FEEDS)
            status = rng.choice([200, 304, 304])
            out.append((entry(ip, ua, dt, "GET", path, status, rng), ("feed", path)))
        else:
            ip, ua = people[int(rng.random() ** 1.6 * len(people))]
            kind = rng.random()
            if kind < 0.6:
                path = "/tin-tuc/" + rng.choices(slugs, weights)[0] + "/"
                if rng.random() < 0.1:
                    path += "?utm_source=zalo&utm_medium=social"
            elif kind < 0.95:
                path = rng.choice(LISTS)
            else:
                path = "/tin-tuc/" + rng.choices(slugs, weights)[0] + "/index.html"
            method, status = "GET", 200
            r = rng.random()
            if r < 0.05:
                status = 304
            elif r < 0.08:
                status = 404
                path = "/tin-tuc/khong-ton-tai-" + str(rng.randrange(999)) + "/"
            elif r < 0.09:
                method = "HEAD"
            elif r < 0.10:
                method, path, status = "POST", "/tim-kiem/", 405
            elif r < 0.11:
                path, status = "/tin-tuc", 301
            counted = method == "GET" and status in (200, 304)
            out.append((entry(ip, ua, dt, method, path, status, rng), ("page", path) if counted else None))
            if status == 200 and method == "GET" and rng.random() < 0.85:
                for asset in rng.sample(ASSETS, rng.randrange(1, 5)):
                    a = asset.format(n=rng.randrange(60))
                    out.append((entry(ip, ua, dt, "GET", a, rng.choice([200, 200, 304]), rng), None))
        for text, what in out:
            if produced >= lines:
                break
            produced += 1
            truth.lines += 1
            if what is None and text in MALFORMED:
                truth.malformed += 1
            else:
                truth.newest = dt if truth.newest is None or dt > truth.newest else truth.newest
            if what is not None:
                ip, ua = parse_visitor(text)
                if what[0] == "page":
                    path = what[1].split("?")[0]
                    if path.endswith("/index.html"):
                        path = path[: -len("index.html")]
                    truth.page(dt, (ip, ua), path)
                else:
                    truth.feeds[what[1]] = truth.feeds.get(what[1], 0) + 1
            yield text


def parse_visitor(line: str) -> tuple[str, str]:
    """Return the IP and user agent of a line this module wrote."""
    return line.split(" ", 1)[0], line.rsplit('"', 2)[-2]


def entry(ip, ua, dt, method, path, status, rng) -> str:
    """Format one combined-format line."""
    size = rng.randrange(300, 90000) if status == 200 else 0
    ref = rng.choice(['"-"', '"https://www.google.com/"', '"https://zalo.me/"', '"-"'])
    return f'{ip} - - [{fmt_time(dt)}] "{method} {path} HTTP/1.1" {status} {size} {ref} "{ua}"'


def main(argv=None) -> int:
    """Write the log to a file (gzip if the name ends in .gz) or stdout."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=5)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--start", default="2026-11-18")
    p.add_argument("--truth", help="write the expected counts as JSON here")
    p.add_argument("output", nargs="?", default="-")
    args = p.parse_args(argv)
    truth = Truth()
    with contextlib.ExitStack() as stack:
        if args.output == "-":
            out = sys.stdout.buffer
        elif args.output.endswith(".gz"):
            out = stack.enter_context(gzip.open(args.output, "wb", compresslevel=6))
        else:
            out = stack.enter_context(open(args.output, "wb"))
        buf = []
        for text in generate(args.lines, args.days, args.seed, args.start, truth):
            buf.append(text.encode("utf-8", "surrogateescape"))
            if len(buf) >= 10000:
                out.write(b"\n".join(buf) + b"\n")
                buf = []
        if buf:
            out.write(b"\n".join(buf) + b"\n")
    if args.truth:
        with open(args.truth, "w", encoding="utf-8") as fh:
            json.dump(truth.result(), fh, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
