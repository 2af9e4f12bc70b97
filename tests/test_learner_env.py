"""The learner environment (binder/) and the learner's path: a notebook alone, registry packages.

binder/requirements.txt is generated from requirements.txt (tools/generate.py); the tests here check
what generation cannot: it holds what the chapters import and nothing of the site or the tests.
The slow test (marker `learner_env`, run by `make learner-check` and CI, not by `make test`)
makes one fresh venv from exactly binder/requirements.txt (PyPI only), copies each chapter's
learner copy (tools/learner_copies.py: it carries the companion package) alone into an empty
folder and runs it top to bottom there. LEARNER_CHAPTERS="02 05" limits it to some chapters.
"""
import json
import os
import subprocess
import sys

import pytest

from bookfiles import ROOT, chapters, pins
from test_notebook_setup import SEEDED, setup_pins

BINDER = ROOT / "binder"
SITE_AND_TESTS = {"jupyter-book", "sphinx", "selenium", "pytest", "nbval", "papermill"}


def learner_pins():
    return pins((BINDER / "requirements.txt").read_text())


def test_learner_pins_are_the_book_pins():
    learner, book = learner_pins(), pins((ROOT / "requirements.txt").read_text())
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


def chosen_chapters():
    wanted = os.environ.get("LEARNER_CHAPTERS", "").split()
    found = [p for p in chapters() if not wanted or p.name[:2] in wanted]
    assert found, f"LEARNER_CHAPTERS={wanted} matches no chapter"
    return found


@pytest.fixture(scope="module")
def learner_venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("venv") / "learner"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    install = subprocess.run(pip + ["-r", str(BINDER / "requirements.txt")],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    show = subprocess.run([str(venv / "bin" / "python"), "-c", "import keeping_state"],
                          capture_output=True, text=True, cwd=venv)
    assert show.returncode != 0, "the learner venv must not have the package installed"
    return venv


@pytest.fixture(scope="module")
def learner_copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("copies")
    subprocess.run([sys.executable, str(ROOT / "tools" / "learner_copies.py"), "--out",
                    str(out)], check=True, capture_output=True)
    return out


@pytest.mark.learner_env
@pytest.mark.parametrize("chapter", chosen_chapters(), ids=lambda p: p.stem)
def test_a_learner_copy_runs_alone_in_a_fresh_venv(chapter, learner_venv, learner_copies,
                                                   tmp_path):
    alone = tmp_path / "empty"
    alone.mkdir()
    (alone / chapter.name).write_bytes((learner_copies / chapter.name).read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    run = subprocess.run(
        [str(learner_venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
         "--output", "executed", str(alone / chapter.name)],
        capture_output=True, text=True, cwd=alone, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    executed = json.loads((alone / "executed.ipynb").read_text())
    printed = "".join("".join(o.get("text", "")) for c in executed["cells"]
                      if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "Setup: installed nothing (all present)" in printed, \
        "the setup cell installed packages that binder/requirements.txt should have provided"
    assert (alone / "keeping_state" / "__init__.py").exists(), "the copy's package was not used"
