"""The core path of every chapter (issue 28): marked, within a workshop session's bounds, with an
exercise in each core section and short sentences. keeping_state.bookfiles reads the marks: a
section goes further when its heading cell holds ```{admonition} Going further```."""
import re

import pytest

from keeping_state import bookfiles

CHAPTERS = bookfiles.chapters()
NOT_YET = bookfiles.CORE_NOT_YET  # chapters not cut yet (issue 28 empties it)
SENTENCE_LIMIT = 35  # "at most about 30 words": a little slack for a glued phrase
GLOSSARY = bookfiles.BOOK / "glossary.md"
PRIVATE_TERMS = ("floor", "carried", "stack", "plan", "gain", "start_left")


def cut(path):
    if path.stem in NOT_YET:
        pytest.skip(f"{path.stem}: core path not cut yet (bookfiles.CORE_NOT_YET)")
    return bookfiles.load(path)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_core_path_fits_a_session(path):
    nb = cut(path)
    m = bookfiles.core_measure(nb, path.name)
    assert m["words"] <= bookfiles.CORE_WORDS, f"{path.stem}: {m['words']} words of core prose"
    assert m["code_lines"] <= bookfiles.CORE_CODE_LINES, \
        f"{path.stem}: {m['code_lines']} visible code lines on the core path"
    assert any(s["further"] for s in bookfiles.sections(nb)), \
        f"{path.stem}: nothing is marked as going further"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_core_section_has_an_exercise(path):
    nb = cut(path)
    teaching = [s for s in bookfiles.core_measure(nb, path.name)["sections"]
                if s["title"] != "Setup"]
    assert teaching, f"{path.stem}: no core section"
    bare = [s["title"] for s in teaching if not s["exercises"]]
    assert not bare, f"{path.stem}: core sections without an exercise: {bare}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_core_sentences_are_short(path):
    nb = cut(path)
    long = [s for s in bookfiles.core_measure(nb, path.name)["long_sentences"]
            if len(s.split()) > SENTENCE_LIMIT]
    assert not long, f"{path.stem}: {len(long)} core sentences over {SENTENCE_LIMIT} words, " \
                     f"e.g. {long[:2]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_states_its_task(path):
    """The schedule shows each exercise's task: the {exercise} directive's title."""
    nb = cut(path)
    untitled = [e["label"] for e in bookfiles.exercises(nb, path.name) if not e["task"]]
    assert not untitled, f"{path.stem}: exercises without a task title: {untitled}"


@pytest.mark.parametrize("path", bookfiles.notebooks(), ids=lambda p: p.stem)
def test_exercise_titles_hold_no_backticks(path):
    """A backtick fence's info string cannot contain a backtick (CommonMark): a title with
    `code` in it leaves the {exercise} unparsed, its label undefined and the strict build red."""
    for cell in bookfiles.load(path)["cells"]:
        for line in re.findall(r"^`{3,}\{exercise\}(.*)$", bookfiles.source(cell), re.M):
            assert "`" not in line, f"{path.stem}: exercise title {line.strip()!r} holds a backtick"


def test_further_marks_are_well_formed():
    """A mark sits in a heading cell, as an admonition with the class `further`."""
    for path in CHAPTERS:
        for i, cell in enumerate(bookfiles.load(path)["cells"]):
            text = bookfiles.source(cell)
            if bookfiles.FURTHER.search(text):
                assert bookfiles.HEADING.match(text), \
                    f"{path.stem}, cell {i}: a 'Going further' mark outside a heading cell"
                assert re.search(r"^:class:.*\bfurther\b", text, re.M), \
                    f"{path.stem}, cell {i}: the mark needs `:class: seealso further`"


def split_at_headings(text):
    """A markdown cell's text cut before every heading it holds after its start, fenced blocks
    left whole (a `# comment` in a code block is no heading)."""
    pieces, fence = [[]], None
    for line in text.splitlines(keepends=True):
        if m := re.match(r"^(`{3,}|~{3,})", line):
            fence = None if fence and m.group(1).startswith(fence) else fence or m.group(1)
        if not fence and re.match(r"^#{1,6} ", line) and "".join(pieces[-1]).strip():
            pieces.append([])
        pieces[-1].append(line)
    return ["".join(piece) for piece in pieces]


def further_cells_open_a_core_section(nb):
    """(cell, heading) of every heading inside a further section's cell that, standing at a
    cell's start, would open a section on the core path (a Summary after the last further
    section's text): bookfiles.sections cuts the page at cells only, so its text would be
    counted off the core path and the slides would put its exercises after the divider."""
    further, split, origin = bookfiles.further_cells(nb), [], []
    for i, cell in enumerate(nb["cells"]):
        pieces = (split_at_headings(bookfiles.source(cell)) if cell["cell_type"] == "markdown"
                  else [bookfiles.source(cell)])
        split += [dict(cell, source=piece) for piece in pieces]
        origin += [i] * len(pieces)
    still = bookfiles.further_cells({"cells": split})
    return [(origin[k], heading.group(2)) for k, piece in enumerate(split)
            if origin[k] in further and k not in still
            and (heading := bookfiles.HEADING.match(piece["source"]))]


def test_a_further_section_ends_where_a_cell_opens_with_a_heading():
    for path in CHAPTERS:
        found = further_cells_open_a_core_section(bookfiles.load(path))
        assert not found, f"{path.stem}: {found}: a further section's cell holds a heading " \
                          "that opens a core section: start it in a cell of its own"
    mark = "```{admonition} Going further\n:class: seealso further\n```"
    nb = {"cells": [{"cell_type": "markdown", "source": f"## More\n\n{mark}\n\n### Sub"},
                    {"cell_type": "markdown", "source": "Text.\n\n```\n# a comment\n```"},
                    {"cell_type": "markdown", "source": "Last words.\n\n## Summary\n\n- A."}]}
    assert further_cells_open_a_core_section(nb) == [(2, "Summary")]


def test_the_site_styles_the_mark():
    """The site loads the book's CSS (_config.yml), and it sets the further box apart by shape
    as well as colour: a dashed frame (tests/test_build.py checks the rendered pages)."""
    import yaml

    config = yaml.safe_load((bookfiles.ROOT / "_config.yml").read_text())["sphinx"]["config"]
    folders = [bookfiles.ROOT / folder for folder in config["html_static_path"]]
    files = [next((f / name for f in folders if (f / name).is_file()), None)
             for name in config["html_css_files"]]
    assert None not in files, f"a CSS file _config.yml names is missing: {files}"
    css = "\n".join(f.read_text(encoding="utf-8") for f in files)
    assert re.search(r"div\.admonition\.further\s*\{[^}]*\bdashed\b", css), css


def test_glossary_defines_the_private_terms():
    text = GLOSSARY.read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\S[^\n]*)\n  \S", text.split("```{glossary}", 1)[1], re.M))
    missing = [t for t in PRIVATE_TERMS if t not in defined]
    assert not missing, f"glossary.md lacks {missing}"


def test_sections_reader():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "# Title\n\nintro words here."},
        {"cell_type": "markdown", "source": "## Core\n\nOne two three."},
        {"cell_type": "code", "source": "x = 1\n\ny = 2\n", "metadata": {}},
        {"cell_type": "markdown", "source": "## More\n\n```{admonition} Going further\n"
                                            ":class: seealso further\nNot core.\n```"},
        {"cell_type": "markdown", "source": "### Deeper\n\nStill further."},
        {"cell_type": "code", "source": "z = 3\n", "metadata": {}},
        {"cell_type": "markdown", "source": "## Summary\n\n- Done."}]}
    assert [s["further"] for s in bookfiles.sections(nb)] == [False, False, True, True, False]
    m = bookfiles.core_measure(nb)
    assert m["code_lines"] == 2
    assert m["words"] == len("Title intro words here Core One two three Summary Done".split())
    assert [s["title"] for s in m["sections"]] == ["Core"]
