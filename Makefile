# Two commands from a fresh clone: `make serve` and `make test`. Everything else is `invoke`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: serve test html publish check clean bootstrap lock system-serve system-test

# Debian packages: installed when missing (as root), otherwise one line naming the command.
system-serve system-test: system-%:
	$(PYTHON) tools/system_packages.py $*

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

bootstrap: $(STAMP) $(NODE_STAMP)

serve: system-serve $(STAMP)
	$(BIN)/invoke livereload

test: system-test $(STAMP) $(NODE_STAMP)
	$(BIN)/invoke test

html: $(STAMP)
	$(BIN)/invoke build

publish: $(STAMP)
	$(BIN)/invoke publish

check: $(STAMP)
	$(BIN)/invoke check

clean:
	rm -rf output cache .pytest_cache

lock: $(STAMP)
	$(BIN)/pip freeze --exclude-editable > requirements.txt
