"""The slide decks (tools/slides.py): speaker notes on every slide from the instructor notes, a
takeaway line and a real alt text under every figure, a Summary slide for every chapter however
its Summary starts, the error messages a chapter demonstrates, citations by author and year (an
unsigned source by its short title). Unit tests on small synthetic notebooks need no build; the
last test reads the decks the build made (`make slides`) and is skipped without them."""
import contextlib
import html.parser
import io
import re

import nbformat
import pytest

import slides
from bookfiles import ROOT, chapters, further_cells, load, sections, source

DECKS = ROOT / "_build" / "html" / "slides"
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")

NOTES = """# Instructor notes

Preamble, not a chapter.

## 7. An example chapter

**The idea to leave with.** State lives as long as Keras lets it.

**Misconceptions it corrects.**
- "Batches share state": they do not (The first section; Experiment 2).
- "Errors are rare" (the article's reading): they are common (A later part).

**Discussion.** Why?

**Checkpoint.** How many weights has `Dense(1)` on one input?

```{admonition} Answer
:class: dropdown
Two: a weight and a bias.
```

**Exercise slots.** 10 minutes: the first exercise.

**What can go wrong.** Little.
"""


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def md(text, **metadata):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata.update(metadata)
    return cell


def figure(**metadata):
    cell = nbformat.v4.new_code_cell("plot()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG,
                                                                 "text/plain": "<Figure>"})]
    cell.metadata.update(metadata)
    return cell


def demonstration(code):
    """A code cell with the output the real ks.fails_with prints when `code` runs."""
    import keeping_state as ks

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"ks": ks})
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue())]
    return cell


def chapter(summary="## Summary\n\n- One finding.\n- Another finding.\n- A third."):
    return notebook(
        md("# An example chapter\n\nIts opening paragraph.\n\nA second paragraph."),
        md("```{admonition} What you will learn\n- one thing\n```\n\n## Setup"),
        md("## The first section\n\nText."),
        figure(book={"takeaway": "The error is {glue:text}`gap:.1f` times the floor."},
               mystnb={"image": {"alt": "Two curves: the carried error far above the floor"}}),
        md("## Experiment 2: a window\n\n### A subsection"),
        figure(),
        md("## Unrelated\n\nText."),
        demonstration('with ks.fails_with(ValueError, "found ndim=2"):\n'
                      '    raise ValueError("Input 0 is incompatible with the layer: '
                      'expected ndim=3, found ndim=2. Full shape received: (100, 20)")\n'),
        md(summary),
        md("## Exercises"),
        md("````{exercise}\n:label: ex-a\n\nChange the window and predict the error.\n````"))


def build(nb=None, glued=None):
    notes = slides.instructor_notes(NOTES)[7]
    return slides.deck(nb or chapter(), glued or {"gap": 12.34}, {}, 7, notes, "07_example")


def slides_of(deck):
    """[(content cells, notes text)] per slide, in order."""
    found = []
    for cell in deck.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind == "slide":
            found.append([[cell], None])
        elif kind == "notes":
            assert found[-1][1] is None, "one notes cell per slide"
            found[-1][1] = cell.source
        else:
            found[-1][0].append(cell)
    return found


def heading(cells):
    return cells[0].source.splitlines()[0]


# --- 1. speaker notes from book/instructor_notes.md -----------------------------------------

def test_instructor_notes_are_read_by_chapter():
    notes = slides.instructor_notes(NOTES)
    assert list(notes) == [7]
    seven = notes[7]
    assert seven["title"] == "An example chapter"
    assert seven["idea"] == "State lives as long as Keras lets it."
    assert len(seven["misconceptions"]) == 2
    assert seven["misconceptions"][0].startswith('"Batches share state"')
    assert seven["checkpoint"] == "How many weights has `Dense(1)` on one input?"
    assert seven["answer"] == "Two: a weight and a bias."
    assert seven["slots"].startswith("10 minutes") and seven["wrong"] == "Little."
    assert slides.named_sections(seven["misconceptions"][0]) == ["The first section",
                                                                "Experiment 2"]
    assert slides.named_sections(seven["misconceptions"][1]) == ["A later part"]


def test_a_chapter_without_notes_fails_with_the_section_to_write():
    notes = slides.instructor_notes(NOTES)
    with pytest.raises(SystemExit, match=r"no section for chapter 8 \(08_x.ipynb\).*'## 8\. "):
        slides.chapter_notes(notes, 8, "08_x.ipynb")
    unanswered = NOTES.replace("```{admonition} Answer", "```{note}")
    with pytest.raises(SystemExit, match=r"'## 7\. An example chapter' has no answer"):
        slides.instructor_notes(unanswered)
    with pytest.raises(SystemExit, match="has no idea, misconceptions, checkpoint, answer"):
        slides.instructor_notes("## 9. Empty\n\nNothing here.\n")


def test_every_slide_has_notes_of_its_section_or_of_the_chapter():
    deck = build()
    found = slides_of(deck)
    assert found and all(notes and notes.strip() for _, notes in found)
    for cells, notes in found:
        assert "**The idea.** State lives" in notes
        assert "**Checkpoint.** How many weights" in notes and "**Answer.** Two:" in notes
    by_heading = {heading(cells): notes for cells, notes in found}
    first = by_heading["### The first section"]
    assert "Batches share state" in first and "Errors are rare" not in first
    # a subsection's slide gets the notes of its section ("Experiment 2" names the heading
    # "Experiment 2: a window" by the words before its colon)
    assert "Batches share state" in by_heading["### A subsection"]
    unrelated = by_heading["### Unrelated"]
    assert "Misconception" not in unrelated
    for whole in ("# An example chapter", "## What you will learn", "## Summary",
                  "## Exercise 7.1"):
        notes = by_heading[whole]
        assert "Batches share state" in notes and "Errors are rare" in notes, whole
    assert "**What can go wrong.** Little." in by_heading["# An example chapter"]
    assert "**Exercise slots.**" in by_heading["## Exercise 7.1"]
    assert "**Discussion.** Why?" in by_heading["## Summary"]
    assert "## Setup" not in found[1][0][0].source, "the objectives slide stops at Setup"


def test_the_book_has_notes_for_every_chapter_naming_its_real_sections():
    """Every chapter has a notes section with the parts a deck needs, and every section a
    misconception names (in parentheses) is a heading of the chapter: a renamed heading
    would silently move the misconception off its slides."""
    notes = slides.instructor_notes(slides.NOTES.read_text(encoding="utf-8"))
    for path in chapters():
        number = int(path.stem.split("_")[0])
        mine = slides.chapter_notes(notes, number, path.name)
        titles = [title for cell in load(path)["cells"] if cell["cell_type"] == "markdown"
                  for title in re.findall(r"^#{2,3} (.+)$", source(cell), re.M)]
        for misconception in mine["misconceptions"]:
            for reference in slides.named_sections(misconception):
                assert any(slides.names_section(reference, t) for t in titles), \
                    f"{path.name}: the notes name a section {reference!r} the chapter lacks"


# --- 2. a takeaway line and an alt text under every figure ----------------------------------

def test_figures_carry_their_takeaway_and_alt_text(tmp_path):
    deck = build()
    figures = [c for c in deck.cells if c.cell_type == "code"]
    assert len(figures) == 2
    assert figures[0].metadata["book_slide"] == {
        "alt": "Two curves: the carried error far above the floor",
        "takeaway": "The error is 12.3 times the floor."}
    # none given: a neutral alt text from the section, and no takeaway invented
    assert figures[1].metadata["book_slide"] == {"alt": "Figure: A subsection"}
    page = tmp_path / "deck.html"
    slides.export(deck, page)
    text = page.read_text(encoding="utf-8")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', text)
    assert alts == ["Two curves: the carried error far above the floor", "Figure: A subsection"]
    assert text.count('class="takeaway"') == 1
    assert re.search(r'class="takeaway"><p>The error is 12.3 times the floor.</p>', text)
    assert text.count('<aside class="notes">') == len(slides_of(deck))


def test_a_section_title_becomes_plain_words_in_an_alt_text():
    assert slides.plain_words("By hand: every window from $h = 0$") == \
        "By hand: every window from h = 0"
    assert slides.plain_words("Targets and `return_sequences`") == \
        "Targets and return_sequences"


# --- 3. a Summary slide for every chapter, however its Summary starts -----------------------

@pytest.mark.parametrize("cells", [
    ["## Summary\n\n- A.\n- B."],                                   # a cell of its own
    ["Last section's text.\n\n## Beyond the article\n\nMore.\n\n## Summary\n\n- A.\n- B."
     "\n\n## Exercises\n\nNot the summary."],                       # inside a longer cell
    ["## Summary\n\n- A.\n- B.\n\n## Exercises"],                    # with the Exercises
    ["## Summary", "- A.\n- B.", "## Exercises"],                    # findings in the next cell
    ["## Summary\n\nThe numbers move with the seed.\n\n- A.\n- B.\n"],  # a preamble
], ids=["own-cell", "mid-cell", "with-exercises", "next-cell", "preamble"])
def test_the_summary_is_found_wherever_it_starts(cells):
    body = slides.summary_text([md(text) for text in cells], "07_example")
    parts = slides.split_summary(body)
    assert parts == ["## Summary\n\n- A.\n- B."], parts


def test_a_summary_without_a_list_and_a_table_get_slides():
    assert slides.split_summary("First paragraph.\n\nSecond.\n\nThird.") == [
        "## Summary\n\nFirst paragraph.\n\nSecond.", "## Summary\n\nThird."]
    parts = slides.split_summary("- A.\n- B.\n- C.\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    assert parts == ["## Summary\n\n- A.\n- B.", "## Summary\n\n- C.",
                     "## Summary\n\n| x | y |\n|---|---|\n| 1 | 2 |"]


def test_a_chapter_without_a_summary_fails_loudly():
    with pytest.raises(SystemExit, match="07_example has no Summary"):
        slides.summary_text([md("## Results\n\n- A."), md("## Exercises")], "07_example")
    nb = chapter(summary="## Conclusions\n\n- A.")
    with pytest.raises(SystemExit, match="07_example has no Summary"):
        build(nb)


def test_the_deck_has_its_summary_slides_where_the_summary_is():
    found = slides_of(build(chapter(summary="Text of the last section.\n\n## Summary\n\n"
                                            "- One.\n- Two.\n- Three.")))
    titles = [heading(cells) for cells, _ in found]
    assert titles.count("## Summary") == 2
    assert titles.index("## Summary") == titles.index("## Exercise 7.1") - 2


# --- 4. the error messages a chapter demonstrates -------------------------------------------

def test_an_error_demonstration_shows_its_message_on_a_slide():
    found = slides_of(build())
    shown = [cells[0].source for cells, _ in found if "```text" in cells[0].source]
    assert len(shown) == 1
    assert shown[0].startswith("### Unrelated\n\n```text\nValueError: Input 0 is incompatible")
    assert "expected ndim=3, found ndim=2" in shown[0]


def test_long_error_messages_are_shortened_around_what_the_cell_expects():
    frames = "\n".join(f'  File "/x/y{i}.py", line {i}, in f' for i in range(30))
    cell = demonstration(
        "class InvalidArgumentError(Exception):\n    pass\n"
        "InvalidArgumentError.__module__ = 'tensorflow.python.framework.errors_impl'\n"
        "for _ in range(2):\n"
        "    with ks.fails_with(InvalidArgumentError, 'Incompatible shapes'):\n"
        f"        raise InvalidArgumentError('Graph execution error:\\n' + {frames!r} + "
        "'\\nIncompatible shapes: [2,1] vs. [4,1]\\n\\t [[{{node sub}}]]')\n"
        "with ks.fails_with(ValueError, 'the fragment'):\n"
        "    raise ValueError('x ' * 150 + 'the fragment ' + 'y ' * 150)\n")
    assert "tensorflow.python.framework.errors_impl.InvalidArgumentError" in "".join(
        cell.outputs[0]["text"]), "the printed message names the module"
    graph, long = slides.error_messages(cell)  # the repeated message once
    assert graph == "InvalidArgumentError: Graph execution error:\n\u2026\n" \
                    "Incompatible shapes: [2,1] vs. [4,1]"
    assert long.startswith("ValueError: \u2026") and long.endswith("\u2026")
    assert "the fragment" in long and len(long) <= slides.ERROR_WIDTH + 2
    assert slides.demonstrated_fragments(source(cell)) == ["Incompatible shapes",
                                                           "the fragment"]


# --- 5. citations by author and year; an unsigned source by its short title -----------------

def test_citations_name_authors_and_unsigned_sources_by_title(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("""@online{one,
  author    = {Brownlee, Jason},
  title     = {Understanding Stateful {LSTM}},
  year      = {2016},
}

@article{two,
  author    = {Hochreiter, Sepp and Schmidhuber, J{\\"u}rgen},
  title     = {Long Short-Term Memory},
  year      = {1997},
}

@inproceedings{many,
  author    = {Bengio, Samy and Vinyals, Oriol and Jaitly, Navdeep},
  title     = {Scheduled Sampling},
  year      = {2015},
}

@online{qa,
  author    = {{Unsigned Q\\&A article}},
  title     = {What causes {TensorFlow} 2.0 {RNN} {LSTM} model errors?},
  year      = {2025},
}

@online{long,
  author    = {{Unsigned blog post}},
  title     = {Step by step recurrent neural network inference with {Keras}: a guide},
  year      = {n.d.},
}

@online{none,
  title     = {Working with {RNNs}: the guide},
  year      = {2023},
}

@online{blog,
  author    = {{Yumi's Blog}},
  title     = {Understand},
  year      = {n.d.},
}
""", encoding="utf-8")
    assert slides.citations(bib) == {
        "one": "Brownlee (2016)", "two": "Hochreiter and Schmidhuber (1997)",
        "many": "Bengio et al. (2015)",
        "qa": "\u201cWhat causes TensorFlow 2.0 RNN LSTM model errors?\u201d (2025)",
        "long": "\u201cStep by step recurrent neural network inference with\u2026\u201d (n.d.)",
        "none": "\u201cWorking with RNNs\u201d (2023)", "blog": "Yumi's Blog (n.d.)"}
    cited = slides.citations(bib)
    text = slides.myst_to_markdown("As {cite:p}`qa,one` show.", {}, cited)
    assert text == "As \u201cWhat causes TensorFlow 2.0 RNN LSTM model errors?\u201d (2025); " \
                   "Brownlee (2016) show."


def test_the_books_sources_are_never_cited_as_unsigned():
    assert not [name for name in slides.citations().values() if "nsigned" in name]


def test_relative_links_and_labels_work_from_the_decks_folder():
    text = slides.myst_to_markdown(
        "See [the page](../robustness.ipynb), [a section](gallery-state) and "
        "[the web](https://example.org/a).", {}, {})
    assert text == ("See [the page](../book/chapters/../robustness.html), a section and "
                    "[the web](https://example.org/a).")


# --- 6. the core path: the further sections after a divider, past the Summary --------------

FURTHER_MARK = "```{admonition} Going further\n:class: seealso further\nFor the curious.\n```"


def chapter_with_a_further_section():
    """The example chapter with a marked section (a figure, an exercise) and its subsection
    (an error demonstration, a figure kept off the deck) between the core and the Summary."""
    nb = chapter()
    at = next(k for k, c in enumerate(nb.cells) if c.source.startswith("## Summary"))
    nb.cells[at:at] = [
        md(f"## Beyond the article\n\n{FURTHER_MARK}\n\nMore.\n\n"
           "````{exercise}\n:label: ex-b\n\nPredict the further error.\n````"),
        figure(book={"takeaway": "Further."}),
        md("### A deeper look\n\nStill further."),
        demonstration('with ks.fails_with(ValueError, "too deep"):\n'
                      '    raise ValueError("too deep to show")\n'),
        figure(tags=["no-slide"])]
    return nb


def test_further_sections_go_after_the_summary_behind_a_divider():
    deck = build(chapter_with_a_further_section())
    found = slides_of(deck)
    titles = [heading(cells) for cells, _ in found]
    core_part = titles[:titles.index("## Going further")]
    assert core_part == ["# An example chapter", "## What you will learn",
                         "### The first section", "### A subsection", "### Unrelated",
                         "## Summary", "## Summary", "## Exercise 7.2"], \
        "the core path, title to exercises, holds no further slide"
    assert deck.metadata["core_slides"] == len(core_part)
    assert titles[len(core_part):] == ["## Going further", "### Beyond the article",
                                       "### A deeper look", "## Exercise 7.1"], \
        "after the divider: the further figure, its error, its exercise (numbered as in the " \
        "book), the figure tagged no-slide still left out"
    divider, notes = found[len(core_part)]
    assert "- Beyond the article" in divider[0].source
    assert notes.startswith("**Going further.** The session's core path ends")
    assert all(n and "**The idea.**" in n for _, n in found), "every slide keeps its notes"
    error = found[titles.index("### A deeper look")][0][0].source
    assert "ValueError: too deep to show" in error
    assert "Predict the further error." in found[-1][0][0].source


def test_a_deck_without_a_further_section_has_no_divider():
    deck = build()
    titles = [heading(cells) for cells, _ in slides_of(deck)]
    assert "## Going further" not in titles and titles[-1] == "## Exercise 7.1"
    assert deck.metadata["core_slides"] == len(titles)


def test_a_summary_inside_a_further_cell_stays_on_the_core_path():
    nb = chapter_with_a_further_section()
    at = next(k for k, c in enumerate(nb.cells) if c.source.startswith("## Summary"))
    nb.cells[at] = md("The deeper look's last words.\n\n" + nb.cells[at].source)
    assert at in further_cells(nb), "the Summary sits in a further section's cell"
    titles = [heading(cells) for cells, _ in slides_of(build(nb))]
    assert titles.index("## Summary") < titles.index("## Going further")


# --- 7. the decks the build made -------------------------------------------------------------

class Slides(html.parser.HTMLParser):
    """Each innermost <section> of a deck: its first heading, its notes, its images' alt."""

    def __init__(self):
        super().__init__()
        self.open, self.slides, self.where = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.open.append({"heading": None, "notes": "", "alts": [], "inner": False})
            for outer in self.open[:-1]:
                outer["inner"] = True
        elif self.open and tag == "aside" and "notes" in (attrs.get("class") or ""):
            self.where = "notes"
        elif self.open and tag in ("h1", "h2", "h3") and self.open[-1]["heading"] is None:
            self.open[-1]["heading"], self.where = "", "heading"
        elif self.open and tag == "img":
            self.open[-1]["alts"].append(attrs.get("alt"))

    def handle_endtag(self, tag):
        if tag == "section" and self.open:
            slide = self.open.pop()
            if not slide["inner"]:
                self.slides.append(slide)
        elif (tag == "aside" and self.where == "notes") or (
                tag in ("h1", "h2", "h3") and self.where == "heading"):
            self.where = None

    def handle_data(self, data):
        if self.where and self.open:
            self.open[-1][self.where] += data


@pytest.mark.parametrize("notebook_path", chapters(), ids=lambda p: p.name)
def test_every_built_slide_has_notes_and_every_deck_a_summary(notebook_path):
    deck = DECKS / f"{notebook_path.stem}.html"
    if not deck.exists():
        pytest.skip("no decks built (make slides)")
    parser = Slides()
    parser.feed(deck.read_text(encoding="utf-8"))
    found = parser.slides
    assert len(found) > 5, f"{deck.name}: {len(found)} slides"
    bare = [s["heading"] for s in found if not s["notes"].strip()]
    assert not bare, f"{deck.name}: slides without speaker notes: {bare}"
    assert any((s["heading"] or "").strip().startswith("Summary") for s in found), \
        f"{deck.name}: no Summary slide"
    headings = [(s["heading"] or "").strip().rstrip("\u00b6").strip() for s in found]
    if any(s["marked"] for s in sections(load(notebook_path))):
        assert "Going further" in headings, f"{deck.name}: no divider before further sections"
        last_summary = max(k for k, h in enumerate(headings) if h.startswith("Summary"))
        assert headings.index("Going further") > last_summary, \
            f"{deck.name}: the further sections come before the Summary"
    else:
        assert "Going further" not in headings, f"{deck.name}: a divider with nothing after"
    alts = [alt for s in found for alt in s["alts"]]
    named = [a for a in alts if not (a or "").strip() or re.search(r"\.(png|jpe?g|svg)\b", a)]
    assert not named, f"{deck.name}: figures whose alt text is empty or a file name: {named}"
