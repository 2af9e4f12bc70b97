"""The top of every chapter: the setup cell that repairs a learner's environment, and the one seed.

* The first code cell makes sure the book's companion package is there (installing it from the
  repository's archive when the notebook was opened alone): a few visible lines, no versions.
* A cell tagged `parameters` (papermill's convention) sets `SEED`; `make robustness` injects other
  seeds there. No other literal seed may stay in a notebook.
* The cell after it calls `ks.start(SEED, ...)`, which installs the book's pins
  (keeping_state.PINS, generated from requirements.txt) of CORE and of the extras it names where
  they are missing or older. It must name every third-party package the notebook imports: no
  notebook carries its own pin list.
"""
import re

import pytest

import keeping_state
from bookfiles import (ROOT, cells, load, notebooks, pins, setup_cell, setup_extras, source,
                       start_call)

SEEDED = [p for p in notebooks() if p.parent.name in ("chapters", "appendix")]
ids = [p.name for p in SEEDED]
# import name -> distribution name, for every third-party package a chapter may import
DISTRIBUTIONS = {"tensorflow": "tensorflow", "keras": "keras", "numpy": "numpy",
                 "pandas": "pandas", "matplotlib": "matplotlib", "myst_nb": "myst-nb",
                 "ai_edge_litert": "ai-edge-litert", "onnxruntime": "onnxruntime",
                 "tf2onnx": "tf2onnx", "onnx": "onnx", "scipy": "scipy"}
SETUP_LINES = 8
VERSION = re.compile(r"==\s*\d|\d+\.\d+\.\d+")  # a pin or a version number


def setup_pins(path):
    """name -> version of what a notebook's setup cell installs."""
    extras = setup_extras(path)
    assert extras is not None, f"{path.name}: no cell calls ks.start(SEED, ...)"
    return {name: keeping_state.PINS[name] for name in (*keeping_state.CORE, *extras)}


def test_the_package_pins_are_requirements_pins():
    required = pins((ROOT / "requirements.txt").read_text())
    wrong = {n: (v, required.get(n)) for n, v in keeping_state.PINS.items()
             if required.get(n) != v}
    assert not wrong, f"keeping_state/_pins.py is stale (run tools/generate.py): {wrong}"
    assert set(keeping_state.CORE) <= set(keeping_state.PINS)


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_setup_cell_is_short_and_carries_no_pins(path):
    text = setup_cell(path)
    assert len(text.splitlines()) <= SETUP_LINES, \
        f"{path.name}: the setup cell has {len(text.splitlines())} lines (at most {SETUP_LINES})"
    assert not VERSION.search(text), \
        f"{path.name}: the setup cell names versions; they live in requirements.txt only"
    assert 'find_spec("keeping_state")' in text and "%pip install" in text
    start = start_call(path)
    assert start and not VERSION.search(start)
    unknown = set(setup_extras(path)) - set(keeping_state.PINS)
    assert not unknown, f"{path.name}: ks.start names unpinned packages {sorted(unknown)}"


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_setup_cell_covers_every_import(path):
    code = "\n".join(source(c) for c in cells(load(path), "code"))
    imported = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code, flags=re.M))
    needed = {DISTRIBUTIONS[m] for m in imported if m in DISTRIBUTIONS}
    missing = needed - set(setup_pins(path))
    assert not missing, f"{path.name} imports {sorted(missing)}, which its setup cell omits"


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_one_parameters_cell_sets_the_seed(path):
    code = cells(load(path), "code")
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    assert re.match(r"SEED = \d+\b", source(tagged[0])), \
        f"{path.name}: the parameters cell must set SEED = <integer>"
    assert code.index(tagged[0]) == 1, f"{path.name}: the parameters cell follows the setup cell"


LITERAL_SEED = re.compile(
    r"(seed\s*=\s*\d|set_random_seed\(\s*\d|default_rng\(\s*\d?\s*\)|RandomState\(\s*\d"
    r"|np\.random\.seed\(|np\.random\.(rand|randn|uniform|normal|randint|choice|"
    r"shuffle|permutation)\()")


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_no_other_literal_seed(path):
    """Every random choice derives from SEED: no literal seed, no unseeded global generator."""
    bad = [line.strip() for c in cells(load(path), "code")
           if "parameters" not in c["metadata"].get("tags", [])
           for line in source(c).splitlines() if LITERAL_SEED.search(line)]
    assert not bad, f"{path.name}: randomness that does not derive from SEED: {bad}"


def check_setup_pins():
    """The BOOK_PINS of book/check_setup.ipynb (written by tools/generate.py: that notebook
    installs nothing, so it cannot import the package to read them)."""
    import ast
    match = re.search(r"^BOOK_PINS = (\{.*?\})$", setup_cell(ROOT / "book" / "check_setup.ipynb"),
                      flags=re.S | re.M)
    assert match, "check_setup.ipynb: its first code cell must set BOOK_PINS"
    return ast.literal_eval(match.group(1))


def test_setup_check_knows_the_pins():
    """`make doctor` and book/check_setup.ipynb judge a machine by what the chapters install."""
    check = check_setup_pins()
    needed = {name: v for path in SEEDED for name, v in setup_pins(path).items()}
    assert check == needed, f"check_setup.ipynb checks {check}, not {needed}: run tools/generate.py"
