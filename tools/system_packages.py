"""Install the Debian packages a make target needs, or say in one line how to.

Usage: python3 tools/system_packages.py serve|test

Runs before the virtual environment exists, so it uses the standard library only. A package
counts as present when what the target uses is there (a file or a command), not by its Debian
name: Java or Node.js installed another way (Temurin, NodeSource) is good enough.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Debian package → what proves it is usable: an absolute path, a command on PATH, or "module:x".
SERVE = {
    "python3-venv": "module:ensurepip",  # `python3 -m venv` needs it; Debian's python3 lacks it
}
# Only the tests need a browser, a web server, Java (Nu checker) and npm (axe-core, vnu-jar).
TEST = {
    **SERVE,
    "chromium": "/usr/bin/chromium",
    "nginx": "/usr/sbin/nginx",
    "libnginx-mod-http-brotli-filter": "/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so",
    "libnginx-mod-http-brotli-static": "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so",
    "rsync": "rsync",
    "default-jre-headless": "java",
    "npm": "npm",
}
PROFILES = {"serve": SERVE, "test": TEST}
APT = ["apt-get", "install", "-y", "--no-install-recommends"]


def present(probe: str) -> bool:
    """Whether one probe is satisfied on this machine."""
    if probe.startswith("module:"):
        return importlib.util.find_spec(probe.removeprefix("module:")) is not None
    if probe.startswith("/"):
        return Path(probe).exists()
    return shutil.which(probe) is not None


def missing(profile: dict[str, str], is_present=present) -> list[str]:
    """The Debian packages of a profile whose probe fails, in the profile's order."""
    return [package for package, probe in profile.items() if not is_present(probe)]


def advice(target: str, packages: list[str], *, root: bool, debian: bool) -> str:
    """The one line printed when we may not install: what is missing and the exact command."""
    command = " ".join([*([] if root else ["sudo"]), *APT, *packages])
    if not debian:
        return f"make {target}: missing system packages ({' '.join(packages)}); install their equivalents (on Debian: {command})"
    return f"make {target}: missing system packages; run: {command}"


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) == 2 else ""
    if target not in PROFILES:
        print(f"usage: {argv[0]} {'|'.join(PROFILES)}", file=sys.stderr)
        return 2
    packages = missing(PROFILES[target])
    if not packages:
        return 0
    root = os.geteuid() == 0
    debian = shutil.which("apt-get") is not None and Path("/etc/debian_version").exists()
    if not (root and debian):
        print(advice(target, packages, root=root, debian=debian), file=sys.stderr)
        return 1
    print(f"make {target}: installing {' '.join(packages)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*APT, "-q", *packages], check=True, env=env)
    still = missing(PROFILES[target])
    if still:  # e.g. a package that no longer ships the file the tests use
        print(f"make {target}: still missing after apt-get install: {' '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
