"""The book's structure: what every chapter must have, checked without running anything."""
import re

import pytest

from bookfiles import (BOOK, ROOT, cells, chapters, exercises, existing_source, glue_calls,
                       glued_in_prose, load, notebooks, source, toc_files)

NOTEBOOKS = notebooks()
CHAPTERS = chapters()
ids = [p.name for p in NOTEBOOKS]


def test_the_book_has_chapters():
    assert CHAPTERS, "no chapter notebooks under book/chapters/"


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_files() if existing_source(entry) is None]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    absent = [p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS]
    absent = [p for p in absent if p not in listed]
    assert not absent, f"notebooks missing from _toc.yml: {absent}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_stored_outputs(path):
    dirty = [i for i, c in enumerate(load(path)["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} store outputs; the site executes fresh"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_python3_kernelspec(path):
    spec = load(path)["metadata"].get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec is {spec!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
class TestChapterPattern:
    """The pattern every chapter follows (see the chapter-pattern notes in the README)."""

    def markdown(self, path):
        return "\n".join(source(c) for c in cells(load(path), "markdown"))

    def test_one_title_first(self, path):
        first = source(load(path)["cells"][0])
        assert first.startswith("# "), f"{path.name} must open with its title (# ...)"
        titles = re.findall(r"^# ", self.markdown(path), flags=re.M)
        assert len(titles) == 1, f"{path.name} has {len(titles)} H1 titles"

    def test_sections(self, path):
        """The chapter pattern, in order: the "What you will learn" box, then the H2 sections
        "Beyond the article", "Summary" and "Exercises", Exercises last."""
        text = self.markdown(path)
        box = re.search(r"^`{3,4}\{admonition\} What you will learn", text, re.M)
        assert box, f"{path.name}: no 'What you will learn' admonition"
        h2 = re.findall(r"^## (.+?)\s*$", text, re.M)
        beyond = [i for i, h in enumerate(h2) if h.startswith("Beyond the article")]
        assert beyond, f"{path.name}: no '## Beyond the article' section"
        assert h2[-2:] == ["Summary", "Exercises"] and beyond[0] < len(h2) - 2, \
            f"{path.name}: its sections {h2} must end with Beyond the article (one or more), " \
            "Summary, Exercises"
        assert box.start() < text.index("\n## "), f"{path.name}: the box comes first"

    def test_exercises_have_folded_solutions_that_check_themselves(self, path):
        """At least three exercises, each with a gated solution folded by default (the parser
        raises on any other form); a solution that runs code asserts what it states."""
        found = exercises(load(path), path.name)
        assert len(found) >= 3, f"{path.name} has {len(found)} exercises, needs 3"
        for exercise in found:
            opening = source(exercise["solution"][0])
            assert ":class: dropdown" in opening.split("```")[1], \
                f"{path.name}: the solution to {exercise['label']} is not folded"
            code = "\n".join(source(c) for c in exercise["solution"]
                             if c["cell_type"] == "code")
            assert not code or re.search(r"^\s*(assert|check_timing|timed_\w+)\b", code, re.M), \
                f"{path.name}: the solution to {exercise['label']} runs but checks nothing"

    def test_seeded(self, path):
        """ks.start(SEED) (which seeds everything and makes the kernels deterministic, see
        tests/test_package.py) runs in one of the two cells after the parameters cell."""
        code = [source(c) for c in cells(load(path), "code")]
        tagged = [i for i, c in enumerate(cells(load(path), "code"))
                  if "parameters" in c["metadata"].get("tags", [])]
        assert tagged, f"{path.name}: no parameters cell"
        followers = "\n".join(code[tagged[0] + 1:tagged[0] + 3])
        assert re.search(r"^ks\.start\(SEED\b", followers, re.M), \
            f"{path.name}: a cell just after the parameters cell must call ks.start(SEED)"

    def test_every_glued_name_in_prose_is_glued(self, path):
        nb = load(path)
        used, glued = glued_in_prose(nb), set(glue_calls(nb))
        assert used <= glued, f"{path.name}: prose uses names never glued: {sorted(used - glued)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_code_lines_fit_the_page(path):
    """The website shows 78 characters of code (at 1300 px) before a scroll bar appears."""
    wide = [line for c in cells(load(path), "code") for line in source(c).splitlines()
            if len(line) > 78]
    assert not wide, f"{path.name}: {len(wide)} code lines over 78 characters, e.g. {wide[:2]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_code_cells_stay_short(path):
    """At most 25 lines, except the hidden setup cell that opens a chapter (machinery a reader
    need not read, the same in every notebook; tests/test_notebook_setup.py checks it)."""
    long = [i for i, c in enumerate(cells(load(path), "code"))
            if len(source(c).splitlines()) > 25 and not source(c).startswith("# Setup:")]
    assert not long, f"{path.name}: code cells {long} exceed 25 lines; split them or name a helper"


def test_citations_exist():
    keys = set(re.findall(r"@\w+\{([^,]+),", (BOOK / "references.bib").read_text()))
    texts = [source(c) for p in NOTEBOOKS for c in cells(load(p), "markdown")]
    texts += [p.read_text() for p in BOOK.rglob("*.md")]
    cited = {k.strip() for t in texts for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", t)
             for k in group.split(",")}
    assert cited, "the book cites none of its sources"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_cell_is_meant_to_raise(path):
    """Colab and many VS Code versions ignore the raises-exception tag: "Run all" stops at
    the first cell that raises. An error demonstration runs inside ks.fails_with, which
    asserts the error and its message and lets the notebook go on; nbval fails any cell
    that raises."""
    tagged = [i for i, c in enumerate(load(path)["cells"])
              if "raises-exception" in c.get("metadata", {}).get("tags", [])]
    assert not tagged, (f"{path.name}: cells {tagged} are tagged raises-exception; wrap "
                        "the failing line in `with ks.fails_with(ErrorType, \"fragment\"):`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_error_demonstrations_are_explained(path):
    """A cell that shows an error on purpose is followed by prose that discusses it."""
    nb_cells = load(path)["cells"]
    for i, cell in enumerate(nb_cells):
        if cell["cell_type"] == "code" and "ks.fails_with(" in source(cell):
            follower = nb_cells[i + 1] if i + 1 < len(nb_cells) else None
            assert follower and follower["cell_type"] == "markdown", \
                f"{path.name}: cell {i} fails on purpose but no prose follows it"
