# Two commands do everything (each creates .venv on first use and reuses it after):
#   make lab    set up and open the notebooks in JupyterLab
#   make test   set up and run every test (lint, package, notebooks, real browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

# Matplotlib's font cache lives in the venv, so its paths always point into this venv,
# and WARM_CACHE builds it up front: never in the middle of a notebook, where "Matplotlib
# is building the font cache" would be printed as a cell's output.
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib
WARM_CACHE = $(BIN)/python -c "import matplotlib.pyplot as p; p.figure().savefig('/dev/null', format='png')"

.PHONY: lab test lint unit notebooks-test browser-test notebooks bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Run-time packages only (what `make lab` needs).
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

# Plus the test tools.
$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $@

lab: $(VENV)/.runtime
	$(WARM_CACHE)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

test: $(VENV)/.dev
	$(WARM_CACHE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# The parts of `make test`, for quicker loops while developing.
lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
unit: $(VENV)/.dev
	$(BIN)/python -m pytest tests -m "not browser"
notebooks-test: $(VENV)/.dev
	$(WARM_CACHE)
	$(BIN)/python -m pytest notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
browser-test: $(VENV)/.dev
	$(WARM_CACHE)
	$(BIN)/python -m pytest tests -m browser

# Re-execute every notebook top to bottom and store its outputs (seeded: deterministic).
notebooks: $(VENV)/.dev
	$(WARM_CACHE)
	$(BIN)/python tools/run_notebooks.py $(NOTEBOOKS)

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_panels.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/browser/screenshots
