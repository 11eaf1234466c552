"""Tasks for editors and developers: `invoke --list` is the manual."""

import os
import shutil
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent

CONFIG = {
    "content": "content",
    "settings_base": "pelicanconf.py",
    "settings_publish": "publishconf.py",
    "output": "output",  # the published site: a symlink to the live release, changed only by publish/rollback
    "preview": "preview",  # development builds and the local preview, never the published site
    # PREVIEW_PORT / DESK_PORT: another port when one is taken (and for tests running make serve's way)
    "port": int(os.environ.get("PREVIEW_PORT", 8000)),
    "desk_port": int(os.environ.get("DESK_PORT", 8001)),  # the editor's desk, beside the preview
}


def site_settings(content=None) -> dict:
    """Return the development settings (content folder, time zone, BUILD_DATE)."""
    from pelican.settings import read_settings

    path = Path(content).resolve() if content else ROOT / CONFIG["content"]
    return read_settings(str(ROOT / CONFIG["settings_base"]), override={"PATH": str(path)})


def pelican_run(c, settings_file, output, extra=""):
    c.run(f"{sys.executable} -m pelican {CONFIG['content']} -s {settings_file} -o {output} {extra}", pty=False)


@task
def clean(c):
    """Remove the development build (preview/); the published releases are kept (see invoke rollback)."""
    shutil.rmtree(ROOT / CONFIG["preview"], ignore_errors=True)


@task
def build(c):
    """Build the development site into preview/."""
    pelican_run(c, CONFIG["settings_base"], CONFIG["preview"])


@task
def rebuild(c):
    """Remove preview/ and build again."""
    clean(c)
    build(c)


@task
def regenerate(c):
    """Rebuild on every change (no server)."""
    pelican_run(c, CONFIG["settings_base"], CONFIG["preview"], "--autoreload")


@task
def serve(c):
    """Serve preview/ on http://localhost:8000 without rebuilding."""
    c.run(f"{sys.executable} -m pelican --listen -o {CONFIG['preview']} -p {CONFIG['port']}")


@task
def reserve(c):
    """Build, then serve."""
    build(c)
    serve(c)


@task
def preview(c):
    """Build the production site into preview/ (strict, publish settings) without publishing it."""
    pelican_run(c, CONFIG["settings_publish"], CONFIG["preview"])


@task
def livereload(c):
    """Build, serve on http://localhost:8000 with live reload, and the editor's desk on http://127.0.0.1:8001."""
    from thidua.desk.server import start_in_thread
    from thidua.preview_server import serve_with_livereload

    # One process: the desk's uvicorn in a daemon thread, the preview's server in the main one.
    start_in_thread(ROOT, port=CONFIG["desk_port"])
    print(f"Bàn biên tập tại http://127.0.0.1:{CONFIG['desk_port']}/ (tạo tài khoản: invoke desk-user)")
    serve_with_livereload(ROOT, port=CONFIG["port"], output=ROOT / CONFIG["preview"])


@task(
    help={
        "host": "address to listen on (default 127.0.0.1: this machine only; a team puts nginx with TLS in front)",
        "port": "port (default 8001)",
        "secure": "behind a TLS proxy: the session cookie is sent over HTTPS only",
    }
)
def desk(c, host="127.0.0.1", port=None, secure=False):
    """Serve the editor's desk (write, review, publish in a browser) on http://127.0.0.1:8001."""
    from thidua.desk.server import make_server

    port = int(port or CONFIG["desk_port"])
    print(f"Bàn biên tập tại http://{host}:{port}/ (Ctrl+C để dừng)")
    make_server(ROOT, host, port, secure).run()


@task(
    name="desk-user",
    positional=["name"],
    help={
        "name": "login name: ASCII letters, digits, . _ - (e.g. ly.huynh)",
        "role": "editor (write) | chief (review, publish) | admin (accounts too)",
        "full_name": "the name shown and recorded as git author, e.g. Huỳnh Thị Ly",
    },
)
def desk_user(c, name, role="editor", full_name=""):
    """Create a desk account or reset its role and password (asked for, or read from DESK_PASSWORD)."""
    import getpass

    from thidua.desk.accounts import open_database, set_account

    password = os.environ.get("DESK_PASSWORD") or getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
    problems = {
        "name": "tên đăng nhập chỉ gồm chữ không dấu, số, dấu . _ - (2 đến 40 ký tự)",
        "role": "vai trò phải là editor, chief hoặc admin",
        "password": "mật khẩu cần ít nhất 10 ký tự",
    }
    try:
        set_account(open_database(ROOT), name, role, password, full_name)
    except ValueError as error:
        sys.exit(f"Không lưu được tài khoản {name}: {problems[str(error)]}")
    print(f"Đã lưu tài khoản {name} ({role}); các phiên đăng nhập cũ của tài khoản này đã đóng.")


@task(help={"content": "folder to check instead of content/"})
def check(c, content=None):
    """Check all content; print every problem as `file:line: problem; fix`; fail on errors."""
    from plugins.content_checks.runner import check_site

    overrides = {"PATH": str(Path(content).resolve())} if content else {}
    found = check_site(str(ROOT / CONFIG["settings_base"]), overrides)
    for problem in found:
        print(problem)
    errors = sum(p.is_error for p in found)
    notes = sum(p.severity == "info" for p in found)  # information (scheduled articles), not problems
    warnings = len(found) - errors - notes
    print(f"{errors} lỗi, {warnings} cảnh báo" if errors or warnings else "Không có vấn đề nào.")
    if notes:
        print(f"{notes} ghi chú (thông tin, không phải lỗi)")
    if errors:
        sys.exit(1)


@task(
    help={
        "category": "Phát động phong trào | Hội nghị tổng kết | Tôn vinh điển hình",
        "title": "the headline",
        "localities": "places separated by ; (checked against the gazetteer)",
        "campaigns": "campaign names separated by ; (compared with the campaigns already used)",
    }
)
def new(c, category="", title="", localities="", campaigns=""):
    """Create a new article file with every metadata key, a fresh Id and a slug (asks what is missing)."""
    from plugins.taxonomies.localities import home_area
    from thidua.clock import build_time
    from thidua.gazetteer import load_gazetteer
    from thidua.scaffold import (
        ScaffoldError,
        campaign_notes,
        check_localities,
        existing_campaigns,
        scaffold_article,
        write_new_article,
    )

    category = category or input("Chuyên mục (Phát động phong trào / Hội nghị tổng kết / Tôn vinh điển hình): ")
    title = title or input("Tiêu đề: ")
    localities = localities or input("Địa phương (cách nhau bằng ;): ")
    places = [x.strip() for x in localities.split(";") if x.strip()]
    names = [x.strip() for x in campaigns.split(";") if x.strip()]
    settings = site_settings()
    now = build_time(settings)
    gazetteer = load_gazetteer(ROOT / "data", ROOT / "cache/gazetteer")
    problems = check_localities(places, now.date(), gazetteer, home_area(settings, gazetteer))
    if not places:
        problems.append('cần ít nhất một địa phương; thêm --localities "Tên địa phương"')
    if problems:
        sys.exit("Không tạo được bài:\n" + "\n".join(f"- {p}" for p in problems))
    for note in campaign_notes(names, existing_campaigns(ROOT / CONFIG["content"])):
        print(f"Lưu ý: {note}")
    try:
        article = scaffold_article(ROOT / CONFIG["content"], category, title, places, names, now)
        write_new_article(article)
    except (ScaffoldError, FileExistsError) as error:
        sys.exit(f"Không tạo được bài: {error}")
    print(f"Đã tạo {article.path.relative_to(ROOT)}")


@task(
    help={
        "after": "ISO 8601 time (default: now, the build's clock), e.g. the time of the last publish",
        "content": "folder to read instead of content/",
    }
)
def next_due(c, after=None, content=None):
    """Print when the next scheduled article is due (ISO 8601, +07:00) and its file, or that none is."""
    import plugins.scheduling as scheduling
    from thidua.clock import build_time, parse_clock

    settings = site_settings(content)
    moment = parse_clock(after, settings["TIMEZONE"]) if after else build_time(settings)
    found = scheduling.next_due(scheduling.article_dates(Path(settings["PATH"]), settings["TIMEZONE"]), moment)
    if found:
        print(f"{found[0].isoformat(timespec='seconds')} {found[1]}")
    else:
        print(f"Không có bài nào hẹn giờ đăng sau {moment.isoformat(timespec='seconds')}.")


@task(
    name="import",
    positional=["source"],
    iterable=["locality"],
    help={
        "source": "a saved HTML page or URL of an old portal (several: separate with commas)",
        "slug": "file name to use (one source only)",
        "title": "headline to use when the page has none (one source only)",
        "category": "category instead of the guessed one",
        "locality": "locality instead of the guessed ones (repeatable)",
    },
)
def import_pages(c, source, slug=None, title=None, category=None, locality=None):
    """Turn saved pages of the old portals into draft articles; guesses are marked for review."""
    from thidua.importer.cli import main

    argv = [*source.split(","), "--content-dir", str(ROOT / CONFIG["content"]), "--data-dir", str(ROOT / "data")]
    for option, value in (("--slug", slug), ("--title", title), ("--category", category)):
        if value:
            argv += [option, value]
    for name in locality or []:
        argv += ["--locality", name]
    sys.exit(main(argv))


@task
def publish(c):
    """Update the production build strictly, check what changed, then switch output/ to the new release."""
    from thidua.publishing import PublishError, publish_site

    try:
        number = publish_site(ROOT, ROOT / CONFIG["output"], CONFIG["settings_publish"])
    except PublishError as error:
        sys.exit(str(error))
    except Exception as error:  # content errors were printed above; the live site is untouched
        sys.exit(f"Không xuất bản: {error}. Trang đang chạy không bị thay đổi.")
    print(f"Đã xuất bản bản phát hành số {number}; {CONFIG['output']}/ đang trỏ tới bản số {number}.")


@task
def rollback(c):
    """Switch output/ back to the release before the live one (the last three are kept)."""
    from thidua.publishing import roll_back

    try:
        before, now = roll_back(ROOT / CONFIG["output"])
    except LookupError as error:
        sys.exit(f"Không quay lại được: {error}.")
    print(
        f"Đã quay lại bản phát hành số {now} (thay cho bản số {before}); {CONFIG['output']}/ đang trỏ tới bản số {now}."
    )


@task(help={"target": "rsync destination (user@host:/var/www/thidua/ or a local folder); default DEPLOY_TARGET"})
def deploy(c, target=None):
    """Send output/ to the web server, transferring only files whose content changed."""
    target = target or os.environ.get("DEPLOY_TARGET")
    if not target:
        sys.exit("Chưa có đích: đặt biến DEPLOY_TARGET hoặc dùng --target (xem docs/deployment.md)")
    c.run(
        f"rsync --recursive --checksum --delete --links --perms --chmod=D755,F644 --itemize-changes {CONFIG['output']}/ {target}"
    )


@task(
    iterable=["log"],
    help={
        "log": "access log in nginx/Apache combined format, plain or .gz (repeat for several)",
        "db": "statistics database (default cache/visitor-stats.sqlite3)",
        "output": "built site to write thong-ke.json into (default output/)",
    },
)
def stats(c, log, db=None, output=None):
    """Count visits from web-server logs (no personal data kept) and write /thong-ke.json."""
    from plugins.visitor_stats.cli import run_stats

    if not log:
        sys.exit("Cần ít nhất một tệp nhật ký: invoke stats --log /var/log/nginx/thidua.access.log")
    sys.exit(run_stats(list(log), db, str(Path(output or ROOT / CONFIG["output"]))))


@task(
    help={
        "sizes": "article counts, comma-separated (default 1000,5000,10000)",
        "runs": "runs per measurement (median reported)",
        "skip_hugo": "do not build the corpus with Hugo",
        "skip_editor": "leave out the editor's commands (make serve, make publish, hugo server)",
    }
)
def bench(c, sizes="1000,5000,10000", runs=3, skip_hugo=False, skip_editor=False):
    """Benchmark full builds and the editor's commands against vanilla Pelican and Hugo (`make bench` installs Hugo)."""
    extra = (" --skip-hugo" if skip_hugo else "") + (" --skip-editor" if skip_editor else "")
    c.run(f"{sys.executable} -m bench.run --sizes {sizes} --runs {runs}{extra}", pty=False)


@task(help={"count": "articles in the synthetic corpus (default 2000; 10000 takes a few minutes more)"})
def bench_search(c, count=2000):
    """Measure search relevance (precision@10, quoted-phrase recall) and first-query bytes in Chromium."""
    c.run(f"{sys.executable} -m bench.search_relevance --count {count}", pty=False)


@task
def lint(c):
    """Format and lint the Python code with ruff."""
    c.run(f"{sys.executable} -m ruff format --check .")
    c.run(f"{sys.executable} -m ruff check .")


@task(help={"k": "only tests whose name matches this expression"})
def test(c, k=""):
    """Run the whole test suite (unit, functional, feeds, browser, validator, accessibility)."""
    selection = f"-k '{k}'" if k else ""
    c.run(f"{sys.executable} -m pytest -n 2 --dist loadfile {selection}", pty=False)


@task(name="update-expected")
def update_expected(c):
    """Rebuild the fixture site and overwrite the committed expected tree (review the diff)."""
    c.run(f"{sys.executable} -m tests.support update-expected")
