"""Readers of the book's own files, for the tests, the tools and the back matter.

The chapter list comes from _toc.yml only: a chapter added there appears in the intro's table,
the robustness page and the tests with no other edit.
"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", flags=re.M)


def notebooks():
    """Every notebook under book/, outside checkpoints and build output."""
    return sorted(p for p in BOOK.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cells(nb, kind):
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"])


def python_only(text):
    """Cell source with IPython's magics and shell lines blanked (for ast)."""
    return re.sub(r"^(\s*)[%!].*$", r"\1pass", text, flags=re.M)


def pins(text):
    """name -> version of every `name==version` line of a requirements text."""
    return dict(PIN.findall(text))


def toc_entries():
    """(file, title or None, part caption) of every entry of _toc.yml, in order."""
    entries, caption = [], None
    text = (ROOT / "_toc.yml").read_text()
    for line in text.splitlines():
        if m := re.match(r"^\s*-\s*caption:\s*(.+)$", line):
            caption = m.group(1).strip().strip("'\"")
        elif m := re.match(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", line):
            entries.append([m.group(1).strip("'\""), None, caption])
        elif (m := re.match(r'^\s*title:\s*"?(.+?)"?\s*$', line)) and entries:
            entries[-1][1] = m.group(1)
    return [tuple(e) for e in entries]


def toc_files():
    """Every `file:` entry of _toc.yml plus its root, as paths without suffix."""
    return [entry for entry, _, _ in toc_entries()]


def existing_source(entry):
    """The file a toc entry names (entries carry no suffix), or None."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    return None


def toc_notebooks():
    """The notebooks of _toc.yml, in its order."""
    found = (existing_source(entry) for entry in toc_files())
    return [p for p in found if p is not None and p.suffix == ".ipynb"]


# Pages that read the repository itself (the record, the timings, the toc): they have no learner
# copy, so the site shows no launch button on them (_ext/learner_launch.py).
MAINTAINER_PAGES = ("book/robustness", "book/teaching")


def learner_pages():
    """The notebooks a learner runs from a launch button (every toc notebook but the
    maintainers' pages), in the toc's order."""
    return [p for p in toc_notebooks()
            if p.relative_to(ROOT).with_suffix("").as_posix() not in MAINTAINER_PAGES]


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+)")  # a {glue:text}`name...` role in prose


def glue_calls(nb):
    """{name: the source of the value} of every glue(name, value, ...) call in a notebook's
    code cells (the chapters glue through keeping_state.glue)."""
    code = "\n".join(source(c) for c in cells(nb, "code"))
    found = {}
    for match in re.finditer(r"glue\(\s*f?[\"']([\w.-]+)[\"']\s*,", code):
        end, depth = match.end(), 1
        while end < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        found[match.group(1)] = code[match.end():end - 1].strip()
    return found


def glued_in_prose(nb):
    """The names a notebook's Markdown states with a glue role."""
    return {name for c in cells(nb, "markdown") for name in GLUE_ROLE.findall(source(c))}


def chapters():
    """The chapters (the numbered part of _toc.yml), in order, as paths."""
    return [p for p in toc_notebooks() if p.parent.name == "chapters"]


def chapter_titles():
    """stem -> (number, title) of every chapter, from _toc.yml."""
    titles = {Path(f).name: t for f, t, _ in toc_entries()}
    return {p.stem: (n, titles.get(p.stem) or p.stem)
            for n, p in enumerate(chapters(), start=1)}


def setup_cell(path):
    """The first code cell of a notebook (its setup cell)."""
    return source(cells(load(path), "code")[0])


def start_call(path):
    """The source of the code cell that calls ks.start(...), or None."""
    found = [source(c) for c in cells(load(path), "code")
             if re.search(r"^ks\.start\(", source(c), re.M)]
    return found[0] if found else None


def setup_extras(path):
    """The packages a notebook's ks.start(SEED, ...) call names beyond keeping_state.CORE
    (start installs them where missing); None when no cell calls it."""
    import ast
    text = start_call(path)
    if text is None:
        return None
    for node in ast.walk(ast.parse(python_only(text))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "start"):
            return [ast.literal_eval(arg) for arg in node.args[1:]]
    return None


# --- The exercise format (one parser for the tests, the tools and the slides) ----------------
# An exercise is a MyST directive in a markdown cell, fenced by 3 or 4 backticks. Its solution is
# sphinx-exercise's gated pair: a markdown cell that starts with `{solution-start} <label>`, the
# code cells that run it, and a markdown cell that ends with `{solution-end}`.
EXERCISE = re.compile(r"^(`{3,4})\{exercise\}([^\n]*)\n(.*?)^\1[ \t]*$", re.S | re.M)
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
SOLUTION_START = re.compile(r"\A(`{3,4})\{solution-start\}[ \t]+(\S+)[^\n]*\n(.*?)^\1[ \t]*$",
                            re.S | re.M)
SOLUTION_END = re.compile(r"^(`{3,4})\{solution-end\}[ \t]*\n\1[ \t]*\n?\Z", re.M)


class ExerciseFormatError(ValueError):
    """A notebook whose exercises or solutions do not follow the book's format."""


def exercise_statements(text):
    """[(label, statement)] of every {exercise} directive in a markdown text."""
    found = []
    for _, _, body in EXERCISE.findall(text):
        label = LABEL.search(body)
        statement = LABEL.sub("", body).strip()
        found.append((label.group(1) if label else None, statement))
    return found


def exercise_tasks(text):
    """{label: task} of every {exercise} directive in a markdown text: the task is the
    directive's title, the one line a schedule shows (`{exercise} Predict ..., then run`)."""
    return {label.group(1): title.strip() for _, title, body in EXERCISE.findall(text)
            if (label := LABEL.search(body))}


def solution_spans(nb, name="notebook"):
    """{label: (first, last)}: the cell indices of each gated solution, both ends included.
    Raises ExerciseFormatError where a fence is misplaced, unclosed or left over."""
    spans, start = {}, None
    for i, cell in enumerate(nb["cells"]):
        text = source(cell).strip() + "\n"
        is_start = "{solution-start}" in text
        is_end = "{solution-end}" in text
        if "{solution}" in text:
            raise ExerciseFormatError(f"{name}, cell {i}: write solutions as "
                                      "{solution-start} ... {solution-end}, not {solution}")
        if cell["cell_type"] != "markdown" or not (is_start or is_end):
            continue
        if is_start:
            m = SOLUTION_START.match(text)
            if m is None or start is not None:
                raise ExerciseFormatError(
                    f"{name}, cell {i}: a {{solution-start}} must open its markdown cell"
                    + (" and follow the last one's {solution-end}" if start else ""))
            start = (m.group(2), i)
        if is_end:
            if start is None or not SOLUTION_END.search(text):
                raise ExerciseFormatError(f"{name}, cell {i}: a {{solution-end}} must close "
                                          "its markdown cell, after a {solution-start}")
            spans[start[0]] = (start[1], i)
            start = None
    if start is not None:
        raise ExerciseFormatError(f"{name}: the solution to {start[0]} has no {{solution-end}}")
    return spans


def exercises(nb, name="notebook"):
    """[{'label', 'statement', 'solution': [cells]}] in the notebook's order; every exercise
    has a label and exactly one solution, or ExerciseFormatError says which does not."""
    spans = solution_spans(nb, name)
    found = []
    for cell in cells(nb, "markdown"):
        for label, statement in exercise_statements(source(cell)):
            if label is None or label not in spans:
                raise ExerciseFormatError(f"{name}: exercise {label or '(no :label:)'} has "
                                          "no gated solution")
            first, last = spans[label]
            found.append({"label": label, "statement": statement,
                          "task": exercise_tasks(source(cell)).get(label, ""),
                          "solution": nb["cells"][first:last + 1]})
    extra = set(spans) - {e["label"] for e in found}
    if extra:
        raise ExerciseFormatError(f"{name}: solutions without an exercise: {sorted(extra)}")
    return found


def solution_cells(nb, name="notebook", spans=None):
    """The indices of every cell that belongs to a solution."""
    spans = solution_spans(nb, name) if spans is None else spans
    return {i for first, last in spans.values() for i in range(first, last + 1)}


def without_solutions(nb, name="notebook"):
    """A copy of the notebook with every solution's cells removed, and how many were."""
    import copy
    spans = solution_spans(nb, name)
    drop = solution_cells(nb, name, spans)
    stripped = copy.deepcopy(nb)
    stripped["cells"] = [c for i, c in enumerate(nb["cells"]) if i not in drop]
    return stripped, len(spans)


# --- The core path (what a workshop teaches; the rest goes further) ---------------------------
# A section goes further when its heading cell holds the admonition ```{admonition} Going
# further``` (class `further`): the site and the plain notebooks show it, and the tools read it.
# Everything else is the core path: the opening (title, objectives, setup), the core sections and
# their subsections, the Summary. A further section's subsections go further with it.
HEADING = re.compile(r"\A\s*(#{1,6}) (.+)$", re.M)
FURTHER = re.compile(r"^(`{3,4})\{admonition\}\s*Going further\b", re.M)
CORE_WORDS, CORE_CODE_LINES, CORE_SENTENCE_WORDS = 1500, 150, 30
# Chapters whose core path is not cut yet: the tests skip them and the teaching page says so
# (issue 28 cuts them one by one; a chapter leaves this set when it is cut).
CORE_NOT_YET = set()
HIDDEN_INPUT = {"remove-input", "remove-cell", "remove_input", "remove_cell"}


def sections(nb):
    """[{'level', 'title', 'further', 'marked', 'cells': [indices]}]: the page cut at every
    markdown cell that opens with a heading; cells before the first heading belong to a level-1
    opening. `marked`: the section's own heading cell holds the mark (its first cell); `further`:
    marked, or a subsection of a further section. The one reader of the mark: the tests, the
    plain notebooks and the slides all ask this function."""
    found = [{"level": 1, "title": "", "further": False, "marked": False, "cells": []}]
    for i, cell in enumerate(nb["cells"]):
        m = HEADING.match(source(cell)) if cell["cell_type"] == "markdown" else None
        if m:
            level, marked = len(m.group(1)), bool(FURTHER.search(source(cell)))
            parents = [s for s in found if s["level"] < level]
            inherited = bool(parents) and parents[-1]["further"] and level > 2
            found.append({"level": level, "title": m.group(2).strip(), "marked": marked,
                          "further": marked or inherited, "cells": []})
        found[-1]["cells"].append(i)
    return [s for s in found if s["cells"]]


def further_cells(nb):
    """The indices of the cells off the core path: every cell of a further section."""
    return {i for s in sections(nb) if s["further"] for i in s["cells"]}


def core_cells(nb, name="notebook"):
    """The indices of the core path's cells, solutions left out (they are folded)."""
    solutions = solution_cells(nb, name)
    return [i for s in sections(nb) if not s["further"] for i in s["cells"]
            if i not in solutions]


def prose_of(text):
    """A markdown cell's prose for counting: directive fences, options, labels, tables, math
    blocks and HTML dropped; roles and inline code count as one word."""
    text = re.sub(r"^\s*\$\$.*?\$\$\s*$", " ", text, flags=re.S | re.M)
    keep = [line for line in text.splitlines() if not re.match(
        r"^\s*(`{3,}|~{3,}|:\w[\w-]*:|\([\w-]+\)=|\||<)", line)]
    text = "\n".join(keep)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", "X", text)
    text = re.sub(r"`[^`]*`|\$[^$]*\$", "X", text)
    return re.sub(r"^\s*#+ ", "", text, flags=re.M)


def sentences(prose):
    """The prose's sentences (list items and headings end one), as lists of words."""
    found = []
    for block in re.split(r"\n\s*\n|\n\s*[-*] |\n\s*\d+\. |\A\s*[-*] ", prose):
        for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z(\"'*_])", " ".join(block.split())):
            words = re.findall(r"[\w'%.,/+-]*\w[\w'%.,/+-]*", sentence)
            if words:
                found.append(words)
    return found


def core_measure(nb, name="notebook"):
    """What a workshop teaches of the page: words of prose, visible code lines, the core
    sections (level 2, besides the opening and the Summary) with their exercises, and the
    longest sentences."""
    core = core_cells(nb, name)
    texts = [prose_of(source(nb["cells"][i])) for i in core
             if nb["cells"][i]["cell_type"] == "markdown"]
    code = [source(nb["cells"][i]) for i in core if nb["cells"][i]["cell_type"] == "code"
            and not HIDDEN_INPUT & set(nb["cells"][i].get("metadata", {}).get("tags", []))]
    said = [s for t in texts for s in sentences(t)]
    teaching = []
    for s in sections(nb):
        if s["level"] == 2 and not s["further"] and s["title"] not in ("Summary", "Exercises"):
            text = "\n".join(source(nb["cells"][i]) for i in s["cells"]
                             if nb["cells"][i]["cell_type"] == "markdown")
            teaching.append({"title": s["title"], "exercises": list(exercise_tasks(text))})
    return {"words": sum(len(s) for s in said),
            "code_lines": sum(1 for c in code for line in c.splitlines() if line.strip()),
            "sections": teaching,
            "long_sentences": [" ".join(s) for s in said if len(s) > CORE_SENTENCE_WORDS]}


# --- Figures (what a screen reader says of them, what a slide says under them) ---------------
# A figure cell carries its alt text in the cell metadata mystnb.image.alt (myst-nb sets it as
# the <img alt> of the cell's image outputs; without it the alt is the image's file name) and
# its one-line takeaway in book.takeaway (tools/slides.py puts it under the figure).
FIGURE_MIME = ("image/png", "image/svg+xml", "image/jpeg")
PLT_DRAWS = {"show", "subplots", "subplot", "subplot_mosaic", "figure", "plot", "imshow",
             "matshow", "bar", "barh", "hist", "scatter", "errorbar", "fill_between", "step",
             "stem", "pie", "boxplot", "violinplot", "semilogx", "semilogy", "loglog",
             "pcolormesh", "contour", "contourf"}
FILE_NAME_ALT = re.compile(r"\.(png|jpe?g|svg|gif|webp)\b|_images/", re.I)


def _draws(node, helpers):
    """Whether the code under node draws: it calls plt.<a drawing function>, a pandas or axes
    .plot (df.plot(), df.plot.bar(), ax.plot()), .imshow/.matshow/.hist, or a helper that draws."""
    import ast
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        f = call.func
        if isinstance(f, ast.Name) and f.id in helpers:
            return True
        if not isinstance(f, ast.Attribute):
            continue
        if isinstance(f.value, ast.Name) and f.value.id == "plt" and f.attr in PLT_DRAWS:
            return True
        if f.attr in ("plot", "imshow", "matshow", "hist") or (
                isinstance(f.value, ast.Attribute) and f.value.attr == "plot"):
            return True
    return False


def figure_cells(nb):
    """The indices of the code cells that show a figure. An executed notebook says so itself
    (a cell with an image among its outputs); a notebook without outputs (as committed) is read
    from its source: a cell draws when its own statements (not the functions it only defines)
    call plt.show(), plt.subplots() or another plt drawing call, a .plot(), or a function an
    earlier cell defines that draws (a helper). The one reader of what is a figure: the tests
    and the slides ask this function."""
    import ast
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    if any(c.get("outputs") for _, c in code):
        return [i for i, c in code if any(mime in o.get("data", {}) for o in c["outputs"]
                                          for mime in FIGURE_MIME)]
    found, helpers = [], set()
    for i, cell in code:
        try:
            tree = ast.parse(python_only(source(cell)))
        except SyntaxError:  # a cell that shows a syntax error: read its text
            if re.search(r"^\s*plt\.show\(\)", source(cell), re.M):
                found.append(i)
            continue
        draws = False
        for statement in tree.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if _draws(statement, helpers):
                    helpers.add(statement.name)
            elif not isinstance(statement, ast.ClassDef) and _draws(statement, helpers):
                draws = True
        if draws:
            found.append(i)
    return found


def figure_text(cell):
    """(alt text, takeaway) a figure cell's metadata gives, '' where it gives none."""
    meta = cell.get("metadata", {})
    alt = (meta.get("mystnb") or {}).get("image", {}).get("alt", "")
    return str(alt or ""), str((meta.get("book") or {}).get("takeaway", "") or "")
