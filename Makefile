# Two commands from a fresh clone: `make serve` and `make test`. Everything else is `invoke`.
# Each installs what it needs: Debian packages (tools/system_packages.py), then the hashed
# Python lock for its purpose (requirements/: runtime ⊂ data ⊂ test), then npm for the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime.installed
TEST := $(VENV)/.test.installed
NODE := node_modules/.installed

.PHONY: serve test html publish check bench clean bootstrap lock system-serve system-test

# Debian packages: installed when missing (as root), otherwise one line naming the command.
system-serve system-test: system-%:
	$(PYTHON) tools/system_packages.py $*

$(BIN)/python: | system-serve
	$(PYTHON) -m venv $(VENV)

# A lock installs only with every hash matching: no resolver at install time, no surprise release.
# Then the project itself, editable and without dependencies, so `thidua` and `plugins` import by
# name (the venv's own setuptools builds it: nothing is downloaded).
$(VENV)/.%.installed: requirements/%.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $<
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(NODE): package.json package-lock.json | system-test
	npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

bootstrap: $(TEST) $(NODE)

serve: $(RUNTIME)
	$(BIN)/invoke livereload

test: system-test $(TEST) $(NODE)
	$(BIN)/invoke test

html: $(RUNTIME)
	$(BIN)/invoke build

publish: $(RUNTIME)
	$(BIN)/invoke publish

check: $(RUNTIME)
	$(BIN)/invoke check

# The benchmarks of docs/performance.md (tens of minutes at 10,000 articles): also installs Hugo,
# the anchor they compare with (requirements/bench.txt).
bench: $(TEST) $(VENV)/.bench.installed
	$(BIN)/invoke bench

# The development build and caches; never output/ (the published site) or its releases.
clean:
	rm -rf preview preview.work cache .pytest_cache

# Re-resolve the locks after editing requirements/*.in (LOCK_ARGS=--upgrade to take new releases).
# The hashes must be those of the files on PyPI, so this machine's pip mirrors are left out.
lock: $(TEST)
	cd requirements && for lock in runtime data test bench; do \
	  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null ../$(BIN)/pip-compile --quiet --generate-hashes \
	    --allow-unsafe --strip-extras --no-emit-index-url $(LOCK_ARGS) --output-file=$$lock.txt $$lock.in || exit 1; \
	done
