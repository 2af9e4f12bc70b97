# The book's commands. Each one creates .venv and installs the pins on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PORT   ?= 8000

.PHONY: help venv book slides pdf serve test robustness learner-check doctor lab bench exercises learners older-stack timings profile profile-test linkcheck clean

help:
	@echo "make book   build the website strictly into _build/html (runs every chapter)"
	@echo "make slides a reveal.js deck per chapter, offline, into _build/html/slides (needs npm)"
	@echo "make pdf    the whole book as one PDF, _build/html/keeping-state.pdf (needs chromium)"
	@echo "make serve  serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make test   nbval on every chapter, the repo's own tests and the strict build"
	@echo "make robustness  every chapter under other seeds and numerics, into book/robustness.json"
	@echo "make learner-check  each chapter's learner copy alone, in a fresh venv from binder/"
	@echo "make doctor is this machine ready for a workshop? (versions, memory, a tiny LSTM)"
	@echo "make lab    JupyterLab on the book, for workshops"
	@echo "make bench  chapter 5's timings at full size, into _build/bench/"
	@echo "make exercises  plain learner notebooks, with and without solutions, into _build/html/exercises/"
	@echo "make learners  the learners branch the launch buttons open, into _build/learners/"
	@echo "make older-stack  each chapter as Colab runs it, from TensorFlow 2.19/Keras 3.10 (slow)"
	@echo "make timings  after make test: record run times for the teaching schedule"
	@echo "make profile  each notebook alone, cell by cell: where the seconds go (_build/timings/)"
	@echo "make profile-test  the same table from the last make test's cell times (no run)"
	@echo "make linkcheck  check every external link of the site (needs the network)"
	@echo "make clean  remove _build (the site and the execution cache)"

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

book: venv
	$(BIN)/jupyter-book build . -n -W --keep-going
	@echo "The site: file://$(CURDIR)/_build/html/index.html"

# reveal.js for the decks: the npm package pinned in package-lock.json, into node_modules/.
REVEAL := node_modules/reveal.js/dist/reveal.js
$(REVEAL): package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The decks and the PDF are made from the executions of `make book` (its cache): nothing reruns.
slides: book $(REVEAL)
	$(BIN)/python tools/slides.py

pdf: book
	$(BIN)/python tools/book_pdf.py

# Every external link of the site (the source articles are web pages); weekly in CI (links.yml).
linkcheck: venv
	$(BIN)/jupyter-book build . --builder linkcheck

serve: book
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# Three sessions: nbval runs every notebook once and stores its outputs in the build's execution
# cache (conftest.py); notebooks whose timing checks need the machine to themselves (marked
# run_alone by conftest.py: chapter 5) run after the others, alone, and then the robustness page
# (run_last), which shows what the chapters of this run glued. The structure tests and the
# strict build then reuse those executions (--dist load spreads the browser checks over both
# workers; the build is made once, under a lock).
test: venv
	rm -rf _build/timings/nbval.json _build/glued
	$(BIN)/python -m pytest book -m "not learner_env and not run_alone and not run_last"; \
	shared=$$?; \
	$(BIN)/python -m pytest book -m "run_alone or run_last" -n 0; alone=$$?; \
	if [ $$alone = 5 ]; then alone=0; fi; \
	$(BIN)/python -m pytest tests --dist load && exit $$((shared || alone))

# Every chapter under other seeds, and at its own seed (or NUMERICS_SEEDS) under other numerics
# (oneDNN held to AVX2, oneDNN off); any failing assert fails the run. SEEDS="1 2 3" and
# NUMERICS=onednn-off choose them.
SEEDS ?= 1 2 3 4
NUMERICS ?= avx2,onednn-off
NUMERICS_SEEDS ?=
robustness: venv
	$(BIN)/python tools/robustness.py --seeds "$(SEEDS)" --numerics "$(NUMERICS)" \
	  --numerics-seeds "$(NUMERICS_SEEDS)" $(ROBUSTNESS_FLAGS)

# Each chapter's learner copy, alone in an empty folder, runs in one fresh venv made from
# binder/requirements.txt (registry packages only). LEARNER_CHAPTERS="02 05" limits the chapters.
learner-check: venv
	$(BIN)/python -m pytest -m learner_env -n 0 -p no:cacheprovider tests/test_learner_env.py

# Before a workshop: is this machine ready? Uses .venv if it exists, else the system python3.
doctor:
	@export TF_CPP_MIN_LOG_LEVEL=3; \
	if [ -x $(BIN)/python ]; then $(BIN)/python tools/doctor.py; else $(PYTHON) tools/doctor.py; fi

lab: venv
	$(BIN)/jupyter lab book/

bench: venv
	$(BIN)/python benchmarks/step_inference.py

exercises: venv
	$(BIN)/python tools/learner_copies.py

# What the launch buttons open (the deploy workflow pushes it): into _build/learners.
learners: venv
	$(BIN)/python tools/learner_branch.py

# Every chapter and the appendix as Colab runs them, from an older TensorFlow/Keras, no myst-nb.
older-stack: venv
	$(BIN)/python tools/older_stack.py

# Every cell's time: each notebook alone (NOTEBOOKS="book/chapters/03_bptt_windows.ipynb" limits
# them), or from the last make test (two notebooks side by side).
profile: venv
	$(BIN)/python tools/cell_times.py $(NOTEBOOKS)

profile-test: venv
	$(BIN)/python tools/cell_times.py --from-test

timings: venv
	$(BIN)/python tools/record_timings.py
	# the schedule must still fit the day with the new run times
	$(BIN)/python -m pytest -q -n 0 -p no:cacheprovider book/teaching.ipynb

clean:
	rm -rf _build
