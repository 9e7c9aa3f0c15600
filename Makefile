# 同心 Tongxin — two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the browser tests (tests/e2e) drive the system's Chromium: installed when missing and apt
# can (tests/e2e/install-chromium.sh); without it they are skipped
CHROMIUM := /usr/bin/chromium
BROWSER_SKIPPED := 浏览器测试已跳过：未找到 $(CHROMIUM)，apt-get install chromium chromium-driver 后即可运行 · browser tests skipped: no $(CHROMIUM); apt-get install chromium chromium-driver to run them

.PHONY: demo test e2e browser lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tongxin solve scenarios/hongguang.json
	$(BIN)/tongxin load scenarios/hongguang.json

browser:
	@sh tests/e2e/install-chromium.sh
	@test -x $(CHROMIUM) || echo "$(BROWSER_SKIPPED)"

# the tests run in one pytest-xdist worker per core; each test module stays on one worker
# (--dist loadscope), as the browser tests' modules follow one story on one server and the
# modules that share a solved week build it once. Every worker has its own temporary folder,
# SQLite files and PostgreSQL schemas (t_<worker>_<random>), and its servers take free ports.
# One file alone runs without it: .venv/bin/pytest tests/matcher/test_solver.py
PARALLEL := -n auto --dist loadscope

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PARALLEL)

e2e: $(STAMP) browser
	$(BIN)/python -m pytest tests/e2e

# mypy checks the packages pyproject.toml names under [tool.mypy], tests/ among them
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/tongxin bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
