"""The learner environment (binder/): the packages the chapters need, at the book's pins.

The slow test (marker `learner_env`, run by `make learner-check` and CI, not by `make test`)
creates a fresh venv from exactly binder/requirements.txt and executes a chapter in it.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bookfiles import ROOT
from test_notebook_setup import SEEDED, pins, setup_pins

BINDER = ROOT / "binder"
SITE_AND_TESTS = {"jupyter-book", "sphinx", "selenium", "pytest", "nbval", "papermill"}


def learner_pins():
    text = (BINDER / "requirements.txt").read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", text, flags=re.M))


def test_learner_pins_are_the_book_pins():
    learner, book = learner_pins(), pins()
    differ = {n: (v, book.get(n)) for n, v in learner.items() if book.get(n) != v}
    assert not differ, f"binder/requirements.txt differs from requirements.txt: {differ}"
    assert not SITE_AND_TESTS & set(learner), "learners need no site or test packages"


def test_learner_env_has_what_every_chapter_imports():
    needed = {name for path in SEEDED for name in setup_pins(path)}
    needed |= {"ipykernel", "jupyterlab"}
    missing = needed - set(learner_pins())
    assert not missing, f"binder/requirements.txt lacks {sorted(missing)}"


def test_runtime_is_the_tested_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11", runtime
    assert "Python 3.11" in (ROOT / "README.md").read_text()


@pytest.mark.learner_env
def test_a_chapter_runs_in_a_fresh_learner_venv(tmp_path):
    venv = tmp_path / "learner"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    install = subprocess.run(pip + ["-r", str(BINDER / "requirements.txt")],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    chapter = ROOT / "book" / "chapters" / "02_rnn_by_hand.ipynb"
    run = subprocess.run(
        [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
         "--output-dir", str(tmp_path), str(chapter)],
        capture_output=True, text=True, cwd=chapter.parent,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    assert run.returncode == 0, run.stderr[-3000:]
    executed = (tmp_path / chapter.name).read_text()
    assert "Setup: installed nothing (all present)" in executed, \
        "the setup cell installed packages that binder/requirements.txt should have provided"
