"""The documented nginx configuration: `nginx -t` accepts it and a real nginx serves the site."""

import contextlib
import gzip
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MODULES = Path("/usr/lib/nginx/modules")
COMBINED = re.compile(r'^\S+ - \S+ \[[^\]]+\] "GET [^"]+ HTTP/1\.[01]" \d{3} \d+ "[^"]*" "[^"]*"$')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def standalone_config(tmp: Path, site: Path, port: int) -> Path:
    """Wrap the documented server block in a minimal nginx.conf that runs on loopback."""
    server = (ROOT / "deploy/nginx/thidua.conf").read_text(encoding="utf-8")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("listen [::]:80;\n", "")
    server = server.replace("root /var/www/thidua;", f"root {site};")
    server = server.replace("/var/log/nginx/", f"{tmp}/")
    modules = "".join(
        f"load_module {MODULES / name};\n"
        for name in ("ngx_http_brotli_filter_module.so", "ngx_http_brotli_static_module.so")
    )
    config = tmp / "nginx.conf"
    # pytest's temporary folders are private to their owner: workers must run as that user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config.write_text(
        f"""{modules}{user}worker_processes 1;
error_log {tmp}/main-error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
{server}
}}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def nginx_site(tmp_path_factory, request):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: run `make test`, which installs it (tools/system_packages.py)")
    fixture_build = request.getfixturevalue("fixture_build")
    tmp = tmp_path_factory.mktemp("nginx")
    site = tmp / "site"
    shutil.copytree(fixture_build.output, site)
    with running_nginx(tmp, site) as base:
        yield base, tmp


@contextlib.contextmanager
def running_nginx(tmp: Path, site: Path):
    """Run nginx with the documented server block serving `site`; yield its base URL."""
    tmp.chmod(0o755)
    port = free_port()
    config = standalone_config(tmp, site, port)
    check = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(tmp)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp), "-g", "daemon off;"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_root_that_is_the_publish_symlink_follows_each_switch(tmp_path, fixture_build):
    """nginx may serve `output` of `make publish` directly: it follows the symlink (disable_symlinks
    is off by default) and serves the new release from the next request on, with no reload."""
    from thidua.publishing import point_output_at

    releases = [tmp_path / "output.publish/releases" / name for name in ("1", "2")]
    for number, release in enumerate(releases, start=1):
        shutil.copytree(fixture_build.output, release)
        (release / "ban-phat-hanh.txt").write_text(f"bản {number}\n", encoding="utf-8")
    output = tmp_path / "output"
    point_output_at(releases[0], output)
    with running_nginx(tmp_path, output) as base:
        assert fetch(f"{base}/ban-phat-hanh.txt")[2] == "bản 1\n".encode()
        point_output_at(releases[1], output)
        assert fetch(f"{base}/ban-phat-hanh.txt")[2] == "bản 2\n".encode()
        assert fetch(f"{base}/")[0] == 200


def fetch(url: str, encoding: str = "identity"):
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding, "User-Agent": "thidua-test"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_pages_are_served_with_short_caching_and_security_headers(nginx_site):
    base, _ = nginx_site
    status, headers, body = fetch(base + "/tin-tuc/xa-thu-nghiem-phat-dong/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "max-age=300"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "Set-Cookie" not in headers
    assert "Xã thử nghiệm" in body.decode("utf-8")


def test_gzip_and_brotli_compression(nginx_site):
    base, _ = nginx_site
    status, headers, body = fetch(base + "/", "gzip")
    assert headers["Content-Encoding"] == "gzip"
    assert b"<!doctype html>" in gzip.decompress(body)
    _, headers, _ = fetch(base + "/", "br")
    assert headers["Content-Encoding"] == "br"


def test_missing_page_gets_the_portal_404(nginx_site):
    base, _ = nginx_site
    status, _, body = fetch(base + "/khong-co-trang-nay/")
    assert status == 404
    assert "Không tìm thấy trang" in body.decode("utf-8")


def test_fingerprinted_css_is_cached_for_a_year(nginx_site):
    base, _ = nginx_site
    _, _, body = fetch(base + "/")
    css = re.search(r'href="(/theme/site\.[0-9a-f]{10}\.css)"', body.decode("utf-8")).group(1)
    status, headers, _ = fetch(base + css)
    assert status == 200
    assert headers["Cache-Control"] == "max-age=31536000"


def test_access_log_uses_the_combined_format_that_stats_reads(nginx_site):
    base, tmp = nginx_site
    fetch(base + "/gioi-thieu/")
    time.sleep(0.2)
    lines = (tmp / "thidua.access.log").read_text(encoding="utf-8").splitlines()
    assert lines and all(COMBINED.match(line) for line in lines), lines[:3]
