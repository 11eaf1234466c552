"""The system-package step of `make serve` / `make test`: what counts as missing, and the one line it prints."""

import subprocess
import sys
from pathlib import Path

from tools.system_packages import PROFILES, advice, missing, present

SCRIPT = Path(__file__).with_name("system_packages.py")


def test_missing_lists_exactly_the_packages_whose_probe_fails_in_profile_order():
    there = {"java", "npm", "module:ensurepip", "/usr/sbin/nginx"}
    assert missing(PROFILES["test"], lambda probe: probe in there) == [
        "chromium",
        "libnginx-mod-http-brotli-filter",
        "libnginx-mod-http-brotli-static",
        "rsync",
    ]


def test_serve_needs_no_browser_java_or_web_server():
    assert missing(PROFILES["serve"], lambda probe: False) == ["python3-venv"]


def test_the_tests_need_the_browser_web_server_and_java_they_run():
    assert {"chromium", "nginx", "default-jre-headless", "npm", "rsync"} <= set(PROFILES["test"])


def test_probes_are_files_commands_or_modules():
    assert present(sys.executable) and present("module:json") and present(Path(sys.executable).name)
    assert not present("/nonexistent/chromium") and not present("module:no_such_module") and not present("no-such-cmd")


def test_advice_is_one_line_with_the_exact_command():
    assert (
        advice("test", ["chromium", "nginx"], root=False, debian=True)
        == "make test: missing system packages; run: sudo apt-get install -y --no-install-recommends chromium nginx"
    )
    assert advice("serve", ["python3-venv"], root=True, debian=True).endswith(
        "run: apt-get install -y --no-install-recommends python3-venv"
    )


def test_advice_off_debian_names_the_packages_and_the_debian_command():
    line = advice("test", ["chromium"], root=True, debian=False)
    assert line == (
        "make test: missing system packages (chromium); install their equivalents "
        "(on Debian: apt-get install -y --no-install-recommends chromium)"
    )
    assert "\n" not in line


def test_an_unknown_profile_is_a_usage_error():
    run = subprocess.run([sys.executable, SCRIPT, "deploy"], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.strip().endswith("serve|test")


def test_nothing_to_do_when_everything_is_present():
    # after `make test` (or by hand) on this machine; serve's only need is the running Python's venv
    run = subprocess.run([sys.executable, SCRIPT, "serve"], capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
