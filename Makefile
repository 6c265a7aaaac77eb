# The two commands of the README: `make run` and `make test`.
# Both set everything up on a fresh machine (a .venv with pinned dependencies).

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages lock clean chromium

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed-base
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

## run: install, migrate, load the demo and serve it on http://$(HOST):$(PORT) (SQLite, no Redis needed)
run: $(VENV)/.installed-base
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --facilitator facilitator --simulated 60
	@echo "Analysing the demo's votes (the first time also compiles the analysis engine)..."
	$(BIN)/python manage.py analyze nextstrategy --save --quiet
	$(BIN)/python manage.py suggest_themes nextstrategy --quiet --skip-if-themed --force
	@echo "Serving the demo on http://$(HOST):$(PORT)/c/nextstrategy/  (facilitators: http://$(HOST):$(PORT)/facilitate/nextstrategy/, event screen: /c/nextstrategy/screen/)"
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --no-access-log --lifespan off

## test: install what the tests need (Chromium included) and run the whole suite
# The analysis kernels are compiled once, before the tests start servers and workers that would all
# compile them at the same moment into numba's on-disk cache (which can leave it unloadable).
test: $(VENV)/.installed-dev chromium
	$(BIN)/python -c "from worker.analysis import warm_up; warm_up()"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests skip without it)"; \
	  fi; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

## messages: refresh and compile the interface translations (locale/)
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l fr -l es -l ar --no-location --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*'
	$(BIN)/python manage.py compilemessages --ignore='.venv/*'

## lock: re-pin requirements/*.txt from requirements/*.in
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

clean:
	rm -rf $(VENV) var
