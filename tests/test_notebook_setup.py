"""The top of every chapter: the setup cell that repairs a learner's environment, and the one seed.

* The first code cell installs the book's tested versions where they are missing or older (Colab, a
  hub, a bare laptop). The versions it names must be the pins of `requirements.txt`, and it must
  name every third-party package the notebook imports.
* A cell tagged `parameters` (papermill's convention) sets `SEED`; `make robustness` injects other
  seeds there. No other literal seed may stay in a notebook.
"""
import ast
import re

import pytest

from bookfiles import ROOT, cells, load, notebooks, source

SEEDED = [p for p in notebooks() if p.parent.name in ("chapters", "appendix")]
ids = [p.name for p in SEEDED]
# import name -> distribution name, for every third-party package a chapter may import
DISTRIBUTIONS = {"tensorflow": "tensorflow", "keras": "keras", "numpy": "numpy",
                 "pandas": "pandas", "matplotlib": "matplotlib", "myst_nb": "myst-nb",
                 "ai_edge_litert": "ai-edge-litert", "onnxruntime": "onnxruntime",
                 "tf2onnx": "tf2onnx", "onnx": "onnx", "scipy": "scipy"}


def pins():
    text = (ROOT / "requirements.txt").read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", text, flags=re.M))


def setup_pins(path):
    """The BOOK_PINS dictionary of a notebook's first code cell."""
    first = source(cells(load(path), "code")[0])
    match = re.search(r"^BOOK_PINS = (\{.*?\})$", first, flags=re.S | re.M)
    assert match, f"{path.name}: the first code cell must be the setup cell with BOOK_PINS"
    return ast.literal_eval(match.group(1))


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_setup_cell_installs_the_pins(path):
    book_pins, required = setup_pins(path), pins()
    wrong = {name: (version, required.get(name)) for name, version in book_pins.items()
             if required.get(name) != version}
    assert not wrong, (f"{path.name}: the setup cell's versions differ from requirements.txt "
                       f"(cell, pin): {wrong}; copy the pins into the cell")


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_setup_cell_covers_every_import(path):
    code = "\n".join(source(c) for c in cells(load(path), "code"))
    imported = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code, flags=re.M))
    needed = {DISTRIBUTIONS[m] for m in imported if m in DISTRIBUTIONS}
    missing = needed - set(setup_pins(path))
    assert not missing, f"{path.name} imports {sorted(missing)}, which its setup cell omits"


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_setup_cell_is_hidden_and_quiet(path):
    first = cells(load(path), "code")[0]
    assert "hide-cell" in first["metadata"].get("tags", []), f"{path.name}: tag it hide-cell"
    text = source(first)
    assert "myst_nb" not in text.split("BOOK_PINS")[0], "the setup cell must not import myst_nb"
    assert '"-q"' in text and "restart" in text


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


def test_setup_check_knows_the_pins():
    """`make doctor` and book/check_setup.ipynb judge a machine by the book's pins."""
    check = setup_pins(ROOT / "book" / "check_setup.ipynb")
    needed = {name for path in SEEDED for name in setup_pins(path)}
    assert set(check) == needed, f"check_setup.ipynb checks {sorted(check)}, not {sorted(needed)}"
    wrong = {n: v for n, v in check.items() if pins().get(n) != v}
    assert not wrong, f"check_setup.ipynb's versions differ from requirements.txt: {wrong}"
