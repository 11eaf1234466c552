"""The editor's desk core over real HTTP: a uvicorn server in a child process, on a fixture project in git.

Accounts, sessions, CSRF, roles, uploads, saves as commits, conflicts, history, the bin and the
strict publish; then Chromium for the login, the list and axe-core.
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from tests.support import FIXTURE_SITE, ROOT

ACCOUNTS = {
    "ly": ("editor", "Huỳnh Thị Ly"),
    "tbt": ("chief", "Trần Tổng Biên"),
    "qt": ("admin", "Quản Trị"),  # locked out by the wrong-password test
    "qt2": ("admin", "Quản Trị Hai"),
}
PASSWORD = "mat-khau-thu-nghiem"
STRINGS = __import__("tomllib").loads((ROOT / "theme/strings/vi.toml").read_text(encoding="utf-8"))["desk"]
ARTICLE = "ton-vinh-dien-hinh/dong-ha-khen-thuong.md"


@dataclass
class Reply:
    status: int
    headers: object
    text: str


class _Keep3xx(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the tests look at redirects themselves
        return None


class Client:
    """A browser-like HTTP client: a cookie jar, no redirects followed, the CSRF token of its session."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _Keep3xx)
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=300) as response:
                return Reply(response.status, response.headers, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read().decode("utf-8"))

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict | None = None, *, token: bool = True) -> Reply:
        fields = {**({"csrf_token": self.csrf} if token else {}), **(form or {})}
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, name: str, data: bytes) -> Reply:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'.encode()
            + b"Content-Type: image/png\r\n\r\n"
            + data
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self.request(
            "POST", "/anh", b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def log_in(self, name: str, password: str = PASSWORD) -> Reply:
        page = self.get("/dang-nhap")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        reply = self.post("/dang-nhap", {"csrf_token": token, "name": name, "password": password}, token=False)
        if reply.status == 303:
            self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/").text).group(1)
        return reply

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def make_project(folder: Path) -> Path:
    """Copy the fixture content and the project's settings and tasks into a new git repository."""
    shutil.copytree(FIXTURE_SITE / "content", folder / "content")
    for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("theme", "data"):
        (folder / name).symlink_to(ROOT / name)
    (folder / ".gitignore").write_text(".desk/\ncache/\noutput\noutput.*/\npreview/\n__pycache__/\n")
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=Fixture", "-c", "user.email=f@x", "commit", "-qm", "fixture"],
    ):
        subprocess.run(["git", *command], cwd=folder, check=True)
    for name, (role, full_name) in ACCOUNTS.items():
        env = {**os.environ, "DESK_PASSWORD": PASSWORD}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "invoke",
                "--search-root",
                str(folder),
                "desk-user",
                name,
                "--role",
                role,
                "--full-name",
                full_name,
            ],
            cwd=folder,
            env=env,
            check=True,
            capture_output=True,
        )
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def desk_server(project: Path, *options: str):
    """Start `python -m thidua.desk` (what `invoke desk` runs) and wait until it answers; its log beside the project."""
    port = free_port()
    log = project.parent / f"desk-{port}.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "thidua.desk", "--root", str(project), "--port", str(port), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + "/dang-nhap", timeout=1).close()
                break
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            subprocess.run(["sleep", "0.1"], check=True)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("desk") / "site")
    with desk_server(project) as base:
        yield project, base


def client_for(base: str, name: str) -> Client:
    client = Client(base)
    assert client.log_in(name).status == 303
    return client


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, encoding="utf-8").stdout


def start_of(client: Client, path: str) -> str:
    """Return the version an edit of the article starts from (the form's base_version)."""
    page = client.get(f"/bai-viet/{path}/sua")
    assert page.status == 200, page.text
    return re.search(r'name="base_version" value="([0-9a-f]*)"', page.text).group(1)


def save(client: Client, path: str, text: str, base: str) -> Reply:
    return client.post("/bai-viet/luu", {"path": path, "base_version": base, "noi_dung": text})


# --- accounts and sessions ------------------------------------------------------------------


def test_pages_need_a_login_and_the_session_cookie_is_httponly_strict_and_new_at_each_login(desk):
    _, base = desk
    assert Client(base).get("/").status == 303
    client = Client(base)
    reply = client.log_in("ly")
    cookie = reply.headers["set-cookie"]
    assert reply.status == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie, cookie
    first = client.cookie("ban-bien-tap")
    client.log_in("ly")
    assert client.cookie("ban-bien-tap") != first
    assert client.get("/").status == 200
    assert client.post("/dang-xuat").status == 303
    assert client.get("/").status == 303


def test_behind_tls_the_session_cookie_is_a_secure_host_cookie(desk):
    project, _ = desk
    with desk_server(project, "--secure") as base:
        client = Client(base)
        page = client.get("/dang-nhap")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert "Secure" in page.headers["set-cookie"]
        reply = client.request(
            "POST", "/dang-nhap",
            urllib.parse.urlencode({"csrf_token": token, "name": "ly", "password": PASSWORD}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"desk_login_csrf={token}"},
        )  # fmt: skip
    cookie = reply.headers["set-cookie"]
    assert (
        reply.status == 303 and cookie.startswith("__Host-ban-bien-tap=") and "Secure" in cookie and "Path=/" in cookie
    )
    # Without --secure, nginx's X-Forwarded-Proto: https (from 127.0.0.1, which uvicorn trusts) is enough.
    page = Client(desk[1]).request("GET", "/dang-nhap", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["set-cookie"]


def test_an_administrator_manages_accounts_and_a_chief_editor_cannot(desk):
    _, base = desk
    admin = client_for(base, "qt2")
    reply = admin.post(
        "/tai-khoan", {"name": "moi.bien.tap", "full_name": "Người Mới", "role": "editor", "password": "ngan"}
    )
    assert reply.status == 400 and STRINGS["account_invalid"] in reply.text
    reply = admin.post(
        "/tai-khoan", {"name": "moi.bien.tap", "full_name": "Người Mới", "role": "editor", "password": PASSWORD}
    )
    assert reply.status == 200 and STRINGS["account_saved"].format(name="moi.bien.tap") in reply.text
    assert client_for(base, "moi.bien.tap").get("/tai-khoan").status == 403
    assert admin.post("/tai-khoan/xoa", {"name": "qt2"}).status == 400  # never one's own account
    assert admin.post("/tai-khoan/xoa", {"name": "moi.bien.tap"}).status == 200
    assert Client(base).log_in("moi.bien.tap").status == 401
    assert client_for(base, "tbt").get("/tai-khoan").status == 403


def test_work_in_progress_is_kept_in_the_database_and_offered_back_never_written_to_content(desk):
    project, base = desk
    path = "phat-dong-phong-trao/tuan-giao-nfd.md"
    before = (project / "content" / path).read_bytes()
    client = client_for(base, "ly")
    reply = client.post("/bai-viet/luu-tam", {"path": path, "title": "Tiêu đề đang soạn dở", "body": "Nửa đoạn"})
    assert reply.status == 200 and '"saved"' in reply.text
    assert (project / "content" / path).read_bytes() == before
    page = client.get(f"/bai-viet/{path}/sua")
    assert STRINGS["autosave_found"].split("{")[0] in page.text and "Tiêu đề đang soạn dở" not in page.text
    assert 'value="Tiêu đề đang soạn dở"' in client.get(f"/bai-viet/{path}/sua?ban_luu_tam=1").text
    assert STRINGS["autosave_found"].split("{")[0] not in client_for(base, "tbt").get(f"/bai-viet/{path}/sua").text


def test_a_wrong_password_ten_times_locks_the_account_whatever_comes_next(desk):
    base = desk[1]
    client = Client(base)
    replies = [client.log_in("qt", "sai-mat-khau-roi") for _ in range(10)]
    assert [r.status for r in replies] == [401] * 4 + [429] * 6
    assert STRINGS["login_wrong"] in replies[0].text
    assert STRINGS["login_wait"].split("{")[0] in replies[-1].text
    # While locked the right password is refused too: the guesses learnt nothing.
    assert client.log_in("qt").status == 429
    log = (desk[0].parent / f"desk-{base.rsplit(':', 1)[1]}.log").read_text(encoding="utf-8")
    assert log.count("desk: login refused for 'qt' from 127.0.0.1") == 11  # each one in the journal


def test_a_form_without_its_csrf_token_is_refused(desk):
    _, base = desk
    client = client_for(base, "ly")
    for form, token in (({}, False), ({"csrf_token": "gia-mao"}, False)):
        reply = client.post(f"/bai-viet/{ARTICLE}/gui-duyet", form, token=token)
        assert reply.status == 403 and STRINGS["csrf_refused"] in reply.text
    login = Client(base).post("/dang-nhap", {"name": "ly", "password": PASSWORD}, token=False)
    assert login.status == 403
    assert client.post(f"/bai-viet/{ARTICLE}/gui-duyet").status == 303  # with its token


def test_an_editor_cannot_publish_take_down_or_manage_accounts(desk):
    project, base = desk
    before = (project / "content" / ARTICLE).read_bytes()
    client = client_for(base, "ly")
    for action in ("xuat-ban", "go-xuong"):
        reply = client.post(f"/bai-viet/{ARTICLE}/{action}")
        assert reply.status == 403 and STRINGS["forbidden"] in reply.text
    assert client.post(f"/bai-viet/{ARTICLE}/hen-gio", {"moment": "2099-01-01 07:00"}).status == 403
    assert client.get("/tai-khoan").status == 403
    assert client.post("/tai-khoan", {"name": "moi", "role": "admin", "password": "x" * 12}).status == 403
    assert (project / "content" / ARTICLE).read_bytes() == before


def test_an_editor_cannot_make_an_article_public_by_editing_its_status(desk):
    project, base = desk
    client = client_for(base, "ly")
    path = "phat-dong-phong-trao/ban-nhap.md"
    text = (project / "content" / path).read_text(encoding="utf-8")
    assert save(client, path, text.replace("Status: draft", "Status: published"), start_of(client, path)).status == 303
    assert "Status: draft" in (project / "content" / path).read_text(encoding="utf-8")


# --- uploads ----------------------------------------------------------------------------------


def png_bomb(side: int = 30000) -> bytes:
    """Return a valid PNG of side×side black pixels, a few hundred KiB that would unpack to 112 MB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer, row = zlib.compressobj(9), b"\x00" * (1 + side // 8)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def small_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), (164, 22, 26)).save(out, "PNG")
    return out.getvalue()


def test_an_upload_named_like_a_settings_file_is_refused_or_renamed_never_written_there(desk):
    project, base = desk
    client = client_for(base, "ly")
    settings = (project / "pelicanconf.py").read_bytes()
    images = sorted((project / "content/images").iterdir())
    reply = client.upload("../../pelicanconf.py", b"SITENAME = 'bi chiem'\n")
    assert reply.status == 400 and STRINGS["upload_not_image"] in reply.text
    assert (project / "pelicanconf.py").read_bytes() == settings
    assert sorted((project / "content/images").iterdir()) == images
    # A real picture under that name is stored under content/images/ with a sanitised name.
    reply = client.upload("..\\..\\pelicanconf.py", small_png())
    assert reply.status == 200 and STRINGS["uploaded"].format(path="images/pelicanconf.png") in reply.text
    assert (project / "content/images/pelicanconf.png").read_bytes() == small_png()
    assert git(project, "log", "-1", "--format=%an", "--", "content/images/pelicanconf.png").strip() == "Huỳnh Thị Ly"


def test_a_png_decompression_bomb_is_refused(desk):
    project, base = desk
    client = client_for(base, "ly")
    reply = client.upload("anh-hoi-nghi.png", png_bomb())
    assert reply.status == 400 and STRINGS["upload_bomb"] in reply.text
    assert not list((project / "content/images").glob("anh-hoi-nghi*"))


# --- saving, conflicts, history, bin ------------------------------------------------------------


def test_a_save_is_a_commit_by_the_editor_and_a_second_save_from_the_same_version_is_refused(desk):
    project, base = desk
    path = "phat-dong-phong-trao/ban-nhap.md"  # a draft: an editor's save of it goes straight to content/
    file = project / "content" / path
    original = file.read_text(encoding="utf-8")
    ly, chief = client_for(base, "ly"), client_for(base, "tbt")
    start = start_of(ly, path)
    assert start_of(chief, path) == start
    mine = original.replace("\n\n", "\n\nĐoạn mở đầu do Ly thêm.\n\n", 1)
    reply = save(ly, path, mine, start)
    assert reply.status == 303 and reply.headers["location"] == f"/bai-viet/{path}/sua?da_luu=1"
    assert file.read_text(encoding="utf-8") == mine
    assert git(project, "log", "-1", "--format=%an <%ae>|%s", "--", f"content/{path}").strip() == (
        f"Huỳnh Thị Ly <ly@ban-bien-tap.invalid>|Bàn biên tập: lưu {path}"
    )
    theirs = original.replace("\n\n", "\n\nĐoạn của tổng biên tập.\n\n", 1)
    reply = save(chief, path, theirs, start)
    assert reply.status == 409 and STRINGS["conflict_title"] in reply.text
    assert "Đoạn mở đầu do Ly thêm." in reply.text and "Đoạn của tổng biên tập." in reply.text  # side by side
    assert 'data-version="theirs"' in reply.text and 'data-version="yours"' in reply.text
    assert file.read_text(encoding="utf-8") == mine  # nothing overwritten


def test_a_save_git_cannot_commit_is_undone_and_explained(desk):
    project, base = desk
    path = "ton-vinh-dien-hinh/ton-vinh-cong-dan.md"
    before = (project / "content" / path).read_bytes()
    client = client_for(base, "tbt")
    start = start_of(client, path)
    lock = project / ".git/index.lock"
    lock.write_text("")  # another git command at work
    try:
        reply = save(client, path, before.decode("utf-8") + "\nThêm một đoạn.\n", start)
    finally:
        lock.unlink()
    assert reply.status == 500 and STRINGS["server_error"] in reply.text and "Traceback" not in reply.text
    assert (project / "content" / path).read_bytes() == before


def test_an_editors_change_to_a_published_article_waits_for_review_outside_content(desk):
    project, base = desk
    path = "hoi-nghi-tong-ket/hoa-thuan-tong-ket.md"
    file = project / "content" / path
    before = file.read_bytes()
    editor, chief = client_for(base, "ly"), client_for(base, "tbt")
    changed = before.decode("utf-8").replace("\n\n", "\n\nĐoạn sửa của Ly.\n\n", 1)
    reply = save(editor, path, changed, start_of(editor, path))
    assert reply.status == 303 and reply.headers["location"] == f"/bai-viet/{path}/duyet?de_xuat=1"
    assert file.read_bytes() == before  # the next publish, whoever runs it, shows nothing unreviewed
    form = editor.get(f"/bai-viet/{path}/sua").text
    assert "Đoạn sửa của Ly." in form  # the editor goes on from it, and is told so
    assert STRINGS["pending_found"].split("{name}")[0] in form
    page = chief.get(f"/bai-viet/{path}/duyet")
    assert 'data-state="in_review"' in page.text and 'data-version="proposed"' in page.text
    assert "Đoạn sửa của Ly." in page.text
    # The chief editor's own save replaces the waiting correction.
    assert save(chief, path, before.decode("utf-8"), start_of(chief, path)).status == 303
    assert 'data-version="proposed"' not in chief.get(f"/bai-viet/{path}/duyet").text


def test_history_restores_an_earlier_version_as_a_new_commit(desk):
    project, base = desk
    path = "phat-dong-phong-trao/xa-thu-nghiem-phat-dong.md"
    file = project / "content" / path
    original = file.read_bytes()
    client = client_for(base, "tbt")
    changed = original.decode("utf-8").replace("Title: ", "Title: Sửa lần một: ", 1)
    assert save(client, path, changed, start_of(client, path)).status == 303
    page = client.get(f"/bai-viet/{path}/lich-su")
    commits = re.findall(r'name="commit" value="([0-9a-f]{40})"', page.text)
    assert len(commits) == 1  # the fixture's commit; the newest (the live text) has nothing to restore
    shown = client.get(f"/bai-viet/{path}/phien-ban/{commits[0]}")
    assert shown.status == 200 and f'data-version="{commits[0]}"' in shown.text and "Sửa lần một" not in shown.text
    assert client.get(f"/bai-viet/{path}/phien-ban/{'0' * 40}").status == 404
    current = re.search(r'name="base_version" value="([0-9a-f]+)"', page.text).group(1)
    reply = client.post(f"/bai-viet/{path}/khoi-phuc", {"commit": commits[0], "base_version": current})
    assert reply.status == 303
    assert file.read_bytes() == original
    assert git(project, "log", "-1", "--format=%an|%s", "--", f"content/{path}").startswith("Trần Tổng Biên|")
    assert len(git(project, "log", "--format=%H", "--", f"content/{path}").split()) == 3


def test_deleting_moves_an_article_to_the_bin_outside_content_and_it_can_be_restored(desk):
    project, base = desk
    path = "hoi-nghi-tong-ket/noi-dung-doc-hai.md"
    file = project / "content" / path
    original = file.read_bytes()
    client = client_for(base, "tbt")
    assert client.post(f"/bai-viet/{path}/xoa").status == 303
    assert not file.exists()
    binned = list((project / ".desk/thung-rac").rglob("noi-dung-doc-hai.md"))
    assert [p.read_bytes() for p in binned] == [original]
    assert not list((project / "content").rglob("noi-dung-doc-hai.md"))
    page = client.get("/thung-rac")
    stamp = re.search(r'name="id" value="([^"]+)"', page.text).group(1)
    editor = client_for(base, "ly")  # a published article: only who may publish puts it back
    assert editor.post("/thung-rac/khoi-phuc", {"id": stamp, "path": path}).status == 403
    assert editor.post(f"/bai-viet/{ARTICLE}/xoa").status == 403
    reply = client.post("/thung-rac/khoi-phuc", {"id": stamp, "path": path})
    assert reply.status == 200 and STRINGS["bin_restored"] in reply.text
    assert file.read_bytes() == original
    assert git(project, "status", "--porcelain", "--", "content").strip() == ""  # removal and return committed


def test_a_path_outside_the_articles_is_not_found(desk):
    _, base = desk
    client = client_for(base, "tbt")
    for path in ("../pelicanconf.py", "pages/gioi-thieu.md", "..%2Fpelicanconf.py/x.md"):
        assert client.get(f"/bai-viet/{path}/sua").status == 404
    reply = save(client, "../../tasks.md", "Title: x\n\nx", "")
    assert reply.status == 404


# --- list and review ------------------------------------------------------------------------------


def test_the_list_searches_without_diacritics_and_filters_by_status_and_locality(desk):
    _, base = desk
    client = client_for(base, "ly")
    found = client.get("/?q=dong+ha")
    assert "Đông Hà khen thưởng tập thể điển hình" in found.text
    assert "Bản nháp chưa đăng" not in found.text
    assert "Huế phát động thi đua" not in found.text  # "phát động" holds "dong", not the word "ha"
    drafts = client.get("/?trang_thai=draft")
    assert "Bản nháp chưa đăng" in drafts.text and "Đông Hà khen thưởng" not in drafts.text
    assert "Đông Hà khen thưởng" in client.get("/?dia_phuong=quang+tri").text


def test_an_article_goes_through_review_and_the_chief_editor_publishes_it(desk):
    project, base = desk
    editor, chief = client_for(base, "ly"), client_for(base, "tbt")
    text = (
        "Title: Bài thử bàn biên tập\nDate: 2025-06-01 08:00\nCategory: Tôn vinh điển hình\n"
        "Localities: Thành phố Đông Hà; Quảng Trị\nAuthor: Huỳnh Thị Ly\n\nThân bài thử của bàn biên tập.\n"
    )
    reply = editor.post("/bai-viet/luu", {"path": "", "base_version": "", "noi_dung": text})
    assert reply.status == 303
    path = re.search(r"/bai-viet/(.+)/sua", reply.headers["location"]).group(1)
    assert path == "ton-vinh-dien-hinh/bai-thu-ban-bien-tap.md"
    written = (project / "content" / path).read_text(encoding="utf-8")
    assert "Status: draft" in written and re.search(r"^Id: [0-9a-f-]{36}$", written, re.M)
    assert editor.post(f"/bai-viet/{path}/gui-duyet").status == 303
    assert 'data-state="in_review"' in chief.get(f"/bai-viet/{path}/duyet").text
    assert chief.post(f"/bai-viet/{path}/nhan-xet", {"text": "<script>alert(1)</script> Đã xem"}).status == 303
    page = chief.get(f"/bai-viet/{path}/duyet")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Đã xem" in page.text and "<script>alert" not in page.text
    reply = chief.post(f"/bai-viet/{path}/xuat-ban")
    assert reply.status == 200, reply.text
    assert STRINGS["publish_ok"] in reply.text
    assert "Status: published" in (project / "content" / path).read_text(encoding="utf-8")
    page = (project / "output/tin-tuc/bai-thu-ban-bien-tap/index.html").read_text(encoding="utf-8")
    assert "Thân bài thử của bàn biên tập." in page
    audit = chief.get("/nhat-ky").text
    assert "Trần Tổng Biên" in audit and path in audit and STRINGS["action_publish"] in audit
    # A correction of the published article is live after one more click.
    fixed = (project / "content" / path).read_text(encoding="utf-8").replace("Thân bài thử", "Thân bài đã sửa")
    assert save(chief, path, fixed, start_of(chief, path)).status == 303
    assert STRINGS["republish"] in chief.get(f"/bai-viet/{path}/duyet").text
    assert STRINGS["publish_ok"] in chief.post(f"/bai-viet/{path}/xuat-ban").text
    page = (project / "output/tin-tuc/bai-thu-ban-bien-tap/index.html").read_text(encoding="utf-8")
    assert "Thân bài đã sửa của bàn biên tập." in page


def test_a_failed_publish_leaves_the_article_as_it_was_and_says_why(desk):
    project, base = desk
    chief = client_for(base, "tbt")
    path = "phat-dong-phong-trao/ban-nhap.md"
    file = project / "content" / path
    broken = file.read_text(encoding="utf-8").replace("Category: Phát động phong trào", "Category: Không có")
    assert save(chief, path, broken, start_of(chief, path)).status == 303
    reply = chief.post(f"/bai-viet/{path}/xuat-ban")
    assert reply.status == 500 and STRINGS["publish_failed"] in reply.text
    assert "content/phat-dong-phong-trao/ban-nhap.md:" in reply.text  # the checks' own line
    assert file.read_text(encoding="utf-8") == broken  # still the draft, not Status: published
    assert "failed" in chief.get("/nhat-ky").text
    # A broken draft stops every publish (strict build): mend it for the tests after this one.
    assert (
        save(
            chief, path, broken.replace("Category: Không có", "Category: Phát động phong trào"), start_of(chief, path)
        ).status
        == 303
    )


def test_the_chief_editor_schedules_an_article_then_takes_it_down(desk):
    project, base = desk
    chief = client_for(base, "tbt")
    path = "phat-dong-phong-trao/ban-nhap.md"
    file = project / "content" / path
    reply = chief.post(f"/bai-viet/{path}/hen-gio", {"moment": "2020-01-01 07:00"})
    assert reply.status == 400 and STRINGS["schedule_invalid"] in reply.text
    reply = chief.post(f"/bai-viet/{path}/hen-gio", {"moment": "2099-01-01 07:00"})
    assert reply.status == 200 and STRINGS["publish_ok"] in reply.text, reply.text
    text = file.read_text(encoding="utf-8")
    assert "Date: 2099-01-01 07:00" in text and "Status: published" in text
    assert 'data-state="scheduled"' in chief.get(f"/bai-viet/{path}/duyet").text
    assert not list((project / "output").rglob("ban-nhap*"))  # held back until its time
    reply = chief.post(f"/bai-viet/{path}/go-xuong")
    assert reply.status == 200 and STRINGS["publish_ok"] in reply.text
    assert "Status: hidden" in file.read_text(encoding="utf-8")
    audit = chief.get("/nhat-ky").text
    assert (
        STRINGS["action_schedule"] in audit
        and STRINGS["action_take_down"] in audit
        and "Date: 2099-01-01 07:00" in audit
    )


# --- in Chromium -------------------------------------------------------------------------------


@pytest.mark.browser
def test_make_serve_starts_the_desk_beside_the_preview(desk, browser):
    """`make serve` runs `invoke livereload`: the preview and, in the same process, the desk."""
    project, _ = desk
    preview, port = free_port(), free_port()
    env = {**os.environ, "PREVIEW_PORT": str(preview), "DESK_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "--search-root", str(project), "livereload"],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert f"Bàn biên tập tại {base}/" in process.stdout.readline()
        for _ in range(600):  # the desk answers at once; the preview after its first build
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{preview}/", timeout=1).close()
                break
            subprocess.run(["sleep", "0.1"], check=True)
        page = log_in_page(browser, base, "ly")
        assert page.get_by_role("heading", name=STRINGS["list_title"], exact=True).count() == 1
        page_text = urllib.request.urlopen(f"http://127.0.0.1:{preview}/", timeout=5).read().decode("utf-8")
        assert "Đông Hà khen thưởng tập thể điển hình" in page_text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.browser
def test_login_list_and_pages_in_chromium_with_no_axe_violation(desk, browser):
    from tests.quality import axe_violations

    _, base = desk
    context = browser.new_context(bypass_csp=True)  # axe-core is injected inline; the desk allows no inline script
    page = context.new_page()
    errors, dialogs = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    found = []
    page.goto(base + "/")
    assert page.url == base + "/dang-nhap"
    found += [f"login: {line}" for line in axe_violations(page)]
    page.get_by_label(STRINGS["login_name"]).fill("tbt")
    page.get_by_label(STRINGS["login_password"]).fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    page.get_by_label(STRINGS["search_label"]).fill("dong ha")
    page.get_by_role("button", name=STRINGS["filter_button"]).click()
    page.wait_for_url("**/?q=dong+ha*")
    assert page.get_by_role("link", name="Đông Hà khen thưởng tập thể điển hình (bài hư cấu)", exact=True).count() == 1
    page.set_viewport_size({"width": 1280, "height": 800})
    (ROOT / "docs/images").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs/images/desk-list.png"))  # for docs/editor-guide.md
    page.goto(f"{base}/bai-viet/{ARTICLE}/duyet")
    page.screenshot(path=str(ROOT / "docs/images/desk-review.png"))
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for url in (
            "/",
            "/?q=ma+doc",
            f"/bai-viet/{ARTICLE}/lich-su",
            f"/bai-viet/{ARTICLE}/duyet",
            "/thung-rac",
            "/anh",
            "/nhat-ky",
        ):
            page.goto(base + url)
            found += [f"{url} at {width}px: {line}" for line in axe_violations(page)]
    context.close()
    assert not found, "\n".join(found)
    assert not errors, errors
    assert not dialogs, dialogs  # the fixture's title with </script><script>alert(1) is shown as text


def photo_with_gps() -> bytes:
    """Return a JPEG photograph whose EXIF holds a GPS position (the site must strip it)."""
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (16.0, 49.0, 0.5), 3: "E", 4: (107.0, 5.0, 0.5)})
    out = BytesIO()
    Image.linear_gradient("L").resize((1200, 800)).convert("RGB").save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def log_in_page(browser, base: str, name: str):
    """Return a page of a new browser context logged in through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/dang-nhap")
    page.get_by_label(STRINGS["login_name"]).fill(name)
    page.get_by_label(STRINGS["login_password"]).fill(PASSWORD)
    page.get_by_role("button", name=STRINGS["login_button"]).click()
    page.wait_for_url(base + "/")
    return page


@pytest.mark.browser
def test_an_editor_writes_the_chief_editor_publishes_and_the_history_restores_in_chromium(desk, browser):
    """Issue 22's flow: form with an NFD locality and a photograph, review, publish, public pages, history."""
    import feedparser

    project, base = desk
    title = "Đông Hà ra quân thi đua những tháng cuối năm"
    page = log_in_page(browser, base, "ly")
    page.goto(base + "/bai-viet/moi")
    page.wait_for_selector("#localities-0[role=combobox]")
    page.fill("#title", title)
    page.fill("#date", "2024-10-01T08:00")
    page.select_option("#category", "Phát động phong trào")
    field = page.locator("#localities-0")
    field.press_sequentially(unicodedata.normalize("NFD", "Đông Hà"))
    listbox = page.locator("#" + field.get_attribute("aria-controls"))
    listbox.locator("[role=option]", has_text="Thành phố Đông Hà").first.click()
    assert field.input_value() == "Thành phố Đông Hà"
    page.set_input_files(
        "#td-desk-edit-upload-file",
        files=[{"name": "ảnh ra quân.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}],
    )
    page.click("button[form=td-desk-edit-upload-form]")
    page.wait_for_function("() => document.getElementById('image').value === 'images/anh-ra-quan.jpg'")
    page.fill("#image_alt", "Cán bộ phường xếp hàng trước hội trường")
    page.fill("#image_caption", "Lễ ra quân sáng 1/10")
    page.fill("#body", "Sáng 1/10, thành phố Đông Hà tổ chức lễ ra quân thi đua.")
    frame = page.frame_locator("#td-desk-edit-preview-frame")
    frame.locator("h1", has_text=title).wait_for()
    page.click(".td-desk-actions button[type=submit]:not([formaction])")
    page.wait_for_url("**/sua?da_luu=1")
    path = re.search(r"/bai-viet/(.+)/sua", page.url).group(1)
    page.goto(f"{base}/bai-viet/{path}/duyet")
    page.get_by_role("button", name=STRINGS["submit"]).click()
    page.get_by_text(STRINGS["submitted"]).wait_for()

    chief = log_in_page(browser, base, "tbt")
    chief.goto(f"{base}/bai-viet/{path}/duyet")
    assert chief.locator("[data-state]").get_attribute("data-state") == "in_review"
    with chief.expect_navigation(timeout=300_000):  # the strict publish runs before the answer
        chief.get_by_role("button", name=STRINGS["publish_now"]).click()
    assert chief.locator("[data-result=ok]").count() == 1, chief.locator("body").inner_text()
    published = (project / "content" / path).read_text(encoding="utf-8")

    # The public site: the article, its locality's page and the feed; the photograph without GPS.
    output = project / "output"
    article = (output / "tin-tuc/dong-ha-ra-quan-thi-dua-nhung-thang-cuoi-nam/index.html").read_text(encoding="utf-8")
    assert title in article and "Lễ ra quân sáng 1/10" in article
    assert title in (output / "dia-phuong/dong-ha-quang-tri-cu/index.html").read_text(encoding="utf-8")
    assert title in [entry.title for entry in feedparser.parse(str(output / "rss.xml")).entries]
    copies = [p for p in output.rglob("anh-ra-quan*") if p.suffix in (".jpg", ".webp")]
    assert copies and all(not Image.open(p).getexif().get_ifd(0x8825) for p in copies)

    # The editor's later edit of the published article waits for review, off the site and out of content/.
    page.goto(f"{base}/bai-viet/{path}/sua")
    page.fill("#title", title + " (bản sửa nhầm)")
    page.click(".td-desk-actions button[type=submit]:not([formaction])")
    page.wait_for_url("**/duyet?de_xuat=1")
    page.get_by_text(STRINGS["pending_saved"]).wait_for()
    assert (project / "content" / path).read_text(encoding="utf-8") == published
    # The chief editor sees both versions and publishes the correction, then takes it back through the history.
    chief.goto(f"{base}/bai-viet/{path}/duyet")
    assert "(bản sửa nhầm)" in chief.locator("[data-version=proposed]").inner_text()
    with chief.expect_navigation(timeout=300_000):
        chief.get_by_role("button", name=STRINGS["republish"]).click()
    assert chief.locator("[data-result=ok]").count() == 1, chief.locator("body").inner_text()
    assert "(bản sửa nhầm)" in (project / "content" / path).read_text(encoding="utf-8")
    log = git(project, "log", "-1", "--format=%an|%s", "--", f"content/{path}").strip()
    assert log == f"Huỳnh Thị Ly|Bàn biên tập: lưu {path} (bản sửa được duyệt)"  # its author's commit
    chief.goto(f"{base}/bai-viet/{path}/lich-su")
    chief.get_by_role("button", name=STRINGS["restore"]).first.click()  # the version before the correction
    chief.get_by_text(STRINGS["restored"]).wait_for()
    assert (project / "content" / path).read_text(encoding="utf-8") == published
