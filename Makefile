# Two commands for a fresh Debian machine: `make app` (set up and start) and `make test` (the whole suite).
# `make setup` installs alone; it is idempotent and quick when nothing changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := ffmpeg chromium poppler-utils fonts-dejavu-core fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b sqlite3 espeak-ng hunspell-nl libhunspell-1.7-0 strace
# Voices for the tests' synthetic speech only (../shared/eval/synthesize.py speaks Dutch with MBROLA; the Turkish
# tests too). They live in Debian's contrib and non-free sections, which a fresh machine often has switched off:
# `make test`, `soak` and `bench` switch them on for Debian's own mirror (a sources file beside the system's, same
# URIs, suites and key) when the voices are missing. `make app` never needs them.
TEST_DEBIAN_PACKAGES := mbrola mbrola-nl2 mbrola-nl3 mbrola-tr1 mbrola-tr2
APT_EXTRA_SOURCES := /etc/apt/sources.list.d/transkript-contrib-non-free
PYTEST_ARGS ?=

.PHONY: setup system-packages test-packages app test soak bench clean

setup: system-packages $(VENV)/.installed

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Debian-pakketten installeren / installing Debian packages: $$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
		rm -f $${MPLCONFIGDIR:-$$HOME/.cache/matplotlib}/fontlist-*.json; \
	fi

test-packages:
	@missing=$$(for p in $(TEST_DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Teststemmen (MBROLA, Debian contrib/non-free) installeren / installing test voices: $$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		if ! apt-cache show $$missing >/dev/null 2>&1; then \
			if [ -f /etc/apt/sources.list.d/debian.sources ]; then \
				sed 's/^Components:.*/Components: contrib non-free/' /etc/apt/sources.list.d/debian.sources \
					| $$SUDO tee $(APT_EXTRA_SOURCES).sources >/dev/null; \
			elif [ -f /etc/apt/sources.list ]; then \
				sed -n 's/^\(deb [^#]*\) main.*$$/\1 contrib non-free/p' /etc/apt/sources.list \
					| $$SUDO tee $(APT_EXTRA_SOURCES).list >/dev/null; \
			fi; \
			$$SUDO apt-get update -qq; \
		fi; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml setup.py Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m transkript_kernel.weights --prepare
	$(PY) -m transkript_kernel.diarize --prepare
	@touch $@

app: setup
	$(VENV)/bin/transkript app

test: setup test-packages
	$(PY) -m pytest $(PYTEST_ARGS)

# the long crash soak: thousands of SIGKILLs in the case file's workflow, plaintext and encrypted (not in `test`)
soak: setup test-packages
	TRANSKRIPT_SOAK=1 $(PY) -m pytest -m soak tests/test_casefile_killed.py $(PYTEST_ARGS)

bench: setup test-packages
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
