# The targets people type. `make run` and `make test` work on a fresh clone: they create .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# torch comes first, pinned. Where pip's own configuration offers no CPU wheel of it, name PyTorch's CPU index,
# or PyPI's default (CUDA) build is pulled in, gigabytes of it: make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=

.PHONY: install browser run test test-all screenshots lint eval bench train

$(BIN)/claimgraph: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	# [distributed] (Ray Data, pyarrow, pandas: about 500 MB, a minute) so that the Ray engine's tests run too.
	$(BIN)/pip install --quiet -e '.[dev,distributed]'
	touch $(BIN)/claimgraph

install: $(BIN)/claimgraph

# The browser tests drive Debian's Chromium (never a downloaded browser); install it when it is missing.
/usr/bin/chromium:
	command -v apt-get >/dev/null && (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium))

browser: /usr/bin/chromium

# Store the team's corpus (only new or changed files), then serve the API and web pages on 127.0.0.1:8000.
run: install
	$(BIN)/claimgraph ingest corpus && $(BIN)/claimgraph serve

# Tests that need the seed articles, the real-text pool or PostgreSQL skip with the reason when those are
# missing (CI=true makes that an error); see the README's prerequisites.
test: install browser
	$(BIN)/python -m pytest -m "not slow" -q

test-all: install browser
	$(BIN)/python -m pytest -q

# The browser tests again, writing their screenshots of every page to docs/screenshots/.
screenshots: install browser
	CLAIMGRAPH_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/web/test_browser.py -q

lint: install
	$(BIN)/ruff check pipelines service tests bench
	$(BIN)/ruff format --check pipelines service tests bench
	$(BIN)/mypy pipelines service --ignore-missing-imports

eval: install
	$(BIN)/claimgraph evaluate --split dev
	$(BIN)/claimgraph evaluate --split test

train: install
	$(BIN)/claimgraph train

bench: install
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/ray_scale.py
	$(BIN)/python bench/inference.py
