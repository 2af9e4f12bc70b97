"""Figures a screen reader can read (issue 28): every figure cell carries an alt text that says
what the figure shows (cell metadata mystnb.image.alt, which myst-nb writes as the page's
<img alt>; without it the alt is the image's file name) and a one-line takeaway (book.takeaway,
under the figure on its slide). keeping_state.bookfiles.figure_cells says which cells draw a
figure: from the outputs of the build's executions where they match the current code, else from
the source. A chapter is checked once its core path is cut (it leaves bookfiles.CORE_NOT_YET:
the figure metadata comes with that pass); the other pages (the appendix, the maintainers'
pages) once one of their figures has metadata. The browser test (test_build.py,
test_figures_have_alt_text_on_the_page) checks the built pages."""
import nbformat
import pytest

import slides
from keeping_state import bookfiles

MIN_ALT_WORDS = 4   # "Line plot" says the kind, not what it shows
MAX_ALT_CHARS = 500  # a few sentences: the prose around the figure says the rest
MARKUP = ("`", "{", "$", "](", "**")  # an alt text is plain text: MyST is not resolved in it


def executed_or_source(path):
    """The notebook with the outputs of the build's execution of its current code (the cache
    keys executions by code cells only, so metadata added since still counts), else as
    committed."""
    if (bookfiles.ROOT / "_build" / ".jupyter_cache").exists():
        try:
            return slides.executed(path)
        except (SystemExit, Exception):  # no match, or the cache busy (nbval writes to it)
            pass
    return bookfiles.load(path)


def faults(nb, name):
    """What is missing or wrong in the alt texts and takeaways of a notebook's figures."""
    found, seen = [], {}
    for i in bookfiles.figure_cells(nb):
        alt, takeaway = bookfiles.figure_text(nb["cells"][i])
        where = f"{name} cell {i} ({nb['cells'][i].get('id', '?')})"
        if not alt.strip():
            found.append(f"{where}: no alt text (metadata mystnb.image.alt)")
        elif bookfiles.FILE_NAME_ALT.search(alt):
            found.append(f"{where}: the alt text is a file name: {alt!r}")
        elif len(alt.split()) < MIN_ALT_WORDS or len(alt) > MAX_ALT_CHARS:
            found.append(f"{where}: an alt text of {len(alt.split())} words, {len(alt)} "
                         f"characters: say what the figure shows in one to a few sentences")
        elif any(mark in alt for mark in MARKUP):
            found.append(f"{where}: MyST markup in the alt text shows as typed: {alt!r}")
        elif alt.strip() in seen:
            found.append(f"{where}: the same alt text as cell {seen[alt.strip()]}")
        seen.setdefault(alt.strip(), i)
        if not takeaway.strip():
            found.append(f"{where}: no takeaway (metadata book.takeaway)")
        elif "\n" in takeaway.strip():
            found.append(f"{where}: the takeaway is more than one line")
        elif takeaway.strip() == alt.strip():
            found.append(f"{where}: the takeaway repeats the alt text")
    return found


@pytest.mark.parametrize("path", bookfiles.chapters(), ids=lambda p: p.stem)
def test_every_figure_says_what_it_shows(path):
    if path.stem in bookfiles.CORE_NOT_YET:
        pytest.skip(f"{path.stem}: core path not cut yet (bookfiles.CORE_NOT_YET)")
    nb = executed_or_source(path)
    assert bookfiles.figure_cells(nb), f"{path.stem}: no figure found"
    problems = faults(nb, path.stem)
    assert not problems, "\n".join(problems)


OTHER_PAGES = [p for p in bookfiles.toc_notebooks() if p not in bookfiles.chapters()]


@pytest.mark.parametrize("path", OTHER_PAGES, ids=lambda p: p.stem)
def test_the_other_pages_figures_once_they_have_metadata(path):
    nb = executed_or_source(path)
    figures = bookfiles.figure_cells(nb)
    if not any(any(bookfiles.figure_text(nb["cells"][i])) for i in figures):
        pytest.skip(f"{path.stem}: {len(figures)} figures, none with alt text or takeaway yet")
    problems = faults(nb, path.stem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", bookfiles.notebooks(), ids=lambda p: p.stem)
def test_figure_metadata_sits_on_a_figure_cell(path):
    """An alt text or a takeaway on a cell that draws nothing is lost (or meant for the next
    cell): checked in every notebook, cut or not, as the metadata is being added."""
    nb = executed_or_source(path)
    figures = set(bookfiles.figure_cells(nb))
    stray = [f"cell {i} ({c.get('id', '?')})" for i, c in enumerate(nb["cells"])
             if any(bookfiles.figure_text(c)) and i not in figures]
    assert not stray, f"{path.stem}: alt text or takeaway on cells that draw no figure: {stray}"


@pytest.mark.parametrize("path", bookfiles.toc_notebooks(), ids=lambda p: p.stem)
def test_the_source_reader_agrees_with_the_execution(path):
    """Where the build has executed the current code, the cells the source reader finds are
    exactly those whose outputs hold an image."""
    ran = executed_or_source(path)
    if not any(c.get("outputs") for c in ran["cells"] if c["cell_type"] == "code"):
        pytest.skip(f"{path.stem}: no execution of the current code in the build's cache")
    assert bookfiles.figure_cells(bookfiles.load(path)) == bookfiles.figure_cells(ran)


# --- the reader on small notebooks --------------------------------------------------------

def code(text, **metadata):
    cell = nbformat.v4.new_code_cell(text)
    cell.metadata.update(metadata)
    return cell


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), *cells])


def test_figure_cells_are_read_from_the_source():
    nb = notebook(
        code("import matplotlib.pyplot as plt\nx = [1, 2]"),
        code("fig, ax = plt.subplots()\nax.plot(x)\nplt.show()"),            # 2
        code("ax = frame.plot.bar(rot=0)\nax.set(title='t')"),               # 3: pandas
        code("def draw(ax, y):\n    ax.plot(y)\n\n\nSTYLE = {'a': '--'}"),   # defines only
        code("fig, axes = plt.subplots(1, 2)\nfor ax in axes:\n    draw(ax, x)"),  # 5
        code("draw(ax, x)"),                                                 # 6: a helper
        code("%timeit f()\nplt.close('all')\nprint(plt.rcParams['axes.grid'])"),
        code("frame.head()"))
    assert bookfiles.figure_cells(nb) == [2, 3, 5, 6]


def test_figure_cells_are_read_from_outputs_once_executed():
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBO",
                                                         "text/plain": "<Figure>"})
    shown, silent = code("plot_it()"), code("fig, ax = plt.subplots()\nplt.close(fig)")
    shown.outputs = [image]
    silent.outputs = [nbformat.v4.new_output("stream", text="closed\n")]
    assert bookfiles.figure_cells(notebook(silent, shown)) == [2]


def test_an_alt_text_that_is_a_file_name_or_missing_is_found():
    def figure(**metadata):
        return code("plt.show()", **metadata)

    good = {"mystnb": {"image": {"alt": "Two curves: the carried error far above the floor"}},
            "book": {"takeaway": "Carrying the state costs accuracy."}}
    named = {"mystnb": {"image": {"alt": "../../_images/da72.png"}},
             "book": {"takeaway": "A line."}}
    nb = notebook(figure(**good), figure(**named), figure(), figure(**good),
                  figure(mystnb={"image": {"alt": "Loss {glue:text}`x:.2f` per epoch"}},
                         book={"takeaway": "one\ntwo"}))
    found = "\n".join(faults(nb, "t"))
    assert "t cell 1 (" not in found
    assert "cell 2 (" in found and "is a file name" in found
    assert "cell 3 (" in found and "no alt text" in found and "no takeaway" in found
    assert "cell 4 (" in found and "same alt text as cell 1" in found
    assert "MyST markup" in found and "more than one line" in found
