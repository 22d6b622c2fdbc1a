# One entry point per habit: make demo | test | lint | bench. Each creates .venv and installs into it when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The test files that exercise the adapters of mel_core/adapters/ (Whoosh, papermill/nbclient, Sphinx), run again
# by `make test-public` with every adapter on its library's public API (MEL_PUBLIC_API=1): a subset, for time
PUBLIC_TESTS := tests/test_kb_index.py tests/test_kb_search.py tests/test_kb_quality.py tests/test_kernels.py \
  tests/test_evaluations.py::test_one_programme_on_every_criterion_stores_ratings_findings_recommendations_and_provenance \
  tests/test_evaluations.py::test_a_broken_template_keeps_its_notebook_marks_the_evaluation_failed_and_stores_no_findings \
  tests/test_evaluations.py::test_one_process_can_evaluate_inline_then_with_workers \
  tests/test_book.py::test_the_book_holds_the_years_public_lessons_and_never_contacts_internal_lessons_or_drafts \
  tests/test_book.py::test_rebuilds_redo_only_what_changed_and_withdrawn_lessons_leave_the_site

# The tests run in parallel (pytest-xdist): one worker per logical CPU (2 on CI; `auto` would count physical
# cores only: 1 on a 2-vCPU machine), each test file whole on one worker (--dist loadfile), so its module-scoped
# fixtures are built once and its tests run in their written order. Each worker has its own PostgreSQL server,
# `mel demo` run and temporary folders. Serially: `make test TEST_WORKERS=0`.
TEST_WORKERS ?= logical
XDIST := -n $(TEST_WORKERS) --dist loadfile

# JupyterLab for `make lab`: nothing fetched from the internet (no news, no update check, no extension listing
# from PyPI), so it works offline; root (CI, containers) must say so
LAB_OPTIONS := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

.PHONY: demo lab test test-public lint style format bench sample docs clean help

help:
	@echo "make demo   set up and run the main job on the embedded sample"
	@echo "make lab    JupyterLab on notebooks/ with the demo store (made by mel demo when there is none)"
	@echo "make test   set up and run every test (SQLite and embedded PostgreSQL), then make test-public"
	@echo "make test-public  the adapters' tests again on the libraries' public APIs (MEL_PUBLIC_API=1)"
	@echo "make lint   ruff (lint and format check) and mypy"
	@echo "make style  ruff only (what CI checks besides the tests)"
	@echo "make bench  benchmarks; figures go to bench/README.md"

# constraints.txt: the versions of the libraries whose inner names mel_core/adapters/ uses
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	scripts/system-packages.sh book
	$(BIN)/mel demo

# the templates read MEL_HOME's store, else the nearest .mel/mel.db above them: the one `mel demo` makes here
lab: $(STAMP)
	test -f "$${MEL_HOME:-.mel}/mel.db" || $(BIN)/mel demo --no-book
	$(BIN)/python -m jupyterlab $(LAB_OPTIONS) $(LAB_ROOT) --ServerApp.root_dir=notebooks

test: $(STAMP)
	scripts/system-packages.sh test
	$(BIN)/python -m pytest $(XDIST)
	$(MAKE) --no-print-directory test-public

test-public: $(STAMP)
	MEL_PUBLIC_API=1 $(BIN)/python -m pytest $(XDIST) $(PUBLIC_TESTS)

lint: style
	$(BIN)/mypy

style: $(STAMP)
	$(BIN)/ruff check mel_core tests bench
	$(BIN)/ruff format --check mel_core tests bench

format: $(STAMP)
	$(BIN)/ruff format mel_core tests bench
	$(BIN)/ruff check --fix mel_core tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bench_evaluate.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_monitoring.py
	$(BIN)/python bench/bench_book.py
	$(BIN)/python bench/bench_portal.py

sample: $(STAMP)
	$(BIN)/python -m mel_core.demo.sample
	$(BIN)/python -m mel_core.demo.trade_promotion --out mel_core/demo/trade_promotion_framework.xlsx

docs: $(STAMP)
	$(BIN)/python -m mel_core.ingest.docs

clean:
	rm -rf $(VENV) .mel .pytest_cache .mypy_cache .ruff_cache book/_build tests/_artifacts
