# kejifu — the commands:  make demo  (dashboards on the demo workspace)  ·  make lab  (notebooks)  ·  make test
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
WORKSPACE ?= data/demo
PORT   ?= 8866
PYTEST_ARGS ?=

.PHONY: demo lab docs lint test venv workspace status serve bench clean-demo sync-notebooks screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installed when pyproject.toml changes; the stamp keeps repeated runs quick.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,lab]"
	touch $@

venv: $(VENV)/.installed

## make demo: set up, build the synthetic demo workspace, serve the dashboards on http://127.0.0.1:$(PORT)
demo: venv workspace
	$(BIN)/kejifu status $(WORKSPACE) --as-of 2005-06-30
	$(BIN)/kejifu serve $(WORKSPACE) --port $(PORT)

## make lab: JupyterLab on the planner notebooks, working on the demo workspace (built when missing)
LAB_ARGS ?=
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: venv
	test -f $(WORKSPACE)/plan.yaml || $(MAKE) workspace
	KEJIFU_WORKSPACE=$(abspath $(WORKSPACE)) $(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

workspace: venv
	rm -f $(WORKSPACE)/kejifu.sqlite $(WORKSPACE)/kejifu.sqlite-* $(WORKSPACE)/plan.yaml
	$(BIN)/kejifu init $(WORKSPACE) --demo

## make test: set up (system packages too, when root) and run the whole suite
test: venv
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv workspace
	$(BIN)/kejifu bench --scale county

## make lint: the checks tests/test_layers.py runs — ruff (lint, format) and the import contracts
LINT_PATHS = kejifu tests bench scripts dashboards/*.py notebooks/*.py
lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports

## make docs: regenerate docs/internals.md from the package (tests/test_docs.py checks it is current)
docs: venv
	$(BIN)/python scripts/internals.py

## make screenshots: the README's desktop and phone screenshots of every dashboard (docs/screenshots/)
screenshots: venv
	$(BIN)/python scripts/screenshots.py

sync-notebooks: venv
	$(BIN)/jupytext --sync notebooks/*.ipynb dashboards/*.ipynb

clean-demo:
	rm -f $(WORKSPACE)/kejifu.sqlite $(WORKSPACE)/kejifu.sqlite-* $(WORKSPACE)/plan.yaml
